"""Conversions: pyoxigraph terms to SPARQL text, query answers to ``QueryResult``, format names to formats.

Both backends speak pyoxigraph terms; this module turns them into SPARQL
text safely (``str()`` of a pyoxigraph term is its N-Triples form, escaping
included) and turns answers of either backend into a ``QueryResult``.

>>> from pyoxigraph import Literal, NamedNode, Triple
>>> triple = Triple(NamedNode("http://example.org/s"), NamedNode("http://example.org/p"), Literal('a "b"'))
>>> print(insert_data({"http://example.org/g": [triple]}))
INSERT DATA {
GRAPH <http://example.org/g> {
<http://example.org/s> <http://example.org/p> "a \\"b\\"" .
}
}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse_query_results,
)
from rikg.ontology.vocab import ID_NS, RIKG_NS

from rikg.errors import QueryError, StoreError

from .base import QueryResult, Term

#: Prefixes written into Turtle, TriG and JSON-LD exports.
PREFIXES = {
    "rikg": RIKG_NS,
    "id": ID_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
}


def rdf_format(name: str) -> RdfFormat:
    """The RDF format of a name or file extension (``ttl``, ``trig``, ``nq``, ``nt``, ``jsonld``, ``rdf``).

    >>> rdf_format("trig").name, rdf_format(".jsonld").name
    ('TriG', 'JSON-LD')
    >>> rdf_format("docx")
    Traceback (most recent call last):
    ...
    rikg.errors.StoreError: unknown RDF format 'docx' (use ttl, trig, nq, nt, jsonld or rdf)
    """
    found = RdfFormat.from_extension(name.lower().lstrip("."))
    if found is None:
        raise StoreError(f"unknown RDF format {name!r} (use ttl, trig, nq, nt, jsonld or rdf)")
    return found


def check_export(fmt: RdfFormat, graph_iri: str | None) -> None:
    """Refuse to flatten the whole store into a format without named graphs.

    >>> check_export(rdf_format("ttl"), None)
    Traceback (most recent call last):
    ...
    rikg.errors.StoreError: Turtle holds one graph: give a graph IRI, or export the store as trig/nq/jsonld
    """
    if graph_iri is None and not fmt.supports_datasets:
        raise StoreError(
            f"{fmt.name} holds one graph: give a graph IRI, or export the store as trig/nq/jsonld"
        )

__all__ = [
    "PREFIXES",
    "check_export",
    "insert_data",
    "rdf_format",
    "result_from_json",
    "result_from_pyoxigraph",
    "values_clause",
]


def _term(value: object) -> Term | None:
    if value is None or isinstance(value, NamedNode | Literal | BlankNode):
        return value
    raise QueryError(f"unsupported term in a query result: {value!r}")


def result_from_pyoxigraph(answer: QuerySolutions | QueryBoolean | QueryTriples) -> QueryResult:
    """The ``QueryResult`` of a pyoxigraph query answer (SELECT rows, ASK boolean or CONSTRUCT triples).

    >>> from pyoxigraph import Store
    >>> result_from_pyoxigraph(Store().query("ASK {}")).boolean
    True
    >>> result_from_pyoxigraph(Store().query("SELECT ?x WHERE { VALUES ?x { 1 } }")).rows
    [{'x': <Literal value=1 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}]
    """
    if isinstance(answer, QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(answer))
    if isinstance(answer, QuerySolutions):
        names = [variable.value for variable in answer.variables]
        rows = [{name: _term(solution[name]) for name in names} for solution in answer]
        return QueryResult(kind="select", variables=names, rows=rows)
    return QueryResult(kind="construct", triples=list(answer))


def result_from_json(data: bytes) -> QueryResult:
    """The ``QueryResult`` of a SPARQL 1.1 Query Results JSON document (SELECT or ASK).

    >>> doc = b'{"head": {"vars": ["x"]}, "results": {"bindings": '
    >>> doc += b'[{"x": {"type": "literal", "value": "a"}}, {}]}}'
    >>> result_from_json(doc).rows
    [{'x': <Literal value=a datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>}, {'x': None}]
    >>> result_from_json(b'{"head": {}, "boolean": false}').boolean
    False
    """
    try:
        answer = parse_query_results(data, QueryResultsFormat.JSON)
    except SyntaxError as error:
        raise QueryError(f"the server sent an unreadable SPARQL JSON result: {error}") from error
    return result_from_pyoxigraph(answer)


def _triple_lines(triples: Iterable[Triple]) -> str:
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)


def insert_data(graphs: Mapping[str, Sequence[Triple]]) -> str:
    """One SPARQL ``INSERT DATA`` adding each graph's triples (IRI -> triples); blank nodes keep
    their identity across the graphs of the call. Empty when there is nothing to insert.

    >>> insert_data({"http://example.org/g": []})
    ''
    """
    blocks = [f"GRAPH {NamedNode(iri)} {{\n{_triple_lines(ts)}}}\n" for iri, ts in graphs.items() if ts]
    return f"INSERT DATA {{\n{''.join(blocks)}}}" if blocks else ""


def values_clause(bindings: Mapping[str, Term]) -> str:
    """A ``VALUES`` block binding variables to terms, each written as an escaped RDF term (never raw text).

    >>> print(values_clause({"name": Literal('"} ; DROP ALL ; #'), "x": NamedNode("http://example.org/a")}))
    VALUES (?name ?x) { ("\\"} ; DROP ALL ; #" <http://example.org/a>) }
    """
    for name in bindings:
        if not name.isidentifier():
            raise QueryError(f"invalid variable name for a binding: {name!r}")
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(_sparql_term(term) for term in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def _sparql_term(term: Term) -> str:
    if isinstance(term, BlankNode):
        raise QueryError("a blank node cannot be bound in a query sent to a SPARQL server")
    if not isinstance(term, NamedNode | Literal):
        raise QueryError(f"bindings take RDF terms (NamedNode, Literal), not {type(term).__name__}")
    return str(term)
