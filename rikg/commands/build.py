"""``rikg build``: plans, reference chain and ontology into the store; per-plan counts on standard output.

Standard output carries the summary table (and one line per fragment that
could not be parsed, per unresolved name); progress and errors go to standard
error, one line each (``rikg build: error: <file>: <reason>``). The exit status
is 1 when any plan file could not be loaded (the others are loaded anyway).

>>> import argparse
>>> from rikg.cli import build_parser
>>> isinstance(build_parser().parse_args(["build", "--plans", "data/plans"]), argparse.Namespace)
True
"""

from __future__ import annotations

import argparse
import sys

from rikg.build import build
from rikg.config import bundled_plans_dir


def _progress(message: str) -> None:
    print(f"rikg build: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Build the store; 0 when every plan file loaded, 1 when any could not be."""
    plans = args.plans or str(bundled_plans_dir())
    report = build(plans, args.store, report_path=args.report, progress=_progress)
    sys.stdout.write(report.summary_table() + "\n")
    problems = report.problem_lines()
    if problems:
        sys.stdout.write("\n" + "\n".join(problems) + "\n")
    for iri in report.kept_plan_graphs:
        print(f"rikg build: note: kept {iri} (its plan is not in {plans})", file=sys.stderr)
    print(f"rikg build: quality report written to {report.report_path}", file=sys.stderr)
    for error in report.errors:
        print(f"rikg build: error: {error.file}: {error.reason}", file=sys.stderr)
    return 0 if report.ok else 1
