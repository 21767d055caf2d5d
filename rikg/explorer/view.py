"""What the explorer shows: nodes and edges read from the store with SPARQL, with every detail.

:func:`build_view` picks the nodes (the whole chain, one plan, or the
neighbourhood of a focus node), then reads their labels, codes, documents,
source spans, facets (plan, policy area, institution, funding) and the edges
between them, alignment confidence and method included. Nothing here is HTML:
:mod:`rikg.explorer.page` turns a view into the page.

Levels run top-down: EU → national → oblast → municipal plan → objective →
measure → activity, then institutions and funding.

>>> KINDS["measure"].level < KINDS["activity"].level
True
>>> search_key("Мярка 1.2 за Русе", "1.2", None)
'мярка 1.2 за русе myarka 1.2 za ruse 1.2'
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cyrtranslit
from pyoxigraph import Literal, NamedNode

from rikg.errors import RikgError
from rikg.graph_store.base import GraphStore, Term
from rikg.ontology.vocab import ID_NS, RIKG_NS

__all__ = [
    "KINDS",
    "ExplorerView",
    "Kind",
    "SourceText",
    "ViewEdge",
    "ViewNode",
    "build_view",
    "resolve_focus",
    "search_key",
]

ORG_NS = "http://www.w3.org/ns/org#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_DCTERMS_SOURCE = "http://purl.org/dc/terms/source"

PREFIXES = f"""PREFIX rikg: <{RIKG_NS}>
PREFIX org: <{ORG_NS}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <{_SKOS}>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

#: Upward properties of the chain (what ``rikg trace`` follows).
CHAIN_PATH = (
    "(rikg:partOfMeasure|rikg:servesObjective|rikg:subObjectiveOf|rikg:alignedWith"
    "|rikg:implements|rikg:contributesTo|rikg:inDocument)"
)
#: Edges the explorer draws (from → to), in the order they are preferred.
EDGE_PROPERTIES = (
    "partOfMeasure",
    "servesObjective",
    "subObjectiveOf",
    "alignedWith",
    "implements",
    "contributesTo",
    "inDocument",
    "responsibleInstitution",
    "fundingSource",
)
_SUB_ORGANIZATION_OF = ORG_NS + "subOrganizationOf"
_CHUNK = 400


@dataclass(frozen=True)
class Kind:
    """How one kind of node is drawn: its level (row), legend name, colour and vis-network shape."""

    key: str
    level: int
    name: str
    colour: str
    shape: str


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("eu-document", 0, "EU framework", "#1f3a93", "diamond"),
        Kind("eu-objective", 1, "EU objective", "#3867d6", "star"),
        Kind("national-document", 2, "National document", "#8e44ad", "diamond"),
        Kind("national-goal", 3, "National goal", "#a55eea", "triangle"),
        Kind("oblast-document", 4, "Oblast strategy", "#138d75", "diamond"),
        Kind("plan", 5, "Municipal plan", "#d35400", "square"),
        Kind("objective", 6, "Plan objective", "#e0a800", "triangleDown"),
        Kind("summary", 6, "Plan summary (focus to see it)", "#95a5a6", "square"),
        Kind("measure", 7, "Measure", "#229954", "dot"),
        Kind("activity", 8, "Activity", "#5d6d7e", "dot"),
        Kind("institution", 9, "Institution", "#c0392b", "hexagon"),
        Kind("funding", 9, "Funding programme or source", "#b9770e", "triangle"),
        Kind("other", 9, "Other (the focus)", "#17202a", "dot"),
    )
}

#: rdf:type → kind, most specific class first.
_CLASS_KINDS: tuple[tuple[str, str], ...] = tuple(
    (RIKG_NS + cls, kind)
    for cls, kind in (
        ("EUFramework", "eu-document"),
        ("EUObjective", "eu-objective"),
        ("NationalStrategy", "national-document"),
        ("NationalActionPlan", "national-document"),
        ("RegionalStrategy", "oblast-document"),
        ("MunicipalActionPlan", "plan"),
        ("PolicyDocument", "national-document"),
        ("StrategicGoal", "national-goal"),
        ("HorizontalGoal", "national-goal"),
        ("OperationalGoal", "national-goal"),
        ("SubGoal", "national-goal"),
        ("NationalDevelopmentPriority", "national-goal"),
        ("Objective", "objective"),
        ("Measure", "measure"),
        ("Activity", "activity"),
        ("Institution", "institution"),
        ("FundingProgramme", "funding"),
        ("BudgetType", "funding"),
        ("FundingSource", "funding"),
    )
)
_CLASS_KIND = dict(_CLASS_KINDS)
_CLASS_RANK = {cls: rank for rank, (cls, _) in enumerate(_CLASS_KINDS)}
#: Kinds shown when no focus is given (the chain, plans, objectives and measures).
_DEFAULT_KINDS = ("eu-document", "eu-objective", "national-document", "national-goal",
                  "oblast-document", "plan", "objective", "measure")
_PLAN_KINDS = frozenset(("plan", "summary", "objective", "measure", "activity"))
_CHAIN_KINDS = frozenset(("eu-document", "eu-objective", "national-document", "national-goal",
                          "oblast-document", "plan"))


@dataclass(frozen=True)
class SourceText:
    """Where a plan node was read: file, first and last line (1-based), and the original text."""

    file: str
    line_start: int | None
    line_end: int | None
    text: str | None


@dataclass
class ViewNode:
    """One node of the view with everything the details panel, the search and the filters need."""

    iri: str
    kind: str
    label: str
    label_en: str | None = None
    code: str | None = None
    types: list[str] = field(default_factory=list)
    document: str | None = None
    plan: str | None = None
    policy_areas: list[str] = field(default_factory=list)
    institutions: list[str] = field(default_factory=list)
    funding: list[str] = field(default_factory=list)
    source: SourceText | None = None
    references: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    x: float = 0.0
    y: float = 0.0

    @property
    def level(self) -> int:
        """The row the node is drawn in (0 = EU at the top)."""
        return KINDS[self.kind].level

    def as_json(self) -> dict[str, Any]:
        """The node as the page's data carries it (plain JSON values)."""
        return {
            "id": self.iri,
            "kind": self.kind,
            "label": self.label,
            "label_en": self.label_en,
            "code": self.code,
            "types": self.types,
            "document": self.document,
            "plan": self.plan,
            "policy_areas": self.policy_areas,
            "institutions": self.institutions,
            "funding": self.funding,
            "source": None if self.source is None else {
                "file": self.source.file,
                "line_start": self.source.line_start,
                "line_end": self.source.line_end,
                "text": self.source.text,
            },
            "references": self.references,
            "facts": self.facts,
            "search": search_key(self.label, self.code, self.label_en),
        }


@dataclass(frozen=True)
class ViewEdge:
    """A drawn edge: ``source`` → ``target`` by ``relation`` (local name of the property)."""

    source: str
    target: str
    relation: str
    confidence: float | None = None
    method: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The edge as the page's data carries it."""
        return {
            "from": self.source,
            "to": self.target,
            "relation": self.relation,
            "confidence": self.confidence,
            "method": self.method,
        }


@dataclass
class ExplorerView:
    """The nodes and edges of one explorer page, with the names of every IRI it mentions."""

    nodes: list[ViewNode]
    edges: list[ViewEdge]
    names: dict[str, str] = field(default_factory=dict)
    focus: str | None = None
    notice: str | None = None
    total_nodes: int = 0

    def facets(self) -> dict[str, list[tuple[str, str]]]:
        """Filter choices present in the view: facet → sorted (IRI, name) pairs."""
        values: dict[str, set[str]] = defaultdict(set)
        for node in self.nodes:
            if node.plan:
                values["plan"].add(node.plan)
            values["policy_area"].update(node.policy_areas)
            values["institution"].update(node.institutions)
            values["funding"].update(node.funding)
        return {
            facet: sorted(((iri, self.names.get(iri, iri)) for iri in iris), key=lambda pair: pair[1].lower())
            for facet, iris in values.items()
        }


def search_key(label: str, code: str | None, label_en: str | None) -> str:
    """Lower-case text a search matches against: the label, its Latin transliteration, code, English label.

    >>> search_key("Щастие", None, "Happiness")
    'щастие shtastie happiness'
    """
    latin = cyrtranslit.to_latin(label, "bg")
    latin = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode("ascii")
    parts = [label, latin, code or "", label_en or ""]
    return " ".join(" ".join(part.lower().split()) for part in parts if part)


# -- selecting nodes --------------------------------------------------------------------------------


def build_view(
    store: GraphStore,
    *,
    focus: str | None = None,
    plan: str | None = None,
    institution: str | None = None,
    max_nodes: int = 1500,
) -> ExplorerView:
    """Read the view from the store: the default chain, a plan, an institution or any focus IRI.

    ``plan`` is a plan slug (``ruse-2024-2027``) or IRI; ``institution`` an IRI or slug
    (``ruo``); ``focus`` any IRI (or ``id:...``). More than ``max_nodes`` nodes are cut (the
    page says so): the default view then keeps the chain and one summary node per plan.
    Raises :class:`~rikg.errors.RikgError` for a node the store does not hold.
    """
    focus_iri = resolve_focus(store, focus) if focus else None
    plan_iri = resolve_focus(store, _named(plan, "plan")) if plan else None
    institution_iri = resolve_focus(store, _named(institution, "institution")) if institution else None
    centre = focus_iri or institution_iri or plan_iri
    if centre is None:
        return _default_view(store, max_nodes)
    ranked = _focus_candidates(store, centre)
    if plan_iri is not None and centre != plan_iri:
        ranked = {iri: (rank, kind) for iri, (rank, kind) in ranked.items()
                  if kind not in _PLAN_KINDS or iri == plan_iri or iri.startswith(plan_iri + "/")}
    chosen = sorted(ranked, key=lambda iri: (ranked[iri][0], KINDS[ranked[iri][1]].level, iri))
    notice = None
    if len(chosen) > max_nodes:
        notice = (f"Showing {max_nodes} of {len(chosen)} nodes around this focus; "
                  "focus on a narrower node (a plan, a sub-goal, an institution) to see the rest.")
    kinds = {iri: ranked[iri][1] for iri in chosen[:max_nodes]}
    view = _describe(store, kinds)
    view.focus = centre
    view.notice = notice
    view.total_nodes = len(chosen)
    return view


def resolve_focus(store: GraphStore, ref: str) -> str:
    """The IRI ``ref`` names (a full IRI or ``id:...``); a node the store lacks is an error."""
    ref = ref.strip()
    iri = ID_NS + ref[3:] if ref.startswith("id:") else ref
    if not iri.startswith(("http://", "https://", "urn:")):
        raise RikgError(f"explore: focus {ref!r} is not an IRI (give https://... or id:...)")
    exists = store.query("ASK { { ?node ?p ?o } UNION { ?s ?p ?node } }", {"node": NamedNode(iri)})
    if not exists.boolean:
        raise RikgError(f"no node {iri} in the store")
    return iri


def _named(ref: str, folder: str) -> str:
    """An IRI, ``id:...`` or a bare slug of ``id:<folder>/``.

    >>> _named("ruo", "institution"), _named("id:plan/ruse-2024-2027", "plan")
    ('https://w3id.org/rikg/id/institution/ruo', 'id:plan/ruse-2024-2027')
    """
    ref = ref.strip()
    if ref.startswith(("http://", "https://", "urn:", "id:")):
        return ref
    return f"{ID_NS}{folder}/{ref}"


def _kind_classes() -> str:
    """``VALUES ?type`` of the classes the explorer draws, for finding every node of those classes."""
    return "VALUES ?type { " + " ".join(f"<{cls}>" for cls in _CLASS_KIND) + " }"


def _kind_class_filter() -> str:
    """``FILTER`` keeping the classes the explorer draws, for nodes already bound: joined with a
    ``VALUES ?n`` block, a ``VALUES ?type`` makes Oxigraph read every node of each class (a national
    store's 400-node chunk took 335 ms, not 5 ms)."""
    return "FILTER (?type IN (" + ", ".join(f"<{cls}>" for cls in _CLASS_KIND) + "))"


def _kinds_of(rows: Iterable[Mapping[str, Term | None]]) -> dict[str, str]:
    """Node → kind from (?n, ?type) rows, taking each node's most specific class."""
    best: dict[str, str] = {}
    for row in rows:
        node, cls = row.get("n"), row.get("type")
        if not isinstance(node, NamedNode) or cls is None:
            continue
        current = best.get(node.value)
        if current is None or _CLASS_RANK[cls.value] < _CLASS_RANK[current]:
            best[node.value] = cls.value
    return {node: _CLASS_KIND[cls] for node, cls in best.items()}


def _default_view(store: GraphStore, max_nodes: int) -> ExplorerView:
    rows = store.query(PREFIXES + f"SELECT ?n ?type WHERE {{ ?n a ?type . {_kind_classes()} }}").rows
    kinds = {iri: kind for iri, kind in _kinds_of(rows).items() if kind in _DEFAULT_KINDS}
    kinds = _fix_national_objectives(store, kinds)
    total = len(kinds)
    if total <= max_nodes:
        view = _describe(store, kinds)
        view.total_nodes = total
        if not kinds:
            view.notice = "The store holds no documents, goals or measures yet: run rikg build first."
        return view
    chain = {iri: kind for iri, kind in kinds.items() if kind in _CHAIN_KINDS}
    chain = dict(sorted(chain.items(), key=lambda item: (KINDS[item[1]].level, item[0]))[:max_nodes])
    view = _describe(store, chain)
    _add_plan_summaries(store, view)
    view.total_nodes = total
    view.notice = (f"The graph has {total} nodes, more than {max_nodes}: showing the chain and one summary "
                   "per plan. Focus on a plan (rikg explore --plan SLUG) or a node (--focus IRI) "
                   "to see its items.")
    return view


def _fix_national_objectives(store: GraphStore, kinds: dict[str, str]) -> dict[str, str]:
    """Objectives outside a municipal plan belong to the national (or EU) level."""
    rows = store.query(PREFIXES + """
        SELECT DISTINCT ?n WHERE { ?n a rikg:Objective ; rikg:inDocument ?d .
                                   FILTER NOT EXISTS { ?d a rikg:MunicipalActionPlan } }""").rows
    for row in rows:
        node = row.get("n")
        if node is not None and kinds.get(node.value) == "objective":
            kinds[node.value] = "national-goal"
    return kinds


def _focus_candidates(store: GraphStore, centre: str) -> dict[str, tuple[int, str]]:
    """Nodes around ``centre`` → (rank, kind).

    Rank 0 is the focus, 1 its chain up, 2 its neighbours, 3 what lies below it, 4 the chains above
    the neighbours and what lies below (a plan's items lead up to the national goals they align with).
    Separate simple queries: one query joining them all is many times slower in Oxigraph.
    """
    c = _iri_ref(centre)
    down_path = CHAIN_PATH.replace("|rikg:contributesTo", "")
    ranks: dict[str, int] = {centre: 0}
    for rank, query in (
        (1, f"SELECT DISTINCT ?n WHERE {{ {c} {CHAIN_PATH}+ ?n }}"),
        (2, f"SELECT DISTINCT ?n WHERE {{ {{ {c} ?p ?n }} UNION {{ ?n ?p {c} }} FILTER (isIRI(?n)) }}"),
        (3, f"""SELECT DISTINCT ?n WHERE {{
                {{ ?n {down_path}+ {c} }}
                UNION {{ ?n (rikg:responsibleInstitution|rikg:fundingSource)/org:subOrganizationOf* {c} }}
                UNION {{ ?n org:subOrganizationOf+ {c} }} }}"""),
    ):
        for iri in _column(store, PREFIXES + query):
            ranks.setdefault(iri, rank)
    kinds = _typed(store, list(ranks))
    below = [iri for iri, rank in ranks.items() if rank in (2, 3) and iri in kinds]
    above = [iri for iri in _chain_closure(store, below) if iri not in ranks]
    ranks.update((iri, 4) for iri in above)
    kinds.update(_typed(store, above))
    kinds = _fix_national_objectives(store, kinds)
    ranked = {iri: (ranks[iri], kind) for iri, kind in kinds.items()}
    ranked.setdefault(centre, (0, "other"))
    return ranked


def _typed(store: GraphStore, iris: Sequence[str]) -> dict[str, str]:
    """The kind of each IRI that has one (others are left out)."""
    rows: list[Mapping[str, Term | None]] = []
    for chunk in _chunks(iris):
        query = f"""SELECT ?n ?type WHERE {{
            VALUES ?n {{ {_values(chunk)} }} ?n a ?type . {_kind_class_filter()} }}"""
        rows.extend(store.query(PREFIXES + query).rows)
    return _kinds_of(rows)


def _chain_closure(store: GraphStore, starts: Sequence[str]) -> list[str]:
    """Everything above ``starts`` on the chain, hop by hop (one-hop queries are fast, paths slow)."""
    seen = set(starts)
    found: list[str] = []
    frontier = list(starts)
    while frontier:
        step: list[str] = []
        for chunk in _chunks(frontier):
            query = f"SELECT DISTINCT ?n WHERE {{ VALUES ?d {{ {_values(chunk)} }} ?d {CHAIN_PATH} ?n }}"
            for iri in _column(store, PREFIXES + query):
                if iri not in seen:
                    seen.add(iri)
                    step.append(iri)
        found.extend(step)
        frontier = step
    return found


def _column(store: GraphStore, query: str) -> list[str]:
    """The IRIs of the first column of a SELECT."""
    result = store.query(query)
    name = result.variables[0]
    return [term.value for term in result.column(name) if isinstance(term, NamedNode)]


def _add_plan_summaries(store: GraphStore, view: ExplorerView) -> None:
    rows = store.query(PREFIXES + """
        SELECT ?plan ?type (COUNT(DISTINCT ?n) AS ?count) WHERE {
            ?plan a rikg:MunicipalActionPlan . ?n rikg:inDocument ?plan ; a ?type .
            VALUES ?type { rikg:Objective rikg:Measure rikg:Activity }
        } GROUP BY ?plan ?type""").rows
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        plan, cls, count = row.get("plan"), row.get("type"), row.get("count")
        if plan is not None and cls is not None and count is not None:
            counts[plan.value][cls.value.removeprefix(RIKG_NS)] = int(count.value)
    shown = {node.iri for node in view.nodes}
    for plan_iri, per_type in sorted(counts.items()):
        if plan_iri not in shown:
            continue
        slug = plan_iri.removeprefix(f"{ID_NS}plan/")
        summary = ", ".join(f"{per_type.get(name, 0)} {name.lower()}s"
                            for name in ("Objective", "Measure", "Activity"))
        iri = f"{plan_iri}#summary"
        view.nodes.append(ViewNode(iri=iri, kind="summary", label=f"{slug}: {summary}", plan=plan_iri,
                                   facts={"focus": f"rikg explore --plan {slug}"}))
        view.edges.append(ViewEdge(iri, plan_iri, "inDocument"))


# -- describing nodes -------------------------------------------------------------------------------


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')


def _iri_ref(iri: str) -> str:
    """``<iri>`` for SPARQL text; an IRI that cannot be written so is an error."""
    if _IRI_FORBIDDEN.search(iri):
        raise RikgError(f"explore: {iri!r} is not a valid IRI")
    return f"<{iri}>"


def _values(iris: Sequence[str]) -> str:
    return " ".join(_iri_ref(iri) for iri in iris)


def _text(term: Term | None) -> str | None:
    return term.value if term is not None else None


def _language(term: Term | None) -> str | None:
    return term.language if isinstance(term, Literal) else None


_DESCRIBE = PREFIXES + """
SELECT ?n ?key ?value WHERE {
    VALUES ?n { %s }
    ?n ?key ?value .
    FILTER (?key IN (rdf:type, skos:prefLabel, rdfs:label, rikg:code, rikg:inDocument, rikg:policyArea,
                     rikg:responsibleInstitution, rikg:fundingSource, rikg:statusText, rikg:periodText,
                     rikg:startYear, rikg:endYear, rikg:factStatus, dcterms:source, rikg:acronym,
                     rikg:kindAsWritten, rikg:institutionsText, rikg:fundingText, rikg:unresolved))
}"""

_SPANS = PREFIXES + """
SELECT ?n ?file ?start ?end ?text WHERE {
    VALUES ?n { %s }
    ?n prov:wasDerivedFrom ?span . ?span rikg:sourceFile ?file .
    OPTIONAL { ?span rikg:lineStart ?start } OPTIONAL { ?span rikg:lineEnd ?end }
    OPTIONAL { ?span rikg:sourceText ?text }
}"""

_EDGES = PREFIXES + """
SELECT ?n ?key ?value WHERE {
    VALUES ?n { %s }
    ?n ?key ?value .
    FILTER (?key IN (%s))
}"""

_ALIGNMENTS = PREFIXES + """
SELECT ?n ?target ?confidence ?method WHERE {
    VALUES ?n { %s }
    ?alignment rikg:alignmentSource ?n ; rikg:alignmentTarget ?target ; rikg:confidence ?confidence .
    OPTIONAL { ?alignment rikg:method ?method }
}"""

_NAMES = PREFIXES + """
SELECT ?n ?label ?acronym WHERE {
    VALUES ?n { %s }
    OPTIONAL { ?n skos:prefLabel|rdfs:label ?label }
    OPTIONAL { ?n rikg:acronym ?acronym }
}"""

#: Datatype values shown in the details panel, under these names.
_FACTS = {
    RIKG_NS + "statusText": "status",
    RIKG_NS + "periodText": "period",
    RIKG_NS + "startYear": "start year",
    RIKG_NS + "endYear": "end year",
    RIKG_NS + "kindAsWritten": "kind as written",
    RIKG_NS + "institutionsText": "institutions as written",
    RIKG_NS + "fundingText": "funding as written",
    RIKG_NS + "acronym": "acronym",
    RIKG_NS + "unresolved": "unresolved name",
}


def _describe(store: GraphStore, kinds: Mapping[str, str]) -> ExplorerView:
    """Read labels, facets, spans and edges of the chosen nodes."""
    nodes = {iri: ViewNode(iri=iri, kind=kind, label=iri.rsplit("/", 1)[-1]) for iri, kind in kinds.items()}
    labels: dict[str, dict[str | None, str]] = defaultdict(dict)
    iris = list(nodes)
    for chunk in _chunks(iris):
        for row in store.query(_DESCRIBE % _values(chunk)).rows:
            _apply_fact(nodes, labels, row)
        for row in store.query(_SPANS % _values(chunk)).rows:
            _apply_span(nodes, row)
    for iri, by_language in labels.items():
        node = nodes[iri]
        node.label = by_language.get("bg") or by_language.get(None) or by_language.get("en") or node.label
        english = by_language.get("en")
        node.label_en = english if english and english != node.label else None
    edges = _read_edges(store, nodes)
    for node in nodes.values():
        if node.kind == "plan":
            node.plan = node.iri
        elif node.document is not None and node.document.startswith(f"{ID_NS}plan/"):
            node.plan = node.document
    view = ExplorerView(nodes=list(nodes.values()), edges=edges)
    view.names = _read_names(store, view)
    return view


def _apply_fact(nodes: Mapping[str, ViewNode], labels: dict[str, dict[str | None, str]],
                row: Mapping[str, Term | None]) -> None:
    subject, key, value = row.get("n"), _text(row.get("key")), row.get("value")
    if subject is None or key is None or value is None:
        return
    node = nodes[subject.value]
    if key == _SKOS + "prefLabel":
        labels[node.iri][_language(value)] = value.value
    elif key == _RDFS_LABEL:
        labels[node.iri].setdefault(_language(value), value.value)
    elif key == _RDF_TYPE:
        node.types.append(value.value)
    elif key == RIKG_NS + "code":
        node.code = value.value
    elif key == RIKG_NS + "inDocument":
        node.document = value.value
    elif key == RIKG_NS + "policyArea":
        node.policy_areas.append(value.value)
    elif key == RIKG_NS + "responsibleInstitution":
        node.institutions.append(value.value)
    elif key == RIKG_NS + "fundingSource":
        node.funding.append(value.value)
    elif key == RIKG_NS + "factStatus":
        node.facts["fact status"] = value.value.removeprefix(RIKG_NS)
    elif key == _DCTERMS_SOURCE:
        node.references.append(value.value)
    elif key in _FACTS:
        node.facts[_FACTS[key]] = value.value


def _apply_span(nodes: Mapping[str, ViewNode], row: Mapping[str, Term | None]) -> None:
    subject, file = row.get("n"), _text(row.get("file"))
    if subject is None or file is None:
        return
    start, end = _text(row.get("start")), _text(row.get("end"))
    nodes[subject.value].source = SourceText(
        file=file,
        line_start=int(start) if start else None,
        line_end=int(end) if end else None,
        text=_text(row.get("text")),
    )


def _read_edges(store: GraphStore, nodes: Mapping[str, ViewNode]) -> list[ViewEdge]:
    """Edges between shown nodes; ``inDocument`` only where a node has no other way up."""
    properties = ", ".join(f"rikg:{name}" for name in EDGE_PROPERTIES) + f", <{_SUB_ORGANIZATION_OF}>"
    found: dict[tuple[str, str], str] = {}
    alignments: dict[tuple[str, str], tuple[float, str | None]] = {}
    iris = list(nodes)
    for chunk in _chunks(iris):
        for row in store.query(_EDGES % (_values(chunk), properties)).rows:
            source, key, target = row.get("n"), _text(row.get("key")), row.get("value")
            if source is None or key is None or target is None or target.value not in nodes:
                continue
            if source.value == target.value:
                continue
            relation = key.rsplit("#", 1)[-1]
            pair = (source.value, target.value)
            if pair not in found or _edge_rank(relation) < _edge_rank(found[pair]):
                found[pair] = relation
        for row in store.query(_ALIGNMENTS % _values(chunk)).rows:
            source, target, score = row.get("n"), row.get("target"), _text(row.get("confidence"))
            if source is None or target is None or score is None:
                continue
            alignments[(source.value, target.value)] = (float(score), _text(row.get("method")))
    has_way_up = {source for (source, _), relation in found.items()
                  if relation in ("partOfMeasure", "servesObjective", "subObjectiveOf")}
    edges = []
    for (source, target), relation in sorted(found.items()):
        if relation == "inDocument" and source in has_way_up:
            continue
        confidence, method = alignments.get((source, target), (None, None))
        edges.append(ViewEdge(source, target, relation, confidence, method))
    return edges


def _edge_rank(relation: str) -> int:
    return EDGE_PROPERTIES.index(relation) if relation in EDGE_PROPERTIES else len(EDGE_PROPERTIES)


def _read_names(store: GraphStore, view: ExplorerView) -> dict[str, str]:
    """Readable names of the documents, plans, policy areas, institutions and funding the nodes mention."""
    names = {node.iri: node.label for node in view.nodes}
    wanted: set[str] = set()
    for node in view.nodes:
        wanted.update(node.policy_areas, node.institutions, node.funding)
        if node.document:
            wanted.add(node.document)
    missing = sorted(wanted - set(names))
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for chunk in _chunks(missing):
        for row in store.query(_NAMES % _values(chunk)).rows:
            subject, label, acronym = row.get("n"), row.get("label"), row.get("acronym")
            if subject is None:
                continue
            if label is not None:
                found[subject.value].setdefault(_language(label) or "", label.value)
            if acronym is not None:
                found[subject.value].setdefault("acronym", acronym.value)
    for iri in missing:
        by_key = found.get(iri, {})
        label = by_key.get("bg") or by_key.get("") or by_key.get("en") or iri.rsplit("/", 1)[-1]
        acronym = by_key.get("acronym")
        names[iri] = f"{acronym} – {label}" if acronym and acronym not in label else label
    for node in view.nodes:
        if node.kind == "plan":
            names[node.iri] = node.iri.removeprefix(f"{ID_NS}plan/")
    return names
