"""The rikg vocabulary as rdflib namespaces that fail on a mistyped term.

>>> str(RIKG.Measure)
'https://w3id.org/rikg/ontology#Measure'
>>> RIKG.Measur
Traceback (most recent call last):
...
AttributeError: term 'Measur' not in namespace 'https://w3id.org/rikg/ontology#'
>>> str(ID["plan/ruse-2024-2027"])
'https://w3id.org/rikg/id/plan/ruse-2024-2027'
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = ["ID", "ORG", "PROV", "RIKG", "SCHEMA", "graph_iri"]

RIKG_NS = "https://w3id.org/rikg/ontology#"
ID_NS = "https://w3id.org/rikg/id/"

#: Instances: stable, readable slugs (``id:plan/ruse-2024-2027``, ``id:institution/ruo``).
ID = Namespace(ID_NS)
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")


class RIKG(DefinedNamespace):
    """Classes and properties of the rikg ontology (``ontology/rikg.ttl``)."""

    _fail = True
    _NS = Namespace(RIKG_NS)

    # Classes of the public vocabulary
    PolicyDocument: URIRef
    EUFramework: URIRef
    NationalStrategy: URIRef
    NationalActionPlan: URIRef
    RegionalStrategy: URIRef
    MunicipalActionPlan: URIRef
    Objective: URIRef
    Measure: URIRef
    Activity: URIRef
    Indicator: URIRef
    Institution: URIRef
    FundingSource: URIRef
    FundingProgramme: URIRef
    MonetaryAmount: URIRef
    PolicyArea: URIRef
    Municipality: URIRef
    Region: URIRef
    Alignment: URIRef
    SourceSpan: URIRef
    UnparsedFragment: URIRef
    # Classes added by rikg beyond the minimum
    StrategicGoal: URIRef  # the single strategic goal of a strategy
    HorizontalGoal: URIRef  # horizontal (cross-cutting) objective
    OperationalGoal: URIRef  # the operational goal of a national priority
    SubGoal: URIRef  # a numbered national sub-goal ("подцел")
    EUObjective: URIRef  # one of the EU framework's objectives
    SustainableDevelopmentGoal: URIRef  # a UN SDG
    NationalDevelopmentPriority: URIRef  # a priority of НПР „България 2030“
    BudgetType: URIRef  # municipal / state / delegated budget
    AlignmentCandidate: URIRef  # a runner-up target of an alignment
    AdministrativeLevel: URIRef  # national / regional / local
    FactStatus: URIRef  # confirmed / plan only / unconfirmed
    Territory: URIRef  # superclass of Municipality and Region

    # Individuals of the enumerations
    National: URIRef
    Regional: URIRef
    Local: URIRef
    Confirmed: URIRef
    PlanOnly: URIRef
    Unconfirmed: URIRef

    # Object properties of the public vocabulary
    implements: URIRef
    contributesTo: URIRef
    servesObjective: URIRef
    partOfMeasure: URIRef
    inDocument: URIRef
    policyArea: URIRef
    responsibleInstitution: URIRef
    fundingSource: URIRef
    plannedAmount: URIRef
    hasIndicator: URIRef
    alignedWith: URIRef
    territory: URIRef
    successorOf: URIRef
    # Object properties added by rikg
    subObjectiveOf: URIRef  # sub-goal -> operational goal -> strategic goal
    predecessorOf: URIRef  # inverse of successorOf
    alignmentSource: URIRef  # Alignment -> the aligned objective or measure
    alignmentTarget: URIRef  # Alignment / AlignmentCandidate -> the objective
    candidate: URIRef  # Alignment -> AlignmentCandidate (runner-up)
    level: URIRef  # Institution -> AdministrativeLevel
    factStatus: URIRef  # any reference node -> FactStatus
    managingAuthority: URIRef  # FundingProgramme -> Institution
    inRegion: URIRef  # Municipality -> Region

    # Datatype properties of the public vocabulary
    code: URIRef
    acronym: URIRef
    startYear: URIRef
    endYear: URIRef
    statusText: URIRef
    amountBGN: URIRef
    amountEUR: URIRef
    perYear: URIRef
    baselineValue: URIRef
    targetValue: URIRef
    sourceFile: URIRef
    lineStart: URIRef
    lineEnd: URIRef
    sourceText: URIRef
    confidence: URIRef
    method: URIRef
    # Datatype properties added by rikg
    kindAsWritten: URIRef  # "Цел", "Подцел", "Мярка", "Задача", "Дейност" as the plan names it
    institutionsText: URIRef  # the responsible-institution cell as written
    fundingText: URIRef  # the funding cell as written
    amountText: URIRef  # an amount as written
    periodText: URIRef  # the period / deadline cell as written
    baselineNumber: URIRef  # xsd:decimal, where the baseline holds one clear number
    targetNumber: URIRef  # xsd:decimal, where the target holds one clear number
    unresolved: URIRef  # xsd:boolean: a name no registry entry matched
    nutsCode: URIRef
    ekatteCode: URIRef
    adoptionAct: URIRef  # "Решение № 151/07.03.2024 на МС"
    adoptionDate: URIRef  # xsd:date
    euFund: URIRef  # "ESF+", "ERDF", "RRF"
    evidence: URIRef  # why a link holds (reason, quoted text)
    comparedSourceText: URIRef
    comparedTargetText: URIRef
    unconfirmedDetail: URIRef  # which part of a fact is UNCONFIRMED
    unparsedReason: URIRef


def graph_iri(name: str) -> URIRef:
    """The IRI of a named graph of the store.

    >>> graph_iri("plan/ruse-2024-2027")
    rdflib.term.URIRef('https://w3id.org/rikg/id/graph/plan/ruse-2024-2027')
    """
    return URIRef(f"{ID_NS}graph/{name}")
