"""``rikg serve --store http://...``: the endpoint answers through a real ``oxigraph serve`` and stays
read-only even though that server itself takes updates."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from pyoxigraph import QueryResultsFormat, parse_query_results

from rikg.graph_store.base import GraphStore
from tests.web.web_helpers import Server, request, sparql_get, sparql_post, start_server, stop_server

PLANS = """PREFIX rikg: <https://w3id.org/rikg/ontology#>
SELECT ?plan WHERE { ?plan a rikg:MunicipalActionPlan } ORDER BY ?plan"""


def _count(url: str) -> int:
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    prepared = urllib.request.Request(f"{url}/query?query={query}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(prepared, timeout=10) as answer:
        return int(answer.read().decode().split()[-1])


@pytest.fixture(scope="module")
def oxigraph(built_store_server: str) -> str:
    """A real ``oxigraph serve`` on loopback holding an export of the built store."""
    return built_store_server


@pytest.fixture(scope="module")
def remote_server(oxigraph: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("serve-remote") / "serve.log"
    server = start_server(oxigraph, log, "--timeout", "10", "--limit", "1000")
    yield server
    stop_server(server)


def test_the_endpoint_answers_from_the_sparql_server(remote_server: Server, built_store: GraphStore) -> None:
    answer = sparql_get(remote_server, PLANS)
    assert answer.status == 200
    plans = [s["plan"].value for s in parse_query_results(answer.body, QueryResultsFormat.JSON)]
    assert plans == [term.value for term in built_store.query(PLANS).column("plan") if term is not None]
    page = request(remote_server.url + "query/plan-overview?run=1")
    assert page.status == 200 and page.text.count("id:plan/") >= 4


def test_updates_never_reach_the_sparql_server(remote_server: Server, oxigraph: str) -> None:
    before = _count(oxigraph)
    assert sparql_post(remote_server, {"update": "DROP ALL"}).status == 403
    assert sparql_post(remote_server, {"query": "CLEAR ALL"}).status == 403
    headers = {"Content-Type": "application/sparql-update"}
    assert request(remote_server.url + "sparql", data=b"DROP ALL", headers=headers).status == 403
    assert _count(oxigraph) == before > 0


def test_results_from_the_server_are_cut_at_the_limit(remote_server: Server) -> None:
    answer = sparql_get(remote_server, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert answer.headers["X-Rikg-Truncated"] == "true"
    assert len(list(parse_query_results(answer.body, QueryResultsFormat.JSON))) == 1000
