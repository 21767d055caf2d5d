"""Alignment of plan objectives and measures to the national goals.

Unit tests run on the real reference goals (``ontology/reference/national.ttl``)
with plan items written as the plans write them; the data-driven tests run on
the bundled plans through the real loader.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from pyoxigraph import NamedNode
from rapidfuzz import fuzz

from rikg.align import (
    ALIGNMENTS_GRAPH,
    CODE_CONFIDENCE,
    AlignmentLink,
    NationalGoal,
    PlanItem,
    align_items,
    align_plans,
    align_step,
    alignment_iri,
    alignment_triples,
    apply_overrides,
    build_alignment_graph,
    coverage_by_plan,
    load_national_goals,
    load_overrides,
    plan_items,
)
from rikg.errors import RikgError
from rikg.loaders.records import Measure, Objective, PlanDocument, Priority, SourceSpan, UpstreamRef
from rikg.ontology.vocab import ID_NS
from rikg.textsim import TextIndex, normalise, stem, stems

NS = f"{ID_NS}objective/ns-2021-2030/"


@pytest.fixture(scope="module")
def goals() -> list[NationalGoal]:
    return load_national_goals()


def goal(area: str, number: int | None = None) -> str:
    return f"{NS}{area}" + (f"/{number}" if number is not None else "")


def item(
    kind: str,
    area: str,
    code: str | None,
    text: str,
    numbers: tuple[int, ...] = (),
    objective: str | None = None,
    plan: str = "x-2024-2027",
) -> PlanItem:
    segment = code or "o1"
    return PlanItem(
        f"{ID_NS}plan/{plan}/{area}/{kind}/{segment}",
        plan,
        kind,
        area,
        code,
        text,  # type: ignore[arg-type]
        numbers,
        objective,
    )


def by_source(links: list[AlignmentLink]) -> dict[str, AlignmentLink]:
    return {link.source: link for link in links}


# -- text similarity ------------------------------------------------------------------------------


def test_normalise_removes_markup_numbering_and_latin_look_alikes() -> None:
    assert normalise("<p>3. Осигуряване на условия</p>") == "осигуряване на условия"
    assert normalise("Пoвишaвaне") == "повишаване"  # Latin o and a inside a Cyrillic word
    assert normalise("ISO 9001 сертификат") == "iso 9001 сертификат"  # Latin words stay Latin


def test_stems_survive_articles_and_plurals() -> None:
    assert stem("ромите") == stem("роми") == "ром"
    assert stem("учениците") == stem("ученици")
    assert stem("детските") == stem("детски")


def test_words_split_by_the_export_are_joined_back() -> None:
    vocabulary = frozenset(stems("Осигуряване на заетост чрез предприемачество"))
    assert "предприемачеств" in stems("Насърчаване на предприемачест вото", vocabulary)


def test_similarity_ranks_a_paraphrase_above_a_topical_neighbour(goals: list[NationalGoal]) -> None:
    index = TextIndex(g.text for g in goals)
    education = {g.number: g.text for g in goals if g.area == "education" and g.number is not None}
    paraphrase = (
        "3. Осигуряване на условия за осъществяване на приобщаващо образование и интеграция на деца "
        "и ученици от уязвими групи, включително"
    )
    scores = {n: index.similarity(paraphrase, text).score for n, text in education.items()}
    assert max(scores, key=lambda n: scores[n]) == 2
    assert scores[2] - sorted(scores.values())[-2] > 0.3


def test_a_cell_cut_short_is_contained_in_the_goal(goals: list[NationalGoal]) -> None:
    index = TextIndex(g.text for g in goals)
    target = next(g.text for g in goals if g.area == "employment" and g.number == 4)
    similarity = index.similarity(
        "Активиране на безработни в неравностойно положение на пазара на труда", target
    )
    assert similarity.containment >= 0.95
    assert len(similarity.shared_stems) >= 5


# -- automatic links ------------------------------------------------------------------------------


def test_a_quoted_sub_goal_is_linked_by_text(goals: list[NationalGoal]) -> None:
    objective = item("objective", "health", "3", "3. Развитие на концепцията за здравна медиация")
    [link] = align_items([objective], goals, follows_national_plan=False)
    assert link.target == goal("health", 4)
    assert link.method == "text-similarity"
    assert link.confidence >= 0.9
    assert "health/4" in link.evidence and "Runner-up" in link.evidence
    assert 1 <= len(link.candidates) <= 3
    assert all(c.target != link.target and c.confidence < link.confidence for c in link.candidates)


def test_own_numbering_never_links_by_code(goals: list[NationalGoal]) -> None:
    """Благоевград: goals 1..11 are its own; goal 3 quotes sub-goal 2, goal 2 is a local goal."""
    local = item("objective", "education", "2", "2. Насърчаване на ранното детско развитие и обучение", (2,))
    quoted = item(
        "objective",
        "education",
        "3",
        "3. Осигуряване на условия за осъществяване на приобщаващо "
        "образование и интеграция на деца и ученици от уязвими групи, включително",
        (3,),
    )
    first = item(
        "objective",
        "education",
        "1",
        "1. Ефективен обхват, включване и реинтеграция на деца и ученици "
        "в задължителна предучилищна и училищна възраст от уязвими групи, включително ромите.",
        (1,),
    )
    fifth = item(
        "objective",
        "education",
        "5",
        "5. Повишаване на качеството на образование в детски градини и "
        "училища с концентрация на деца и ученици от уязвими групи, включително роми",
        (5,),
    )
    links = by_source(align_items([first, local, quoted, fifth], goals, follows_national_plan=True))
    assert local.iri not in links
    assert links[quoted.iri].target == goal("education", 2)
    assert links[quoted.iri].method == "text-similarity"
    assert links[fifth.iri].target == goal("education", 3)


def test_national_numbering_corroborated_by_text_is_code_plus_text(goals: list[NationalGoal]) -> None:
    """Русе: "Цел 4" of education holds measure 6.1 and quotes sub-goal 6."""
    objectives = [
        item(
            "objective",
            "education",
            "1",
            "Цел 1. Ефективен обхват, включване и реинтеграция на деца и ученици в "
            "задължителна предучилищна и училищна възраст от уязвими групи, включително роми",
            (1,),
        ),
        item(
            "objective",
            "education",
            "4",
            "Цел 4. Ефективно взаимодействие „образователна институция – семейство“ с "
            "фокус върху родители от уязвими групи, включително роми",
            (6,),
        ),
    ]
    links = by_source(align_items(objectives, goals, follows_national_plan=True))
    assert links[objectives[1].iri].target == goal("education", 6)
    assert links[objectives[1].iri].method == "code+text"
    assert links[objectives[1].iri].confidence >= 0.9
    assert "sub-goal 6" in links[objectives[1].iri].evidence


def test_a_measure_numbered_after_another_sub_goal_gets_a_code_link(goals: list[NationalGoal]) -> None:
    objective = item(
        "objective",
        "housing",
        "1",
        "Цел 1. Изграждане/реновиране на инфраструктура за предоставяне на "
        "интегрирани здравно-социални и социални услуги в общността за уязвими групи",
        (2,),
    )
    same = item(
        "measure",
        "housing",
        "2.1",
        "Участие на местните общности в процеса по подготовка на проектите за финансиране",
        (2,),
        objective.iri,
    )
    other = item(
        "measure", "housing", "3.1", "Реконструкция на детска градина и читалище", (3,), objective.iri
    )
    links = by_source(align_items([objective, same, other], goals, follows_national_plan=True))
    assert links[objective.iri].target == goal("housing", 2)
    assert same.iri not in links  # it inherits its objective's link through the graph
    assert links[other.iri].target == goal("housing", 3)
    assert links[other.iri].method == "code"
    assert links[other.iri].confidence == CODE_CONFIDENCE


def test_code_alone_is_not_enough_when_the_text_disagrees(goals: list[NationalGoal]) -> None:
    objective = item(
        "objective",
        "housing",
        "1",
        "Цел 1. Изграждане/реновиране на инфраструктура за предоставяне на "
        "интегрирани здравно-социални и социални услуги в общността за уязвими групи",
        (2,),
    )
    unrelated = item(
        "measure", "housing", "5.1", "Организиране на фестивал на ромската песен", (5,), objective.iri
    )
    links = by_source(align_items([objective, unrelated], goals, follows_national_plan=True))
    assert unrelated.iri not in links


def test_code_is_ignored_without_a_national_plan(goals: list[NationalGoal]) -> None:
    measure = item("measure", "housing", "3.1", "Реконструкция на детска градина и читалище", (3,))
    assert align_items([measure], goals, follows_national_plan=False) == []
    assert [link.method for link in align_items([measure], goals, follows_national_plan=True)] == ["code"]


def test_local_goals_stay_unaligned(goals: list[NationalGoal]) -> None:
    """Пловдив's own goals share words with the national ones but quote none of them."""
    texts = {
        "education": "1. Подобряване на качеството в образованието на условията на Ковид кризата",
        "health": "1. Повишаване здравната информираност и здравната култура на населението в етническите "
        "квартали",
        "employment": "2. Създаване на предпоставки за устойчиво развитие и заетост на лица от етнически "
        "групи.",
        "housing": "1. Благоустрояване на кварталите и районите компактно населени етнически малцинства",
        "culture": "1. Развитие на межкултурното сътрудничество като фактор за интеграция и толерантност",
    }
    items = [item("objective", area, "1", text, (1,)) for area, text in texts.items()]
    assert align_items(items, goals, follows_national_plan=False) == []


def test_other_areas_count_only_when_near_identical(goals: list[NationalGoal]) -> None:
    misfiled = item(
        "objective", "culture", "1", "Утвърждаване на толерантни междуетнически отношения чрез спорт"
    )
    [link] = align_items([misfiled], goals, follows_national_plan=False)
    assert link.target == goal("rule-of-law", 9)
    assert "another policy area" in link.evidence
    loose = item("objective", "culture", "2", "Насърчаване на спорта сред децата")
    assert align_items([loose], goals, follows_national_plan=False) == []


# -- reviewed overrides ---------------------------------------------------------------------------

HEADER = "source_iri,target_iri,action,reviewer,date,note\n"


def test_overrides_win(goals: list[NationalGoal], tmp_path: Path) -> None:
    quoted = item("objective", "health", "3", "3. Развитие на концепцията за здравна медиация")
    local = item(
        "objective", "employment", "3", "3. Насърчаване на предприемачест вото, стартиране на собствен бизнес"
    )
    automatic = align_items([quoted, local], goals, follows_national_plan=False)
    assert [link.source for link in automatic] == [quoted.iri]
    csv = tmp_path / "overrides.csv"
    csv.write_text(
        HEADER
        + f"{quoted.iri},{goal('health', 4)},reject,A. Reviewer,2024-09-01,wrong sub-goal\n"
        + f"{local.iri},id:objective/ns-2021-2030/employment/3,link,A. Reviewer,2024-09-01,"
        + "entrepreneurship\n",
        encoding="utf-8",
    )
    links = by_source(apply_overrides(automatic, load_overrides(csv), [quoted, local], goals))
    assert quoted.iri not in links
    manual = links[local.iri]
    assert (manual.target, manual.method, manual.confidence) == (goal("employment", 3), "manual", 1.0)
    assert "A. Reviewer" in manual.evidence and "2024-09-01" in manual.evidence


def test_a_link_override_replaces_the_automatic_link_of_its_source(
    goals: list[NationalGoal], tmp_path: Path
) -> None:
    quoted = item("objective", "health", "3", "3. Развитие на концепцията за здравна медиация")
    csv = tmp_path / "overrides.csv"
    csv.write_text(HEADER + f"{quoted.iri},{goal('health', 3)},link,B,2024-09-02,\n", encoding="utf-8")
    links = apply_overrides(align_items([quoted], goals, False), load_overrides(csv), [quoted], goals)
    assert [(link.target, link.method) for link in links] == [(goal("health", 3), "manual")]


def test_an_empty_reject_target_removes_every_automatic_link(
    goals: list[NationalGoal], tmp_path: Path
) -> None:
    quoted = item("objective", "health", "3", "3. Развитие на концепцията за здравна медиация")
    csv = tmp_path / "overrides.csv"
    csv.write_text(HEADER + f"{quoted.iri},,reject,B,2024-09-02,local goal\n", encoding="utf-8")
    assert apply_overrides(align_items([quoted], goals, False), load_overrides(csv), [quoted], goals) == []


def test_overrides_about_other_plans_are_skipped_with_a_warning(
    goals: list[NationalGoal], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    csv = tmp_path / "overrides.csv"
    csv.write_text(
        HEADER + f"{ID_NS}plan/elsewhere/health/objective/1,{goal('health', 1)},link,B,2024-09-02,\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING):
        assert apply_overrides([], load_overrides(csv), [], goals) == []
    assert "override skipped" in caplog.text and "overrides.csv:2" in caplog.text


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("id:plan/x/o/1,id:objective/y,merge,B,2024-09-02,", "action must be 'link' or 'reject'"),
        ("id:plan/x/o/1,,link,B,2024-09-02,", "needs a target_iri"),
        ("id:plan/x/o/1,id:objective/y,link,,2024-09-02,", "names its reviewer"),
        ("id:plan/x/o/1,id:objective/y,link,B,02.09.2024,", "date must be YYYY-MM-DD"),
        ("plan/x/o/1,id:objective/y,link,B,2024-09-02,", "is not an IRI"),
    ],
)
def test_a_malformed_override_is_a_one_line_error(tmp_path: Path, row: str, reason: str) -> None:
    csv = tmp_path / "overrides.csv"
    csv.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(RikgError) as error:
        load_overrides(csv)
    message = str(error.value)
    assert "\n" not in message and message.startswith(f"{csv}:2: ") and reason in message


def test_overrides_need_the_documented_columns(tmp_path: Path) -> None:
    csv = tmp_path / "overrides.csv"
    csv.write_text("source,target\n", encoding="utf-8")
    with pytest.raises(RikgError, match="expected the columns source_iri,target_iri,action"):
        load_overrides(csv)


def test_the_shipped_overrides_file_is_valid() -> None:
    from rikg.align import default_overrides_path

    path = default_overrides_path()
    assert path.exists()
    assert path.read_text(encoding="utf-8").splitlines()[0] == HEADER.strip()
    load_overrides(path)


# -- triples ----------------------------------------------------------------------------------------


def test_alignment_triples_conform_to_the_shapes(goals: list[NationalGoal]) -> None:
    import pyshacl
    from rdflib import Graph

    from rikg.ontology.resources import shapes_graph

    objective = item("objective", "health", "3", "3. Развитие на концепцията за здравна медиация")
    links = align_items([objective], goals, follows_national_plan=False)
    triples = alignment_triples(links)
    data = Graph().parse(data="\n".join(f"{t} ." for t in triples), format="nt")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes_graph())
    assert conforms, report
    node = NamedNode(alignment_iri(objective.iri, goal("health", 4)))
    predicates = {t.predicate.value.rsplit("#", 1)[-1] for t in triples if t.subject == node}
    assert {
        "alignmentSource",
        "alignmentTarget",
        "confidence",
        "method",
        "comparedSourceText",
        "comparedTargetText",
        "evidence",
        "candidate",
    } <= predicates
    shortcut = [t for t in triples if t.predicate.value.endswith("#alignedWith")]
    assert [(t.subject.value, t.object.value) for t in shortcut] == [(objective.iri, goal("health", 4))]


def test_alignment_iri_is_sha1_of_source_and_target() -> None:
    import hashlib

    expected = hashlib.sha1(b"https://w3id.org/rikg/id/ahttps://w3id.org/rikg/id/b").hexdigest()[:16]
    assert (
        alignment_iri("https://w3id.org/rikg/id/a", "https://w3id.org/rikg/id/b")
        == f"{ID_NS}alignment/{expected}"
    )


# -- plan items and coverage ------------------------------------------------------------------------


def small_plan() -> PlanDocument:
    span = SourceSpan("p.txt", 1, 1, "...")
    education = Priority(
        "Образование",
        "education",
        span,
        objectives=[
            Objective(
                "1",
                "Ефективен обхват, включване и реинтеграция на деца и ученици в задължителна предучилищна "
                "и училищна възраст от уязвими групи, включително роми",
                span,
                measures=[Measure("1.1", "Обхват", span), Measure("1.1", "Повтарящ се код", span)],
            ),
            Objective(
                "2", "Насърчаване на ранното детско развитие", span, measures=[Measure("2.1", "Ясли", span)]
            ),
        ],
    )
    health = Priority(
        "Здравеопазване",
        "health",
        span,
        objectives=[
            Objective(
                None,
                "Развитие на концепцията за здравна медиация",
                span,
                measures=[Measure(None, "Медиатори", span)],
            ),
        ],
    )
    return PlanDocument(
        "p.txt",
        "x-2024-2027",
        "X",
        None,
        None,
        2024,
        2027,
        upstream=[UpstreamRef("document/nap-2024-2027", "НПД", span)],
        priorities=[education, health],
    )


def test_plan_items_carry_the_iris_of_the_graph_mapping() -> None:
    from rikg.mapping import map_plan

    doc = small_plan()
    mapped = {t.subject.value for t in map_plan(doc) if t.predicate.value.endswith("#policyArea")}
    items = plan_items(doc)
    assert {i.iri for i in items} <= mapped
    assert [i.iri.removeprefix(f"{ID_NS}plan/x-2024-2027/") for i in items] == [
        "education/objective/1",
        "education/measure/1.1",
        "education/measure/1.1-2",
        "education/objective/2",
        "education/measure/2.1",
        "health/objective/o1",
        "health/measure/m1",
    ]


def test_coverage_counts_inherited_measures() -> None:
    doc = small_plan()
    links = align_plans([doc], load_national_goals())
    coverage = coverage_by_plan(links, [doc])["x-2024-2027"]
    assert (coverage.objectives, coverage.objectives_aligned) == (3, 2)
    assert (coverage.measures, coverage.measures_aligned) == (4, 3)
    assert str(coverage).startswith("objectives 2/3 (67%), measures 3/4 (75%")


def test_build_alignment_graph_names_the_alignments_graph(tmp_path: Path) -> None:
    doc = small_plan()
    empty = tmp_path / "none.csv"
    graphs = build_alignment_graph([doc], overrides=empty)
    assert list(graphs) == [ALIGNMENTS_GRAPH]
    assert any(t.predicate.value.endswith("#alignedWith") for t in graphs[ALIGNMENTS_GRAPH])


# -- the bundled plans ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> list[PlanDocument]:
    from rikg.config import bundled_plans_dir
    from rikg.loaders.plan import load_plans

    plans = [doc for doc in load_plans(bundled_plans_dir()) if isinstance(doc, PlanDocument)]
    assert len(plans) >= 4
    return plans


@pytest.fixture(scope="module")
def bundled_links(bundled: list[PlanDocument], goals: list[NationalGoal]) -> list[AlignmentLink]:
    return align_plans(bundled, goals)


_NUMBERING = re.compile(r"^\s*(?:цел\s*[:.]?\s*)?(?:\d+(?:\.\d+)*[.):]?\s*)+", re.IGNORECASE)


def near_identical(a: str, b: str) -> bool:
    """An independent check: rapidfuzz ratio of the texts lower-cased, without list numbering, markup
    and punctuation (no stems, no weights, nothing of rikg.textsim)."""

    def simple(text: str) -> str:
        text = re.sub(r"<[^>]+>", " ", text).lower()
        return " ".join(re.findall(r"\w+", _NUMBERING.sub("", text)))

    return fuzz.ratio(simple(a), simple(b)) >= 90


def test_every_objective_that_quotes_a_sub_goal_is_aligned_with_it(
    bundled: list[PlanDocument], bundled_links: list[AlignmentLink], goals: list[NationalGoal]
) -> None:
    links = {(link.source, link.target) for link in bundled_links}
    checked = 0
    for doc in bundled:
        for plan_item in plan_items(doc):
            for national in goals:
                if plan_item.kind == "objective" and any(
                    near_identical(plan_item.text, t) for t in national.texts
                ):
                    assert (plan_item.iri, national.iri) in links, f"{plan_item.iri} quotes {national.name}"
                    checked += 1
    assert checked >= 20


def test_named_cases_of_the_bundled_plans(
    bundled: list[PlanDocument], bundled_links: list[AlignmentLink]
) -> None:
    by_plan = {doc.slug: doc for doc in bundled}
    links = by_source(bundled_links)
    blagoevgrad = next(slug for slug in by_plan if slug.startswith("blagoevgrad"))
    plovdiv = next(slug for slug in by_plan if slug.startswith("plovdiv"))
    items = {(i.plan, i.kind, i.area, i.code): i for doc in bundled for i in plan_items(doc)}
    third = items[(blagoevgrad, "objective", "education", "3")]
    assert links[third.iri].target == goal("education", 2)
    early_years = items[(blagoevgrad, "objective", "education", "2")]
    assert early_years.iri not in links
    covid = next(i for i in items.values() if i.plan == plovdiv and "Ковид" in i.text)
    assert covid.iri not in links


def test_no_link_leaves_its_policy_area_unless_near_identical(
    bundled: list[PlanDocument], bundled_links: list[AlignmentLink], goals: list[NationalGoal]
) -> None:
    area_of = {g.iri: g.area for g in goals}
    items = {i.iri: i for doc in bundled for i in plan_items(doc)}
    for link in bundled_links:
        source = items[link.source]
        if source.area != area_of[link.target]:
            assert link.method == "text-similarity" and link.confidence >= 0.88, link


def test_shipped_overrides_name_items_of_the_bundled_plans(
    bundled: list[PlanDocument], goals: list[NationalGoal]
) -> None:
    from rikg.align import default_overrides_path

    overrides = load_overrides(default_overrides_path())
    items = {i.iri: i for doc in bundled for i in plan_items(doc)}
    known_goals = {g.iri for g in goals}
    for override in overrides:
        assert override.source in items, f"{override.where}: {override.source} is not in the bundled plans"
        assert override.target is None or override.target in known_goals, override.where
    graph = build_alignment_graph(bundled)[ALIGNMENTS_GRAPH]
    manual = {
        t.subject.value for t in graph if t.predicate.value.endswith("#method") and t.object.value == "manual"
    }
    assert len(manual) == sum(o.action == "link" for o in overrides)


def test_align_step_writes_the_graph_and_reports_coverage(tmp_path: Path) -> None:
    from rikg.build import DEFAULT_STEPS, build
    from rikg.config import bundled_plans_dir

    messages: list[str] = []
    report = build(
        bundled_plans_dir(),
        str(tmp_path / "store"),
        steps=(*DEFAULT_STEPS, align_step),
        progress=messages.append,
    )
    assert report.graphs[ALIGNMENTS_GRAPH] > 0
    coverage = [m for m in messages if ": alignment objectives " in m]
    assert len(coverage) == len(report.plans) >= 4
    assert any(re.match(r"ruse-2024-2027: alignment objectives (\d+)/\1 \(100%\)", m) for m in coverage)
