"""``rikg import``: add an RDF file (TriG, N-Quads, Turtle, N-Triples, JSON-LD, RDF/XML) to the store.

The format comes from the file extension. Triples outside any named graph go
into ``--graph`` (required for triple formats such as Turtle).

>>> import argparse, tempfile
>>> folder = tempfile.mkdtemp()
>>> path = Path(folder, "plan.ttl")
>>> _ = path.write_text('<http://example.org/a> <http://example.org/p> "x" .')
>>> run(argparse.Namespace(file=str(path), graph="http://example.org/g", store=folder + "/store"))
0
>>> run(argparse.Namespace(file=str(path), graph=None, store=folder + "/store"))
Traceback (most recent call last):
...
rikg.errors.RikgError: .../plan.ttl: the ttl data has triples outside any named graph: give a graph IRI
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rikg.errors import RikgError, StoreError
from rikg.graph_store import open_store
from rikg.graph_store.results import rdf_format


def run(args: argparse.Namespace) -> int:
    """Load ``args.file`` into ``args.store``; prints how many quads were added (standard error)."""
    path = Path(args.file)
    fmt = path.suffix.lstrip(".")
    try:
        rdf_format(fmt)
        data = path.read_bytes()
    except OSError as error:
        raise RikgError(f"{path}: cannot read: {error.strerror or error}") from error
    except StoreError as error:
        raise RikgError(f"{path}: {error}") from error
    with open_store(args.store) as store:
        try:
            added = store.import_data(data, fmt, args.graph)
        except StoreError as error:
            raise RikgError(f"{path}: {error}") from error
    print(f"imported {added} quads from {path} into {args.store}", file=sys.stderr)
    return 0
