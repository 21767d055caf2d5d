"""Query results as text: an aligned table, SPARQL 1.1 CSV or SPARQL 1.1 Query Results JSON.

``json`` and ``csv`` are the W3C result formats (serialised by rdflib);
``table`` is for people: IRIs shortened with the usual prefixes, literals shown
by their value, control characters in plan text made visible so that one row
stays one line. CONSTRUCT results are Turtle (``table``), N-Triples-like CSV
rows (``csv``) or JSON-LD (``json``).

>>> from pyoxigraph import Literal, NamedNode
>>> result = QueryResult(kind="select", variables=["plan", "n"],
...     rows=[{"plan": NamedNode("https://w3id.org/rikg/id/plan/ruse-2024-2027"), "n": Literal("3")}])
>>> print(format_result(result, "table"), end="")
plan                    n
----------------------  -
id:plan/ruse-2024-2027  3
>>> print(format_result(QueryResult(kind="ask", boolean=True), "json"), end="")
{"head": {}, "boolean": true}
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence

import pyoxigraph
from pyoxigraph import BlankNode, NamedNode, Triple
from rdflib import BNode, URIRef, Variable
from rdflib import Literal as RdflibLiteral
from rdflib.query import Result
from rdflib.term import Identifier
from rich.cells import cell_len

from rikg.errors import QueryError
from rikg.graph_store.base import QueryResult, Term
from rikg.params import PREFIXES

__all__ = ["FORMATS", "format_result", "format_table", "term_text", "visible"]

FORMATS = ("table", "csv", "json")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SIMPLE_LOCAL = re.compile(r"[\w.\-/]*[\w\-/]|")


def visible(text: str) -> str:
    r"""Text with control characters escaped, so a table cell stays on one line.

    >>> visible("ред 1\nред 2\tкрай\x07")
    'ред 1\\nред 2\\tкрай\\x07'
    """
    return _CONTROL.sub(lambda m: _ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


def term_text(term: Term | Triple | None) -> str:
    """A term as a person reads it: ``id:plan/…`` for known IRIs, the value of a literal.

    >>> term_text(NamedNode("http://example.org/x")), term_text(NamedNode("https://w3id.org/rikg/ontology#Measure"))
    ('<http://example.org/x>', 'rikg:Measure')
    """
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        for prefix, namespace in PREFIXES.items():
            if term.value.startswith(namespace):
                local = term.value[len(namespace):]
                if _SIMPLE_LOCAL.fullmatch(local):
                    return f"{prefix}:{local}"
        return f"<{term.value}>"
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Triple):
        return f"<< {term_text(term.subject)} {term_text(term.predicate)} {term_text(term.object)} >>"
    return visible(term.value)


def format_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell (display width), a dashed rule under the header.

    >>> print(format_table(["a", "име"], [["1", "Русе"], ["22", ""]]))
    a   име
    --  ----
    1   Русе
    22
    """
    cells = [[visible(c) for c in columns]] + [[visible(c) for c in row] for row in rows]
    widths = [max(cell_len(row[i]) for row in cells) for i in range(len(columns))]
    lines = []
    for n, row in enumerate(cells):
        padded = [cell + " " * (widths[i] - cell_len(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(padded).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _to_rdflib(term: Term | Triple) -> Identifier:
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if isinstance(term, Triple):
        raise QueryError("RDF-star triple terms cannot be written as SPARQL 1.1 results")
    if term.language:
        return RdflibLiteral(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return RdflibLiteral(term.value)
    return RdflibLiteral(term.value, datatype=URIRef(datatype), normalize=False)


def _rdflib_result(result: QueryResult) -> Result:
    converted = Result("ASK" if result.kind == "ask" else "SELECT")
    if result.kind == "ask":
        converted.askAnswer = bool(result.boolean)
        return converted
    converted.vars = [Variable(name) for name in result.variables]
    converted.bindings = [
        {Variable(name): _to_rdflib(value) for name, value in row.items() if value is not None}
        for row in result.rows
    ]
    return converted


def _construct(result: QueryResult, fmt: str) -> str:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["subject", "predicate", "object"])
        for triple in result.triples:
            writer.writerow([_csv_value(term) for term in (triple.subject, triple.predicate, triple.object)])
        return buffer.getvalue()
    rdf_format = pyoxigraph.RdfFormat.JSON_LD if fmt == "json" else pyoxigraph.RdfFormat.TURTLE
    data = pyoxigraph.serialize(result.triples, format=rdf_format, prefixes=PREFIXES)
    return (data or b"").decode("utf-8").rstrip("\n") + "\n"


def _csv_value(term: Term | Triple) -> str:
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Triple):
        return term_text(term)
    return str(term.value)


def format_result(result: QueryResult, fmt: str) -> str:
    """The result in ``table``, ``csv`` or ``json``, ending with a newline (ready for standard output).

    >>> from pyoxigraph import Literal
    >>> rows = [{"x": Literal("a,b", language="bg")}, {"x": None}]
    >>> format_result(QueryResult(kind="select", variables=["x"], rows=rows), "csv")
    'x\\r\\n"a,b"\\r\\n""\\r\\n'
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown output format {fmt!r} (use one of: {', '.join(FORMATS)})")
    if result.kind == "construct":
        return _construct(result, fmt)
    if result.kind == "ask" and fmt != "json":
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "table":
        cells = [[term_text(row.get(name)) for name in result.variables] for row in result.rows]
        return format_table(result.variables, cells) + "\n"
    serialised = _rdflib_result(result).serialize(format=fmt)
    text = serialised.decode("utf-8") if isinstance(serialised, bytes) else str(serialised)
    if fmt == "csv":
        return text
    data = json.loads(text)
    ordered = {"head": data.pop("head", {}), **data}
    return json.dumps(ordered, ensure_ascii=False) + "\n"
