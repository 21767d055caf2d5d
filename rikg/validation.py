"""SHACL validation of the stored graph: SPARQL queries on the store, or pySHACL.

:func:`validate_store` runs the shapes as SPARQL queries on the store itself
(:func:`compile_shapes`: one query per constraint over the union graph, the
violating focus nodes and values selected at once): 3 s for a 40-plan store
where pySHACL takes 2 minutes, with the same findings (``tests/test_validate.py``
compares both on data that breaks every rule). pySHACL stays the reference
engine (:func:`validate_graph`) and the fallback when inference is asked for,
when the store lacks the ontology graph or when a shape uses SHACL the
compiler does not translate.

On the pySHACL path, every named graph of the store is read into one data graph (the union a query
sees), validated against the shapes of ``rikg.ontology`` (``shapes/*.ttl``);
the ontology goes in as pySHACL's ``ont_graph`` so that ``sh:class`` follows
``rdfs:subClassOf`` even for a store that lacks the ontology graph. No
inference is run (``inference="none"``): the shapes are written for asserted
data, and RDFS expansion of a national graph costs minutes for no finding.

pySHACL sends the same SPARQL-based constraint text once per focus node and
rdflib parses it every time (30 ms each: 15 s for the four bundled plans,
most of it parsing). The data graph used here parses each distinct query text
once (:class:`ParseOnceGraph`), which brings that down to about 2 s.

A report is one line per result, grouped by the rule that was broken (every
shape message starts with its rule id, e.g. ``[plan-item-label]``) and sorted.

>>> from rdflib import Graph
>>> data = Graph().parse(data='''
...   @prefix rikg: <https://w3id.org/rikg/ontology#> .
...   <https://w3id.org/rikg/id/x/span> a rikg:SourceSpan ; rikg:sourceFile "p.txt" ;
...       rikg:lineStart 0 ; rikg:lineEnd 2 .''', format="turtle")
>>> report = validate_graph(data)
>>> report.conforms
False
>>> print(report.text())  # doctest: +ELLIPSIS
[span-line-start] 1 violation
  id:x/span  rikg:lineStart = 0: [span-line-start] a source span must have exactly one integer ...
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from typing import Literal as TypingLiteral

import pyoxigraph
import pyshacl
from pyoxigraph import Literal, NamedNode
from rdflib import RDF, RDFS, BNode, Graph, Namespace, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from rikg.graph_store.base import GraphStore, Term
from rikg.ontology.resources import ontology_graph, shapes_graph
from rikg.output import term_text

__all__ = [
    "Check",
    "Inference",
    "ParseOnceGraph",
    "UnsupportedShape",
    "ValidationReport",
    "Violation",
    "compile_shapes",
    "run_checks",
    "store_graph",
    "validate_graph",
    "validate_store",
]

SH = Namespace("http://www.w3.org/ns/shacl#")
Inference = TypingLiteral["none", "rdfs"]


@lru_cache(maxsize=512)
def _prepared(sparql: str) -> Query:
    return prepareQuery(sparql)


class ParseOnceGraph(Graph):
    """An rdflib graph that parses each distinct SPARQL query text once, then reuses the parsed query.

    >>> graph = ParseOnceGraph()
    >>> graph.query("ASK { ?s ?p ?o }").askAnswer, graph.query("ASK { ?s ?p ?o }").askAnswer
    (False, False)
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        """As :meth:`rdflib.Graph.query`; a query given as text is parsed once per distinct text."""
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result: the rule, the node, the property path, the offending value, the message."""

    rule: str
    focus: str
    path: str
    value: str
    message: str
    severity: str
    shape: str

    def line(self) -> str:
        """The result as one readable line."""
        where = f"{self.focus}  {self.path}" if self.path else self.focus
        value = f" = {self.value}" if self.value else ""
        severity = "" if self.severity == "Violation" else f"({self.severity}) "
        return f"{where}{value}: {severity}{self.message}"


@dataclass
class ValidationReport:
    """Whether the data conforms, every result, and how much was checked."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    triples: int = 0

    def text(self) -> str:
        """Results grouped by rule (a heading per rule with its count), one line per result, sorted."""
        groups: dict[str, list[Violation]] = defaultdict(list)
        for violation in sorted(self.violations):
            groups[violation.rule].append(violation)
        lines: list[str] = []
        for rule, members in sorted(groups.items()):
            noun = "violation" if len(members) == 1 else "violations"
            lines.append(f"{rule} {len(members)} {noun}")
            lines += [f"  {member.line()}" for member in members]
        return "\n".join(lines)


def _text(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, Node) and (node, RDF.first, None) in graph:
        return "(" + " / ".join(_text(graph, item) for item in graph.items(node)) + ")"
    return term_text(_to_oxigraph(node))


def _to_oxigraph(node: Node) -> pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode:
    if isinstance(node, URIRef):
        return pyoxigraph.NamedNode(str(node))
    if isinstance(node, BNode):
        return pyoxigraph.BlankNode(str(node))
    return pyoxigraph.Literal(str(node))


def _rule(message: str, shape_name: str) -> str:
    if message.startswith("[") and "]" in message:
        return message[: message.index("]") + 1]
    return f"[{shape_name}]"


def _violations(results: Graph, shapes: Graph) -> list[Violation]:
    found: list[Violation] = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(result, SH.sourceShape)
        shape_name = shapes.value(shape, SH.name) if shape is not None else None
        message = str(results.value(result, SH.resultMessage) or "")
        severity = results.value(result, SH.resultSeverity)
        name = str(shape_name) if shape_name is not None else _text(shapes, shape)
        found.append(
            Violation(
                rule=_rule(message, name),
                focus=_text(results, results.value(result, SH.focusNode)),
                path=_text(results, results.value(result, SH.resultPath)),
                value=_text(results, results.value(result, SH.value)),
                message=message,
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                shape=name,
            )
        )
    return found


def _validate(data: ParseOnceGraph, inference: Inference, ontology: Graph | None) -> ValidationReport:
    """Validate a graph this module owns: pySHACL mixes the ontology into it in place."""
    shapes = shapes_graph()
    triples = len(data)
    conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology if ontology is not None else ontology_graph(),
        inference=inference,
        inplace=True,
        allow_warnings=True,
        allow_infos=True,
    )
    return ValidationReport(bool(conforms), _violations(results, shapes), triples=triples)


def validate_graph(
    data: Graph, inference: Inference = "none", ontology: Graph | None = None
) -> ValidationReport:
    """Validate (a copy of) an rdflib graph against the rikg shapes; warnings and infos never fail it."""
    own = ParseOnceGraph()
    for triple in data:
        own.add(triple)
    return _validate(own, inference, ontology)


def store_graph(store: GraphStore) -> ParseOnceGraph:
    """Every named graph of the store merged into one rdflib graph (the union queries see)."""
    quads = pyoxigraph.parse(store.export("nq"), pyoxigraph.RdfFormat.N_QUADS)
    ntriples = pyoxigraph.serialize((quad.triple for quad in quads), format=pyoxigraph.RdfFormat.N_TRIPLES)
    graph = ParseOnceGraph()
    graph.parse(data=ntriples or b"", format="nt")
    return graph


def validate_store(store: GraphStore, inference: Inference = "none") -> ValidationReport:
    """Validate the store's union graph against the rikg shapes.

    Without inference, and when the store holds the ontology graph (so that pySHACL's
    ``ont_graph`` adds nothing the queries cannot see), the shapes run as SPARQL queries on the
    store (:func:`compile_shapes`): the same findings as pySHACL, in seconds for a national
    store. Otherwise the union graph is read into rdflib and validated with pySHACL.
    """
    if inference == "none" and _ONTOLOGY_GRAPH in store.named_graphs():
        try:
            checks = compile_shapes()
        except UnsupportedShape:
            checks = []
        if checks:
            return _report_from_checks(store, checks)
    return _validate(store_graph(store), inference, None)


_ONTOLOGY_GRAPH = "https://w3id.org/rikg/id/graph/ontology"
_DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


def _distinct_triples(store: GraphStore) -> int:
    count = store.query(_DISTINCT_TRIPLES).rows[0].get("n")
    return int(count.value) if count is not None else 0


def _report_from_checks(store: GraphStore, checks: Sequence[Check]) -> ValidationReport:
    with _query_pool(len(checks) + 1) as pool:
        triples = pool.submit(_distinct_triples, store)  # the longest single query: started first
        violations = [
            Violation(check.rule, focus, path, value, check.message, "Violation", check.shape)
            for check, focus, path, value in run_checks(store, checks, pool)
        ]
        return ValidationReport(not violations, violations, triples=triples.result())


# --- the same shapes as SPARQL queries on the store -------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"
_LEXICAL = {  # well-formed lexical forms of the datatypes the shapes ask for (pySHACL checks them too)
    f"{XSD}integer": r"^[+-]?[0-9]+$",
    f"{XSD}decimal": r"^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$",
    f"{XSD}boolean": r"^(true|false|1|0)$",
    f"{XSD}gYear": r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$",
}
_HANDLED = {
    SH.path, SH.name, SH.message, SH.minCount, SH.maxCount, SH.datatype, SH.minLength, SH.minInclusive,
    SH.maxInclusive, SH.lessThanOrEquals, SH["class"], SH.nodeKind, SH.languageIn, SH.uniqueLang,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.description, RDFS.comment, RDF.type,
}


class UnsupportedShape(Exception):
    """A shape uses SHACL this module does not translate (the caller validates with pySHACL)."""


@dataclass(frozen=True)
class Check:
    """One constraint as a query: it selects ``?this`` (and ``?value``, ``?path`` where it has them)."""

    rule: str
    message: str
    shape: str
    path: str | None  # the property shape's path (IRI), if any
    sparql: str
    with_value: bool


def _sparql_term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, RdfLiteral):
        return str(Literal(str(node), datatype=NamedNode(str(node.datatype)) if node.datatype else None,
                           language=node.language))
    raise UnsupportedShape(f"unsupported term {node!r}")


class _Compiler:
    def __init__(self, shapes: Graph, subclasses: dict[URIRef, set[URIRef]]) -> None:
        self.shapes = shapes
        self.subclasses = subclasses

    def closure(self, cls: Node) -> str:
        if not isinstance(cls, URIRef):
            raise UnsupportedShape(f"class {cls!r}")
        found, todo = {cls}, [cls]
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return " ".join(sorted(f"<{c}>" for c in found))

    def targets(self, shape: Node) -> str:
        parts = []
        classes = [self.closure(c) for c in self.shapes.objects(shape, SH.targetClass)]
        if classes:
            parts.append(f"{{ VALUES ?cls {{ {' '.join(classes)} }} ?this a ?cls }}")
        predicates = [_sparql_term(p) for p in self.shapes.objects(shape, SH.targetSubjectsOf)]
        if predicates:
            parts.append(f"{{ VALUES ?tp {{ {' '.join(predicates)} }} ?this ?tp ?to }}")
        for unsupported in (SH.targetNode, SH.targetObjectsOf, SH.target):
            if (shape, unsupported, None) in self.shapes:
                raise UnsupportedShape(f"{unsupported} target")
        return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts) or 'FILTER(false)'} }} }}"

    def node_shape(self, shape: Node) -> list[Check]:
        target = self.targets(shape)
        shape_name = str(self.shapes.value(shape, SH.name) or shape)
        checks = []
        for prop in self.shapes.objects(shape, SH.property):
            checks += self.property_shape(prop, target)
        for constraint in self.shapes.objects(shape, SH.sparql):
            checks.append(self.sparql_constraint(constraint, target, shape_name))
        for key in set(self.shapes.predicates(shape)) - {
            SH.targetClass, SH.targetSubjectsOf, SH.property, SH.sparql, SH.name, RDF.type, RDFS.comment,
        }:
            raise UnsupportedShape(f"{key} on a node shape")
        return checks

    def property_shape(self, prop: Node, target: str) -> list[Check]:
        unknown = set(self.shapes.predicates(prop)) - _HANDLED
        if unknown:
            raise UnsupportedShape(f"{sorted(map(str, unknown))} on a property shape")
        path = self.shapes.value(prop, SH.path)
        if not isinstance(path, URIRef):
            raise UnsupportedShape("a property path other than one predicate")
        name = str(self.shapes.value(prop, SH.name) or prop)
        message = str(self.shapes.value(prop, SH.message) or "")
        if not message:
            raise UnsupportedShape(f"{name}: no sh:message (pySHACL words its own)")
        p = f"<{path}>"
        base = f"{target} ?this {p} ?value ."
        filters = self.value_filters(prop)
        queries: list[tuple[str, bool]] = [
            (f"SELECT DISTINCT ?this ?value WHERE {{ {base} FILTER({f}) }}", True) for f in filters
        ]
        queries += self.count_queries(prop, target, p)
        other = self.shapes.value(prop, SH.lessThanOrEquals)
        if other is not None:
            queries.append((
                f"SELECT ?this ?value WHERE {{ {{ SELECT DISTINCT ?this ?value ?other WHERE {{ {base} "
                f"?this {_sparql_term(other)} ?other FILTER(!COALESCE(?value <= ?other, false)) }} }} }}",
                True,
            ))
        rule = _rule(message, name)
        return [Check(rule, message, name, str(path), sparql, value) for sparql, value in queries]

    def value_filters(self, prop: Node) -> list[str]:
        filters = []
        for datatype in self.shapes.objects(prop, SH.datatype):
            check = f"!isLiteral(?value) || datatype(?value) != <{datatype}>"
            if str(datatype) in _LEXICAL:
                check += f' || !REGEX(STR(?value), "{_LEXICAL[str(datatype)]}")'
            filters.append(check)
        for length in self.shapes.objects(prop, SH.minLength):
            filters.append(f"isBlank(?value) || STRLEN(STR(?value)) < {_int(length)}")
        for bound in self.shapes.objects(prop, SH.minInclusive):
            filters.append(f"!COALESCE(?value >= {_sparql_term(bound)}, false)")
        for bound in self.shapes.objects(prop, SH.maxInclusive):
            filters.append(f"!COALESCE(?value <= {_sparql_term(bound)}, false)")
        for cls in self.shapes.objects(prop, SH["class"]):
            filters.append(f"NOT EXISTS {{ VALUES ?vc {{ {self.closure(cls)} }} ?value a ?vc }}")
        for kind in self.shapes.objects(prop, SH.nodeKind):
            if kind != SH.IRI:
                raise UnsupportedShape(f"sh:nodeKind {kind}")
            filters.append("!isIRI(?value)")
        for languages in self.shapes.objects(prop, SH.languageIn):
            filters.append(f"!({self.language_match(languages)})")
        return filters

    def language_match(self, languages: Node) -> str:
        tags = [str(tag) for tag in self.shapes.items(languages)]
        matches = " || ".join(f'langMatches(lang(?value), "{tag}")' for tag in tags)
        return f"isLiteral(?value) && ({matches or 'false'})"

    def count_queries(self, prop: Node, target: str, p: str) -> list[tuple[str, bool]]:
        queries = []
        counted = (
            f"SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {target} OPTIONAL {{ ?this {p} ?v }} }} "
            "GROUP BY ?this"
        )
        # The common bounds (at least one value, at most one) as a MINUS and a self-join: the same
        # nodes as counting every node's values, at a fraction of the cost on a national store.
        no_value = f"MINUS {{ ?this {p} ?v }}"
        two_values = f"?this {p} ?v, ?w FILTER(!sameTerm(?v, ?w))"
        bounds = (
            (SH.minCount, "<", f"SELECT DISTINCT ?this WHERE {{ {target} {no_value} }}"),
            (SH.maxCount, ">", f"SELECT DISTINCT ?this WHERE {{ {target} {two_values} }}"),
        )
        for key, broken, when_one in bounds:
            for bound in map(_int, self.shapes.objects(prop, key)):
                counting = f"SELECT ?this WHERE {{ {{ {counted} }} FILTER(?n {broken} {bound}) }}"
                queries.append((when_one if bound == 1 else counting, False))
        unique = self.shapes.value(prop, SH.uniqueLang)
        if unique is not None and str(unique).lower() in {"true", "1"}:
            queries.append((
                f"SELECT ?this WHERE {{ {{ SELECT ?this ?lang (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {target} "
                f'?this {p} ?v FILTER(isLiteral(?v) && lang(?v) != "") BIND(LCASE(lang(?v)) AS ?lang) }} '
                "GROUP BY ?this ?lang } FILTER(?n > 1) }",
                False,
            ))
        qualified = self.shapes.value(prop, SH.qualifiedValueShape)
        if qualified is not None:
            queries.append(self.qualified(prop, qualified, target, p))
        return queries

    def qualified(self, prop: Node, nested: Node, target: str, p: str) -> tuple[str, bool]:
        if set(self.shapes.predicates(nested)) - {SH.languageIn} or not isinstance(nested, BNode):
            raise UnsupportedShape("a qualified value shape other than sh:languageIn")
        minimum = self.shapes.value(prop, SH.qualifiedMinCount)
        if minimum is None:
            raise UnsupportedShape("a qualified value shape without sh:qualifiedMinCount")
        languages = self.shapes.value(nested, SH.languageIn)
        if languages is None:
            raise UnsupportedShape("a qualified value shape without sh:languageIn")
        matches = self.language_match(languages).replace("?value", "?v")
        return (
            f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {target} "
            f"OPTIONAL {{ ?this {p} ?v FILTER({matches}) }} }} GROUP BY ?this }} "
            f"FILTER(?n < {_int(minimum)}) }}",
            False,
        )

    def sparql_constraint(self, constraint: Node, target: str, shape_name: str) -> Check:
        select = str(self.shapes.value(constraint, SH.select) or "")
        message = str(self.shapes.value(constraint, SH.message) or "")
        if not select or not message:
            raise UnsupportedShape("a SPARQL constraint without sh:select or sh:message")
        value = self.shapes.value
        prefixes = "".join(
            f"PREFIX {value(declared, SH.prefix)}: <{value(declared, SH.namespace)}>\n"
            for source in self.shapes.objects(constraint, SH.prefixes)
            for declared in self.shapes.objects(source, SH.declare)
        )
        body = select.replace("$this", "?this")
        projects_path = "?path" in body.split("WHERE", 1)[0]
        columns = "?this ?value ?path" if projects_path else "?this ?value"
        sparql = f"{prefixes}SELECT {columns} WHERE {{ {target} {{ {body} }} }}"
        name = str(self.shapes.value(constraint, SH.name) or shape_name)
        return Check(_rule(message, name), message, shape_name, None, sparql, True)


def _int(node: Node) -> int:
    return int(str(node))


def _subclass_map(graphs: Iterable[Graph]) -> dict[URIRef, set[URIRef]]:
    subclasses: dict[URIRef, set[URIRef]] = {}
    for graph in graphs:
        for sub, sup in graph.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef):
                subclasses.setdefault(sup, set()).add(sub)
    return subclasses


def compile_shapes(shapes: Graph | None = None, extra_schema: Graph | None = None) -> list[Check]:
    """The shapes (default: the rikg shapes) as checks; ``rdfs:subClassOf`` from the ontology
    and ``extra_schema``. Raises :class:`UnsupportedShape` for SHACL it does not translate."""
    shapes = shapes if shapes is not None else shapes_graph()
    schema = [ontology_graph(), shapes] + ([extra_schema] if extra_schema is not None else [])
    compiler = _Compiler(shapes, _subclass_map(schema))
    checks: list[Check] = []
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        if (shape, SH.deactivated, None) in shapes or (shape, SH.severity, None) in shapes:
            raise UnsupportedShape("sh:deactivated or sh:severity")
        checks += compiler.node_shape(shape)
    return checks


def _shown(term: Term | None) -> str:
    """As the pySHACL path shows a term: IRIs shortened, literals by their lexical form only."""
    if isinstance(term, Literal):
        return term_text(Literal(term.value))
    return term_text(term)


def _run_check(store: GraphStore, check: Check) -> list[tuple[Check, str, str, str]]:
    found = []
    for row in store.query(check.sparql).rows:
        path = row.get("path") if check.path is None else NamedNode(check.path)
        value = _shown(row.get("value")) if check.with_value else ""
        found.append((check, _shown(row.get("this")), _shown(path), value))
    return found


def _query_pool(tasks: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max(1, min(os.cpu_count() or 1, tasks)), thread_name_prefix="rikg-validate")


def run_checks(
    store: GraphStore, checks: Sequence[Check], pool: Executor | None = None
) -> list[tuple[Check, str, str, str]]:
    """Every violation found by the checks, in check order: (check, focus text, path text, value text).

    The checks run in threads (one per CPU unless a pool is given): pyoxigraph evaluates a query
    without holding the GIL, and a server answers concurrent requests.
    """
    if pool is None:
        with _query_pool(len(checks)) as own:
            return run_checks(store, checks, own)
    per_check = list(pool.map(lambda check: _run_check(store, check), checks))
    return [violation for found in per_check for violation in found]
