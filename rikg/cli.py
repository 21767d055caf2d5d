"""The ``rikg`` command line (contract: ``design/cli-and-layout.md``).

Standard output carries only results; progress, warnings and errors go to
standard error as one readable line each. ``--debug`` shows tracebacks.

>>> parser = build_parser()
>>> parser.parse_args(["query", "coverage", "--format", "json"]).format
'json'
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rikg import __version__
from rikg.config import default_store
from rikg.errors import RikgError

COMMANDS = ("build", "query", "trace", "validate", "explore", "serve", "export", "import", "reason", "stats")


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        default=None,
        help="store path (embedded) or http(s):// SPARQL server URL; default $RIKG_STORE or var/store",
    )


def _add_build(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("build", help="load plans, reference chain and ontology into the store")
    p.add_argument("--plans", default=None, help="folder of plan files (default: the bundled plans)")
    p.add_argument("--report", default=None, help="quality report JSON path (default: beside the store)")
    _store_option(p)


def _add_query(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("query", help="run a catalogue query, a .rq file or inline SPARQL")
    p.add_argument("name", nargs="?", help="catalogue query name or path to a .rq file")
    p.add_argument("--sparql", default=None, help="inline SPARQL text")
    p.add_argument(
        "--param", action="append", default=[], metavar="K=V", help="bind a parameter (repeatable)"
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--list", action="store_true", help="list the catalogue")
    _store_option(p)


def _add_trace(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("trace", help="the chain from a measure up to the EU objectives")
    p.add_argument("item", help="an IRI, or PLAN:CODE such as ruse-2024-2027:1.3")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _store_option(p)


def _add_validate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("validate", help="SHACL validation of the stored graph")
    _store_option(p)


def _add_explore(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("explore", help="write the interactive explorer page (works offline)")
    p.add_argument("--out", default=None, help="output HTML file")
    p.add_argument("--focus", default=None, help="IRI (or id:...) to centre the view on")
    p.add_argument("--plan", default=None, metavar="SLUG", help="one plan's view, e.g. ruse-2024-2027")
    p.add_argument("--institution", default=None, metavar="IRI|SLUG", help="an institution and its measures")
    p.add_argument("--max-nodes", type=int, default=None, help="largest view drawn (default 1500)")
    _store_option(p)


def _add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="local web app with a read-only SPARQL endpoint")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--timeout", type=float, default=10.0, help="query timeout in seconds")
    p.add_argument("--limit", type=int, default=10000, help="result row limit")
    p.add_argument("--workers", type=int, default=2, help="query worker processes (queries run at once)")
    p.add_argument(
        "--max-request-bytes", type=int, default=1_000_000, help="largest request body accepted (else 413)"
    )
    _store_option(p)


def _add_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help="write the store (or one graph) as RDF to standard output")
    p.add_argument("--format", choices=("ttl", "trig", "nq", "jsonld"), default="trig")
    p.add_argument("--graph", default=None, help="named graph IRI to export")
    p.add_argument("--out", default=None, help="output file (default: standard output)")
    _store_option(p)


def _add_import(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help="load an RDF file (trig, nq, ttl, jsonld) into the store")
    p.add_argument("file")
    p.add_argument("--graph", default=None, help="target named graph for triple formats")
    _store_option(p)


def _add_reason(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("reason", help="run HermiT; write inferred facts into the inferred graph")
    _store_option(p)


def _add_stats(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("stats", help="counts per graph, central institutions, chain depth per plan")
    p.add_argument("--top", type=int, default=10)
    _store_option(p)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every ``rikg`` command."""
    parser = argparse.ArgumentParser(prog="rikg", description="Roma Inclusion Knowledge Graph")
    parser.add_argument("--version", action="version", version=f"rikg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (
        _add_build, _add_query, _add_trace, _add_validate, _add_explore,
        _add_serve, _add_export, _add_import, _add_reason, _add_stats,
    ):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 on success)."""
    args = build_parser().parse_args(argv)
    if getattr(args, "store", "unset") is None:
        args.store = default_store()
    module_name = "import_" if args.command == "import" else args.command
    try:
        module = importlib.import_module(f"rikg.commands.{module_name}")
        status: int = module.run(args)
        return status
    except RikgError as error:
        if args.debug:
            raise
        print(f"rikg {args.command}: error: {one_line(str(error))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"rikg {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        # The one place that turns a crash into one line; --debug shows the traceback.
        if args.debug:
            raise
        detail = one_line(f"{type(error).__name__}: {error}")
        hint = "(run with --debug for details)"
        print(f"rikg {args.command}: internal error: {detail} {hint}", file=sys.stderr)
        return 2


def one_line(message: str) -> str:
    """Collapse a message to one line, so that every error is one line on standard error.

    Plan text quoted in a message cannot drive the terminal: control and bidi
    characters are shown as escapes (:func:`rikg.output.visible`).

    >>> one_line("bad plan" + chr(10) + "  line 3:  empty cell ")
    'bad plan line 3: empty cell'
    >>> print(one_line("cell «" + chr(0x1B) + "[2J»"))
    cell «\\x1b[2J»
    """
    from rikg.output import visible  # only on the error path: it imports rdflib

    return visible(" ".join(message.split()))


if __name__ == "__main__":
    sys.exit(main())
