"""Network analytics, ``rikg stats`` and ``rikg reason`` on real embedded stores.

A small hand-written plan graph (with the real ontology) checks the projections exactly; the
session's store built from the four bundled plans checks them on real data.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from rikg.analytics import (
    chain_depths,
    co_responsibility_network,
    contribution_graph,
    institution_centrality,
    longest_chains,
)
from rikg.cli import main
from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore
from rikg.ontology import ontology_resource
from rikg.ontology.vocab import ID_NS, graph_iri

ID = ID_NS
PLAN_GRAPH = str(graph_iri("plan/demo-2024-2027"))
INFERRED = str(graph_iri("inferred"))
PLAN = f"""
@prefix rikg: <https://w3id.org/rikg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@base <{ID}> .

<document/eu> a rikg:EUFramework ; skos:prefLabel "Рамка на ЕС"@bg .
<objective/eu/education> a rikg:EUObjective ; rikg:inDocument <document/eu> ;
    skos:prefLabel "Образование"@bg .
<objective/ns/education/1> a rikg:SubGoal ; rikg:implements <objective/eu/education> ;
    skos:prefLabel "Подцел 1"@bg .

<plan/demo-2024-2027> a rikg:MunicipalActionPlan ; skos:prefLabel "План Демо"@bg ;
    rikg:implements <document/eu> .
<plan/demo-2024-2027/education/objective/1> a rikg:Objective ; rikg:inDocument <plan/demo-2024-2027> ;
    rikg:alignedWith <objective/ns/education/1> .
<plan/demo-2024-2027/education/measure/1.1> a rikg:Measure ; rikg:inDocument <plan/demo-2024-2027> ;
    rikg:servesObjective <plan/demo-2024-2027/education/objective/1> ;
    rikg:responsibleInstitution <institution/ruo> , <institution/municipality-demo> .
<plan/demo-2024-2027/education/activity/1.1.1> a rikg:Activity ; rikg:inDocument <plan/demo-2024-2027> ;
    rikg:partOfMeasure <plan/demo-2024-2027/education/measure/1.1> ;
    rikg:responsibleInstitution <institution/ruo> , <institution/municipality-demo> , <institution/rzi> .
<plan/demo-2024-2027/education/activity/1.1.2> a rikg:Activity ; rikg:inDocument <plan/demo-2024-2027> ;
    rikg:partOfMeasure <plan/demo-2024-2027/education/measure/1.1> ;
    rikg:responsibleInstitution <institution/rzi> .
<plan/demo-2024-2027/education/measure/1.2> a rikg:Measure ; rikg:inDocument <plan/demo-2024-2027> ;
    rikg:servesObjective <plan/demo-2024-2027/education/objective/1> ;
    rikg:responsibleInstitution <institution/ngos> .
<institution/ruo> a rikg:Institution ; skos:prefLabel "РУО"@bg , "Regional Education Office"@en .
<institution/municipality-demo> a rikg:Institution ; skos:prefLabel "Община Демо"@bg .
<institution/rzi> a rikg:Institution ; skos:prefLabel "РЗИ"@bg .
<institution/ngos> a rikg:Institution ; skos:prefLabel "НПО"@bg .
"""


def turtle_triples(text: str) -> list[pyoxigraph.Triple]:
    return [quad.triple for quad in pyoxigraph.parse(text.encode(), pyoxigraph.RdfFormat.TURTLE)]


def fill(store: GraphStore) -> None:
    store.replace_graphs({
        str(graph_iri("ontology")): ontology_resource().triples(),
        PLAN_GRAPH: turtle_triples(PLAN),
        # a stale inferred link: the contribution graph must not see it, `rikg reason` must replace it
        INFERRED: turtle_triples(
            f"<{ID}plan/demo-2024-2027/education/activity/1.1.1> "
            f"<https://w3id.org/rikg/ontology#contributesTo> <{ID}objective/stale> ."
        ),
    })


@pytest.fixture
def demo_store_path(tmp_path: Path) -> str:
    path = str(tmp_path / "store")
    with open_store(path) as store:
        fill(store)
    return path


def test_co_responsibility_weights_count_shared_items(demo_store_path: str) -> None:
    with open_store(demo_store_path, read_only=True) as store:
        network = co_responsibility_network(store)
    ruo, municipality, rzi = (f"{ID}institution/{slug}" for slug in ("ruo", "municipality-demo", "rzi"))
    assert network[ruo][municipality]["weight"] == 2
    assert network[ruo][rzi]["weight"] == 1
    assert network.nodes[rzi]["items"] == 2
    assert network.nodes[ruo]["label"] == "РУО"
    assert network.degree(f"{ID}institution/ngos") == 0
    top = institution_centrality(network, top=2)
    assert [row.institution for row in top] == [municipality, ruo]
    assert top[0].weighted_degree == 3 and top[0].degree == 2


def test_contribution_graph_kinds_edges_and_no_inferred_shortcuts(demo_store_path: str) -> None:
    with open_store(demo_store_path, read_only=True) as store:
        dag = contribution_graph(store)
    activity = f"{ID}plan/demo-2024-2027/education/activity/1.1.1"
    measure = f"{ID}plan/demo-2024-2027/education/measure/1.1"
    assert dag.nodes[activity]["kind"] == "activity"
    assert dag.nodes[f"{ID}objective/ns/education/1"]["kind"] == "objective"
    assert dag.nodes[f"{ID}plan/demo-2024-2027"]["kind"] == "document"
    assert dag.nodes[activity]["document"] == f"{ID}plan/demo-2024-2027"
    assert dag.edges[activity, measure]["properties"] == {"partOfMeasure"}
    assert f"{ID}objective/stale" not in dag


def test_chain_depth_of_a_plan_follows_the_longest_path(demo_store_path: str) -> None:
    with open_store(demo_store_path, read_only=True) as store:
        [row] = chain_depths(contribution_graph(store))
    assert row.plan == f"{ID}plan/demo-2024-2027" and row.label == "План Демо"
    assert row.items == 2
    assert row.depth == 4
    assert row.path[-1] == f"{ID}objective/eu/education"
    assert row.path[1] == f"{ID}plan/demo-2024-2027/education/measure/1.1"


def test_longest_chains_survive_a_cycle() -> None:
    import networkx as nx

    chains = longest_chains(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")]))
    assert chains["a"][0] == "a" and chains["a"][-1] == "d"
    assert chains["d"] == ("d",)


def test_stats_prints_three_tables(demo_store_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--store", demo_store_path, "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "id:graph/plan/demo-2024-2027" in out and "(all graphs)" in out
    assert "id:institution/municipality-demo" in out and "Община Демо" in out
    assert "id:institution/rzi" not in out.split("Chain depth")[0].split("Most central")[1]
    plan_row = next(line for line in out.splitlines() if line.startswith("id:plan/demo-2024-2027"))
    assert plan_row.split()[-2:] == ["4", "id:objective/eu/education"]


def test_stats_on_an_empty_store_is_a_readable_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(str(tmp_path / "empty")):
        pass
    assert main(["stats", "--store", str(tmp_path / "empty")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "holds no graphs" in captured.err and "Traceback" not in captured.err


def test_reason_writes_the_inferred_graph(demo_store_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reason", "--store", demo_store_path]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "inferred" in captured.err and "HermiT" in captured.err
    activity = f"{ID}plan/demo-2024-2027/education/activity/1.1.2"
    with open_store(demo_store_path, read_only=True) as store:
        ask = (
            f"ASK {{ GRAPH <{INFERRED}> {{ <{activity}> <https://w3id.org/rikg/ontology#contributesTo> "
            f"<{ID}objective/eu/education> }} }}"
        )
        assert store.query(ask).boolean
        assert not store.query(f"ASK {{ GRAPH <{INFERRED}> {{ ?s ?p <{ID}objective/stale> }} }}").boolean


def test_reason_on_an_inconsistent_store_fails_with_the_culprit(
    demo_store_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(demo_store_path) as store:
        store.replace_graphs({str(graph_iri("plan/broken")): turtle_triples(
            f"<{ID}institution/rzi> a <https://w3id.org/rikg/ontology#Measure> ."
        )})
    assert main(["reason", "--store", demo_store_path]) == 1
    err = capsys.readouterr().err
    assert "id:institution/rzi" in err and "disjoint" in err and "Traceback" not in err
    assert "searching for the conflicting individuals" in err
    with open_store(demo_store_path, read_only=True) as store:
        assert INFERRED not in store.named_graphs()


# --- the four bundled plans -------------------------------------------------------------------------

INSTITUTION = f"{ID}institution/"


@pytest.fixture(scope="module")
def aligned_store_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled plans built with their alignments (the chain up to the EU needs them); read it only."""
    from rikg.align import align_step
    from rikg.build import DEFAULT_STEPS, build
    from rikg.config import bundled_plans_dir

    steps = DEFAULT_STEPS if align_step in DEFAULT_STEPS else (*DEFAULT_STEPS, align_step)
    path = tmp_path_factory.mktemp("aligned") / "store"
    report = build(bundled_plans_dir(), path, steps=steps)
    assert report.ok, report.errors
    return str(path)


@pytest.mark.parametrize("municipality", ["blagoevgrad", "kyustendil", "plovdiv"])
def test_bundled_plans_pair_the_municipality_with_an_education_office(
    built_store: GraphStore, municipality: str
) -> None:
    network = co_responsibility_network(built_store)
    node = f"{INSTITUTION}municipality-{municipality}"
    offices = {
        partner: network[node][partner]["weight"]
        for partner in network[node] if partner.removeprefix(INSTITUTION).split("-")[0] == "ruo"
    }
    assert offices and max(offices.values()) > 1, offices
    assert network.nodes[node]["label"].startswith("Община")


def test_bundled_plans_most_central_institutions(built_store: GraphStore) -> None:
    top = institution_centrality(co_responsibility_network(built_store), top=10)
    assert len(top) == 10
    assert all(row.label and row.degree > 0 for row in top)
    assert [row.weighted_degree for row in top] == sorted((row.weighted_degree for row in top), reverse=True)
    assert any(row.betweenness > 0 for row in top)


def test_bundled_plans_chain_up_to_the_eu_objectives(aligned_store_path: str) -> None:
    with open_store(aligned_store_path, read_only=True) as store:
        dag = contribution_graph(store)
    rows = chain_depths(dag)
    assert len(rows) == 4
    for row in rows:
        assert row.items > 0 and row.depth >= 4, (row.plan, row.path)
        assert dag.nodes[row.path[0]]["document"] == row.plan
        assert all(dag.has_edge(a, b) for a, b in zip(row.path, row.path[1:], strict=False))
        assert row.path[-1].startswith(f"{ID}objective/eu-2020-2030/"), row.path


def test_stats_on_the_bundled_plans(aligned_store_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--store", aligned_store_path, "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "id:graph/alignments" in out
    central = out.split("Most central")[1].split("Chain depth")[0]
    assert len([line for line in central.splitlines() if line[:1].isdigit()]) == 5
    chain = out.split("Chain depth")[1]
    assert len([line for line in chain.splitlines() if line.startswith("id:plan/")]) == 4


def test_reason_on_the_bundled_plans(
    aligned_store_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = str(tmp_path / "copy")
    with open_store(aligned_store_path, read_only=True) as source, open_store(copy) as store:
        store.import_data(source.export("nq"), "nq")
    assert main(["reason", "--store", copy]) == 0, capsys.readouterr().err
    with open_store(copy, read_only=True) as store:
        reaches_eu = f"""ASK {{
            ?activity a <https://w3id.org/rikg/ontology#Activity> .
            GRAPH <{INFERRED}> {{ ?activity <https://w3id.org/rikg/ontology#contributesTo> ?goal }}
            FILTER (STRSTARTS(STR(?goal), "{ID}objective/eu-2020-2030/"))
        }}"""
        assert store.query(reaches_eu).boolean
