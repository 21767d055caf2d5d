"""The explorer reads a SPARQL server (a real ``oxigraph serve``) exactly as it reads the embedded store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rikg.explorer import ExplorerView, build_view
from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore


@pytest.fixture(scope="module")
def server_store(built_store_server: str) -> Iterator[GraphStore]:
    """The built store served by a real Oxigraph server."""
    with open_store(built_store_server) as remote:
        yield remote


def summary(view: ExplorerView) -> tuple[object, ...]:
    nodes = sorted((node.iri, node.kind, node.label, node.code, node.source, tuple(sorted(node.institutions)))
                   for node in view.nodes)
    edges = sorted((edge.source, edge.target, edge.relation, edge.confidence, edge.method)
                   for edge in view.edges)
    return nodes, edges, sorted(view.names.items()), view.notice


@pytest.mark.parametrize("options", [{}, {"plan": "ruse-2024-2027"}, {"institution": "ruo"}])
def test_server_and_embedded_store_give_the_same_view(
    server_store: GraphStore, built_store: GraphStore, options: dict[str, str]
) -> None:
    remote = build_view(server_store, **options)  # type: ignore[arg-type]
    assert remote.nodes
    assert summary(remote) == summary(build_view(built_store, **options))  # type: ignore[arg-type]
