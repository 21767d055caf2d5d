"""The explorer reads a SPARQL server (a real ``oxigraph serve``) exactly as it reads the embedded store."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rikg.explorer import ExplorerView, build_view
from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _oxigraph() -> str:
    beside_python = Path(sys.executable).parent / "oxigraph"
    found = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph server (PyPI package 'oxigraph') is not installed")
    return found


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"oxigraph serve exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    pytest.fail(f"oxigraph serve did not answer at {url}")


@pytest.fixture(scope="module")
def server_store(built_store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """A real Oxigraph server holding a copy of the built store."""
    location = tmp_path_factory.mktemp("oxigraph-explorer")
    url = f"http://127.0.0.1:{_free_port()}"
    command = [_oxigraph(), "serve", "--location", str(location), "--bind", url.removeprefix("http://")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(url, process)
        with open_store(url) as remote:
            remote.import_data(built_store.export("nq"), "nq")
            yield remote
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
