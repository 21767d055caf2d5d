"""The graph mapping: one :class:`~rikg.loaders.records.PlanDocument` → the triples of its named graph.

Terms are pyoxigraph terms built directly (no rdflib on this path), so a
national build of about a million triples maps in seconds. IRIs follow
``docs/architecture.md`` and depend only on the records, so the same input
gives the same IRIs on every build.

What the mapping adds beyond a one-to-one copy of the records:

* every objective, measure, activity and fragment gets a ``rikg:SourceSpan``
  (``<node>/span``) with file, lines and original text; indicators and amounts
  point at the span of the row they were read from;
* an activity that states no institutions, funding or years inherits its
  measure's (materialised, so queries need no special logic);
* amounts keep BGN as written and add EUR = BGN / 1.95583 (to the cent);
* names no registry entry matched, regional units the loader created on the
  fly, and territories or actors the reference data does not define get a node
  in the plan graph, so that no link dangles.

>>> from rikg.loaders.records import Measure, Objective, PlanDocument, Priority, SourceSpan
>>> span = SourceSpan("plan.txt", 10, 10, "1.1. Обхват на децата")
>>> measure = Measure(code="1.1", text="Обхват на децата", span=span)
>>> objective = Objective(code="1", text="Образование за всички", span=span, measures=[measure])
>>> doc = PlanDocument(file="plan.txt", slug="ruse-2024-2027", municipality="Русе", oblast="Русе",
...     title="План за действие", start_year=2024, end_year=2027,
...     priorities=[Priority("Образование", "education", span, objectives=[objective])])
>>> triples = map_plan(doc)
>>> sorted({str(t.subject.value) for t in triples if t.predicate == RDF_TYPE and t.object == RIKG_MEASURE})
['https://w3id.org/rikg/id/plan/ruse-2024-2027/education/measure/1.1']
>>> plan_graph_iri("ruse-2024-2027")
'https://w3id.org/rikg/id/graph/plan/ruse-2024-2027'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cyrtranslit
from pyoxigraph import Literal, NamedNode, Triple

from rikg.loaders.records import (
    Activity,
    Amount,
    EntityRef,
    Indicator,
    Measure,
    Objective,
    PlanDocument,
    Priority,
    SourceSpan,
    UnparsedFragment,
)
from rikg.ontology.vocab import ID_NS, ORG, PROV, RIKG, SCHEMA
from rikg.slugs import slugify

__all__ = [
    "BGN_PER_EUR",
    "RDF_TYPE",
    "RIKG_MEASURE",
    "ReferenceIndex",
    "code_segment",
    "entity_iri",
    "eur_from_bgn",
    "map_plan",
    "plan_graph_iri",
    "plan_iri",
    "single_number",
]

#: The fixed conversion rate of the lev to the euro.
BGN_PER_EUR = Decimal("1.95583")
_CENT = Decimal("0.01")

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = NamedNode(_XSD + "string")
_XSD_INTEGER = NamedNode(_XSD + "integer")
_XSD_DECIMAL = NamedNode(_XSD + "decimal")
_XSD_BOOLEAN = NamedNode(_XSD + "boolean")
_XSD_GYEAR = NamedNode(_XSD + "gYear")
_TRUE = Literal("true", datatype=_XSD_BOOLEAN)
_FALSE = Literal("false", datatype=_XSD_BOOLEAN)


def _rikg(term: str) -> NamedNode:
    return NamedNode(str(RIKG[term]))


RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_PREF_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
_ALT_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
_DC_TITLE = NamedNode("http://purl.org/dc/terms/title")
_DERIVED_FROM = NamedNode(str(PROV.wasDerivedFrom))
_SUB_ORGANIZATION_OF = NamedNode(str(ORG.subOrganizationOf))
_CURRENCY = NamedNode(str(SCHEMA.currency))

RIKG_MEASURE = _rikg("Measure")
_PLAN_CLASS = _rikg("MunicipalActionPlan")
_OBJECTIVE = _rikg("Objective")
_ACTIVITY = _rikg("Activity")
_INDICATOR = _rikg("Indicator")
_INSTITUTION = _rikg("Institution")
_FUNDING_SOURCE = _rikg("FundingSource")
_MONETARY_AMOUNT = _rikg("MonetaryAmount")
_SOURCE_SPAN = _rikg("SourceSpan")
_UNPARSED = _rikg("UnparsedFragment")
_MUNICIPALITY = _rikg("Municipality")
_REGION = _rikg("Region")
_REGIONAL_LEVEL = _rikg("Regional")

_IMPLEMENTS = _rikg("implements")
_SERVES = _rikg("servesObjective")
_PART_OF = _rikg("partOfMeasure")
_SUB_OBJECTIVE_OF = _rikg("subObjectiveOf")
_IN_DOCUMENT = _rikg("inDocument")
_POLICY_AREA = _rikg("policyArea")
_RESPONSIBLE = _rikg("responsibleInstitution")
_FUNDING = _rikg("fundingSource")
_PLANNED_AMOUNT = _rikg("plannedAmount")
_HAS_INDICATOR = _rikg("hasIndicator")
_TERRITORY = _rikg("territory")
_IN_REGION = _rikg("inRegion")
_LEVEL = _rikg("level")
_CODE = _rikg("code")
_START_YEAR = _rikg("startYear")
_END_YEAR = _rikg("endYear")
_STATUS_TEXT = _rikg("statusText")
_AMOUNT_BGN = _rikg("amountBGN")
_AMOUNT_EUR = _rikg("amountEUR")
_PER_YEAR = _rikg("perYear")
_BASELINE_VALUE = _rikg("baselineValue")
_TARGET_VALUE = _rikg("targetValue")
_BASELINE_NUMBER = _rikg("baselineNumber")
_TARGET_NUMBER = _rikg("targetNumber")
_SOURCE_FILE = _rikg("sourceFile")
_LINE_START = _rikg("lineStart")
_LINE_END = _rikg("lineEnd")
_SOURCE_TEXT = _rikg("sourceText")
_KIND = _rikg("kindAsWritten")
_INSTITUTIONS_TEXT = _rikg("institutionsText")
_FUNDING_TEXT = _rikg("fundingText")
_AMOUNT_TEXT = _rikg("amountText")
_PERIOD_TEXT = _rikg("periodText")
_UNRESOLVED = _rikg("unresolved")
_ADOPTION_ACT = _rikg("adoptionAct")
_UNPARSED_REASON = _rikg("unparsedReason")

_CODE_UNSAFE = re.compile(r"[^a-z0-9.]+")
# A number as plans print it: "1 200", "1200", "12,5", "30%"; thousands groups need three digits.
_NUMBER = re.compile(
    r"(?<![\d.,])\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d+)?(?!\d)"
    r"|(?<![\d.,])\d+(?:[.,]\d+)?(?!\d)"
)
_YEAR_MARK = re.compile(r"\s*г(?:\.|од)", re.IGNORECASE)


def plan_iri(slug: str) -> str:
    """The IRI of a municipal plan.

    >>> plan_iri("ruse-2024-2027")
    'https://w3id.org/rikg/id/plan/ruse-2024-2027'
    """
    return f"{ID_NS}plan/{slug}"


def plan_graph_iri(slug: str) -> str:
    """The IRI of the named graph holding one plan.

    >>> plan_graph_iri("kyustendil-2022-2024")
    'https://w3id.org/rikg/id/graph/plan/kyustendil-2022-2024'
    """
    return f"{ID_NS}graph/plan/{slug}"


def entity_iri(ref: EntityRef, role: str) -> str:
    """The IRI of a responsible institution (``role="institution"``) or funding source (``"funding"``).

    A registry key is used as is; a bare slug of an unresolved name goes below
    ``id:<role>/unresolved/``.

    >>> entity_iri(EntityRef("РУО", "РУО", "institution/ruo", True), "institution")
    'https://w3id.org/rikg/id/institution/ruo'
    >>> entity_iri(EntityRef("ЦПТР", "ЦПТР", "tsptr", False), "institution")
    'https://w3id.org/rikg/id/institution/unresolved/tsptr'
    """
    if "/" in ref.key:
        return f"{ID_NS}{ref.key}"
    return f"{ID_NS}{role}/unresolved/{ref.key}" if not ref.resolved else f"{ID_NS}{role}/{ref.key}"


def code_segment(code: str) -> str:
    """An IRI path segment for a code as printed: dots kept, Cyrillic transliterated.

    >>> code_segment("1.1.1"), code_segment("Д.1.1"), code_segment("Мярка 2 а)")
    ('1.1.1', 'd.1.1', 'myarka-2-a')
    """
    latin: str = cyrtranslit.to_latin(code.strip(), "bg").lower()
    return _CODE_UNSAFE.sub("-", latin).strip("-.") or "x"


def eur_from_bgn(bgn: Decimal) -> Decimal:
    """EUR for an amount in BGN at the fixed rate, rounded half-up to the cent.

    >>> eur_from_bgn(Decimal("10000"))
    Decimal('5112.92')
    >>> eur_from_bgn(Decimal("1.95583"))
    Decimal('1.00')
    """
    return (bgn / BGN_PER_EUR).quantize(_CENT, rounding=ROUND_HALF_UP)


def single_number(text: str | None) -> Decimal | None:
    """The number a value holds when it holds exactly one clear number (years marked "г." do not count).

    >>> single_number("30%"), single_number("1 200 деца"), single_number("12,5")
    (Decimal('30'), Decimal('1200'), Decimal('12.5'))
    >>> [single_number(text) for text in ("от 5 на 10", "до 2027 г.", "няма")]
    [None, None, None]
    """
    if not text:
        return None
    numbers = [
        match.group()
        for match in _NUMBER.finditer(text)
        if not (len(match.group()) == 4 and _YEAR_MARK.match(text, match.end()))
    ]
    if len(numbers) != 1:
        return None
    try:
        return Decimal(numbers[0].replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        return None


def _decimal(value: Decimal) -> Literal:
    return Literal(format(value, "f"), datatype=_XSD_DECIMAL)


def _year(value: int) -> Literal:
    return Literal(f"{value:04d}", datatype=_XSD_GYEAR)


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=_XSD_INTEGER)


def _string(value: str) -> Literal:
    return Literal(value, datatype=_XSD_STRING)


def _bg(value: str) -> Literal:
    return Literal(value, language="bg")


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


@dataclass(frozen=True)
class ReferenceIndex:
    """What the reference graph already describes, so the plan graph links to it instead of repeating it.

    ``described`` holds every subject with an ``rdf:type``; ``regions`` and
    ``municipalities`` map their labels (any case) to IRIs, so "Община Русе",
    "Русе" and "София (област)" find the reference node even where a slug would not.

    >>> index = ReferenceIndex.from_triples([
    ...     Triple(NamedNode(ID_NS + "region/sofia-oblast"), RDF_TYPE, _REGION),
    ...     Triple(NamedNode(ID_NS + "region/sofia-oblast"), _PREF_LABEL, _bg("София (област)")),
    ... ])
    >>> index.region_iri("софия (област)"), index.region_iri("Русе")
    ('https://w3id.org/rikg/id/region/sofia-oblast', 'https://w3id.org/rikg/id/region/ruse')
    """

    described: frozenset[str] = frozenset()
    regions: Mapping[str, str] = field(default_factory=dict)
    municipalities: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_triples(cls, triples: Iterable[Triple]) -> ReferenceIndex:
        """The index of reference triples (pyoxigraph terms)."""
        types: dict[str, set[str]] = {}
        labels: dict[str, list[str]] = {}
        for triple in triples:
            subject = triple.subject
            if not isinstance(subject, NamedNode):
                continue
            if triple.predicate == RDF_TYPE and isinstance(triple.object, NamedNode):
                types.setdefault(subject.value, set()).add(triple.object.value)
            elif triple.predicate in (_PREF_LABEL, _ALT_LABEL) and isinstance(triple.object, Literal):
                labels.setdefault(subject.value, []).append(triple.object.value)
        regions: dict[str, str] = {}
        municipalities: dict[str, str] = {}
        for iri, classes in sorted(types.items()):
            for target, territory_class in ((regions, _REGION), (municipalities, _MUNICIPALITY)):
                if territory_class.value in classes:
                    for label in labels.get(iri, []):
                        target.setdefault(_label_key(label), iri)
        return cls(frozenset(types), regions, municipalities)

    def region_iri(self, name: str) -> str:
        """The IRI of an oblast named in a plan: the reference node with that label, else by slug."""
        return self.regions.get(_label_key(name)) or f"{ID_NS}region/{slugify(name)}"

    def municipality_iri(self, name: str) -> str:
        """The IRI of a municipality named in a plan: the reference node with that label, else by slug."""
        return self.municipalities.get(_label_key(name)) or f"{ID_NS}municipality/{slugify(name)}"


class _PlanMapper:
    """Accumulates the triples of one plan graph; keeps IRIs unique and stable."""

    def __init__(self, doc: PlanDocument, reference: ReferenceIndex) -> None:
        self.doc = doc
        self.reference = reference
        self.known = reference.described
        self.plan = NamedNode(plan_iri(doc.slug))
        self.triples: list[Triple] = []
        self.used: set[str] = set()
        self.entities: dict[str, NamedNode] = {}

    def add(self, subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        self.triples.append(Triple(subject, predicate, obj))

    def unique(self, iri: str) -> NamedNode:
        """``iri``, or ``iri-2``, ``iri-3``, ... when an earlier node of the plan already has it."""
        candidate, n = iri, 1
        while candidate in self.used:
            n += 1
            candidate = f"{iri}-{n}"
        self.used.add(candidate)
        return NamedNode(candidate)

    def span(self, node: NamedNode, span: SourceSpan) -> NamedNode:
        span_node = NamedNode(node.value + "/span")
        self.add(span_node, RDF_TYPE, _SOURCE_SPAN)
        self.add(span_node, _SOURCE_FILE, _string(span.file))
        self.add(span_node, _LINE_START, _integer(span.line_start))
        self.add(span_node, _LINE_END, _integer(span.line_end))
        self.add(span_node, _SOURCE_TEXT, _string(span.text))
        self.add(node, _DERIVED_FROM, span_node)
        return span_node

    # -- the plan ---------------------------------------------------------------------------------

    def map_document(self) -> None:
        doc, plan = self.doc, self.plan
        self.used.add(plan.value)
        self.add(plan, RDF_TYPE, _PLAN_CLASS)
        label = doc.title or doc.file
        self.add(plan, _PREF_LABEL, _bg(label))
        if doc.title:
            self.add(plan, _DC_TITLE, _bg(doc.title))
        if doc.start_year is not None:
            self.add(plan, _START_YEAR, _year(doc.start_year))
        if doc.end_year is not None:
            self.add(plan, _END_YEAR, _year(doc.end_year))
        if doc.adoption_act:
            self.add(plan, _ADOPTION_ACT, _bg(doc.adoption_act))
        for upstream in doc.upstream:
            self.add(plan, _IMPLEMENTS, NamedNode(ID_NS + upstream.key))
        self.span(plan, _document_span(doc))
        self.map_territory()

    def map_territory(self) -> None:
        doc = self.doc
        region = NamedNode(self.reference.region_iri(doc.oblast)) if doc.oblast else None
        if region is not None:
            self.add(self.plan, _TERRITORY, region)
            if region.value not in self.known:
                self.add(region, RDF_TYPE, _REGION)
                self.add(region, _PREF_LABEL, _bg(doc.oblast or ""))
        if doc.municipality:
            municipality = NamedNode(self.reference.municipality_iri(doc.municipality))
            self.add(self.plan, _TERRITORY, municipality)
            if municipality.value not in self.known:
                self.add(municipality, RDF_TYPE, _MUNICIPALITY)
                self.add(municipality, _PREF_LABEL, _bg(doc.municipality))
                if region is not None:
                    self.add(municipality, _IN_REGION, region)

    # -- the table --------------------------------------------------------------------------------

    def map_priority(self, index: int, priority: Priority) -> None:
        area_segment = priority.policy_area or f"priority-{index}"
        base = f"{self.plan.value}/{area_segment}"
        area = NamedNode(f"{ID_NS}policy-area/{priority.policy_area}") if priority.policy_area else None
        objective_nodes: list[tuple[Objective, NamedNode]] = []
        measure_ordinal = activity_ordinal = 0
        for objective_ordinal, objective in enumerate(priority.objectives, start=1):
            objective_segment = _segment(objective.code, "o", objective_ordinal)
            objective_node = self.unique(f"{base}/objective/{objective_segment}")
            self.map_objective(objective, objective_node, area)
            objective_nodes.append((objective, objective_node))
            for measure in objective.measures:
                measure_ordinal += 1
                measure_node = self.unique(f"{base}/measure/{_segment(measure.code, 'm', measure_ordinal)}")
                self.map_item(measure, measure_node, RIKG_MEASURE, area)
                self.add(measure_node, _SERVES, objective_node)
                for activity in measure.activities:
                    activity_ordinal += 1
                    activity_node = self.unique(
                        f"{base}/activity/{_segment(activity.code, 'a', activity_ordinal)}"
                    )
                    self.map_item(activity, activity_node, _ACTIVITY, area)
                    self.add(activity_node, _PART_OF, measure_node)
                    self.add(activity_node, _SERVES, objective_node)
                    self.inherit(activity, activity_node, measure, measure_node)
        self.link_sub_objectives(objective_nodes)

    def map_objective(self, objective: Objective, node: NamedNode, area: NamedNode | None) -> None:
        self.add(node, RDF_TYPE, _OBJECTIVE)
        self.add(node, _PREF_LABEL, _bg(objective.text))
        if objective.code:
            self.add(node, _CODE, _string(objective.code))
        self.add(node, _KIND, _string(objective.kind))
        self.add(node, _IN_DOCUMENT, self.plan)
        if area is not None:
            self.add(node, _POLICY_AREA, area)
        self.span(node, objective.span)

    def link_sub_objectives(self, objectives: Sequence[tuple[Objective, NamedNode]]) -> None:
        """A goal whose code extends another goal's code by one level ("1.2" under "1") is its sub-goal."""
        by_code = {objective.code: node for objective, node in objectives if objective.code}
        for objective, node in objectives:
            if objective.code and "." in objective.code.rstrip("."):
                parent = by_code.get(objective.code.rstrip(".").rsplit(".", 1)[0])
                if parent is not None and parent != node:
                    self.add(node, _SUB_OBJECTIVE_OF, parent)

    def map_item(self, item: Activity, node: NamedNode, kind: NamedNode, area: NamedNode | None) -> None:
        """What measures and activities share: label, texts as written, actors, money, years, indicators."""
        self.add(node, RDF_TYPE, kind)
        self.add(node, _PREF_LABEL, _bg(item.text))
        if item.code:
            self.add(node, _CODE, _string(item.code))
        self.add(node, _IN_DOCUMENT, self.plan)
        if area is not None:
            self.add(node, _POLICY_AREA, area)
        span_node = self.span(node, item.span)
        for predicate, text in (
            (_STATUS_TEXT, item.status),
            (_INSTITUTIONS_TEXT, item.institutions_raw),
            (_FUNDING_TEXT, item.funding_raw),
            (_AMOUNT_TEXT, item.amount_raw),
            (_PERIOD_TEXT, item.period.raw if item.period else None),
        ):
            if text:
                self.add(node, predicate, _string(text))
        if item.period and item.period.status and item.period.status != item.status:
            self.add(node, _STATUS_TEXT, _string(item.period.status))
        self.link_entities(node, item.institutions, _RESPONSIBLE, "institution", span_node)
        self.link_entities(node, item.funding, _FUNDING, "funding", span_node)
        self.add_years(node, item)
        for n, amount in enumerate(item.amounts, start=1):
            self.map_amount(node, n, amount, span_node)
        for n, indicator in enumerate(item.indicators, start=1):
            self.map_indicator(node, n, indicator, span_node)

    def add_years(self, node: NamedNode, item: Activity) -> None:
        if item.period is None:
            return
        if item.period.start_year is not None:
            self.add(node, _START_YEAR, _year(item.period.start_year))
        if item.period.end_year is not None:
            self.add(node, _END_YEAR, _year(item.period.end_year))

    def inherit(self, activity: Activity, node: NamedNode, measure: Measure, measure_node: NamedNode) -> None:
        """An activity that states no institutions, funding or years gets its measure's."""
        measure_span = NamedNode(measure_node.value + "/span")
        if not activity.institutions:
            self.link_entities(node, measure.institutions, _RESPONSIBLE, "institution", measure_span)
        if not activity.funding:
            self.link_entities(node, measure.funding, _FUNDING, "funding", measure_span)
        if not _has_years(activity):
            self.add_years(node, measure)

    def map_amount(self, owner: NamedNode, n: int, amount: Amount, span_node: NamedNode) -> None:
        node = NamedNode(f"{owner.value}/amount/{n}")
        self.add(owner, _PLANNED_AMOUNT, node)
        self.add(node, RDF_TYPE, _MONETARY_AMOUNT)
        self.add(node, _AMOUNT_BGN, _decimal(amount.bgn))
        self.add(node, _AMOUNT_EUR, _decimal(eur_from_bgn(amount.bgn)))
        self.add(node, _PER_YEAR, _TRUE if amount.per_year else _FALSE)
        self.add(node, _AMOUNT_TEXT, _string(amount.raw))
        self.add(node, _CURRENCY, _string("BGN"))
        self.add(node, _DERIVED_FROM, span_node)

    def map_indicator(self, owner: NamedNode, n: int, indicator: Indicator, span_node: NamedNode) -> None:
        node = NamedNode(f"{owner.value}/indicator/{n}")
        self.add(owner, _HAS_INDICATOR, node)
        self.add(node, RDF_TYPE, _INDICATOR)
        self.add(node, _PREF_LABEL, _bg(indicator.text))
        self.add(node, _IN_DOCUMENT, self.plan)
        for value_property, number_property, value in (
            (_BASELINE_VALUE, _BASELINE_NUMBER, indicator.baseline),
            (_TARGET_VALUE, _TARGET_NUMBER, indicator.target),
        ):
            if value:
                self.add(node, value_property, _string(value))
                number = single_number(value)
                if number is not None:
                    self.add(node, number_property, _decimal(number))
        self.add(node, _DERIVED_FROM, span_node)

    # -- actors and funding -----------------------------------------------------------------------

    def link_entities(
        self, node: NamedNode, refs: Iterable[EntityRef], predicate: NamedNode, role: str, span: NamedNode
    ) -> None:
        for ref in refs:
            self.add(node, predicate, self.entity(ref, role, span))

    def entity(self, ref: EntityRef, role: str, span: NamedNode) -> NamedNode:
        """The node of an institution or funding source; described here when no reference graph does.

        Its provenance is the span of the row that first named it in this plan.
        """
        iri = entity_iri(ref, role)
        existing = self.entities.get(iri)
        if existing is not None:
            return existing
        node = NamedNode(iri)
        self.entities[iri] = node
        if iri in self.known:
            return node
        self.add(node, RDF_TYPE, _INSTITUTION if role == "institution" else _FUNDING_SOURCE)
        self.add(node, _PREF_LABEL, _bg(ref.label))
        if ref.raw != ref.label:
            self.add(node, _ALT_LABEL, _bg(ref.raw))
        if not ref.resolved:
            self.add(node, _UNRESOLVED, _TRUE)
        if ref.parent_key is not None:
            self.add(node, _SUB_ORGANIZATION_OF, NamedNode(ID_NS + ref.parent_key))
            self.add(node, _LEVEL, _REGIONAL_LEVEL)
        self.add(node, _DERIVED_FROM, span)
        return node

    # -- what the loader could not place ----------------------------------------------------------

    def map_unparsed(self, fragment: UnparsedFragment) -> None:
        node = self.unique(f"{self.plan.value}/unparsed/{fragment.span.line_start}")
        self.add(node, RDF_TYPE, _UNPARSED)
        self.add(node, _UNPARSED_REASON, _string(fragment.reason))
        self.add(node, _IN_DOCUMENT, self.plan)
        self.span(node, fragment.span)


def _segment(code: str | None, prefix: str, ordinal: int) -> str:
    return code_segment(code) if code and code.strip() else f"{prefix}{ordinal}"


def _has_years(item: Activity) -> bool:
    period = item.period
    return period is not None and (period.start_year is not None or period.end_year is not None)


def _document_span(doc: PlanDocument) -> SourceSpan:
    """The lines the plan's records cover (the whole table), with the title as its text."""
    spans = [upstream.span for upstream in doc.upstream]
    spans += [priority.span for priority in doc.priorities]
    spans += [item.span for item in doc.measures()] + [item.span for item in doc.activities()]
    spans += [fragment.span for fragment in doc.unparsed]
    first = min((span.line_start for span in spans), default=1)
    last = max((span.line_end for span in spans), default=first)
    return SourceSpan(doc.file, first, last, doc.title or doc.file)


def map_plan(doc: PlanDocument, reference: ReferenceIndex | None = None) -> list[Triple]:
    """The triples of a plan's named graph (``plan_graph_iri(doc.slug)``).

    ``reference`` tells which nodes the reference graph describes (institutions,
    programmes, territories); any other node the plan links to is described in
    the plan graph itself (type, label, and ``rikg:unresolved true`` where no
    registry entry matched), so no link dangles. Without it, every such node is
    described in the plan graph.

    >>> from rikg.loaders.records import PlanDocument
    >>> doc = PlanDocument(file="p.txt", slug="x-2024-2027", municipality=None, oblast=None,
    ...     title="План", start_year=2024, end_year=2027)
    >>> len(map_plan(doc))  # the plan (5 triples) and its source span (6)
    11
    """
    mapper = _PlanMapper(doc, reference or ReferenceIndex())
    mapper.map_document()
    for index, priority in enumerate(doc.priorities, start=1):
        mapper.map_priority(index, priority)
    for fragment in doc.unparsed:
        mapper.map_unparsed(fragment)
    return mapper.triples
