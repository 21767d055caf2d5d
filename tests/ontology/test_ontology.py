"""The OWL ontology declares exactly the vocabulary of ``vocab.py``, labelled and typed per the contract."""

from __future__ import annotations

import pytest
import rdflib.namespace as rdf_namespace
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from rikg.ontology import ontology_graph, reference_graph
from rikg.ontology.vocab import ORG, PROV, RIKG, RIKG_NS, SCHEMA

INDIVIDUALS = {"National", "Regional", "Local", "Confirmed", "PlanOnly", "Unconfirmed"}
DATATYPE_PROPERTIES = {
    "code", "acronym", "startYear", "endYear", "statusText", "amountBGN", "amountEUR", "perYear",
    "baselineValue", "targetValue", "sourceFile", "lineStart", "lineEnd", "sourceText", "confidence",
    "method", "kindAsWritten", "institutionsText", "fundingText", "amountText", "periodText",
    "baselineNumber", "targetNumber", "unresolved", "nutsCode", "ekatteCode", "adoptionAct",
    "adoptionDate", "euFund", "evidence", "comparedSourceText", "comparedTargetText",
    "unconfirmedDetail", "unparsedReason",
}
VOCAB_TERMS = sorted(RIKG.__annotations__)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return ontology_graph()


def expected_type(name: str) -> URIRef:
    if name in INDIVIDUALS:
        return OWL.NamedIndividual
    if name[0].isupper():
        return OWL.Class
    return OWL.DatatypeProperty if name in DATATYPE_PROPERTIES else OWL.ObjectProperty


def test_the_datatype_property_list_names_vocab_terms() -> None:
    assert set(VOCAB_TERMS) >= DATATYPE_PROPERTIES | INDIVIDUALS


@pytest.mark.parametrize("name", VOCAB_TERMS)
def test_every_vocab_term_is_declared_with_its_type(ontology: Graph, name: str) -> None:
    assert (RIKG[name], RDF.type, expected_type(name)) in ontology


@pytest.mark.parametrize("name", VOCAB_TERMS)
def test_every_vocab_term_has_one_label_per_language_and_a_comment(ontology: Graph, name: str) -> None:
    labels = [label for label in ontology.objects(RIKG[name], RDFS.label) if isinstance(label, Literal)]
    assert sorted(label.language or "" for label in labels) == ["bg", "en"]
    comments = list(ontology.objects(RIKG[name], RDFS.comment))
    assert comments and all(isinstance(c, Literal) and c.language == "en" and len(c) > 20 for c in comments)


def test_every_declared_rikg_term_is_in_vocab(ontology: Graph) -> None:
    declared = {
        str(subject)[len(RIKG_NS):]
        for subject in ontology.subjects(RDF.type, None)
        if isinstance(subject, URIRef) and str(subject).startswith(RIKG_NS)
    }
    assert declared == set(VOCAB_TERMS)


def test_every_rikg_term_used_in_the_ontology_is_declared(ontology: Graph) -> None:
    used = {
        term for triple in ontology for term in triple
        if isinstance(term, URIRef) and str(term).startswith(RIKG_NS)
    }
    declared = {RIKG[name] for name in VOCAB_TERMS}
    assert used <= declared


def test_reference_data_uses_only_declared_rikg_terms() -> None:
    used = {
        term for triple in reference_graph() for term in triple
        if isinstance(term, URIRef) and str(term).startswith(RIKG_NS)
    }
    assert used <= {RIKG[name] for name in VOCAB_TERMS}


def test_ontology_header(ontology: Graph) -> None:
    header = URIRef("https://w3id.org/rikg/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    titles = {t.language for t in ontology.objects(header, DCTERMS.title) if isinstance(t, Literal)}
    assert {"en", "bg"} <= titles
    assert ontology.value(header, OWL.versionInfo) is not None
    assert ontology.value(header, DCTERMS.license) is not None


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (RIKG.PolicyDocument, PROV.Entity),
        (RIKG.Institution, ORG.Organization),
        (RIKG.MonetaryAmount, SCHEMA.MonetaryAmount),
        (RIKG.PolicyArea, SKOS.Concept),
        (RIKG.Municipality, RIKG.Territory),
        (RIKG.Region, RIKG.Territory),
        *[(RIKG[c], RIKG.PolicyDocument) for c in
          ("EUFramework", "NationalStrategy", "NationalActionPlan", "RegionalStrategy",
           "MunicipalActionPlan")],
        *[(RIKG[c], RIKG.Objective) for c in
          ("StrategicGoal", "HorizontalGoal", "OperationalGoal", "SubGoal", "EUObjective",
           "SustainableDevelopmentGoal", "NationalDevelopmentPriority")],
        (RIKG.FundingProgramme, RIKG.FundingSource),
        (RIKG.BudgetType, RIKG.FundingSource),
    ],
)
def test_class_tree(ontology: Graph, child: URIRef, parent: URIRef) -> None:
    assert (child, RDFS.subClassOf, parent) in ontology


def disjoint_pairs(graph: Graph) -> set[frozenset[URIRef]]:
    pairs: set[frozenset[URIRef]] = set()
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = [m for m in Collection(graph, graph.value(axiom, OWL.members)) if isinstance(m, URIRef)]
        pairs.update(frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1:])
    return pairs


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (RIKG.Measure, RIKG.Activity),
        (RIKG.Measure, RIKG.Institution),
        (RIKG.PolicyDocument, RIKG.Objective),
        (RIKG.SourceSpan, RIKG.UnparsedFragment),
        (RIKG.FundingSource, RIKG.Institution),
        (RIKG.Municipality, RIKG.Region),
        (RIKG.FundingProgramme, RIKG.BudgetType),
    ],
)
def test_disjoint_classes(ontology: Graph, first: URIRef, second: URIRef) -> None:
    assert frozenset((first, second)) in disjoint_pairs(ontology)


def test_contributes_to_backbone(ontology: Graph) -> None:
    assert (RIKG.contributesTo, RDF.type, OWL.TransitiveProperty) in ontology
    for sub in ("implements", "servesObjective", "alignedWith", "partOfMeasure", "subObjectiveOf"):
        assert (RIKG[sub], RDFS.subPropertyOf, RIKG.contributesTo) in ontology
    assert (RIKG.predecessorOf, OWL.inverseOf, RIKG.successorOf) in ontology


@pytest.mark.parametrize(
    ("prop", "datatype"),
    [
        ("startYear", "gYear"), ("endYear", "gYear"), ("amountBGN", "decimal"), ("amountEUR", "decimal"),
        ("confidence", "decimal"), ("baselineNumber", "decimal"), ("targetNumber", "decimal"),
        ("perYear", "boolean"), ("unresolved", "boolean"), ("lineStart", "integer"),
        ("lineEnd", "integer"), ("adoptionDate", "date"), ("code", "string"), ("sourceFile", "string"),
    ],
)
def test_datatype_ranges(ontology: Graph, prop: str, datatype: str) -> None:
    assert (RIKG[prop], RDFS.range, rdf_namespace.XSD[datatype]) in ontology


def test_every_datatype_property_has_a_range(ontology: Graph) -> None:
    for name in DATATYPE_PROPERTIES:
        assert ontology.value(RIKG[name], RDFS.range) is not None, name


def test_enumeration_individuals_are_typed(ontology: Graph) -> None:
    for name in ("National", "Regional", "Local"):
        assert (RIKG[name], RDF.type, RIKG.AdministrativeLevel) in ontology
    for name in ("Confirmed", "PlanOnly", "Unconfirmed"):
        assert (RIKG[name], RDF.type, RIKG.FactStatus) in ontology


def test_object_property_ranges_of_the_contract(ontology: Graph) -> None:
    expected = {
        "partOfMeasure": RIKG.Measure, "servesObjective": RIKG.Objective, "inDocument": RIKG.PolicyDocument,
        "policyArea": RIKG.PolicyArea, "responsibleInstitution": RIKG.Institution,
        "fundingSource": RIKG.FundingSource, "plannedAmount": RIKG.MonetaryAmount,
        "hasIndicator": RIKG.Indicator, "alignedWith": RIKG.Objective, "territory": RIKG.Territory,
    }
    for name, range_class in expected.items():
        assert (RIKG[name], RDFS.range, range_class) in ontology, name


def test_prefixes_of_reused_vocabularies_are_the_standard_ones() -> None:
    assert str(Namespace("http://www.w3.org/ns/prov#")) == str(PROV)
    assert str(SCHEMA) == "https://schema.org/"


def test_every_predicate_and_class_of_the_reference_data_is_declared(ontology: Graph) -> None:
    """Undeclared terms make the OWL parser guess their kind; the reference data must not rely on guesses."""
    declared = {
        term for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for term in ontology.subjects(RDF.type, kind)
    }
    reference = reference_graph()
    undeclared = {p for p in reference.predicates() if p != RDF.type and p not in declared}
    assert not undeclared
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    assert set(reference.objects(None, RDF.type)) - classes <= {OWL.NamedIndividual}
