"""``rikg validate``: SHACL validation of the stored graph; exit 0 when it conforms.

When the graph conforms, standard output says so (and lists warnings, if any);
otherwise it carries the report, one line per violation grouped by rule, and
the exit status is 1.

>>> from rikg.cli import build_parser
>>> build_parser().parse_args(["validate", "--store", "var/store"]).store
'var/store'
"""

from __future__ import annotations

import argparse
import sys

from rikg.graph_store import open_store
from rikg.validation import validate_store


def run(args: argparse.Namespace) -> int:
    """Validate the store; 0 when it conforms, 1 when it does not."""
    with open_store(args.store, read_only=True) as store:
        graphs = len(store.named_graphs())
        report = validate_store(store)
    summary = f"{report.triples} triples in {graphs} named graphs"
    if report.conforms:
        sys.stdout.write(f"conforms: {summary} checked against the rikg shapes\n")
        if report.violations:
            sys.stdout.write(report.text() + "\n")
        return 0
    sys.stdout.write(report.text() + "\n")
    print(f"rikg validate: does not conform: {len(report.violations)} results in {summary}", file=sys.stderr)
    return 1
