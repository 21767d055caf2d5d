"""Every catalogue query gives the same answer from a SPARQL server as from the embedded store.

The server binds parameters with a ``VALUES`` block, the embedded store with
pyoxigraph substitutions; the catalogue's rules for writing a parameter (a
projected variable of a required pattern of the top-level group) make the two
agree. The server is a real ``oxigraph serve`` process on loopback, loaded with
an export of the built store.
"""

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

from rikg.graph_store import GraphStore, open_store
from rikg.queries.catalogue import get, names

#: Parameter values that restrict something on the bundled plans, per query (a query whose only
#: parameter is ``plan`` gets ``PLAN``).
RESTRICTED: dict[str, dict[str, str]] = {
    "measures-per-subgoal": {"area": "id:policy-area/education", "plan": "id:plan/ruse-2024-2027"},
    "uncovered-subgoals": {"area": "id:policy-area/health"},
    "similar-measures": {"subgoal": "id:objective/ns-2021-2030/health/1"},
    "measures-per-institution": {"rollUp": "true"},
    "ended-plans": {"asOf": "2025"},
    "unresolved-names": {"kind": "institution", "plan": "id:plan/plovdiv-2022-2024"},
    "alignments-to-review": {"below": "0.7", "plan": "id:plan/blagoevgrad-2024-2027"},
    "measure-chain": {"measure": "id:plan/blagoevgrad-2024-2027/culture/measure/2.1"},
}

PLAN = {"plan": "id:plan/kyustendil-2022-2024"}


def _params(name: str) -> dict[str, str]:
    declared = {parameter.name for parameter in get(name).parameters}
    return RESTRICTED.get(name, PLAN if declared == {"plan"} else {})


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
    location = tmp_path_factory.mktemp("oxigraph-catalogue")
    url = f"http://127.0.0.1:{_free_port()}"
    command = [_oxigraph(), "serve", "--location", str(location), "--bind", url.removeprefix("http://")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(url, process)
        with open_store(url) as remote:
            remote.import_data(built_store.export("nq"), "nq")
            assert remote.count() == built_store.count()
            yield remote
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _rows(store: GraphStore, name: str, params: dict[str, str]) -> list[tuple[str, ...]]:
    result = get(name).run(store, params)
    return sorted(tuple(str(row.get(column)) for column in result.variables) for row in result.rows)


@pytest.mark.parametrize("name", names())
def test_server_and_embedded_store_agree(
    built_store: GraphStore, server_store: GraphStore, name: str
) -> None:
    everything = _rows(built_store, name, {})
    assert _rows(server_store, name, {}) == everything
    params = _params(name)
    if params:
        restricted = _rows(built_store, name, params)
        assert _rows(server_store, name, params) == restricted
        assert restricted != everything


@pytest.mark.parametrize("name", names())
def test_every_parameter_is_exercised(name: str) -> None:
    assert set(_params(name)) == {parameter.name for parameter in get(name).parameters}
