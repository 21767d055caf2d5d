"""SHACL validation of the stored graph with pySHACL.

Every named graph of the store is read into one data graph (the union a query
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

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from typing import Literal as TypingLiteral

import pyoxigraph
import pyshacl
from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from rikg.graph_store.base import GraphStore
from rikg.ontology.resources import ontology_graph, shapes_graph
from rikg.output import term_text

__all__ = [
    "Inference",
    "ParseOnceGraph",
    "ValidationReport",
    "Violation",
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
    """Validate the store's union graph against the rikg shapes."""
    return _validate(store_graph(store), inference, None)
