"""``rikg query``: a catalogue query by name, a ``.rq`` file or inline SPARQL; only the result on stdout.

Parameters (``--param name=value``) are bound to the query's variables as RDF
terms by the store (``GraphStore.query(bindings=...)``), never pasted into the
text. A query's header declares its parameters, one comment line each::

    # param: plan = id:plan/ruse-2024-2027 (iri)

giving the name, an optional default and an optional type (see
:mod:`rikg.params`); a query with declared parameters refuses unknown names.

>>> header = "# title: x\\n# param: plan = id:plan/ruse-2024-2027 (iri)\\n# param: year (year)\\n"
>>> declared_parameters(header + "SELECT * {}")
{'plan': ('id:plan/ruse-2024-2027', 'iri'), 'year': (None, 'year')}
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from rikg.errors import QueryError
from rikg.graph_store import open_store
from rikg.output import format_result, format_table
from rikg.params import bind_parameters

_PARAM_LINE = re.compile(
    r"^#\s*param(?:eter)?\s*:\s*\??(?P<name>[A-Za-z_]\w*)\s*"
    r"(?:=\s*(?P<default>.*?))?\s*(?:\((?P<type>[A-Za-z]+)\))?\s*$",
    re.MULTILINE,
)
_TITLE_LINE = re.compile(r"^#\s*title\s*:\s*(?P<title>.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class QuerySource:
    """A query's text and where it came from (catalogue name, file path or ``--sparql``)."""

    origin: str
    text: str


def declared_parameters(text: str) -> dict[str, tuple[str | None, str | None]]:
    """Parameters declared in a query's header comments: name -> (default, type)."""
    declared: dict[str, tuple[str | None, str | None]] = {}
    for match in _PARAM_LINE.finditer(text):
        default = match.group("default")
        declared[match.group("name")] = (default if default else None, match.group("type"))
    return declared


def _catalogue() -> dict[str, str]:
    """Catalogue query names -> text, from the ``rikg.queries`` package data."""
    folder = files("rikg.queries")
    return {
        entry.name.removesuffix(".rq"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".rq") and entry.is_file()
    }


def _source(args: argparse.Namespace) -> QuerySource:
    if args.sparql is not None and args.name:
        raise QueryError("give a query name or file, or --sparql, not both")
    if args.sparql is not None:
        return QuerySource("--sparql", args.sparql)
    if not args.name:
        raise QueryError("give a catalogue query name, a .rq file or --sparql TEXT (see --list)")
    path = Path(args.name)
    if args.name.endswith(".rq") or path.exists():
        try:
            return QuerySource(str(path), path.read_text(encoding="utf-8"))
        except OSError as error:
            raise QueryError(f"{path}: cannot read: {error.strerror or error}") from None
    catalogue = _catalogue()
    if args.name not in catalogue:
        known = ", ".join(sorted(catalogue)) or "none installed"
        raise QueryError(f"{args.name}: no such catalogue query (known: {known})")
    return QuerySource(args.name, catalogue[args.name])


def _list_catalogue() -> str:
    rows = []
    for name, text in sorted(_catalogue().items()):
        title = _TITLE_LINE.search(text)
        params = ", ".join(declared_parameters(text))
        rows.append([name, title.group("title") if title else "", params])
    return format_table(["name", "title", "parameters"], rows) + "\n"


def run(args: argparse.Namespace) -> int:
    """Run the query against the store and write the result to standard output."""
    if args.list:
        sys.stdout.write(_list_catalogue())
        return 0
    source = _source(args)
    declared = declared_parameters(source.text)
    bindings = bind_parameters(
        args.param,
        {name: kind for name, (_, kind) in declared.items()} if declared else None,
        {name: default for name, (default, _) in declared.items() if default is not None},
    )
    with open_store(args.store, read_only=True) as store:
        result = store.query(source.text, bindings)
    sys.stdout.write(format_result(result, args.format))
    return 0
