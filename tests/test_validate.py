"""SHACL validation: mapped plans conform; broken data is reported one line per violation."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph
from test_mapping import make_doc

from rikg.cli import main
from rikg.graph_store.base import GraphStore
from rikg.loaders.records import Period
from rikg.mapping import ReferenceIndex, map_plan
from rikg.ontology.resources import ontology_resource, reference_resources
from rikg.validation import store_graph, validate_graph


def as_rdflib(triples: list[pyoxigraph.Triple]) -> Graph:
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt")


def reference_triples() -> list[pyoxigraph.Triple]:
    return [t for resource in reference_resources() for t in resource.triples()]


def test_hand_made_plan_conforms_with_reference_and_ontology() -> None:
    reference = reference_triples()
    mapped = map_plan(make_doc(), ReferenceIndex.from_triples(reference))
    report = validate_graph(as_rdflib(mapped + reference + ontology_resource().triples()))
    assert report.conforms, report.text()
    assert report.violations == []


def test_plan_graph_alone_is_self_contained() -> None:
    """Without reference data the plan graph still describes every node it links to (except policy areas)."""
    doc = make_doc()
    report = validate_graph(as_rdflib(map_plan(doc)))
    rules = {violation.rule for violation in report.violations}
    assert rules <= {"[plan-item-policy-area]"}, report.text()


def test_priority_without_policy_area_is_reported_per_item() -> None:
    doc = make_doc()
    doc.priorities[1].policy_area = None
    reference = reference_triples()
    report = validate_graph(
        as_rdflib(
            map_plan(doc, ReferenceIndex.from_triples(reference)) + reference + ontology_resource().triples()
        )
    )
    assert not report.conforms
    assert [v.rule for v in report.violations] == ["[plan-item-policy-area]"]
    violation = report.violations[0]
    assert violation.focus == "id:plan/test-2024-2027/priority-2/measure/1.1"
    assert violation.path == "rikg:policyArea"
    lines = report.text().splitlines()
    assert lines[0] == "[plan-item-policy-area] 1 violation"
    assert lines[1].startswith(
        "  id:plan/test-2024-2027/priority-2/measure/1.1  rikg:policyArea: [plan-item-"
    )


def test_report_lines_are_sorted_and_grouped() -> None:
    broken = as_rdflib(
        [
            pyoxigraph.Triple(
                pyoxigraph.NamedNode(f"https://w3id.org/rikg/id/x/{name}/span"),
                pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                pyoxigraph.NamedNode("https://w3id.org/rikg/ontology#SourceSpan"),
            )
            for name in ("b", "a")
        ]
    )
    report = validate_graph(broken)
    text = report.text().splitlines()
    headings = [line for line in text if not line.startswith("  ")]
    assert (
        headings
        == sorted(headings)
        == ["[span-file] 2 violations", "[span-line-end] 2 violations", "[span-line-start] 2 violations"]
    )
    first_group = text[1:3]
    assert first_group == sorted(first_group) and first_group[0].startswith("  id:x/a/span  rikg:sourceFile:")


def test_built_store_conforms(built_store: GraphStore) -> None:
    report = validate_graph(store_graph(built_store))
    assert report.conforms, report.text()


def test_validate_command_exits_zero_on_the_built_store(
    built_store_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--store", built_store_path]) == 0
    out = capsys.readouterr().out
    assert out.startswith("conforms: ")


def test_validate_command_reports_violations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rikg.graph_store import open_store

    store_path = str(tmp_path / "store")
    with open_store(store_path) as store:
        store.replace_graphs(
            {
                "https://w3id.org/rikg/id/graph/broken": [
                    pyoxigraph.Triple(
                        pyoxigraph.NamedNode("https://w3id.org/rikg/id/plan/x/m/1"),
                        pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                        pyoxigraph.NamedNode("https://w3id.org/rikg/ontology#Measure"),
                    )
                ]
            }
        )
    assert main(["validate", "--store", store_path]) == 1
    captured = capsys.readouterr()
    assert "[plan-item-label] 1 violation" in captured.out
    assert "  id:plan/x/m/1  skos:prefLabel: [plan-item-label]" in captured.out
    assert captured.err.count("\n") == 1 and "does not conform" in captured.err


def test_sparql_constraints_are_checked_for_every_focus_node() -> None:
    """The parse-once data graph still evaluates SPARQL-based rules per node (years, EUR rate)."""
    doc = make_doc()
    measures = doc.measures()
    measures[1].period = Period("2027–2024", 2027, 2024)
    measures[2].period = Period("2026–2025", 2026, 2025)
    reference = reference_triples()
    mapped = map_plan(doc, ReferenceIndex.from_triples(reference))
    eur = "https://w3id.org/rikg/ontology#amountEUR"
    mapped = [
        pyoxigraph.Triple(t.subject, t.predicate, pyoxigraph.Literal("1.00", datatype=t.object.datatype))
        if t.predicate.value == eur
        else t
        for t in mapped
    ]
    report = validate_graph(as_rdflib(mapped + reference + ontology_resource().triples()))
    found = sorted((v.rule, v.focus) for v in report.violations)
    assert found == [
        ("[amount-eur-rate]", "id:plan/test-2024-2027/education/measure/1.1/amount/1"),
        ("[year-order]", "id:plan/test-2024-2027/education/measure/1.1-2"),
        ("[year-order]", "id:plan/test-2024-2027/education/measure/m2"),
    ]


BROKEN = """
@prefix rikg: <https://w3id.org/rikg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix x: <https://w3id.org/rikg/id/x/> .
x:m1 a rikg:Measure ; rikg:inDocument x:span1 ; rikg:policyArea "education" .
x:a1 a rikg:Activity ; skos:prefLabel "Дейност" ; rikg:inDocument x:plan ;
    rikg:policyArea <https://w3id.org/rikg/id/policy-area/education> ; prov:wasDerivedFrom x:span2 .
x:plan a rikg:MunicipalActionPlan ; rikg:startYear "2027"^^xsd:gYear ; rikg:endYear 2024 .
x:old rikg:startYear "1850"^^xsd:gYear ; rikg:endYear "1849"^^xsd:gYear .
x:span1 a rikg:SourceSpan ; rikg:sourceFile "a.txt", "" ; rikg:lineStart 0 ; rikg:lineEnd 1, 2 .
x:span2 a rikg:SourceSpan ; rikg:sourceFile 7 ; rikg:lineStart "9" ; rikg:lineEnd 3 .
x:span3 a rikg:SourceSpan ; rikg:sourceFile "b.txt" ; rikg:lineStart 5 ; rikg:lineEnd 4 .
x:amount1 a rikg:MonetaryAmount ; rikg:amountBGN -5.0 ; rikg:perYear "yes" .
x:amount2 a rikg:MonetaryAmount ; rikg:amountBGN 100 ; rikg:amountEUR 10.0, 11.0 ; rikg:perYear true .
x:amount3 a rikg:MonetaryAmount ; rikg:amountBGN 195.583 ; rikg:amountEUR 99.0 .
x:al1 a rikg:Alignment ; rikg:confidence 1.5 ; rikg:alignmentSource "m" ;
    rikg:alignmentTarget x:t1, x:t2 .
x:al2 a rikg:Alignment ; rikg:confidence "high" ; rikg:method 3 ; rikg:alignmentSource x:m1 .
x:cand a rikg:AlignmentCandidate ; rikg:confidence -0.5, 0.5 .
x:goal1 a rikg:SubGoal ; skos:prefLabel "Goal"@en, "Цел"@bg, "Друга цел"@bg, "untagged" .
x:goal2 a rikg:EUObjective ; skos:prefLabel "Only English"@en .
x:inst a rikg:Institution .
x:prog a rikg:FundingProgramme .
x:doc a rikg:NationalStrategy .
"""


@pytest.mark.parametrize("with_reference", [True, False])
def test_sparql_checks_find_what_pyshacl_finds(tmp_path: Path, with_reference: bool) -> None:
    """The store is validated by SPARQL queries (fast); pySHACL on the same graph must agree exactly."""
    from rikg.graph_store import open_store
    from rikg.validation import compile_shapes, run_checks, validate_store

    broken = [quad.triple for quad in pyoxigraph.parse(BROKEN, pyoxigraph.RdfFormat.TURTLE)]
    graphs = {
        "https://w3id.org/rikg/id/graph/ontology": ontology_resource().triples(),
        "https://w3id.org/rikg/id/graph/broken": broken,
    }
    if with_reference:
        graphs["https://w3id.org/rikg/id/graph/reference"] = reference_triples()
    with open_store(str(tmp_path / "store")) as store:
        store.replace_graphs(graphs)
        assert run_checks(store, compile_shapes())  # the SPARQL path is the one validate_store takes
        fast = validate_store(store)
        slow = validate_graph(store_graph(store))
    assert not fast.conforms and fast.triples == slow.triples
    assert sorted(fast.violations) == sorted(slow.violations)
    rules = {violation.rule for violation in fast.violations}
    assert len(rules) >= 20, rules
