"""``rikg export``: write the store, or one named graph, as RDF (TriG, N-Quads, Turtle, JSON-LD).

>>> import argparse, tempfile
>>> run(argparse.Namespace(store=tempfile.mkdtemp() + "/none", format="trig", graph=None, out=None))
Traceback (most recent call last):
...
rikg.errors.StoreError: no store at ... (build one first: rikg build --store ...)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rikg.errors import RikgError
from rikg.graph_store import open_store


def run(args: argparse.Namespace) -> int:
    """Serialise the store (or ``--graph``) in ``--format`` to ``--out`` or standard output."""
    with open_store(args.store, read_only=True) as store:
        data = store.export(args.format, args.graph)
    if args.out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        Path(args.out).write_bytes(data)
    except OSError as error:
        raise RikgError(f"{args.out}: cannot write: {error.strerror or error}") from error
    what = f"graph {args.graph}" if args.graph else "the store"
    print(f"wrote {what} as {args.format} to {args.out} ({len(data)} bytes)", file=sys.stderr)
    return 0
