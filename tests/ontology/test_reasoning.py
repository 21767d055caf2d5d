"""HermiT (through owlready2) on the real ontology: consistency, explanations and inferred facts."""

from __future__ import annotations

import owlready2
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from rikg.errors import RikgError
from rikg.ontology import ontology_graph, reference_graph, reference_resources
from rikg.ontology.reasoning import (
    JAVA_MISSING,
    InconsistentGraphError,
    check_consistency,
    infer,
    require_java,
)
from rikg.ontology.vocab import PROV, RIKG

ID = Namespace("https://w3id.org/rikg/id/")
PREFIXES = """
@prefix rikg: <https://w3id.org/rikg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@base <https://w3id.org/rikg/id/> .
"""


def with_ontology(turtle: str) -> Graph:
    return ontology_graph().parse(data=PREFIXES + turtle, format="turtle")


def test_the_ontology_alone_is_consistent_and_coherent() -> None:
    report = check_consistency(ontology_graph())
    assert report.consistent, report.explanation
    assert report.unsatisfiable_classes == ()


def test_the_ontology_with_the_reference_data_is_consistent() -> None:
    graph = ontology_graph() + reference_graph()
    report = check_consistency(graph)
    assert report.consistent, report.explanation
    assert report.unsatisfiable_classes == ()
    assert len(graph) > len(ontology_graph()) or not reference_resources()


def test_an_individual_in_two_disjoint_classes_is_named() -> None:
    graph = with_ontology("""
        <plan/p/education/measure/1.1> a rikg:Measure ; skos:prefLabel "Мярка"@bg .
        <institution/ruo> a rikg:Institution ; skos:prefLabel "РУО"@bg .
        <plan/p/education/measure/1.2> a rikg:Measure , rikg:Institution .
    """)
    report = check_consistency(graph)
    assert not report.consistent
    assert report.culprits == (str(ID["plan/p/education/measure/1.2"]),)
    assert "id:plan/p/education/measure/1.2" in report.explanation
    assert "rikg:Institution" in report.explanation and "rikg:Measure" in report.explanation
    assert "disjoint" in report.explanation


def test_a_conflict_through_a_range_names_both_individuals() -> None:
    graph = with_ontology("""
        <plan/p/education/activity/1> rikg:partOfMeasure <institution/ruo> .
        <institution/ruo> a rikg:Institution .
        <institution/mon> a rikg:Institution .
        <plan/p/education/measure/1> a rikg:Measure .
    """)
    report = check_consistency(graph)
    assert not report.consistent
    assert set(report.culprits) == {str(ID["institution/ruo"]), str(ID["plan/p/education/activity/1"])}
    assert "id:institution/ruo is rikg:Institution" in report.explanation
    why = "rikg:Measure (range of rikg:partOfMeasure from id:plan/p/education/activity/1)"
    assert why in report.explanation
    assert any("rikg:partOfMeasure" in line for line in report.conflict)


def test_a_functional_data_property_with_two_values_is_inconsistent() -> None:
    graph = with_ontology("""
        <plan/p/education/activity/1/amount/1> a rikg:MonetaryAmount ;
            rikg:amountBGN "100"^^xsd:decimal , "200"^^xsd:decimal .
    """)
    report = check_consistency(graph)
    assert not report.consistent
    assert report.culprits == (str(ID["plan/p/education/activity/1/amount/1"]),)
    assert "rikg:amountBGN" in report.explanation


def test_infer_refuses_an_inconsistent_graph() -> None:
    graph = with_ontology("<institution/x> a rikg:Measure , rikg:Institution .")
    heard: list[str] = []
    with pytest.raises(InconsistentGraphError, match="id:institution/x") as raised:
        infer(graph, progress=heard.append)
    assert raised.value.report.culprits == (str(ID["institution/x"]),)
    assert len(heard) == 1 and "searching" in heard[0]


def test_unsatisfiable_classes_are_listed() -> None:
    graph = with_ontology(
        "<https://example.org/MeasureActivity> a owl:Class ; rdfs:subClassOf rikg:Measure , rikg:Activity ."
    )
    report = check_consistency(graph)
    assert report.consistent
    assert report.unsatisfiable_classes == ("https://example.org/MeasureActivity",)


CHAIN = """
<document/eu-framework-2020-2030> a rikg:EUFramework .
<document/ns-2021-2030> a rikg:NationalStrategy ; rikg:implements <document/eu-framework-2020-2030> .
<objective/eu-2020-2030/education> a rikg:EUObjective .
<objective/ns-2021-2030/education> a rikg:OperationalGoal ;
    rikg:implements <objective/eu-2020-2030/education> .
<objective/ns-2021-2030/education/1> a rikg:SubGoal ;
    rikg:subObjectiveOf <objective/ns-2021-2030/education> .
<plan/p/education/measure/1.1> rikg:servesObjective <objective/ns-2021-2030/education/1> .
<plan/p/education/activity/1.1.1> rikg:partOfMeasure <plan/p/education/measure/1.1> .
<programme/prchr-2021-2027> a rikg:FundingProgramme ; rikg:successorOf <programme/op-rchr-2014-2020> .
"""


@pytest.fixture(scope="module")
def inferred() -> Graph:
    return infer(with_ontology(CHAIN)).graph


def test_sub_properties_imply_contributes_to(inferred: Graph) -> None:
    strategy, framework = ID["document/ns-2021-2030"], ID["document/eu-framework-2020-2030"]
    activity, measure = ID["plan/p/education/activity/1.1.1"], ID["plan/p/education/measure/1.1"]
    assert (strategy, RIKG.contributesTo, framework) in inferred
    assert (activity, RIKG.contributesTo, measure) in inferred


def test_contributes_to_is_transitive_up_to_the_eu_objective(inferred: Graph) -> None:
    activity = ID["plan/p/education/activity/1.1.1"]
    assert (activity, RIKG.contributesTo, ID["objective/eu-2020-2030/education"]) in inferred
    assert (activity, RIKG.contributesTo, ID["objective/ns-2021-2030/education"]) in inferred


def test_domains_ranges_and_superclasses_give_types(inferred: Graph) -> None:
    assert (ID["plan/p/education/measure/1.1"], RDF.type, RIKG.Measure) in inferred
    assert (ID["plan/p/education/activity/1.1.1"], RDF.type, RIKG.Activity) in inferred
    assert (ID["objective/ns-2021-2030/education/1"], RDF.type, RIKG.Objective) in inferred
    assert (ID["document/ns-2021-2030"], RDF.type, RIKG.PolicyDocument) in inferred
    assert (ID["document/ns-2021-2030"], RDF.type, PROV.Entity) in inferred


def test_inverse_properties_are_materialised(inferred: Graph) -> None:
    old, new = ID["programme/op-rchr-2014-2020"], ID["programme/prchr-2021-2027"]
    assert (old, RIKG.predecessorOf, new) in inferred


def test_inferred_graph_holds_only_new_facts_about_individuals(inferred: Graph) -> None:
    asserted = with_ontology(CHAIN)
    assert all(triple not in asserted for triple in inferred)
    assert all(str(s).startswith(str(ID)) for s in inferred.subjects())


def test_infer_reports_timings() -> None:
    result = infer(with_ontology(CHAIN))
    assert 0 < result.reasoner_seconds <= result.seconds
    assert result.asserted == len(with_ontology(CHAIN))


def test_missing_java_is_a_readable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owlready2, "JAVA_EXE", "java-that-is-not-installed")
    with pytest.raises(RikgError, match="Java not found") as raised:
        check_consistency(ontology_graph())
    assert str(raised.value) == JAVA_MISSING
    with pytest.raises(RikgError, match="apt-get install default-jre-headless"):
        require_java()


def test_an_individual_with_a_source_span_stays_consistent() -> None:
    graph = with_ontology("""
        <plan/p/education/measure/1.1> a rikg:Measure ;
            <http://www.w3.org/ns/prov#wasDerivedFrom> <plan/p/education/measure/1.1/span> .
        <plan/p/education/measure/1.1/span> a rikg:SourceSpan ; rikg:sourceFile "p.txt" ;
            rikg:lineStart 4 ; rikg:lineEnd 5 .
    """)
    assert check_consistency(graph).consistent
    assert (URIRef(ID["plan/p/education/measure/1.1"]), PROV.wasDerivedFrom, None) in graph
