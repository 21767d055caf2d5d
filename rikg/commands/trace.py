"""``rikg trace IRI|PLAN:CODE [--format text|json] [--store ...]``: a measure's chain up to the EU objectives.

Standard output carries only the trace (an indented chain, or the JSON of the
contract ``{"item": IRI, "chain": [step, ...]}``); an unknown item or an
ambiguous code is one line on standard error and exit status 1.

>>> from rikg.cli import build_parser
>>> args = build_parser().parse_args(["trace", "ruse-2024-2027:1.3", "--format", "json"])
>>> args.item, args.format
('ruse-2024-2027:1.3', 'json')
"""

from __future__ import annotations

import argparse
import json
import sys

from rikg.graph_store import open_store
from rikg.trace import format_text, trace_item


def run(args: argparse.Namespace) -> int:
    """Print the trace of ``args.item``; 0 on success."""
    with open_store(args.store, read_only=True) as store:
        result = trace_item(store, args.item)
    if args.format == "json":
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(format_text(result) + "\n")
    return 0
