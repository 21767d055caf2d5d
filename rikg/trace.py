"""The auditor's trace: from a plan measure or activity up to the EU objectives, step by step.

:func:`trace` reads the ``rikg:contributesTo`` family around an item with two
SPARQL queries (the edges reachable through a property path, then the
description of every node found) and orders the steps in Python; which
classes are documents or EU objectives it reads from the class hierarchy of
the ontology this package ships (:func:`superclasses`):

1. **the goal chain**: a breadth-first walk from the item over
   ``partOfMeasure``, ``servesObjective``, ``subObjectiveOf``, ``alignedWith``,
   ``implements`` and ``contributesTo`` (that preference order breaks ties,
   then the higher confidence, then the IRI), stopping at documents and at
   EU-level objectives: activity → measure → plan objective → national
   sub-goal → operational goal → strategic goal;
2. **the documents** the chain belongs to (``inDocument``) and the documents
   they implement, bottom-up by level (municipal plan, oblast strategy,
   national action plan, national strategy, EU framework), in order of
   discovery within a level;
3. **the EU objectives** the chain contributes to, and anything above them.

Every node appears once, reached the first time the walk meets it; ``via`` is
the property of that edge. A ``contributesTo`` edge that merely shortcuts a
longer path (a reasoner's transitive closure) is not followed. Steps reached
over an edge that an ``rikg:Alignment`` node describes carry its confidence and
method ("reference" for the reference data's own mappings).

An item is named by IRI (``https://w3id.org/rikg/id/...`` or ``id:...``) or by
plan and code: ``ruse-2024-2027:1.3``, or ``ruse-2024-2027:health:1.1`` when
the code repeats across priorities.

>>> step = Step("https://w3id.org/rikg/id/x", ("https://w3id.org/rikg/ontology#Measure",), "Мярка", None,
...             "https://w3id.org/rikg/id/plan/p", None, None, None, SourceRef("p.txt", 12), "1.1", 0)
>>> sorted(step.as_json())
['confidence', 'document', 'iri', 'label', 'label_en', 'method', 'source', 'types', 'via']
>>> print(format_text(Trace("https://w3id.org/rikg/id/x", (step,))))
Measure 1.1 «Мярка» [p.txt:12]
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import Any

from pyoxigraph import Literal, NamedNode

from rikg.errors import RikgError
from rikg.graph_store.base import GraphStore, Term
from rikg.ontology.resources import ontology_resource
from rikg.ontology.vocab import ID_NS, RIKG, RIKG_NS

__all__ = ["SourceRef", "Step", "Trace", "format_text", "resolve_item", "trace", "trace_item"]

_PREFIXES = f"""
PREFIX rikg: <{RIKG_NS}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

#: The properties the goal chain follows, in order of preference.
GOAL_PROPERTIES = tuple(
    str(p)
    for p in (
        RIKG.partOfMeasure,
        RIKG.servesObjective,
        RIKG.subObjectiveOf,
        RIKG.alignedWith,
        RIKG.implements,
        RIKG.contributesTo,
    )
)
IN_DOCUMENT = str(RIKG.inDocument)
CONTRIBUTES_TO = str(RIKG.contributesTo)
#: The properties between documents, in order of preference.
DOCUMENT_PROPERTIES = (str(RIKG.implements), CONTRIBUTES_TO)
#: Documents bottom-up; any other kind of document comes last.
DOCUMENT_LEVELS = tuple(
    str(c)
    for c in (
        RIKG.MunicipalActionPlan,
        RIKG.RegionalStrategy,
        RIKG.NationalActionPlan,
        RIKG.NationalStrategy,
        RIKG.EUFramework,
    )
)
_POLICY_DOCUMENT = str(RIKG.PolicyDocument)
# Known without the ontology's class hierarchy too (a store may hold the data alone).
_DOCUMENT_CLASSES = frozenset({_POLICY_DOCUMENT, *DOCUMENT_LEVELS})
_EU_OBJECTIVE = str(RIKG.EUObjective)
_IGNORED_TYPES = frozenset(
    {"http://www.w3.org/2002/07/owl#NamedIndividual", "http://www.w3.org/2002/07/owl#Thing"}
)
_ITEM_TYPES = tuple(str(c) for c in (RIKG.Objective, RIKG.Measure, RIKG.Activity))

_REACHABLE_QUERY = _PREFIXES + """
SELECT DISTINCT ?node WHERE {
    %s (rikg:partOfMeasure|rikg:servesObjective|rikg:subObjectiveOf|rikg:alignedWith
        |rikg:implements|rikg:contributesTo|rikg:inDocument)* ?node .
}
"""

_DESCRIBE_QUERY = _PREFIXES + """
SELECT ?n ?key ?value ?extra ?method WHERE {
    VALUES ?n { %s }
    {
        ?n ?key ?value .
        FILTER (?key IN (rikg:partOfMeasure, rikg:servesObjective, rikg:subObjectiveOf, rikg:alignedWith,
                         rikg:implements, rikg:contributesTo, rikg:inDocument, rdf:type, skos:prefLabel,
                         rikg:code))
    }
    UNION {
        ?alignment rikg:alignmentSource ?n ; rikg:alignmentTarget ?value ; rikg:confidence ?extra .
        OPTIONAL { ?alignment rikg:method ?method }
        BIND ("alignment" AS ?key)
    }
    UNION {
        ?n prov:wasDerivedFrom ?span . ?span rikg:sourceFile ?value ; rikg:lineStart ?extra .
        BIND ("source" AS ?key)
    }
}
"""

_BY_CODE_QUERY = _PREFIXES + """
SELECT ?plan ?code ?n ?area ?type WHERE {
    ?n rikg:inDocument ?plan ; rikg:code ?code ; a ?type .
    VALUES ?type { rikg:Objective rikg:Measure rikg:Activity }
    OPTIONAL { ?n rikg:policyArea ?area }
}
"""


@dataclass(frozen=True)
class SourceRef:
    """Where a plan node was read: file name and 1-based first line."""

    file: str
    line: int


@dataclass(frozen=True)
class Step:
    """One node of a trace and how the walk reached it."""

    iri: str
    types: tuple[str, ...]
    label: str | None
    label_en: str | None
    document: str | None
    via: str | None
    confidence: float | None
    method: str | None
    source: SourceRef | None
    code: str | None
    depth: int
    #: ``goals`` (the item and the goals above it), ``documents`` or ``eu`` (the EU objectives reached).
    section: str = "goals"

    def as_json(self) -> dict[str, Any]:
        """The step as the JSON contract of ``rikg trace --format json`` has it."""
        return {
            "iri": self.iri,
            "types": list(self.types),
            "label": self.label,
            "label_en": self.label_en,
            "document": self.document,
            "via": self.via,
            "confidence": self.confidence,
            "method": self.method,
            "source": {"file": self.source.file, "line": self.source.line} if self.source else None,
        }


@dataclass(frozen=True)
class Trace:
    """The item traced and its steps, the item first."""

    item: str
    steps: tuple[Step, ...]

    def as_json(self) -> dict[str, Any]:
        """``{"item": IRI, "chain": [step, ...]}``."""
        return {"item": self.item, "chain": [step.as_json() for step in self.steps]}


# -- naming the item --------------------------------------------------------------------------------


def resolve_item(store: GraphStore, ref: str) -> str:
    """The IRI an item reference names: an IRI, ``id:...``, ``PLAN:CODE`` or ``PLAN:AREA:CODE``.

    Raises :class:`~rikg.errors.RikgError` (one line) for an unknown node or an ambiguous code.
    """
    ref = ref.strip()
    if ref.startswith(("http://", "https://", "id:")):
        iri = ID_NS + ref[3:] if ref.startswith("id:") else ref
        exists = store.query("ASK { { ?node ?p ?o } UNION { ?s ?p ?node } }", {"node": _named_node(iri)})
        if not exists.boolean:
            raise RikgError(f"no node {iri} in the store")
        return iri
    parts = ref.split(":")
    if len(parts) not in (2, 3) or not all(part.strip() for part in parts):
        raise RikgError(f"{ref!r} is neither an IRI nor PLAN:CODE / PLAN:AREA:CODE (e.g. ruse-2024-2027:1.3)")
    plan, code = parts[0].strip(), parts[-1].strip()
    area = parts[1].strip() if len(parts) == 3 else None
    return _by_code(store, plan, area, code, ref)


def _by_code(store: GraphStore, plan: str, area: str | None, code: str, ref: str) -> str:
    plan_iri = f"{ID_NS}plan/{plan}"
    rows = store.query(_BY_CODE_QUERY, {"plan": NamedNode(plan_iri), "code": Literal(code)}).rows
    found: dict[str, tuple[str, str]] = {}
    for row in rows:
        node, area_term, kind = row["n"], row.get("area"), row["type"]
        node_area = area_term.value.rsplit("/", 1)[-1] if area_term is not None else "?"
        if node is not None and kind is not None and (area is None or node_area == area):
            found.setdefault(node.value, (node_area, kind.value.rsplit("#", 1)[-1].lower()))
    if len(found) == 1:
        return next(iter(found))
    if not found:
        if not store.query("ASK { ?plan ?p ?o }", {"plan": NamedNode(plan_iri)}).boolean:
            raise RikgError(f"unknown plan {plan!r} in {ref!r} (no node {plan_iri} in the store)")
        where = f" in {area}" if area else ""
        raise RikgError(f"no objective, measure or activity with code {code!r}{where} in plan {plan}")
    candidates = sorted(found.items(), key=lambda kv: (kv[1], kv[0]))
    listed = "; ".join(
        f"{plan}:{node_area}:{code} ({kind}{'' if area is None else ', ' + iri})"
        for iri, (node_area, kind) in candidates
    )
    raise RikgError(f"{ref!r} is ambiguous: {listed}")


# -- the walk ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Edge:
    source: str
    prop: str
    target: str
    confidence: float | None
    method: str | None


@dataclass
class _Node:
    types: list[str]
    supers: set[str]
    label_bg: str | None = None
    label_en: str | None = None
    label_any: str | None = None
    code: str | None = None
    source: SourceRef | None = None


def trace(store: GraphStore, item: str) -> Trace:
    """The steps from ``item`` (an IRI) up to the EU objectives; two queries."""
    subject = _named_node(item)
    reachable = store.query(_REACHABLE_QUERY % subject).column("node")
    iris = sorted({item} | {term.value for term in reachable if isinstance(term, NamedNode)})
    edges, nodes = _describe(store, iris)
    return Trace(item, tuple(_order(item, edges, nodes)))


def trace_item(store: GraphStore, ref: str) -> Trace:
    """:func:`resolve_item` then :func:`trace`."""
    return trace(store, resolve_item(store, ref))


def _named_node(iri: str) -> NamedNode:
    try:
        return NamedNode(iri)
    except ValueError:
        raise RikgError(f"{iri!r} is not a valid IRI") from None


def _describe(store: GraphStore, iris: Sequence[str]) -> tuple[list[_Edge], dict[str, _Node]]:
    """The edges between the nodes (with the alignments that describe them) and what each node is."""
    values = " ".join(str(NamedNode(iri)) for iri in iris)
    nodes: dict[str, _Node] = defaultdict(lambda: _Node([], set()))
    supers_of = superclasses()
    links: list[tuple[str, str, str]] = []
    alignments: dict[tuple[str, str], tuple[float, str | None]] = {}
    for row in store.query(_DESCRIBE_QUERY % values).rows:
        node_term, key, value, extra = row["n"], row["key"], row["value"], row.get("extra")
        if node_term is None or key is None or value is None:
            continue
        if isinstance(key, NamedNode) and key.value in _RECORDED:
            _record(nodes[node_term.value], _RECORDED[key.value], value, extra)
        elif isinstance(key, NamedNode):
            if isinstance(value, NamedNode):
                links.append((node_term.value, key.value, value.value))
        elif key.value == "alignment" and extra is not None:
            method = row.get("method")
            known = alignments.get((node_term.value, value.value))
            if known is None or float(extra.value) > known[0]:
                alignments[(node_term.value, value.value)] = (
                    float(extra.value), method.value if method is not None else None
                )
        else:
            _record(nodes[node_term.value], key.value, value, extra)
    for node in nodes.values():
        node.types = sorted(
            {t for t in node.types if t not in _IGNORED_TYPES}, key=lambda t: (-len(supers_of.get(t, ())), t)
        )
        node.supers = set(node.types).union(*(supers_of.get(t, ()) for t in node.types))
    edges = [
        _Edge(source, prop, target, *alignments.get((source, target), (None, None)))
        for source, prop, target in sorted(set(links))
    ]
    return edges, dict(nodes)


_RECORDED = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "type",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "label",
    str(RIKG.code): "code",
}


@lru_cache(maxsize=1)
def superclasses() -> Mapping[str, frozenset[str]]:
    """Every named class of the rikg ontology with all its named superclasses (``rdfs:subClassOf+``).

    Read from the ontology this package ships (the one every build loads), once per process: the
    class hierarchy is the code's own vocabulary, so a trace need not ask the store for it again.

    >>> sorted(superclasses()[str(RIKG.MunicipalActionPlan)])[-1].rsplit("#")[-1]
    'PolicyDocument'
    """
    direct: dict[str, set[str]] = defaultdict(set)
    for triple in ontology_resource().triples():
        subject, parent = triple.subject, triple.object
        named = isinstance(subject, NamedNode) and isinstance(parent, NamedNode)
        if triple.predicate == _SUBCLASS_OF and named:
            direct[subject.value].add(parent.value)
    return {cls: _ancestors(cls, direct) for cls in direct}


def _ancestors(cls: str, direct: Mapping[str, set[str]]) -> frozenset[str]:
    found: set[str] = set()
    todo = list(direct.get(cls, ()))
    while todo:
        parent = todo.pop()
        if parent not in found:
            found.add(parent)
            todo += direct.get(parent, ())
    return frozenset(found)


_SUBCLASS_OF = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


def _record(node: _Node, key: str, value: Term, extra: Term | None) -> None:
    if key == "type":
        if value.value not in node.types:
            node.types.append(value.value)
    elif key == "label" and isinstance(value, Literal):
        language = (value.language or "").lower()
        if language == "bg" and node.label_bg is None:
            node.label_bg = value.value
        elif language == "en" and node.label_en is None:
            node.label_en = value.value
        elif not language and node.label_any is None:
            node.label_any = value.value
    elif key == "code" and node.code is None:
        node.code = value.value
    elif key == "source" and node.source is None and extra is not None:
        node.source = SourceRef(value.value, int(extra.value))


class _Walk:
    """Breadth-first walks over the edges, each node visited once across all groups."""

    def __init__(self, item: str, edges: Sequence[_Edge], nodes: Mapping[str, _Node]) -> None:
        self.nodes = nodes
        self.outgoing: dict[str, list[_Edge]] = defaultdict(list)
        for edge in _without_shortcuts(edges):
            self.outgoing[edge.source].append(edge)
        self.seen: dict[str, tuple[_Edge | None, int]] = {item: (None, 0)}
        self.item = item

    def is_document(self, iri: str) -> bool:
        node = self.nodes.get(iri)
        return node is not None and not _DOCUMENT_CLASSES.isdisjoint(node.supers)

    def document_of(self, iri: str) -> str | None:
        if self.is_document(iri):
            return iri
        documents = sorted(e.target for e in self.outgoing.get(iri, ()) if e.prop == IN_DOCUMENT)
        return documents[0] if documents else None

    def is_eu(self, iri: str) -> bool:
        node = self.nodes.get(iri)
        if node is not None and _EU_OBJECTIVE in node.supers:
            return True
        document = self.document_of(iri)
        document_node = self.nodes.get(document) if document else None
        return document_node is not None and str(RIKG.EUFramework) in document_node.supers

    def bfs(
        self,
        roots: Sequence[str],
        properties: Sequence[str],
        admit: Callable[[str], bool],
        seeds: Sequence[tuple[str, _Edge]] = (),
    ) -> list[str]:
        """Nodes first reached from ``roots`` over ``properties`` whose target passes ``admit``; then
        from each seed (a node and the edge that found it) not reached by then, in turn."""
        order: list[str] = []
        self._expand(deque(roots), properties, admit, order)
        for node, edge in seeds:
            if node not in self.seen:
                self.seen[node] = (edge, self.seen[edge.source][1] + 1 if edge.source in self.seen else 0)
                order.append(node)
                self._expand(deque([node]), properties, admit, order)
        return order

    def _expand(
        self, queue: deque[str], properties: Sequence[str], admit: Callable[[str], bool], order: list[str]
    ) -> None:
        while queue:
            current = queue.popleft()
            for edge in sorted(
                (e for e in self.outgoing.get(current, ()) if e.prop in properties),
                key=lambda e: (properties.index(e.prop), -(e.confidence if e.confidence is not None else 1.0),
                               e.target),
            ):
                if edge.target in self.seen or not admit(edge.target):
                    continue
                self.seen[edge.target] = (edge, self.seen[current][1] + 1)
                order.append(edge.target)
                queue.append(edge.target)


def _order(item: str, edges: Sequence[_Edge], nodes: Mapping[str, _Node]) -> list[Step]:
    walk = _Walk(item, edges, nodes)
    in_chain = lambda n: not walk.is_document(n) and not walk.is_eu(n)  # noqa: E731
    chain = [item, *walk.bfs([item], GOAL_PROPERTIES, in_chain)]
    eu = walk.bfs(chain, GOAL_PROPERTIES, lambda n: not walk.is_document(n))
    document_seeds = [
        (edge.target, edge)
        for node in chain + eu
        for edge in sorted(walk.outgoing.get(node, ()), key=lambda e: e.target)
        if edge.prop == IN_DOCUMENT and walk.is_document(edge.target)
    ]
    if walk.is_document(item):
        documents = walk.bfs([item], DOCUMENT_PROPERTIES, walk.is_document)
    else:
        documents = walk.bfs([], DOCUMENT_PROPERTIES, walk.is_document, document_seeds)
    discovered = {iri: n for n, iri in enumerate(documents)}
    documents.sort(key=lambda iri: (_document_level(nodes.get(iri)), discovered[iri]))
    sections = [(chain, "goals"), (documents, "documents"), (eu, "eu")]
    return [_step(iri, walk, section) for iris, section in sections for iri in iris]


def _document_level(node: _Node | None) -> int:
    supers = node.supers if node else set()
    return next((n for n, level in enumerate(DOCUMENT_LEVELS) if level in supers), len(DOCUMENT_LEVELS))


def _without_shortcuts(edges: Sequence[_Edge]) -> list[_Edge]:
    """Drop ``contributesTo`` edges that repeat a more specific edge, or that no alignment describes
    and that skip over a longer path (a reasoner's transitive closure)."""
    specific = {(e.source, e.target) for e in edges if e.prop != CONTRIBUTES_TO}
    successors: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.prop != IN_DOCUMENT:
            successors[e.source].add(e.target)
    kept = []
    for edge in edges:
        if edge.prop == CONTRIBUTES_TO and (
            (edge.source, edge.target) in specific
            or (edge.confidence is None and _reachable_avoiding(edge, successors))
        ):
            continue
        kept.append(edge)
    return kept


def _reachable_avoiding(edge: _Edge, successors: Mapping[str, set[str]]) -> bool:
    """True when ``edge.target`` can be reached from ``edge.source`` in two steps or more."""
    queue = deque(t for t in successors.get(edge.source, ()) if t != edge.target)
    seen = set(queue)
    while queue:
        current = queue.popleft()
        for target in successors.get(current, ()):
            if target == edge.target:
                return True
            if target not in seen and target != edge.source:
                seen.add(target)
                queue.append(target)
    return False


def _step(iri: str, walk: _Walk, section: str) -> Step:
    node = walk.nodes.get(iri) or _Node([], set())
    edge, depth = walk.seen[iri]
    return Step(
        iri=iri,
        types=tuple(node.types),
        label=node.label_bg or node.label_any,
        label_en=node.label_en,
        document=walk.document_of(iri),
        via=edge.prop if edge else None,
        confidence=edge.confidence if edge else None,
        method=edge.method if edge else None,
        source=node.source,
        code=node.code,
        depth=depth,
        section=section,
    )


# -- text output ------------------------------------------------------------------------------------


def format_text(result: Trace, width: int = 100) -> str:
    """The trace as an indented chain: kind, code, label, file:line, and method/confidence of inferred steps.

    The goal chain comes first, each step indented by its distance (in edges) from the item; then the
    documents the chain belongs to and the EU objectives it reaches, each under its own heading and
    indented from there.
    """
    lines = []
    for section, steps in groupby(result.steps, key=lambda step: step.section):
        group = list(steps)
        base = 0
        if section != "goals":
            lines.append(SECTION_HEADINGS.get(section, section) + ":")
            base = min(step.depth for step in group) - 1
        lines += [_text_line(step, step.depth - base, width) for step in group]
    return "\n".join(lines)


SECTION_HEADINGS = {"documents": "documents", "eu": "EU objectives"}


def _text_line(step: Step, indent: int, width: int) -> str:
    kind = step.types[0].rsplit("#", 1)[-1].rsplit("/", 1)[-1] if step.types else "node"
    label = step.label or step.label_en or step.iri
    label = label if len(label) <= width else label[: width - 1] + "…"
    parts = [kind + (f" {step.code}" if step.code else ""), f"«{label}»"]
    if step.source:
        parts.append(f" [{step.source.file}:{step.source.line}]")
    details = [step.method or ""]
    if step.confidence is not None:
        details.append(f"confidence {step.confidence:.2f}")
    if any(details):
        parts.append(f" ({', '.join(d for d in details if d)})")
    via = f"↑ {step.via.rsplit('#', 1)[-1]}: " if step.via else ""
    return "  " * indent + via + " ".join(parts[:2]) + "".join(parts[2:])
