"""The rikg graph store: one named graph per source document, queried as one union graph.

``open_store`` picks the backend from the location: a folder path gives the
embedded pyoxigraph store, an ``http(s)://`` URL a SPARQL 1.1 server
(``docs/stores.md`` lists the server options).

>>> import tempfile
>>> from pyoxigraph import NamedNode, Triple
>>> ex = "http://example.org/"
>>> triple = Triple(NamedNode(ex + "a"), NamedNode(ex + "p"), NamedNode(ex + "b"))
>>> with tempfile.TemporaryDirectory() as folder, open_store(folder) as store:
...     store.replace_graphs({ex + "g": [triple]})
...     store.named_graphs(), store.count(ex + "g"), store.query("ASK { ?s ?p ?o }").boolean
(['http://example.org/g'], 1, True)
"""

from __future__ import annotations

from typing import Any

from rikg.config import is_remote
from rikg.errors import StoreError

from .base import GraphStore, QueryKind, QueryResult, Term

__all__ = ["GraphStore", "QueryKind", "QueryResult", "Term", "open_store"]


def open_store(
    location: str, *, read_only: bool = False, in_memory: bool = False, **options: Any
) -> GraphStore:
    """Open the store at a folder path (embedded) or a SPARQL server URL (remote).

    ``in_memory`` (with ``read_only``) answers from an in-memory copy of a folder's store: slower to
    open, faster to query (``rikg.graph_store.embedded.EmbeddedStore``). ``options`` go to the remote
    backend (``rikg.graph_store.remote.RemoteStore``); the embedded store takes none.

    >>> open_store("stores/rikg", profile="fuseki")
    Traceback (most recent call last):
    ...
    rikg.errors.StoreError: option(s) profile only apply to a SPARQL server URL, not to the folder stores/rikg
    >>> open_store("http://localhost:7878", read_only=True, in_memory=True)
    Traceback (most recent call last):
    ...
    rikg.errors.StoreError: in_memory applies to a store folder, not to the SPARQL server http://localhost:7878
    """
    if is_remote(location):
        if in_memory:
            raise StoreError(f"in_memory applies to a store folder, not to the SPARQL server {location}")
        from .remote import RemoteStore

        return RemoteStore(location, read_only=read_only, **options)
    if options:
        names = ", ".join(sorted(options))
        raise StoreError(f"option(s) {names} only apply to a SPARQL server URL, not to the folder {location}")
    from .embedded import EmbeddedStore

    return EmbeddedStore(location, read_only=read_only, in_memory=in_memory)
