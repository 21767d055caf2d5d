"""The explorer's views read from the real built store: what each focus shows, with details from the graph."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from rikg.config import bundled_plans_dir
from rikg.errors import RikgError
from rikg.explorer import build_view
from rikg.explorer.layout import layout
from rikg.explorer.view import KINDS, ExplorerView
from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore
from rikg.ontology.vocab import ID_NS, RIKG_NS

PREFIX = f"PREFIX rikg: <{RIKG_NS}> PREFIX org: <http://www.w3.org/ns/org#> "
RUSE = f"{ID_NS}plan/ruse-2024-2027"
SUB_GOAL = f"{ID_NS}objective/ns-2021-2030/education/1"


def iris(store: GraphStore, query: str) -> set[str]:
    result = store.query(PREFIX + query)
    return {term.value for term in result.column(result.variables[0]) if term is not None}


def kinds(view: ExplorerView) -> dict[str, str]:
    return {node.iri: node.kind for node in view.nodes}


@pytest.fixture(scope="module")
def default_view(built_store: GraphStore) -> ExplorerView:
    return build_view(built_store)


def test_default_view_holds_the_chain_plans_objectives_and_measures(
    built_store: GraphStore, default_view: ExplorerView
) -> None:
    shown = kinds(default_view)
    measures = iris(built_store, "SELECT ?m WHERE { ?m a rikg:Measure ; "
                                 "rikg:inDocument/a rikg:MunicipalActionPlan }")
    plans = iris(built_store, "SELECT ?p WHERE { ?p a rikg:MunicipalActionPlan }")
    eu_objectives = iris(built_store, "SELECT ?o WHERE { ?o a rikg:EUObjective }")
    assert {iri for iri, kind in shown.items() if kind == "measure"} == measures
    assert {iri for iri, kind in shown.items() if kind == "plan"} == plans
    assert {iri for iri, kind in shown.items() if kind == "eu-objective"} == eu_objectives
    assert "activity" not in shown.values() and "institution" not in shown.values()
    assert default_view.notice is None


def test_every_measure_has_its_source_line_and_text(default_view: ExplorerView) -> None:
    measures = [node for node in default_view.nodes if node.kind == "measure"]
    for node in measures:
        assert node.source is not None, node.iri
        lines = (bundled_plans_dir() / node.source.file).read_text(encoding="utf-8").splitlines()
        assert node.source.line_start is not None and node.source.line_end is not None
        assert 1 <= node.source.line_start <= node.source.line_end <= len(lines)
        assert node.source.text and node.source.text.strip()
        assert node.plan is not None and node.iri.startswith(node.plan + "/")


def test_edges_join_shown_nodes_and_alignments_carry_confidence_and_method(
    built_store: GraphStore, default_view: ExplorerView
) -> None:
    shown = kinds(default_view)
    assert all(edge.source in shown and edge.target in shown for edge in default_view.edges)
    aligned = [edge for edge in default_view.edges if edge.relation == "alignedWith"]
    assert aligned
    for edge in aligned[:10]:
        row = built_store.query(
            PREFIX + "SELECT ?c ?m WHERE { ?a rikg:alignmentSource ?s ; rikg:alignmentTarget ?t ; "
            "rikg:confidence ?c ; rikg:method ?m }",
            {"s": NamedNode(edge.source), "t": NamedNode(edge.target)},
        ).rows[0]
        assert edge.confidence == pytest.approx(float(row["c"].value))  # type: ignore[union-attr]
        assert edge.method == row["m"].value  # type: ignore[union-attr]


def test_labels_are_bulgarian_with_english_where_the_graph_has_it(default_view: ExplorerView) -> None:
    eu = next(node for node in default_view.nodes if node.iri.endswith("objective/eu-2020-2030/education"))
    assert eu.label.startswith("Повишаване") and eu.label_en and eu.label_en.startswith("Increase")
    assert "rikg" not in eu.label


def test_filters_offer_the_plans_areas_institutions_and_funding_shown(default_view: ExplorerView) -> None:
    facets = default_view.facets()
    assert [iri for iri, _ in facets["plan"]] == sorted(
        (node.iri for node in default_view.nodes if node.kind == "plan"),
        key=lambda iri: iri.rsplit("/", 1)[-1],
    )
    assert f"{ID_NS}policy-area/education" in {iri for iri, _ in facets["policy_area"]}
    institutions = dict(facets["institution"])
    assert f"{ID_NS}institution/ruo" in institutions and "РУО" in institutions[f"{ID_NS}institution/ruo"]
    assert facets["funding"]


def test_a_small_cap_keeps_the_chain_and_summarises_each_plan(built_store: GraphStore) -> None:
    view = build_view(built_store, max_nodes=120)
    shown = kinds(view)
    assert set(shown.values()) <= {"eu-document", "eu-objective", "national-document", "national-goal",
                                   "oblast-document", "plan", "summary"}
    summaries = [node for node in view.nodes if node.kind == "summary"]
    assert len(summaries) == 4 and all("measures" in node.label for node in summaries)
    assert view.notice and "--plan" in view.notice and view.total_nodes > 120


def test_plan_focus_shows_the_plan_its_items_and_the_goals_they_align_with(built_store: GraphStore) -> None:
    view = build_view(built_store, plan="ruse-2024-2027")
    shown = kinds(view)
    items = iris(built_store, f"SELECT ?n WHERE {{ ?n rikg:inDocument <{RUSE}> ; a rikg:Measure }}")
    aligned = iris(built_store, f"SELECT ?g WHERE {{ ?o rikg:inDocument <{RUSE}> ; rikg:alignedWith ?g }}")
    assert items <= set(shown) and aligned <= set(shown)
    for iri, kind in shown.items():
        if kind in ("plan", "objective", "measure", "activity"):
            assert iri == RUSE or iri.startswith(RUSE + "/"), iri
    assert view.focus == RUSE


def test_institution_focus_shows_its_measures_and_their_chain(built_store: GraphStore) -> None:
    ruo = f"{ID_NS}institution/ruo"
    view = build_view(built_store, institution="ruo")
    units = iris(built_store, f"SELECT ?i WHERE {{ ?i org:subOrganizationOf* <{ruo}> }}")
    items = [node for node in view.nodes if node.kind in ("measure", "activity")]
    assert items
    # A measure may come in only as the measure of one of the institution's activities.
    with_activity = {edge.target for edge in view.edges if edge.relation == "partOfMeasure"
                     and set(next(n for n in items if n.iri == edge.source).institutions) & units}
    for node in items:
        assert set(node.institutions) & units or node.iri in with_activity, node.iri
    expected = iris(built_store, "SELECT ?m WHERE { ?m a rikg:Measure ; "
                                 f"rikg:responsibleInstitution <{ruo}> }}")
    assert expected <= set(kinds(view))
    assert {"plan", "objective", "institution"} <= set(kinds(view).values())
    assert any(edge.relation == "responsibleInstitution" and edge.target == ruo for edge in view.edges)


def test_sub_goal_focus_shows_the_municipal_objectives_aligned_to_it(built_store: GraphStore) -> None:
    view = build_view(built_store, focus="id:objective/ns-2021-2030/education/1")
    aligned = iris(built_store, f"SELECT ?o WHERE {{ ?o rikg:alignedWith <{SUB_GOAL}> }}")
    assert aligned and aligned <= set(kinds(view))
    edges = [edge for edge in view.edges if edge.target == SUB_GOAL and edge.relation == "alignedWith"]
    assert {edge.source for edge in edges} == aligned
    assert all(edge.confidence is not None and edge.method for edge in edges)
    assert any(kind == "eu-objective" for kind in kinds(view).values())


def test_a_focus_the_store_lacks_is_one_readable_error(built_store: GraphStore) -> None:
    with pytest.raises(RikgError, match=re.escape(f"no node {ID_NS}plan/nowhere-2024-2027 in the store")):
        build_view(built_store, plan="nowhere-2024-2027")
    with pytest.raises(RikgError, match="not an IRI"):
        build_view(built_store, focus="just words")


def test_layout_puts_each_level_below_the_one_above(default_view: ExplorerView) -> None:
    layout(default_view)
    tops: dict[int, float] = {}
    bottoms: dict[int, float] = {}
    for node in default_view.nodes:
        tops[node.level] = min(tops.get(node.level, node.y), node.y)
        bottoms[node.level] = max(bottoms.get(node.level, node.y), node.y)
    levels = sorted(tops)
    assert levels[0] == KINDS["eu-document"].level
    for upper, lower in itertools.pairwise(levels):
        assert bottoms[upper] < tops[lower]
    positions = {(node.x, node.y) for node in default_view.nodes}
    assert len(positions) == len(default_view.nodes)


def test_institution_within_one_plan_keeps_only_that_plans_items(built_store: GraphStore) -> None:
    view = build_view(built_store, institution="ruo", plan="ruse-2024-2027")
    items = [node for node in view.nodes if node.kind in ("plan", "objective", "measure", "activity")]
    assert items and any(node.kind == "measure" for node in items)
    assert all(node.iri == RUSE or node.iri.startswith(RUSE + "/") for node in items)
    assert f"{ID_NS}institution/ruo" in kinds(view)


def test_an_empty_store_gives_an_empty_view_that_says_why(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "store")) as store:
        view = build_view(store)
    assert view.nodes == [] and view.edges == []
    assert view.notice and "rikg build" in view.notice
