"""``rikg query``: a catalogue query by name, a ``.rq`` file or inline SPARQL; only the result on stdout.

Parameters (``--param name=value``) are bound to the query's variables as RDF
terms by the store (``GraphStore.query(bindings=...)``), never pasted into the
text. A catalogue query, or a ``.rq`` file with a catalogue header
(:mod:`rikg.queries.catalogue`), declares its parameters with their types and
defaults and refuses unknown names; a plain ``.rq`` file or ``--sparql`` text
takes any parameter, typed by the look of its value (:func:`rikg.params.to_term`).

>>> has_catalogue_header("# title: Plans\\n# param: plan (iri)\\nSELECT * {}")
True
>>> has_catalogue_header("# my notes\\nSELECT * {}")
False
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from rikg.errors import QueryError
from rikg.graph_store import open_store
from rikg.graph_store.base import Term
from rikg.output import format_result, format_table
from rikg.params import bind_parameters, parse_assignment
from rikg.queries.catalogue import CatalogueQuery, get, list_queries, parse_query

_HEADER_FIELD = re.compile(r"#\s*(?:title|audience|description|param|columns)\s*:")


def has_catalogue_header(text: str) -> bool:
    """True when the leading comment lines of a query hold a catalogue header field."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            return False
        if _HEADER_FIELD.match(stripped):
            return True
    return False


def _read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise QueryError(f"{path}: cannot read: {error.strerror or error}") from None


def _catalogue_bindings(query: CatalogueQuery, assignments: list[str]) -> dict[str, Term]:
    bindings: dict[str, Term] = query.bindings(dict(parse_assignment(text) for text in assignments))
    return bindings


def _query_and_bindings(args: argparse.Namespace) -> tuple[str, dict[str, Term]]:
    if args.sparql is not None and args.name:
        raise QueryError("give a query name or file, or --sparql, not both")
    if args.sparql is not None:
        return args.sparql, bind_parameters(args.param)
    if not args.name:
        raise QueryError("give a catalogue query name, a .rq file or --sparql TEXT (see --list)")
    path = Path(args.name)
    if args.name.endswith(".rq") or path.exists():
        text = _read_file(path)
        if has_catalogue_header(text):
            query = parse_query(path.stem, text)
            return query.sparql, _catalogue_bindings(query, args.param)
        return text, bind_parameters(args.param)
    query = get(args.name)
    return query.sparql, _catalogue_bindings(query, args.param)


def _catalogue_table() -> str:
    rows = [
        [query.name, query.audience, ", ".join(p.name for p in query.parameters), query.title]
        for query in list_queries()
    ]
    return format_table(["name", "audience", "parameters", "title"], rows) + "\n"


def run(args: argparse.Namespace) -> int:
    """Run the query against the store and write the result to standard output."""
    if args.list:
        sys.stdout.write(_catalogue_table())
        return 0
    sparql, bindings = _query_and_bindings(args)
    with open_store(args.store, read_only=True) as store:
        try:
            result = store.query(sparql, bindings)
        except QueryError as error:  # parser messages may span lines; the command prints one
            raise QueryError(" ".join(str(error).split())) from None
    sys.stdout.write(format_result(result, args.format))
    return 0
