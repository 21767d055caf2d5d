"""``rikg trace``: the chain from a plan item up to the EU objectives.

Two stores, both real embedded pyoxigraph stores: a small one holding the
ontology, the real reference data and a hand-written plan in the Русе layout
(exact expectations), and the session store built from the bundled plans
(``built_store`` from ``tests/conftest.py``) for the data-driven checks.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Triple
from rapidfuzz import fuzz

from rikg.align import ALIGNMENTS_GRAPH, build_alignment_graph
from rikg.cli import main
from rikg.errors import RikgError
from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore
from rikg.loaders.records import Activity, Measure, Objective, PlanDocument, Priority, SourceSpan, UpstreamRef
from rikg.mapping import map_plan, plan_graph_iri
from rikg.ontology.resources import ontology_resource, reference_resources
from rikg.ontology.vocab import ID_NS, RIKG_NS
from rikg.trace import format_text, resolve_item, trace, trace_item

PLAN = "ruse-2024-2027"
NS = f"{ID_NS}objective/ns-2021-2030/"
EU_EDUCATION = f"{ID_NS}objective/eu-2020-2030/education"
KEYS = {"iri", "types", "label", "label_en", "document", "via", "confidence", "method", "source"}


def rikg(term: str) -> str:
    return RIKG_NS + term


def ruse_like_plan() -> PlanDocument:
    def span(line: int) -> SourceSpan:
        return SourceSpan("004_test.txt", line, line, "...")

    education = Priority(
        "Образование",
        "education",
        span(387),
        objectives=[
            Objective(
                "1",
                "Цел 1. Ефективен обхват, включване и реинтеграция на деца и ученици в задължителна "
                "предучилищна и училищна възраст от уязвими групи, включително роми.",
                span(392),
                measures=[
                    Measure(
                        "1.1",
                        "Механизъм за съвместна работа на институциите по обхващане и включване",
                        span(405),
                        activities=[Activity("1.1.1", "Работа на екипите за обхват", span(407))],
                    )
                ],
            ),
            Objective(
                "4",
                "Цел 4. Ефективно взаимодействие „образователна институция – семейство“ с фокус върху "
                "родители от уязвими групи, включително роми",
                span(516),
                measures=[Measure("6.1", "Приобщаване на родители от уязвими групи", span(529))],
            ),
        ],
    )
    health = Priority(
        "Здравеопазване",
        "health",
        span(560),
        objectives=[
            Objective(
                "1",
                "Цел 1: Подобряване на майчиното и детското здравеопазване в обособените уязвими общности, "
                "с концентрация на бедност",
                span(563),
                measures=[Measure("1.1", "Профилактични прегледи на бременни", span(590))],
            ),
            Objective("2", "Мобилни кабинети в кварталите", span(650), measures=[]),
        ],
    )
    return PlanDocument(
        "004_test.txt",
        PLAN,
        "Русе",
        "Русе",
        "План за действие на Община Русе 2024-2027",
        2024,
        2027,
        upstream=[UpstreamRef("document/nap-2024-2027", "НПД 2024-2027", span(13))],
        priorities=[education, health],
    )


def load(store: GraphStore, doc: PlanDocument, overrides: Path) -> None:
    store.replace_graphs({f"{ID_NS}graph/ontology": ontology_resource().triples()})
    store.replace_graphs({f"{ID_NS}graph/reference": [t for r in reference_resources() for t in r.triples()]})
    store.replace_graphs({plan_graph_iri(doc.slug): map_plan(doc)})
    store.replace_graphs(build_alignment_graph([doc], overrides=overrides))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    folder = tmp_path_factory.mktemp("trace")
    with open_store(str(folder / "store")) as opened:
        load(opened, ruse_like_plan(), folder / "no-overrides.csv")
        yield opened


def chain_of(store: GraphStore, ref: str) -> list[dict[str, object]]:
    result: list[dict[str, object]] = trace_item(store, ref).as_json()["chain"]
    return result


def iris(chain: list[dict[str, object]]) -> list[object]:
    return [step["iri"] for step in chain]


# -- shape and order --------------------------------------------------------------------------------


def test_json_shape_follows_the_contract(store: GraphStore) -> None:
    result = trace_item(store, f"{PLAN}:1.1.1").as_json()
    assert set(result) == {"item", "chain"}
    assert result["item"] == f"{ID_NS}plan/{PLAN}/education/activity/1.1.1"
    for step in result["chain"]:
        assert set(step) == KEYS
        assert isinstance(step["types"], list) and all(t.startswith("http") for t in step["types"])
        assert step["document"] is None or step["document"].startswith(ID_NS)
        assert step["source"] is None or set(step["source"]) == {"file", "line"}
    assert result["chain"][0]["iri"] == result["item"]
    assert result["chain"][0]["via"] is None
    assert all(step["via"] for step in result["chain"][1:])
    json.dumps(result)


def test_the_chain_runs_bottom_up_from_activity_to_eu_objective(store: GraphStore) -> None:
    chain = chain_of(store, f"{PLAN}:1.1.1")
    first_types = [step["types"][0] for step in chain]  # type: ignore[index]
    assert first_types[:6] == [
        rikg("Activity"),
        rikg("Measure"),
        rikg("Objective"),
        rikg("SubGoal"),
        rikg("OperationalGoal"),
        rikg("StrategicGoal"),
    ]
    assert [step["via"] for step in chain[1:4]] == [
        rikg("partOfMeasure"),
        rikg("servesObjective"),
        rikg("alignedWith"),
    ]
    assert chain[3]["iri"] == f"{NS}education/1"
    documents = [step["iri"] for step in chain if rikg("PolicyDocument") in _classes(step)]
    assert documents[:3] == [
        f"{ID_NS}plan/{PLAN}",
        f"{ID_NS}document/nap-2024-2027",
        f"{ID_NS}document/ns-2021-2030",
    ]
    assert chain.index(_step(chain, f"{ID_NS}plan/{PLAN}")) > chain.index(_step(chain, f"{NS}strategic"))
    eu = [step for step in chain if step["types"] and step["types"][0] == rikg("EUObjective")]  # type: ignore[index]
    assert eu[0]["iri"] == EU_EDUCATION and eu[0]["via"] == rikg("contributesTo")
    assert chain.index(eu[0]) > max(chain.index(_step(chain, d)) for d in documents)


def _classes(step: dict[str, object]) -> set[str]:
    types = step["types"]
    assert isinstance(types, list)
    documents = {
        "MunicipalActionPlan",
        "NationalActionPlan",
        "NationalStrategy",
        "EUFramework",
        "PolicyDocument",
    }
    return {rikg("PolicyDocument")} if any(t.rsplit("#", 1)[-1] in documents for t in types) else set(types)


def _step(chain: list[dict[str, object]], iri: str) -> dict[str, object]:
    return next(step for step in chain if step["iri"] == iri)


def test_every_node_appears_once_and_the_order_is_stable(store: GraphStore) -> None:
    first = iris(chain_of(store, f"{PLAN}:1.1.1"))
    assert len(first) == len(set(first))
    assert iris(chain_of(store, f"{PLAN}:1.1.1")) == first


def test_extracted_steps_carry_their_source_and_reference_steps_none(store: GraphStore) -> None:
    chain = chain_of(store, f"{PLAN}:1.1.1")
    assert [step["source"] for step in chain[:3]] == [
        {"file": "004_test.txt", "line": 407},
        {"file": "004_test.txt", "line": 405},
        {"file": "004_test.txt", "line": 392},
    ]
    assert all(step["source"] is None for step in chain if str(step["iri"]).startswith(NS))
    assert _step(chain, f"{ID_NS}plan/{PLAN}")["document"] == f"{ID_NS}plan/{PLAN}"
    assert chain[0]["document"] == f"{ID_NS}plan/{PLAN}"
    assert _step(chain, f"{NS}education/1")["document"] == f"{ID_NS}document/ns-2021-2030"


def test_inferred_steps_carry_confidence_and_method(store: GraphStore) -> None:
    chain = chain_of(store, f"{PLAN}:1.1.1")
    for step in chain[:3]:
        assert (step["confidence"], step["method"]) == (None, None)
    sub_goal = _step(chain, f"{NS}education/1")
    assert sub_goal["method"] == "code+text"
    assert isinstance(sub_goal["confidence"], float) and sub_goal["confidence"] >= 0.9
    eu = _step(chain, EU_EDUCATION)
    assert eu["method"] == "reference" and eu["confidence"] == 1.0


def test_a_measure_numbered_after_its_sub_goal_traces_to_it(store: GraphStore) -> None:
    chain = chain_of(store, f"{PLAN}:6.1")
    assert iris(chain)[:3] == [
        f"{ID_NS}plan/{PLAN}/education/measure/6.1",
        f"{ID_NS}plan/{PLAN}/education/objective/4",
        f"{NS}education/6",
    ]
    assert EU_EDUCATION in iris(chain)


def test_a_local_goal_stops_at_the_plan(store: GraphStore) -> None:
    chain = chain_of(store, f"{PLAN}:health:2")
    assert not any(str(step["iri"]).startswith(NS) for step in chain)
    assert f"{ID_NS}plan/{PLAN}" in iris(chain)


def test_text_output_is_an_indented_chain(store: GraphStore) -> None:
    text = format_text(trace_item(store, f"{PLAN}:1.1.1"))
    lines = text.splitlines()
    assert lines[0].startswith("Activity 1.1.1 «Работа на екипите за обхват» [004_test.txt:407]")
    assert re.match(r"^ {2}↑ partOfMeasure: Measure 1\.1 «.*» \[004_test\.txt:405\]$", lines[1])
    sub_goal = next(line for line in lines if "SubGoal 1" in line)
    assert re.search(r"\(code\+text, confidence [01]\.\d\d\)$", sub_goal)
    assert sub_goal.startswith("    ↑ alignedWith: ")  # the activity also serves the objective directly


# -- naming the item --------------------------------------------------------------------------------


def test_items_are_named_by_iri_prefixed_iri_or_code(store: GraphStore) -> None:
    iri = f"{ID_NS}plan/{PLAN}/education/measure/6.1"
    assert resolve_item(store, iri) == iri
    assert resolve_item(store, f"id:plan/{PLAN}/education/measure/6.1") == iri
    assert resolve_item(store, f"{PLAN}:6.1") == iri
    assert resolve_item(store, f"{PLAN}:education:6.1") == iri


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (
            f"{PLAN}:1.1",
            f"'{PLAN}:1.1' is ambiguous: {PLAN}:education:1.1 (measure); {PLAN}:health:1.1 (measure)",
        ),
        (f"{ID_NS}plan/{PLAN}/nothing", f"no node {ID_NS}plan/{PLAN}/nothing in the store"),
        ("nowhere-2024-2027:1.1", "unknown plan 'nowhere-2024-2027'"),
        (f"{PLAN}:9.9", f"no objective, measure or activity with code '9.9' in plan {PLAN}"),
        (
            f"{PLAN}:culture:1.1",
            f"no objective, measure or activity with code '1.1' in culture in plan {PLAN}",
        ),
        ("1.1", "'1.1' is neither an IRI nor PLAN:CODE"),
        ("https://w3id.org/rikg/id/a b", "is not a valid IRI"),
    ],
)
def test_naming_errors_are_one_line(store: GraphStore, ref: str, message: str) -> None:
    with pytest.raises(RikgError) as error:
        resolve_item(store, ref)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_command_prints_json_or_one_error_line(
    store: GraphStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", f"{PLAN}:education:1.1", "--format", "json", "--store", store.location]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["item"] == f"{ID_NS}plan/{PLAN}/education/measure/1.1"
    assert main(["trace", f"{PLAN}:1.1", "--store", store.location]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("rikg trace: error: ") and captured.err.count("\n") == 1
    assert f"{PLAN}:health:1.1" in captured.err


# -- overrides and reasoning ------------------------------------------------------------------------


def test_a_reviewed_override_shows_as_manual(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.csv"
    objective = f"{ID_NS}plan/{PLAN}/health/objective/2"
    overrides.write_text(
        "source_iri,target_iri,action,reviewer,date,note\n"
        f"{objective},{NS}health/2,link,A. Reviewer,2024-09-01,mobile surgeries widen access\n"
        f"{ID_NS}plan/{PLAN}/education/objective/1,,reject,A. Reviewer,2024-09-01,test\n",
        encoding="utf-8",
    )
    with open_store(str(tmp_path / "store")) as own:
        load(own, ruse_like_plan(), overrides)
        chain = chain_of(own, f"{PLAN}:health:2")
        assert (_step(chain, f"{NS}health/2")["method"], _step(chain, f"{NS}health/2")["confidence"]) == (
            "manual",
            1.0,
        )
        assert not any(str(s["iri"]).startswith(NS) for s in chain_of(own, f"{PLAN}:education:1.1"))


def test_a_reasoners_transitive_shortcuts_do_not_change_the_chain(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "store")) as own:
        load(own, ruse_like_plan(), tmp_path / "none.csv")
        before = chain_of(own, f"{PLAN}:1.1.1")
        contributes = NamedNode(rikg("contributesTo"))
        item = NamedNode(str(before[0]["iri"]))
        closure = [Triple(item, contributes, NamedNode(str(step["iri"]))) for step in before[1:]]
        closure += [
            Triple(NamedNode(str(before[1]["iri"])), contributes, NamedNode(str(step["iri"])))
            for step in before[2:]
        ]
        own.replace_graphs({f"{ID_NS}graph/inferred": closure})
        assert chain_of(own, f"{PLAN}:1.1.1") == before


def test_trace_of_a_national_goal_starts_there(store: GraphStore) -> None:
    result = trace(store, f"{NS}education/6")
    assert result.steps[0].iri == f"{NS}education/6"
    assert result.steps[1].iri == f"{NS}education"
    assert EU_EDUCATION in [step.iri for step in result.steps]


# -- the bundled plans ------------------------------------------------------------------------------

_NUMBERING = re.compile(r"^\s*(?:цел\s*[:.]?\s*)?(?:\d+(?:\.\d+)*[.):]?\s*)+", re.IGNORECASE)


def simple_text(text: str) -> str:
    """An independent normalisation: lower case, list numbering, markup and punctuation dropped."""
    text = re.sub(r"<[^>]+>", " ", text).lower()
    return " ".join(re.findall(r"\w+", _NUMBERING.sub("", text)))


def rows(store: GraphStore, sparql: str) -> list[dict[str, str]]:
    result = store.query(sparql)
    return [{k: v.value for k, v in row.items() if v is not None} for row in result.rows]


def test_bundled_store_has_alignments(built_store: GraphStore) -> None:
    assert ALIGNMENTS_GRAPH in built_store.named_graphs()


def test_measures_under_a_quoted_sub_goal_trace_to_it_and_to_the_eu(built_store: GraphStore) -> None:
    sub_goals = rows(
        built_store,
        f"""SELECT ?goal ?text WHERE {{ ?goal a <{rikg("SubGoal")}> ;
               <http://www.w3.org/2004/02/skos/core#prefLabel> ?text . FILTER (lang(?text) = "bg") }}""",
    )
    measures = rows(
        built_store,
        f"""SELECT ?measure ?objective ?text WHERE {{
               ?measure a <{rikg("Measure")}> ; <{rikg("servesObjective")}> ?objective .
               ?objective <http://www.w3.org/2004/02/skos/core#prefLabel> ?text ;
                          <{rikg("inDocument")}> ?plan . ?plan a <{rikg("MunicipalActionPlan")}> }}""",
    )
    checked = 0
    for row in measures:
        quoted = [
            g["goal"] for g in sub_goals if fuzz.ratio(simple_text(row["text"]), simple_text(g["text"])) >= 90
        ]
        if not quoted:
            continue
        chain = trace(built_store, row["measure"]).as_json()["chain"]
        found = [step["iri"] for step in chain]
        assert any(goal in found for goal in quoted), f"{row['measure']} does not reach {quoted}"
        assert any(rikg("EUObjective") in step["types"] for step in chain), row["measure"]
        checked += 1
    assert checked >= 20


def test_ruse_education_measure_reaches_sub_goal_1_and_the_eu(built_store: GraphStore) -> None:
    chain = chain_of(built_store, f"{PLAN}:education:1.1")
    assert iris(chain)[:3] == [
        f"{ID_NS}plan/{PLAN}/education/measure/1.1",
        f"{ID_NS}plan/{PLAN}/education/objective/1",
        f"{NS}education/1",
    ]
    assert EU_EDUCATION in iris(chain)
    assert chain[0]["source"]["file"] == "004_1a91cfd4f2bbbb4c.txt"  # type: ignore[index]


def test_blagoevgrad_education_objective_3_is_sub_goal_2(built_store: GraphStore) -> None:
    chain = chain_of(built_store, "blagoevgrad-2024-2027:education:3")
    assert iris(chain)[1] == f"{NS}education/2"
    assert chain[1]["method"] == "text-similarity" and chain[1]["via"] == rikg("alignedWith")


def test_a_plovdiv_local_goal_stays_unaligned(built_store: GraphStore) -> None:
    [row] = rows(
        built_store,
        f"""SELECT ?objective WHERE {{ ?objective a <{rikg("Objective")}> ;
               <{rikg("inDocument")}> <{ID_NS}plan/plovdiv-2022-2024> ;
               <http://www.w3.org/2004/02/skos/core#prefLabel> ?text .
               FILTER (CONTAINS(?text, "Ковид")) }}""",
    )
    chain = trace(built_store, row["objective"]).as_json()["chain"]
    assert not any(rikg("SubGoal") in step["types"] for step in chain)


def test_extracted_steps_point_at_real_lines(built_store: GraphStore) -> None:
    from rikg.config import bundled_plans_dir

    chain = chain_of(built_store, f"{PLAN}:education:1.1")
    for step in chain:
        source = step["source"]
        if source is None:
            continue
        lines = (bundled_plans_dir() / source["file"]).read_text(encoding="utf-8").splitlines()  # type: ignore[index]
        assert 1 <= source["line"] <= len(lines)  # type: ignore[index]


def test_the_chain_does_not_need_the_ontology_graph(store: GraphStore, tmp_path: Path) -> None:
    with open_store(str(tmp_path / "store")) as bare:
        load(bare, ruse_like_plan(), tmp_path / "none.csv")
        bare.drop_graphs([f"{ID_NS}graph/ontology"])
        assert iris(chain_of(bare, f"{PLAN}:1.1.1")) == iris(chain_of(store, f"{PLAN}:1.1.1"))


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``oxigraph serve`` on a free loopback port (PyPI package ``oxigraph``), stopped afterwards."""
    binary = Path(sys.executable).parent / "oxigraph"
    command = str(binary) if binary.exists() else shutil.which("oxigraph")
    assert command, "the oxigraph server (PyPI package 'oxigraph') is not installed"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [command, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            assert process.poll() is None, "oxigraph serve exited"
            try:
                with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_sparql_server_gives_the_same_trace(store: GraphStore, oxigraph_url: str, tmp_path: Path) -> None:
    with open_store(oxigraph_url) as remote:
        load(remote, ruse_like_plan(), tmp_path / "none.csv")
        for ref in (f"{PLAN}:1.1.1", f"{PLAN}:6.1", f"{PLAN}:health:2"):
            assert chain_of(remote, ref) == chain_of(store, ref)
        with pytest.raises(RikgError, match="is ambiguous"):
            resolve_item(remote, f"{PLAN}:1.1")
