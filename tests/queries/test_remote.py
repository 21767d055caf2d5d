"""Every catalogue query gives the same answer from a SPARQL server as from the embedded store.

The server binds parameters with a ``VALUES`` block, the embedded store with
pyoxigraph substitutions; the catalogue's rules for writing a parameter (a
projected variable of a required pattern of the top-level group) make the two
agree. The server is a real ``oxigraph serve`` process on loopback, loaded with
an export of the built store.
"""

from __future__ import annotations

from collections.abc import Iterator

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


@pytest.fixture(scope="module")
def server_store(built_store: GraphStore, built_store_server: str) -> Iterator[GraphStore]:
    """The built store served by a real Oxigraph server."""
    with open_store(built_store_server) as remote:
        assert remote.count() == built_store.count()
        yield remote


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
