"""Plan text in command-line output is shown as text: it can never drive the terminal.

A hostile cell carries ESC/CSI sequences (clear screen, set title, move the
cursor), carriage returns and backspaces, C1 controls and bidi overrides. The
table shows every one as a visible escape on one line; CSV keeps tabs and line
breaks but escapes the rest; JSON and Turtle keep the exact text (JSON by its
own escapes, Turtle through ``\\uXXXX`` escapes that read back as the same
characters). Cyrillic and ordinary punctuation stay untouched.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from rikg.graph_store import open_store
from rikg.graph_store.base import QueryResult
from rikg.output import csv_text, format_result, format_table, term_text, visible

HOSTILE = (
    "Мярка 1.2\x1b[2J\x1b]0;pwned\x07 „цел“ – 50 %\rскрито\b\b\x9b31m"
    "\u202eотзад напред\u2066\u200b\u2028край\ttab\nред"
)
FAIR = "Мярка 1.2: „Осигуряване на достъп“ – 50 % (2024–2027 г.), № 3; §5, ‘кавички’ — …"
EX = "http://example.org/"
PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"


def _terminal_safe(text: str, allowed: str = "\n") -> bool:
    """True when no character of the text could act on a terminal (or hide itself)."""
    hidden = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    return all(char in allowed or char == "\u00ad" or unicodedata.category(char) not in hidden
               for char in text)


def _select(*values: str) -> QueryResult:
    return QueryResult(
        kind="select",
        variables=["measure", "label"],
        rows=[
            {"measure": NamedNode(f"{EX}m{i}"), "label": Literal(value, language="bg")}
            for i, value in enumerate(values)
        ],
    )


def test_a_hostile_cell_is_shown_escaped_on_one_line() -> None:
    table = format_result(_select(HOSTILE, FAIR), "table")
    lines = table.splitlines()
    assert len(lines) == 4  # header, rule, two rows: the cell's newlines and separators did not break it
    assert _terminal_safe(table)
    for escape in ("\\x1b[2J", "\\x1b]0;pwned\\x07", "\\r", "\\x08\\x08", "\\x9b31m", "\\u202e", "\\u2066",
                   "\\u200b", "\\u2028", "\\t", "\\n"):
        assert escape in lines[2]
    assert "„цел“ – 50 %" in lines[2]


def test_cyrillic_and_punctuation_stay_untouched() -> None:
    assert visible(FAIR) == FAIR
    assert term_text(Literal(FAIR, language="bg")) == FAIR
    assert FAIR in format_result(_select(FAIR), "table")
    assert csv_text(FAIR) == FAIR


def test_bundled_plan_text_is_shown_as_written() -> None:
    """Every line of the bundled plans shows as itself; only its tabs become visible escapes."""
    lines = [line for path in sorted(PLANS.glob("*.txt")) for line in path.read_text("utf-8").splitlines()]
    assert len(lines) > 1000
    for line in lines:
        assert visible(line) == line.replace("\t", "\\t")


def test_iris_are_escaped_in_tables_too() -> None:
    iri = NamedNode(f"{EX}\u202eevil")
    assert term_text(iri) == f"<{EX}\\u202eevil>"
    assert _terminal_safe(format_table(["a\x1b"], [[f"x\x1b[1A{HOSTILE}"]]))


def test_csv_keeps_tabs_and_line_breaks_and_escapes_the_rest() -> None:
    text = format_result(_select(HOSTILE, "ред 1\r\nред 2"), "csv")
    assert _terminal_safe(text, allowed="\t\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["measure", "label"]
    assert rows[1] == [f"{EX}m0", csv_text(HOSTILE)]
    assert "\ttab\nред" in rows[1][1] and "\\x1b[2J" in rows[1][1] and "\\r" in rows[1][1]
    assert rows[2][1] == "ред 1\r\nред 2"


def test_construct_csv_is_escaped_like_select_csv() -> None:
    triple = Triple(NamedNode(f"{EX}m"), NamedNode(f"{EX}label"), Literal(HOSTILE))
    text = format_result(QueryResult(kind="construct", triples=[triple]), "csv")
    assert _terminal_safe(text, allowed="\t\r\n")
    assert list(csv.reader(io.StringIO(text, newline="")))[1][2] == csv_text(HOSTILE)


def test_json_keeps_the_exact_text() -> None:
    text = format_result(_select(HOSTILE), "json")
    assert "\x1b" not in text and "\r" not in text and "\b" not in text  # JSON escapes its controls
    assert json.loads(text)["results"]["bindings"][0]["label"]["value"] == HOSTILE


def test_construct_as_turtle_is_safe_and_reads_back_exactly() -> None:
    triple = Triple(NamedNode(f"{EX}m\u202e"), NamedNode(f"{EX}label"), Literal(HOSTILE, language="bg"))
    text = format_result(QueryResult(kind="construct", triples=[triple]), "table")
    assert _terminal_safe(text)
    assert [quad.triple for quad in parse(text.encode(), RdfFormat.TURTLE)] == [triple]


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_rikg_query_prints_no_terminal_controls(tmp_path: Path, fmt: str) -> None:
    """The command end to end: a hostile label in a real store, printed by ``rikg query``."""
    store_path = tmp_path / "store"
    with open_store(str(store_path)) as store:
        label = Triple(NamedNode(f"{EX}m"), NamedNode(f"{EX}label"), Literal(HOSTILE))
        store.replace_graphs({f"{EX}g": [label]})
    command = [sys.executable, "-m", "rikg", "query", "--store", str(store_path), "--format", fmt,
               "--sparql", f"SELECT ?label WHERE {{ ?m <{EX}label> ?label }}"]
    done = subprocess.run(command, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode("utf-8")
    assert _terminal_safe(out, allowed="\n" if fmt == "table" else "\t\r\n")
    assert "\\x1b]0;pwned\\x07" in out and "„цел“ – 50 %" in out
