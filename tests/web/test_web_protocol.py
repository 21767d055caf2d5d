"""The endpoint's result writers and request reading, checked against pyoxigraph's own parsers."""

from __future__ import annotations

import csv
import io

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, QueryResultsFormat, Triple, parse_query_results

from rikg.errors import QueryError
from rikg.graph_store.base import QueryResult
from rikg.web.protocol import negotiate, operation, result_kind, serialize
from rikg.web.workers import capped

XSD = "http://www.w3.org/2001/XMLSchema#"
AWKWARD = [
    Literal('ред 1\nред 2\t"цитат" \\ край', language="bg"),
    Literal("</script><img src=x onerror=alert(1)> & ]]>"),
    Literal("1.50", datatype=NamedNode(XSD + "decimal")),
    Literal("2024", datatype=NamedNode(XSD + "gYear")),
    NamedNode("https://w3id.org/rikg/id/plan/ruse-2024-2027"),
    BlankNode("b0"),
]


def _result() -> QueryResult:
    rows = [{"x": term, "y": None if i % 2 else term} for i, term in enumerate(AWKWARD)]
    return QueryResult(kind="select", variables=["x", "y"], rows=rows)


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [
        ("application/sparql-results+json", QueryResultsFormat.JSON),
        ("application/sparql-results+xml", QueryResultsFormat.XML),
        ("text/tab-separated-values", QueryResultsFormat.TSV),
    ],
)
def test_select_results_read_back_the_same_terms(media_type: str, fmt: QueryResultsFormat) -> None:
    chosen = negotiate(media_type, "select")
    assert chosen is not None
    solutions = list(parse_query_results(serialize(_result(), chosen), fmt))
    read = [(s["x"], s["y"]) for s in solutions]
    expected = [(row["x"], row["y"]) for row in _result().rows]
    assert [pair for pair in read if not isinstance(pair[0], BlankNode)] == [
        pair for pair in expected if not isinstance(pair[0], BlankNode)
    ]
    assert isinstance(read[-1][0], BlankNode)  # blank node labels may be renamed, never lost


@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_reads_back(media_type: str) -> None:
    chosen = negotiate(media_type, "ask")
    assert chosen is not None
    for answer in (True, False):
        data = serialize(QueryResult(kind="ask", boolean=answer), chosen)
        fmt = QueryResultsFormat.JSON if chosen.name == "json" else QueryResultsFormat.XML
        assert bool(parse_query_results(data, fmt)) is answer


def test_csv_holds_plain_values() -> None:
    chosen = negotiate("text/csv", "select")
    assert chosen is not None
    text = serialize(_result(), chosen).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    plain = [f"_:{t.value}" if isinstance(t, BlankNode) else t.value for t in AWKWARD]
    assert rows[0] == ["x", "y"]
    assert [row[0] for row in rows[1:]] == plain
    assert [row[1] for row in rows[1:]] == [v if i % 2 == 0 else "" for i, v in enumerate(plain)]


def test_characters_xml_cannot_hold_are_replaced() -> None:
    chosen = negotiate("application/sparql-results+xml", "select")
    assert chosen is not None
    result = QueryResult(kind="select", variables=["x"], rows=[{"x": Literal("a\x0bb\x00c")}])
    solutions = list(parse_query_results(serialize(result, chosen), QueryResultsFormat.XML))
    assert solutions[0]["x"] == Literal("a\ufffdb\ufffdc")


def test_construct_formats() -> None:
    triple = Triple(NamedNode("http://e/s"), NamedNode("http://e/p"), Literal("Русе", language="bg"))
    result = QueryResult(kind="construct", triples=[triple])
    turtle = negotiate("text/turtle", "construct")
    ntriples = negotiate("text/plain", "construct")
    assert turtle is not None and ntriples is not None
    assert serialize(result, ntriples).decode("utf-8") == '<http://e/s> <http://e/p> "Русе"@bg .\n'
    assert '"Русе"@bg' in serialize(result, turtle).decode("utf-8")
    assert negotiate("application/sparql-results+json", "construct") is None


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("# INSERT in a comment\nSELECT * {}", "SELECT"),
        ("PREFIX drop: <http://e/load#> ASK { ?s drop:p 'CLEAR' }", "ASK"),
        ("with <http://g> delete { ?s ?p ?o } where { ?s ?p ?o }", "WITH"),
        ("LOAD <file:///etc/passwd>", "LOAD"),
        ("BASE <http://e/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ],
)
def test_the_operation_is_the_first_keyword(text: str, form: str) -> None:
    assert operation(text) == form


def test_updates_and_non_queries_have_no_result_kind() -> None:
    for text in ("CLEAR ALL", "COPY <http://a> TO <http://b>", "hello", ""):
        with pytest.raises(QueryError):
            result_kind(text)


def test_capped_stops_reading_at_the_limit() -> None:
    read: list[int] = []

    def endless() -> object:
        n = 0
        while True:
            read.append(n)
            yield n
            n += 1

    kept, truncated = capped(endless(), 3)  # type: ignore[arg-type]
    assert kept == [0, 1, 2] and truncated
    assert len(read) == 4
