"""What only the remote backend does: row-cap paging, staging graphs, failures, credentials, profiles."""

from __future__ import annotations

import base64

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from store_helpers import EX, OTHER, PLAN, Proxy, all_graphs, measures, node, watch_while

from rikg.errors import QueryError, StoreError
from rikg.graph_store import open_store
from rikg.graph_store.remote import RemoteStore
from tests.oxigraph_server import free_port


@pytest.fixture
def server(make_store: object, oxigraph_url: str) -> str:
    """The Oxigraph server URL, emptied for this test."""
    return oxigraph_url


def test_unreachable_server_is_one_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    store = open_store(url)
    with pytest.raises(StoreError, match=rf"^cannot reach SPARQL server at {url}: connection refused$"):
        store.count()
    with pytest.raises(StoreError, match="cannot reach SPARQL server"):
        store.replace_graphs({PLAN: measures(1)})
    with pytest.raises(StoreError, match="cannot reach SPARQL server"):
        store.export("trig")


def test_wrong_endpoint_is_one_clear_error(server: str) -> None:
    store = open_store(server, query_url=f"{server}/no-such-endpoint")
    with pytest.raises(StoreError, match="no SPARQL endpoint at"):
        store.count()


def test_an_update_is_not_a_query(server: str) -> None:
    store = open_store(server)
    store.replace_graphs({PLAN: measures(2)})
    with pytest.raises(QueryError, match="update"):
        store.query("DROP ALL")
    assert store.count(PLAN) == 2


def test_words_in_comments_iris_and_strings_are_not_the_query_form(server: str) -> None:
    """SPARQLWrapper took ``# clear note`` after a PREFIX for a CLEAR update; the form is the first word."""
    store = open_store(server)
    store.replace_graphs({PLAN: measures(2)})
    query = (
        "# the measures added in 2024\n"
        "PREFIX add: <http://example.org/#drop> # clear note, moved from the old plan\n"
        "SELECT ?m WHERE { ?m add:label ?l FILTER(?l != 'DROP ALL') } # insert nothing"
    )
    assert len(store.query(query.replace("add:label", f"<{EX}label>")).rows) == 2
    assert store.query("# delete? no:\nASK { ?s ?p ?o }").boolean is True
    with pytest.raises(QueryError, match="not a query but a DROP update"):
        store.query("# select nothing\nPREFIX ex: <http://example.org/>\nDROP ALL")
    assert store.count(PLAN) == 2


def test_long_queries_are_posted(server: str, proxy: Proxy) -> None:
    store = open_store(proxy.url)
    store.replace_graphs({PLAN: measures(200)})
    proxy.methods.clear()
    assert store.count(PLAN) == 200
    wanted = " ".join(f"<{EX}m{i}>" for i in range(0, 200, 2))
    rows = store.query(f"SELECT ?m WHERE {{ VALUES ?m {{ {wanted} }} ?m ?p ?o }}").rows
    assert len(rows) == 100
    assert proxy.methods == ["GET", "POST"]


def test_blank_nodes_cannot_be_bound_remotely(server: str) -> None:
    with pytest.raises(QueryError, match="blank node"):
        open_store(server).query("SELECT ?s WHERE { ?s ?p ?o }", {"s": BlankNode()})


def test_selects_are_paged_under_a_row_cap(server: str, proxy: Proxy) -> None:
    open_store(server).replace_graphs({PLAN: measures(23), OTHER: measures(4, "o")})
    proxy.row_cap = 5
    assert len(open_store(proxy.url).query("SELECT * WHERE { ?s ?p ?o }").rows) == 5  # the proxy does cut
    capped = open_store(proxy.url, max_rows=5)
    proxy.select_requests.clear()
    rows = capped.query("SELECT ?s ?o WHERE { ?s ?p ?o }").rows
    assert len(rows) == 27 and len({(r["s"], r["o"]) for r in rows}) == 27
    assert max(proxy.select_requests) <= 5 and len(proxy.select_requests) >= 6


def test_paging_keeps_the_query_order(server: str, proxy: Proxy) -> None:
    direct = open_store(server)
    direct.replace_graphs({PLAN: measures(17)})
    query = "PREFIX ex: <http://example.org/>\nSELECT ?m ?l WHERE { ?m ex:label ?l } ORDER BY DESC(?l)"
    proxy.row_cap = 4
    paged = open_store(proxy.url, max_rows=4).query(query).rows
    assert paged == direct.query(query).rows and len(paged) == 17


def test_paging_with_bindings_and_limits(server: str, proxy: Proxy) -> None:
    open_store(server).replace_graphs({PLAN: measures(12), OTHER: measures(12)})
    proxy.row_cap = 5
    capped = open_store(proxy.url, max_rows=5)
    query = "SELECT ?m WHERE { GRAPH ?g { ?m ?p ?o } } LIMIT 11"
    assert len(capped.query(query, {"g": NamedNode(PLAN)}).rows) == 11
    assert len(capped.export("nq").splitlines()) == 24


def test_a_capped_result_that_cannot_be_paged_is_an_error(server: str, proxy: Proxy) -> None:
    open_store(server).replace_graphs({PLAN: measures(9)})
    proxy.row_cap = 5
    capped = open_store(proxy.url, max_rows=5)
    with pytest.raises(StoreError, match="cap of 5 rows"):
        capped.query(f"SELECT * FROM <{PLAN}> WHERE {{ ?s ?p ?o }}")
    with pytest.raises(StoreError, match="cap of 5 rows"):
        capped.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert len(capped.query("SELECT * WHERE { ?s ?p ?o } LIMIT 4").rows) == 4


def test_replacing_through_staging_graphs(server: str) -> None:
    store = open_store(server, max_update_bytes=2000)
    store.replace_graphs({PLAN: measures(40), OTHER: measures(3)})
    store.replace_graphs({PLAN: measures(60, "new"), OTHER: []})
    assert all_graphs(server) == [PLAN]
    assert store.count(PLAN) == 60
    seen = watch_while(
        lambda: store.count(PLAN),
        lambda: [store.replace_graphs({PLAN: measures(60 if i % 2 else 25, str(i))}) for i in range(8)],
    )
    assert seen and seen <= {60, 25}
    assert all_graphs(server) == [PLAN]


def test_staging_without_a_graph_store_sends_pieces(server: str) -> None:
    store = open_store(server, max_update_bytes=1500, transactional="no")
    store.replace_graphs({PLAN: measures(5)})
    store.replace_graphs({PLAN: measures(80, "pieces")})
    assert store.count(PLAN) == 80 and all_graphs(server) == [PLAN]


def test_blank_nodes_are_never_split_across_pieces(server: str) -> None:
    store = RemoteStore(server, max_update_bytes=300, transactional="no")
    store.endpoints = type(store.endpoints)(**{**store.endpoints.__dict__, "store_url": None})
    store.replace_graphs({PLAN: measures(1)})
    amount = BlankNode()
    triples = [Triple(node(f"m{i}"), node("amount"), amount) for i in range(20)]
    with pytest.raises(StoreError, match="blank nodes"):
        store.replace_graphs({PLAN: triples})
    assert store.count(PLAN) == 1 and all_graphs(server) == [PLAN]


def test_a_switch_failing_midway_names_the_graphs_replaced(server: str, proxy: Proxy) -> None:
    open_store(server).replace_graphs({PLAN: measures(4), OTHER: measures(4)})
    proxy.fail_after_first_update_operation = True
    store = open_store(proxy.url, transactional="false")
    with pytest.raises(StoreError) as failure:
        store.replace_graphs({PLAN: measures(9, "new"), OTHER: measures(9, "new")})
    assert f"replaced: {PLAN}; NOT replaced: {OTHER}" in str(failure.value)
    direct = open_store(server)
    assert (direct.count(PLAN), direct.count(OTHER)) == (9, 4)
    assert all_graphs(server) == sorted([PLAN, OTHER])


def test_read_only_remote_refuses_writes(server: str) -> None:
    store = open_store(server, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        store.replace_graphs({PLAN: measures(1)})
    with pytest.raises(StoreError, match="read-only"):
        store.import_data(b"", "nq")
    assert store.count() == 0


def test_credentials_come_from_the_environment(
    server: str, proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RIKG_STORE_USER", "analyst")
    monkeypatch.setenv("RIKG_STORE_PASSWORD", "s3cret:ü")
    store = open_store(proxy.url)
    store.replace_graphs({PLAN: measures(2)})
    store.query("ASK { ?s ?p ?o }")
    basic = "Basic " + base64.b64encode("analyst:s3cret:ü".encode()).decode()
    assert proxy.authorizations and set(proxy.authorizations) == {basic}
    monkeypatch.setenv("RIKG_STORE_TOKEN", "tok-123")
    proxy.authorizations.clear()
    open_store(proxy.url).replace_graphs({OTHER: measures(1)})
    open_store(proxy.url).count()
    assert set(proxy.authorizations) == {"Bearer tok-123"}


def test_profiles_and_environment_options(monkeypatch: pytest.MonkeyPatch) -> None:
    fuseki = RemoteStore("http://h:3030/rikg/", profile="fuseki").endpoints
    assert (fuseki.query_url, fuseki.update_url, fuseki.store_url) == (
        "http://h:3030/rikg/query", "http://h:3030/rikg/update", "http://h:3030/rikg/data")
    assert fuseki.union_parameter is None
    virtuoso = RemoteStore("http://h:8890", profile="virtuoso").endpoints
    assert (virtuoso.query_url, virtuoso.max_rows) == ("http://h:8890/sparql", 10000)
    assert virtuoso.transactional is False
    graphdb = RemoteStore("http://h:7200/repositories/rikg", profile="graphdb").endpoints
    assert graphdb.update_url == "http://h:7200/repositories/rikg/statements"
    monkeypatch.setenv("RIKG_STORE_PROFILE", "virtuoso")
    monkeypatch.setenv("RIKG_STORE_MAX_ROWS", "500")
    monkeypatch.setenv("RIKG_STORE_QUERY_URL", "http://h:8890/sparql-other")
    endpoints = RemoteStore("http://h:8890").endpoints
    assert (endpoints.max_rows, endpoints.query_url) == (500, "http://h:8890/sparql-other")
    with pytest.raises(StoreError, match="unknown store option"):
        RemoteStore("http://h", password="never on the command line")


def test_rdf_star_free_literals_round_trip_exactly(server: str) -> None:
    store = open_store(server)
    odd = [Literal("tab\there"), Literal("emoji 😀 and \\ backslash"), Literal("x", language="bg-Cyrl")]
    store.replace_graphs({PLAN: [Triple(node("a"), node("p"), value) for value in odd]})
    got = store.query(f"SELECT ?o WHERE {{ <{EX}a> ?p ?o }}").column("o")
    assert sorted(map(str, got)) == sorted(map(str, odd))
    for value in odd:
        assert store.query("ASK { ?s ?p ?o }", {"o": value}).boolean is True
