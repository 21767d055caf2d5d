"""SPARQL 1.1 Protocol pieces of the endpoint: what a request asks for, and its answer as bytes.

The endpoint answers queries only. :func:`operation` tells a query from an
update (refused with 403) by its first keyword after the prologue;
:func:`negotiate` picks a result format from the ``Accept`` header;
:func:`serialize` writes a (possibly capped) ``QueryResult`` in that format.
The result writers are small and streaming-free on purpose: the result is
already cut at the server's row limit when it reaches them.

>>> operation("PREFIX ex: <http://e/> # note\\nselect * { ?s ?p ?o }")
'SELECT'
>>> operation("DROP ALL")
'DROP'
>>> negotiate("application/sparql-results+xml;q=0.5, text/csv", "select").media_type
'text/csv'
>>> from pyoxigraph import Literal, NamedNode
>>> result = QueryResult(kind="select", variables=["s", "label"],
...     rows=[{"s": NamedNode("http://example.org/a"), "label": Literal("Русе", language="bg")}])
>>> serialize(result, negotiate("text/tab-separated-values", "select")).decode().splitlines()
['?s\\t?label', '<http://example.org/a>\\t"Русе"@bg']
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple
from pyoxigraph import serialize as serialize_rdf

from rikg.errors import QueryError
from rikg.graph_store.base import QueryKind, QueryResult
from rikg.graph_store.results import PREFIXES, query_form

__all__ = [
    "QUERY_FORMS",
    "UPDATE_FORMS",
    "ResultFormat",
    "negotiate",
    "operation",
    "result_kind",
    "serialize",
    "uses_service",
]

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_FORMS = (
    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH",
)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# One lexeme of SPARQL text: a string, an IRI, a comment, a variable, a prefixed name, a word or one
# other character; enough to find keywords without mistaking words in strings, IRIs or comments.
_LEXEME = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)'
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)"
    r'|"(?:[^"\\\n]|\\.)*"?'
    r"|'(?:[^'\\\n]|\\.)*'?"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*"
    r"|[?$]\w+"
    r"|[^\W\d][\w.-]*:[\w.-]*|:[\w.-]*"
    r"|[^\W\d]\w*"
    r"|\S",
    re.S,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Characters XML 1.0 cannot carry at all (not even escaped); they are shown as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def operation(text: str) -> str:
    """The first keyword of a request after its ``BASE``/``PREFIX`` prologue, upper-cased ('' if none);
    words inside comments, IRIs and strings are never taken for it.

    >>> operation("  base <http://e/> ask {}"), operation("# only a comment")
    ('ASK', '')
    """
    form: str = query_form(text)
    return form


def uses_service(text: str) -> bool:
    r"""True when the query holds a ``SERVICE`` clause: a federated query, for which the engine sends
    HTTP requests to the IRI it names. Words in strings, IRIs, comments and prefixed names do not
    count; the text is also read with ``\u`` escapes decoded, as a SPARQL parser may decode them first.

    >>> uses_service("SELECT * { service silent <http://10.0.0.1/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service('SELECT * { ?s ex:SERVICE "SERVICE" . ?service ?p <http://e/SERVICE> } # SERVICE')
    False
    >>> uses_service("SELECT * { \\u0053ERVICE <http://e/> { ?s ?p ?o } }")
    True
    """
    decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    variants = {text, decoded}
    return any(lexeme.group().upper() == "SERVICE" for v in variants for lexeme in _LEXEME.finditer(v))


def result_kind(text: str) -> QueryKind:
    """The kind of result a query gives; ``QueryError`` for an update or for text that is no query.

    >>> result_kind("DESCRIBE <http://e/a>")
    'construct'
    >>> result_kind("INSERT DATA { <http://e/a> <http://e/p> 1 }")
    Traceback (most recent call last):
    ...
    rikg.errors.QueryError: INSERT is an update: this endpoint is read-only
    """
    form = operation(text)
    if form in UPDATE_FORMS:
        raise QueryError(f"{form} is an update: this endpoint is read-only")
    if form not in QUERY_FORMS:
        shown = form or "nothing"
        expected = ", ".join(QUERY_FORMS)
        raise QueryError(f"not a SPARQL query: it starts with {shown} (expected one of {expected})")
    if form in ("CONSTRUCT", "DESCRIBE"):
        return "construct"
    return "ask" if form == "ASK" else "select"


@dataclass(frozen=True)
class ResultFormat:
    """A result format the endpoint writes: its media type, its name and the kinds of result it carries."""

    media_type: str
    name: str
    kinds: tuple[QueryKind, ...]
    charset: bool = True

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value."""
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


_SOLUTIONS: tuple[QueryKind, ...] = ("select", "ask")
_GRAPHS: tuple[QueryKind, ...] = ("construct",)
FORMATS = (
    ResultFormat("application/sparql-results+json", "json", _SOLUTIONS),
    ResultFormat("application/sparql-results+xml", "xml", _SOLUTIONS),
    ResultFormat("text/csv", "csv", _SOLUTIONS),
    ResultFormat("text/tab-separated-values", "tsv", _SOLUTIONS),
    ResultFormat("text/turtle", "turtle", _GRAPHS),
    ResultFormat("application/n-triples", "ntriples", _GRAPHS),
)
# Media types clients send that mean one of the formats above.
_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "text/plain": "application/n-triples",
    "application/x-turtle": "text/turtle",
}


def _accepted(header: str) -> list[str]:
    """The media ranges of an ``Accept`` header, best first (by quality, then by position); q=0 left out.

    >>> _accepted("text/csv;q=0.5, application/json, image/png;q=0")
    ['application/json', 'text/csv']
    """
    ranked: list[tuple[float, int, str]] = []
    for position, entry in enumerate(header.split(",")):
        media, *params = (part.strip() for part in entry.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranked.append((-quality, position, media.lower()))
    return [media for _, _, media in sorted(ranked)]


def negotiate(accept: str | None, kind: QueryKind) -> ResultFormat | None:
    """The format to answer in: the best entry of ``accept`` this kind of result can be written in.

    No header, or ``*/*``, gives SPARQL JSON for SELECT/ASK and Turtle for
    CONSTRUCT/DESCRIBE; ``None`` when nothing acceptable can be written (406).

    >>> negotiate(None, "construct").name, negotiate("application/json", "ask").name
    ('turtle', 'json')
    >>> negotiate("image/png", "select") is None
    True
    """
    candidates = [f for f in FORMATS if kind in f.kinds]
    for media in _accepted(accept or "*/*"):
        media = _ALIASES.get(media, media)
        if media in ("*/*", "*"):
            return candidates[0]
        for candidate in candidates:
            major = candidate.media_type.split("/")[0]
            if media in (candidate.media_type, f"{major}/*"):
                return candidate
    return None


def serialize(result: QueryResult, fmt: ResultFormat) -> bytes:
    """The result written in ``fmt`` (UTF-8)."""
    if result.kind not in fmt.kinds:
        raise QueryError(f"a {result.kind} result cannot be written as {fmt.name}")
    if result.kind == "construct":
        rdf = RdfFormat.TURTLE if fmt.name == "turtle" else RdfFormat.N_TRIPLES
        prefixes = PREFIXES if rdf is RdfFormat.TURTLE else None
        return serialize_rdf(result.triples, format=rdf, prefixes=prefixes) or b""
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt.name]
    return writer(result).encode("utf-8")


Value = NamedNode | Literal | BlankNode | Triple


def _json_term(term: Value) -> dict[str, object]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Triple):
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: _json_term(v) for k, v in parts.items()}}
    written: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        written["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        written["datatype"] = term.datatype.value
    return written


def _json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON.

    >>> _json(QueryResult(kind="ask", boolean=False))
    '{"head": {}, "boolean": false}'
    """
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)})
    bindings = [
        {name: _json_term(value) for name, value in row.items() if value is not None} for row in result.rows
    ]
    document = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False)


def _xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text))


def _xml_term(term: Value) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, Triple):
        parts = (("subject", term.subject), ("predicate", term.predicate), ("object", term.object))
        inner = "".join(f"<{name}>{_xml_term(value)}</{name}>" for name, value in parts)
        return f"<triple>{inner}</triple>"
    if term.language:
        attribute = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype.value != _XSD_STRING:
        attribute = f" datatype={quoteattr(term.datatype.value)}"
    else:
        attribute = ""
    return f"<literal{attribute}>{_xml_text(term.value)}</literal>"


def _xml(result: QueryResult) -> str:
    """SPARQL Query Results XML (characters XML 1.0 cannot hold become U+FFFD).

    >>> print(_xml(QueryResult(kind="ask", boolean=True)))
    <?xml version="1.0" encoding="utf-8"?>
    <sparql xmlns="http://www.w3.org/2005/sparql-results#"><head></head><boolean>true</boolean></sparql>
    """
    opening = '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
    if result.kind == "ask":
        return f"{opening}<head></head><boolean>{'true' if result.boolean else 'false'}</boolean></sparql>"
    head = "".join(f"<variable name={quoteattr(name)}/>" for name in result.variables)
    rows = []
    for row in result.rows:
        cells = "".join(
            f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>"
            for name, value in row.items()
            if value is not None
        )
        rows.append(f"<result>{cells}</result>")
    return f"{opening}<head>{head}</head><results>{''.join(rows)}</results></sparql>"


def _csv_value(term: Value | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Triple):
        return str(term)
    return str(term.value)


def _csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV: values only (IRIs and literals as plain text), CRLF line ends.

    >>> _csv(QueryResult(kind="select", variables=["x"], rows=[{"x": Literal("a,b")}]))
    'x\\r\\n"a,b"\\r\\n'
    """
    if result.kind == "ask":
        return "_askResult\r\n" + ("true" if result.boolean else "false") + "\r\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(row.get(name)) for name in result.variables])
    return buffer.getvalue()


def _tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: RDF terms in their SPARQL/N-Triples form (tabs and newlines escaped)."""
    if result.kind == "ask":
        return "?_askResult\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    for row in result.rows:
        values = (row.get(name) for name in result.variables)
        lines.append("\t".join("" if value is None else str(value) for value in values))
    return "\n".join(lines) + "\n"
