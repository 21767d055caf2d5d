"""The SHACL shapes accept a well-formed graph and reject each broken rule with a message naming it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from rikg.ontology import ontology_graph, reference_graph, shapes_graph
from rikg.ontology.vocab import PROV, RIKG

SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ID = Namespace("https://w3id.org/rikg/id/")

PLAN = ID["plan/ruse-2024-2027"]
MEASURE = ID["plan/ruse-2024-2027/education/measure/1.1"]
ACTIVITY = ID["plan/ruse-2024-2027/education/activity/1.1.1"]
SPAN = URIRef(f"{MEASURE}/span")
AMOUNT = URIRef(f"{ACTIVITY}/amount/1")
ALIGNMENT = ID["alignment/0123abcd"]
CANDIDATE = ID["alignment/0123abcd/candidate/1"]
SUBGOAL = ID["objective/ns-2021-2030/education/1"]
INSTITUTION = ID["institution/ruo"]
PROGRAMME = ID["programme/prchr-2021-2027"]

CONFORMING = """
@prefix rikg: <https://w3id.org/rikg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <https://w3id.org/rikg/id/> .

<plan/ruse-2024-2027> a rikg:MunicipalActionPlan ;
    skos:prefLabel "План за действие на Община Русе 2024-2027"@bg ;
    rikg:startYear "2024"^^xsd:gYear ; rikg:endYear "2027"^^xsd:gYear .
<policy-area/education> a rikg:PolicyArea ; skos:prefLabel "Образование"@bg .
<institution/ruo> a rikg:Institution ; skos:prefLabel "РУО"@bg .
<programme/prchr-2021-2027> a rikg:FundingProgramme ; skos:prefLabel "ПРЧР 2021-2027"@bg .

<plan/ruse-2024-2027/education/measure/1.1> a rikg:Measure ;
    skos:prefLabel "Обхващане на деца от уязвими групи"@bg ;
    rikg:inDocument <plan/ruse-2024-2027> ;
    rikg:policyArea <policy-area/education> ;
    rikg:servesObjective <objective/ns-2021-2030/education/1> ;
    prov:wasDerivedFrom <plan/ruse-2024-2027/education/measure/1.1/span> .
<plan/ruse-2024-2027/education/measure/1.1/span> a rikg:SourceSpan ;
    rikg:sourceFile "004_1a91cfd4f2bbbb4c.txt" ; rikg:lineStart 401 ; rikg:lineEnd 403 ;
    rikg:sourceText "1.1. Обхващане на деца от уязвими групи" .

<plan/ruse-2024-2027/education/activity/1.1.1> a rikg:Activity ;
    skos:prefLabel "Работа с ИСРМ"@bg ;
    rikg:inDocument <plan/ruse-2024-2027> ;
    rikg:policyArea <policy-area/education> ;
    rikg:partOfMeasure <plan/ruse-2024-2027/education/measure/1.1> ;
    rikg:responsibleInstitution <institution/ruo> ;
    rikg:fundingSource <programme/prchr-2021-2027> ;
    rikg:plannedAmount <plan/ruse-2024-2027/education/activity/1.1.1/amount/1> ;
    rikg:startYear "2024"^^xsd:gYear ; rikg:endYear "2027"^^xsd:gYear ;
    prov:wasDerivedFrom <plan/ruse-2024-2027/education/measure/1.1/span> .
<plan/ruse-2024-2027/education/activity/1.1.1/amount/1> a rikg:MonetaryAmount ;
    rikg:amountBGN "10000"^^xsd:decimal ; rikg:amountEUR "5112.92"^^xsd:decimal ; rikg:perYear false .

<objective/ns-2021-2030/education/1> a rikg:SubGoal ;
    skos:prefLabel "Ефективен обхват, включване и реинтеграция"@bg , "Effective enrolment"@en .

<alignment/0123abcd> a rikg:Alignment ;
    rikg:alignmentSource <plan/ruse-2024-2027/education/measure/1.1> ;
    rikg:alignmentTarget <objective/ns-2021-2030/education/1> ;
    rikg:confidence "0.92"^^xsd:decimal ; rikg:method "code" , "text-similarity" ;
    rikg:candidate <alignment/0123abcd/candidate/1> .
<alignment/0123abcd/candidate/1> a rikg:AlignmentCandidate ;
    rikg:alignmentTarget <objective/ns-2021-2030/education/1> ; rikg:confidence "0.41"^^xsd:decimal .
"""

Mutation = Callable[[Graph], None]


def conforming_graph() -> Graph:
    return Graph().parse(data=CONFORMING, format="turtle")


def validate(data: Graph) -> tuple[bool, set[str], str]:
    conforms, results, text = pyshacl.validate(
        data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="none", advanced=True
    )
    messages = {str(message) for message in results.objects(None, SH.resultMessage)}
    rules = {match for message in messages for match in re.findall(r"^\[([a-z0-9-]+)\]", message)}
    return bool(conforms), rules, str(text)


def remove(subject: URIRef, predicate: URIRef) -> Mutation:
    return lambda graph: graph.remove((subject, predicate, None))


def replace(subject: URIRef, predicate: URIRef, value: Literal | URIRef) -> Mutation:
    return lambda graph: graph.set((subject, predicate, value))


def add(subject: URIRef, predicate: URIRef, value: Literal | URIRef) -> Mutation:
    return lambda graph: graph.add((subject, predicate, value))


BROKEN_RULES: list[tuple[str, Mutation]] = [
    ("plan-item-label", remove(MEASURE, SKOS.prefLabel)),
    ("plan-item-document", remove(ACTIVITY, RIKG.inDocument)),
    ("plan-item-document", replace(ACTIVITY, RIKG.inDocument, INSTITUTION)),
    ("plan-item-policy-area", remove(MEASURE, RIKG.policyArea)),
    ("plan-item-source", remove(ACTIVITY, PROV.wasDerivedFrom)),
    ("span-file", remove(SPAN, RIKG.sourceFile)),
    ("span-line-start", replace(SPAN, RIKG.lineStart, Literal(0))),
    ("span-line-start", replace(SPAN, RIKG.lineStart, Literal(404))),
    ("span-line-end", remove(SPAN, RIKG.lineEnd)),
    ("span-line-end", add(SPAN, RIKG.lineEnd, Literal(404))),
    ("amount-bgn", replace(AMOUNT, RIKG.amountBGN, Literal("10000"))),
    ("amount-bgn", add(AMOUNT, RIKG.amountBGN, Literal("10000.00", datatype=XSD.decimal))),
    ("amount-eur", remove(AMOUNT, RIKG.amountEUR)),
    ("amount-eur", replace(AMOUNT, RIKG.amountEUR, Literal(5112.92))),
    ("amount-per-year", replace(AMOUNT, RIKG.perYear, Literal("yes"))),
    ("amount-eur-rate", replace(AMOUNT, RIKG.amountEUR, Literal("10000", datatype=XSD.decimal))),
    ("year-start-type", replace(PLAN, RIKG.startYear, Literal(2024))),
    ("year-end-type", replace(ACTIVITY, RIKG.endYear, Literal("2027"))),
    ("year-range", replace(PLAN, RIKG.endYear, Literal("2207", datatype=XSD.gYear))),
    ("year-range", replace(ACTIVITY, RIKG.startYear, Literal("1987", datatype=XSD.gYear))),
    ("year-order", replace(ACTIVITY, RIKG.startYear, Literal("2028", datatype=XSD.gYear))),
    ("alignment-confidence", replace(ALIGNMENT, RIKG.confidence, Literal("1.2", datatype=XSD.decimal))),
    ("alignment-confidence", remove(ALIGNMENT, RIKG.confidence)),
    ("alignment-method", remove(ALIGNMENT, RIKG.method)),
    ("alignment-source", remove(ALIGNMENT, RIKG.alignmentSource)),
    ("alignment-target", add(ALIGNMENT, RIKG.alignmentTarget, ID["objective/eu-2020-2030/education"])),
    ("candidate-confidence", replace(CANDIDATE, RIKG.confidence, Literal("-0.1", datatype=XSD.decimal))),
    ("candidate-target", remove(CANDIDATE, RIKG.alignmentTarget)),
    ("objective-label-bg", replace(SUBGOAL, SKOS.prefLabel, Literal("Effective enrolment", lang="en"))),
    ("objective-label-language", add(SUBGOAL, SKOS.prefLabel, Literal("Effective enrolment"))),
    ("objective-label-language", add(SUBGOAL, SKOS.prefLabel, Literal("Обхват", lang="bg"))),
    ("institution-label", remove(INSTITUTION, SKOS.prefLabel)),
    ("funding-label", remove(PROGRAMME, SKOS.prefLabel)),
    ("document-label", remove(PLAN, SKOS.prefLabel)),
]


def test_a_well_formed_graph_conforms() -> None:
    conforms, rules, text = validate(conforming_graph())
    assert conforms, text
    assert rules == set()


@pytest.mark.parametrize(
    ("rule", "mutation"), BROKEN_RULES, ids=[f"{rule}-{i}" for i, (rule, _) in enumerate(BROKEN_RULES)]
)
def test_each_broken_rule_is_reported_by_name(rule: str, mutation: Mutation) -> None:
    data = conforming_graph()
    mutation(data)
    conforms, rules, text = validate(data)
    assert not conforms
    assert rules == {rule}, text


def test_every_rule_of_the_shapes_is_exercised() -> None:
    shapes = shapes_graph()
    names = {str(name) for name in shapes.objects(None, SH.name)}
    messages = [str(message) for message in shapes.objects(None, SH.message)]
    rule_ids = {re.match(r"^\[([a-z0-9-]+)\]", message).group(1) for message in messages}  # type: ignore[union-attr]
    assert len(messages) == len(rule_ids), "rule ids must be unique"
    assert rule_ids <= names, "each rule id is also the sh:name of its shape"
    assert rule_ids == {rule for rule, _ in BROKEN_RULES}


def test_every_targeted_class_exists_in_the_ontology() -> None:
    ontology = ontology_graph()
    targets = set(shapes_graph().objects(None, SH.targetClass))
    assert targets and all((target, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in ontology
                           for target in targets)


def test_the_reference_data_conforms() -> None:
    conforms, _, text = validate(reference_graph())
    assert conforms, text


def test_negative_amounts_are_reported() -> None:
    data = conforming_graph()
    data.set((AMOUNT, RIKG.amountBGN, Literal("-1.95583", datatype=XSD.decimal)))
    data.set((AMOUNT, RIKG.amountEUR, Literal("-1", datatype=XSD.decimal)))
    conforms, rules, text = validate(data)
    assert not conforms
    assert rules == {"amount-bgn", "amount-eur"}, text
