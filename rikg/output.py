"""Query results as text: an aligned table, SPARQL 1.1 CSV or SPARQL 1.1 Query Results JSON.

``json`` and ``csv`` are the W3C result formats (serialised by rdflib);
``table`` is for people: IRIs shortened with the usual prefixes, literals shown
by their value. CONSTRUCT results are Turtle (``table``), N-Triples-like CSV
rows (``csv``) or JSON-LD (``json``).

Plan text is shown as text, never as commands to the terminal:

* ``table``: every control character (C0, DEL, C1: ESC sequences, ``\\r``,
  ``\\b``, tabs and newlines too), line/paragraph separator, invisible format
  character (bidi overrides such as U+202E, zero-width characters) and lone
  surrogate is shown as an escape (``\\n``, ``\\x1b``, ``\\u202e``), so one row
  stays one line and a cell cannot move the cursor or reorder the line;
* ``csv``: tabs and line breaks (LF, CR LF) stay as they are, inside quoted
  cells (they belong to the text); every other of those characters is
  escaped the same way, so printing the CSV cannot drive the terminal either;
* CONSTRUCT as ``table`` (Turtle): such characters become ``\\uXXXX``
  escapes, which Turtle reads back as the same characters;
* ``json``: exact (JSON escapes control characters itself; bidi and other
  format characters stay as they are, as data). Use it for an exact copy.

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
import unicodedata
from collections.abc import Callable, Sequence

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

__all__ = ["FORMATS", "csv_text", "format_result", "format_table", "term_text", "visible"]

FORMATS = ("table", "csv", "json")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SIMPLE_LOCAL = re.compile(r"[\w.\-/]*[\w\-/]|")
# Unicode categories that are never shown as themselves: controls, line and paragraph separators,
# format characters (bidi overrides, zero-width characters) and lone surrogates.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SHOWN_AS_IS = frozenset("\u00ad")  # soft hyphen: a Word export's optional hyphen, harmless in a terminal
_CSV_KEEPS = frozenset("\t\n")  # plus CR before LF; a CSV cell quotes them
_PNAME_FORMAT = frozenset("\u200c\u200d")  # allowed raw in Turtle prefixed names, where escapes are not


def _escape(char: str) -> str:
    code = ord(char)
    if char in _ESCAPES:
        return _ESCAPES[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN_CATEGORIES and char not in _SHOWN_AS_IS


def visible(text: str) -> str:
    r"""Text with every control and invisible format character escaped, so a table cell stays on
    one line and cannot drive the terminal (ESC sequences, ``\r``, ``\b``, bidi overrides).

    >>> visible("ред 1\nред 2\tкрай\x07")
    'ред 1\\nред 2\\tкрай\\x07'
    >>> print(visible("\x1b[2J\u202eмярка, „цел“ – 2024 г.\r"))
    \x1b[2J\u202eмярка, „цел“ – 2024 г.\r
    """
    if text.isprintable():
        return text
    return "".join(_escape(char) if _hidden(char) else char for char in text)


def csv_text(text: str) -> str:
    r"""Text for a CSV cell: tabs and line breaks (LF, CR LF) kept, the rest escaped as by :func:`visible`.

    >>> csv_text("ред 1\r\nред 2\tкрай\x1b]0;title\x07\r")
    'ред 1\r\nред 2\tкрай\\x1b]0;title\\x07\\r'
    """
    if text.isprintable():
        return text
    kept = []
    for i, char in enumerate(text):
        line_break = char in _CSV_KEEPS or (char == "\r" and text[i + 1 : i + 2] == "\n")
        kept.append(char if line_break or not _hidden(char) else _escape(char))
    return "".join(kept)


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
        return f"<{visible(term.value)}>"
    if isinstance(term, BlankNode):
        return f"_:{visible(term.value)}"
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


def _exact(text: str) -> str:
    return text


def _to_rdflib(term: Term | Triple, text: Callable[[str], str] = _exact) -> Identifier:
    if isinstance(term, NamedNode):
        return URIRef(text(term.value))
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if isinstance(term, Triple):
        raise QueryError("RDF-star triple terms cannot be written as SPARQL 1.1 results")
    if term.language:
        return RdflibLiteral(text(term.value), lang=term.language)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return RdflibLiteral(text(term.value))
    return RdflibLiteral(text(term.value), datatype=URIRef(datatype), normalize=False)


def _rdflib_result(result: QueryResult, text: Callable[[str], str] = _exact) -> Result:
    converted = Result("ASK" if result.kind == "ask" else "SELECT")
    if result.kind == "ask":
        converted.askAnswer = bool(result.boolean)
        return converted
    converted.vars = [Variable(name) for name in result.variables]
    converted.bindings = [
        {Variable(name): _to_rdflib(value, text) for name, value in row.items() if value is not None}
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
    text = (data or b"").decode("utf-8").rstrip("\n") + "\n"
    return text if fmt == "json" else _turtle_safe(text)


def _turtle_safe(turtle: str) -> str:
    r"""Turtle whose strings and IRIs carry no raw control or bidi character: each becomes a
    ``\uXXXX`` escape, which Turtle reads back as the same character (the data stays exact).

    >>> _turtle_safe('<http://e/a> <http://e/p> "\u202eтекст\x85" .\n')
    '<http://e/a> <http://e/p> "\\u202Eтекст\\u0085" .\n'
    """
    if turtle.isprintable():
        return turtle
    return "".join(_uchar(c) if c != "\n" and c not in _PNAME_FORMAT and _hidden(c) else c for c in turtle)


def _uchar(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"


def _csv_value(term: Term | Triple) -> str:
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Triple):
        return term_text(term)
    return csv_text(str(term.value))


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
    serialised = _rdflib_result(result, csv_text if fmt == "csv" else _exact).serialize(format=fmt)
    text = serialised.decode("utf-8") if isinstance(serialised, bytes) else str(serialised)
    if fmt == "csv":
        return text
    data = json.loads(text)
    ordered = {"head": data.pop("head", {}), **data}
    return json.dumps(ordered, ensure_ascii=False) + "\n"
