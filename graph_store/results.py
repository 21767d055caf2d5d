"""SPARQL text and conversions: terms to SPARQL, answers to ``QueryResult``, format names to formats.

Both backends speak pyoxigraph terms; this module turns them into SPARQL
text safely (``str()`` of a pyoxigraph term is its N-Triples form, escaping
included), turns answers of either backend into a ``QueryResult``, and
rewrites query text for a SPARQL server (parameter binding, paging).

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

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
)

from rikg.errors import QueryError, StoreError
from rikg.ontology.vocab import ID_NS, RIKG_NS

from .base import QueryResult, Term

_T = TypeVar("_T")

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
    "QUERY_FORMS",
    "UPDATE_FORMS",
    "bind_values",
    "check_export",
    "group_by_graph",
    "insert_data",
    "page_query",
    "pageable",
    "parse_quads",
    "query_form",
    "rdf_format",
    "result_from_json",
    "result_from_pyoxigraph",
    "values_clause",
]


def parse_quads(data: bytes, fmt: str, graph_iri: str | None) -> list[Quad]:
    """Quads of serialised RDF; triples outside a named graph go to ``graph_iri`` (required then).

    >>> [q.graph_name for q in parse_quads(b"<http://a> <http://p> <http://b> .", "nt", "http://g")]
    [<NamedNode value=http://g>]
    >>> parse_quads(b"<http://a> <http://p> <http://b> .", "ttl", None)
    Traceback (most recent call last):
    ...
    rikg.errors.StoreError: the ttl data has triples outside any named graph: give a graph IRI
    """
    try:
        quads = list(parse(data, rdf_format(fmt)))
    except SyntaxError as error:
        raise StoreError(f"invalid {fmt} data: {error}") from error
    target = NamedNode(graph_iri) if graph_iri else None
    placed: list[Quad] = []
    for quad in quads:
        if isinstance(quad.graph_name, DefaultGraph):
            if target is None:
                raise StoreError(f"the {fmt} data has triples outside any named graph: give a graph IRI")
            quad = Quad(quad.subject, quad.predicate, quad.object, target)
        placed.append(quad)
    return placed


def group_by_graph(quads: Iterable[Quad]) -> dict[str, list[Triple]]:
    """Triples by named graph IRI (a blank-node graph name is refused: every graph here has an IRI)."""
    grouped: dict[str, list[Triple]] = {}
    for quad in quads:
        if not isinstance(quad.graph_name, NamedNode):
            raise StoreError("the data names a graph by a blank node: every graph of the store needs an IRI")
        grouped.setdefault(quad.graph_name.value, []).append(quad.triple)
    return grouped


_ROW_VALUE_TYPES = frozenset({NamedNode, Literal, BlankNode, type(None)})


def _rows(answer: QuerySolutions, names: Sequence[str]) -> Iterator[dict[str, Term | None]]:
    """Each solution as a dict (a solution's values come in the order of ``answer.variables``:
    reading them in one pass costs a sixth of looking each variable up by name)."""
    for solution in answer:
        values = tuple(solution)
        if not _ROW_VALUE_TYPES.issuperset(map(type, values)):
            odd = next(value for value in values if type(value) not in _ROW_VALUE_TYPES)
            raise QueryError(f"the result holds a term rikg does not write (an RDF-star triple?): {odd!r}")
        yield dict(zip(names, values, strict=True))


def result_from_pyoxigraph(
    answer: QuerySolutions | QueryBoolean | QueryTriples, limit: int | None = None
) -> QueryResult:
    """The ``QueryResult`` of a pyoxigraph query answer (SELECT rows, ASK boolean or CONSTRUCT triples).

    With a ``limit``, reading stops after that many rows or triples (the answer is lazy, so a huge
    result is never held); :func:`read_capped` also tells whether it was cut.

    >>> from pyoxigraph import Store
    >>> result_from_pyoxigraph(Store().query("ASK {}")).boolean
    True
    >>> result_from_pyoxigraph(Store().query("SELECT ?x WHERE { VALUES ?x { 1 } }")).rows
    [{'x': <Literal value=1 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}]
    """
    return read_capped(answer, limit)[0]


def read_capped(
    answer: QuerySolutions | QueryBoolean | QueryTriples, limit: int | None
) -> tuple[QueryResult, bool]:
    """The result read up to ``limit`` rows or triples (all when None), and True when there were more.

    >>> from pyoxigraph import Store
    >>> result, cut = read_capped(Store().query("SELECT ?x WHERE { VALUES ?x { 1 2 3 } }"), 2)
    >>> len(result.rows), cut
    (2, True)
    """
    if isinstance(answer, QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(answer)), False
    if isinstance(answer, QuerySolutions):
        names = [variable.value for variable in answer.variables]
        rows, cut = capped(_rows(answer, names), limit)
        return QueryResult(kind="select", variables=names, rows=rows), cut
    triples, cut = capped(iter(answer), limit)
    return QueryResult(kind="construct", triples=triples), cut


def capped(items: Iterable[_T], limit: int | None) -> tuple[list[_T], bool]:
    """At most ``limit`` items (all when None), and True when there were more (reads ``limit + 1``).

    >>> capped(range(10**12), 3)
    ([0, 1, 2], True)
    >>> capped([], 3)
    ([], False)
    """
    if limit is None:
        return list(items), False
    kept: list[_T] = []
    for item in items:
        if len(kept) == limit:
            return kept, True
        kept.append(item)
    return kept, False


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


# -- query text --------------------------------------------------------------
# Only the few lexical facts these rewrites need: where strings, IRIs, comments
# and prefixed names start and end, so that braces and keywords inside them are
# never mistaken for syntax.

_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|(?i:BASE)\s*<[^>]*>|(?i:PREFIX)\s*[^\s:]*:\s*<[^>]*>)*")
_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.S,
)
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_SKIP = re.compile(r"[?$]\w+|#[^\n]*")
_WORD = re.compile(r"[^\W\d][\w.-]*:[\w.-]*|:[\w.-]*|[^\W\d]\w*")


def _symbols(text: str) -> Iterator[tuple[int, str]]:
    """Keywords (upper-cased), prefixed names and punctuation of query text, with their offsets."""
    i = 0
    while i < len(text):
        char = text[i]
        matcher = {'"': _STRING, "'": _STRING, "<": _IRIREF, "?": _SKIP, "$": _SKIP, "#": _SKIP}.get(char)
        found = matcher.match(text, i) if matcher else None
        if found:
            i = found.end()
            continue
        word = _WORD.match(text, i)
        if word:
            token = word.group()
            yield i, token if ":" in token else token.upper()
            i = word.end()
            continue
        if not char.isspace():
            yield i, char
        i += 1


def split_prologue(query: str) -> tuple[str, str]:
    """The ``BASE``/``PREFIX`` declarations of a query, and the rest.

    >>> split_prologue("PREFIX ex: <http://example.org/> # note\\nSELECT * { ?s ex:p ?o }")
    ('PREFIX ex: <http://example.org/> # note\\n', 'SELECT * { ?s ex:p ?o }')
    """
    end = _PROLOGUE.match(query)
    cut = end.end() if end else 0
    return query[:cut], query[cut:]


def _where_brace(body: str) -> int | None:
    """Offset of the ``{`` opening the WHERE group (after a CONSTRUCT template, outside parentheses)."""
    parens = braces = 0
    previous = ""
    in_template = False
    for offset, symbol in _symbols(body):
        if symbol == "(":
            parens += 1
        elif symbol == ")":
            parens -= 1
        elif symbol == "{" and parens == 0:
            if braces == 0 and previous != "CONSTRUCT" and not in_template:
                return offset
            in_template = True
            braces += 1
        elif symbol == "}" and in_template:
            braces -= 1
            in_template = braces > 0
        previous = symbol
    return None


QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "ADD", "MOVE", "COPY", "WITH"}
)


def query_form(text: str) -> str:
    r"""The first keyword of a query or update after its prologue (upper-cased; '' if none).

    Comments, IRIs, strings and prefixed names are skipped as a SPARQL lexer
    would, so words in them are never taken for the form.

    >>> query_form("PREFIX add: <http://e/#drop> # the measures added\nselect * { ?s add:p 'CLEAR' }")
    'SELECT'
    >>> query_form("# clear the plan\nDROP GRAPH <http://g>"), query_form("# only a comment")
    ('DROP', '')
    """
    for _, symbol in _symbols(split_prologue(text)[1]):
        return symbol
    return ""


def bind_values(query: str, bindings: Mapping[str, Term]) -> str:
    """The query with a ``VALUES`` block of the bindings opening its WHERE group.

    Each term is written as an escaped RDF term, so no binding can change the
    query's syntax. Like pyoxigraph substitutions, the values constrain the
    whole WHERE group (its FILTERs and OPTIONALs too), before any grouping.

    >>> print(bind_values('CONSTRUCT { ?s ?p "{" } WHERE { ?s ?p ?o }', {"o": Literal("} ; DROP ALL ; #")}))
    CONSTRUCT { ?s ?p "{" } WHERE { VALUES (?o) { ("} ; DROP ALL ; #") } ?s ?p ?o }
    >>> print(bind_values("SELECT (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s", {"s": NamedNode("http://a")}))
    SELECT (COUNT(*) AS ?n) { VALUES (?s) { (<http://a>) } ?s ?p ?o } GROUP BY ?s
    """
    if not bindings:
        return query
    prologue, body = split_prologue(query)
    at = _where_brace(body)
    if at is None:
        raise QueryError("cannot bind parameters: the query has no WHERE group")
    return f"{prologue}{body[: at + 1]} {values_clause(bindings)}{body[at + 1 :]}"


def pageable(query: str) -> bool:
    """True when a SELECT query can be wrapped as a subquery for paging (no ``FROM`` clause).

    >>> pageable("SELECT * WHERE { ?s ?p ?o }"), pageable("SELECT * FROM <http://g> WHERE { ?s ?p ?o }")
    (True, False)
    """
    symbols = [symbol for _, symbol in _symbols(split_prologue(query)[1])]
    return bool(symbols) and symbols[0] == "SELECT" and "FROM" not in symbols


def page_query(query: str, variables: Sequence[str], limit: int, offset: int) -> str:
    """One page of a SELECT query: the query as a subquery, in a stable order, with LIMIT/OFFSET.

    A query with its own ORDER BY keeps its order; any other is ordered by
    all its variables, so that consecutive pages neither overlap nor skip.

    >>> print(page_query("PREFIX ex: <http://e/>\\nSELECT ?s WHERE { ?s ex:p ?o }", ["s"], 100, 200))
    PREFIX ex: <http://e/>
    SELECT * WHERE {
    SELECT ?s WHERE { ?s ex:p ?o }
    }
    ORDER BY ?s
    LIMIT 100 OFFSET 200
    """
    prologue, body = split_prologue(query)
    symbols = [symbol for _, symbol in _symbols(body)]
    ordered = any(pair == ("ORDER", "BY") for pair in itertools.pairwise(symbols))
    order = "" if ordered or not variables else "ORDER BY " + " ".join(f"?{v}" for v in variables) + "\n"
    return f"{prologue}SELECT * WHERE {{\n{body}\n}}\n{order}LIMIT {limit} OFFSET {offset}"
