"""``rikg explore [--out FILE.html] [--focus IRI] [--plan SLUG] [--institution IRI] [--max-nodes N]``.

Writes the offline explorer page and prints its path on standard output.
Without ``--out`` the page goes beside an embedded store (``var/store`` →
``var/explorer.html``), or to ``./rikg-explorer.html`` for a SPARQL server.

>>> default_out("var/store").as_posix()
'var/explorer.html'
>>> default_out("http://127.0.0.1:7878").as_posix()
'rikg-explorer.html'
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rikg.config import is_remote
from rikg.explorer import write_page
from rikg.graph_store import open_store

DEFAULT_MAX_NODES = 1500


def default_out(store: str) -> Path:
    """Where the page goes when ``--out`` is not given."""
    if is_remote(store):
        return Path("rikg-explorer.html")
    return Path(store).parent / "explorer.html"


def run(args: argparse.Namespace) -> int:
    """Write the page; 0 on success (an unknown focus is a one-line error)."""
    out = Path(args.out) if getattr(args, "out", None) else default_out(args.store)
    max_nodes = getattr(args, "max_nodes", None) or DEFAULT_MAX_NODES
    with open_store(args.store, read_only=True) as store:
        path = write_page(
            store,
            out,
            focus=getattr(args, "focus", None),
            plan=getattr(args, "plan", None),
            institution=getattr(args, "institution", None),
            max_nodes=max_nodes,
        )
    sys.stdout.write(f"{path}\n")
    return 0
