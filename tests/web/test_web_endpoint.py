"""The SPARQL 1.1 Protocol endpoint of ``rikg serve``: answers, formats, refusals and limits.

Every test talks HTTP to a real server process over loopback; answers are
checked against the store itself (read through ``built_store``) and parsed
with pyoxigraph's own result parsers.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import psutil
import pytest
from pyoxigraph import Literal, QueryResultsFormat, RdfFormat, parse, parse_query_results
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from rikg.graph_store.base import GraphStore
from tests.web.web_helpers import Server, request, sparql_get, sparql_post

PLANS = """PREFIX rikg: <https://w3id.org/rikg/ontology#>
SELECT ?plan WHERE { ?plan a rikg:MunicipalActionPlan } ORDER BY ?plan"""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _plans(store: GraphStore) -> list[str]:
    return [term.value for term in store.query(PLANS).column("plan") if term is not None]


def test_get_post_and_direct_post_give_the_plans(web_server: Server, built_store: GraphStore) -> None:
    expected = _plans(built_store)
    assert len(expected) == 4
    answers = [
        sparql_get(web_server, PLANS),
        sparql_post(web_server, {"query": PLANS}),
        request(
            web_server.url + "sparql",
            data=PLANS.encode(),
            headers={"Content-Type": "application/sparql-query"},
        ),
    ]
    for answer in answers:
        assert answer.status == 200
        assert answer.headers.get_content_type() == "application/sparql-results+json"
        assert answer.headers["X-Rikg-Truncated"] == "false"
        solutions = parse_query_results(answer.body, QueryResultsFormat.JSON)
        assert [solution["plan"].value for solution in solutions] == expected


def test_sparqlwrapper_reads_the_endpoint(web_server: Server, built_store: GraphStore) -> None:
    client = SPARQLWrapper(web_server.url + "sparql")
    client.setQuery(PLANS)
    client.setReturnFormat(JSON)
    client.setMethod(POST)
    document = client.query().convert()
    assert isinstance(document, dict)
    assert [row["plan"]["value"] for row in document["results"]["bindings"]] == _plans(built_store)


@pytest.mark.parametrize(
    ("accept", "results_format"),
    [
        ("application/sparql-results+xml", QueryResultsFormat.XML),
        ("text/tab-separated-values", QueryResultsFormat.TSV),
        ("application/json;q=0.9, image/png;q=0.1", QueryResultsFormat.JSON),
    ],
)
def test_select_results_in_each_format(
    web_server: Server, built_store: GraphStore, accept: str, results_format: QueryResultsFormat
) -> None:
    query = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    PREFIX rikg: <https://w3id.org/rikg/ontology#>
    SELECT ?plan ?label WHERE { ?plan a rikg:MunicipalActionPlan ; skos:prefLabel ?label } ORDER BY ?plan"""
    answer = sparql_get(web_server, query, accept)
    assert answer.status == 200
    expected = built_store.query(query).rows
    solutions = list(parse_query_results(answer.body, results_format))
    assert [(s["plan"], s["label"]) for s in solutions] == [(row["plan"], row["label"]) for row in expected]


def test_csv_results_and_ask(web_server: Server, built_store: GraphStore) -> None:
    answer = sparql_get(web_server, PLANS, "text/csv")
    assert answer.headers.get_content_type() == "text/csv"
    assert answer.text.split("\r\n") == ["plan", *_plans(built_store), ""]
    ask = sparql_get(web_server, "ASK { ?s a <https://w3id.org/rikg/ontology#Measure> }")
    assert ask.json() == {"head": {}, "boolean": True}


def test_construct_in_turtle_and_n_triples(web_server: Server, built_store: GraphStore) -> None:
    pattern = "?plan a <https://w3id.org/rikg/ontology#MunicipalActionPlan>"
    query = f"CONSTRUCT {{ {pattern} }} WHERE {{ {pattern} }}"
    expected = set(built_store.query(query).triples)
    turtle = sparql_get(web_server, query)
    assert turtle.headers.get_content_type() == "text/turtle"
    assert {quad.triple for quad in parse(turtle.body, RdfFormat.TURTLE)} == expected
    ntriples = sparql_post(web_server, {"query": query}, "application/n-triples")
    assert ntriples.headers.get_content_type() == "application/n-triples"
    assert {quad.triple for quad in parse(ntriples.body, RdfFormat.N_TRIPLES)} == expected


def test_an_unwritable_accept_gets_406(web_server: Server) -> None:
    answer = sparql_get(web_server, PLANS, "image/png")
    assert answer.status == 406
    assert "SPARQL JSON" in answer.text


@pytest.mark.parametrize(
    ("fields", "content_type", "body"),
    [
        ({"update": "DROP ALL"}, None, None),
        ({"query": "DROP ALL"}, None, None),
        ({"query": "PREFIX ex: <http://e/> # a comment\nINSERT DATA { ex:a ex:b ex:c }"}, None, None),
        ({"query": "LOAD <http://127.0.0.1:9/x.ttl>"}, None, None),
        (None, "application/sparql-update", "CLEAR ALL"),
        (None, "application/sparql-query", "DELETE WHERE { ?s ?p ?o }"),
    ],
)
def test_updates_are_refused_with_403(
    web_server: Server,
    built_store: GraphStore,
    fields: dict[str, str] | None,
    content_type: str | None,
    body: str | None,
) -> None:
    before = built_store.count()
    if fields is not None:
        answer = sparql_post(web_server, fields)
    else:
        assert content_type is not None and body is not None
        headers = {"Content-Type": content_type}
        answer = request(web_server.url + "sparql", data=body.encode(), headers=headers)
    assert answer.status == 403
    assert "read-only" in answer.text
    assert len(answer.text.strip().splitlines()) == 1
    assert built_store.count() == before


def test_an_update_sent_by_get_is_refused(web_server: Server) -> None:
    answer = request(web_server.url + "sparql?" + urllib.parse.urlencode({"update": "DROP ALL"}))
    assert answer.status == 403


def test_put_and_delete_are_not_allowed(web_server: Server) -> None:
    for method in ("PUT", "DELETE"):
        answer = request(web_server.url + "sparql", data=b"x", method=method)
        assert answer.status == 405
        assert answer.headers["Allow"] == "GET, HEAD, POST"


def test_a_bad_query_is_400_with_one_line(web_server: Server) -> None:
    answer = sparql_get(web_server, "SELECT ?x WHERE { ?x ")
    assert answer.status == 400
    assert answer.text.startswith("rikg: invalid SPARQL")
    assert len(answer.text.strip().splitlines()) == 1
    assert request(web_server.url + "sparql").status == 400


def test_graph_parameters_are_refused_not_ignored(web_server: Server) -> None:
    url = web_server.url + "sparql?" + urllib.parse.urlencode({"query": PLANS, "default-graph-uri": "http://g"})
    answer = request(url)
    assert answer.status == 400
    assert "default-graph-uri" in answer.text


def test_oversized_bodies_and_urls_are_refused(web_server: Server) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_100_000
    answer = sparql_post(web_server, {"query": big})
    assert answer.status == 413
    long_url = web_server.url + "sparql?" + urllib.parse.urlencode({"query": "ASK {} #" + "x" * 9000})
    assert request(long_url).status == 414
    assert sparql_get(web_server, "ASK {}").status == 200  # the server is still there


def test_a_body_without_length_is_refused(web_server: Server) -> None:
    parts = urllib.parse.urlsplit(web_server.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    connection.putrequest("POST", "/sparql")
    connection.putheader("Content-Type", "application/sparql-query")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    connection.send(b"5\r\nASK{}\r\n0\r\n\r\n")
    assert connection.getresponse().status == 411
    connection.close()


def test_other_host_names_are_refused_on_loopback(web_server: Server) -> None:
    answer = request(web_server.url + "sparql?query=ASK%7B%7D", headers={"Host": "attacker.example"})
    assert answer.status == 403
    assert "127.0.0.1 or localhost" in answer.text
    localhost = web_server.url.replace("127.0.0.1", "localhost")
    assert request(localhost + "sparql?query=ASK%7B%7D").status == 200


def test_a_runaway_query_is_stopped_and_the_server_answers_the_next(strict_server: Server) -> None:
    started = time.monotonic()
    answer = sparql_get(strict_server, RUNAWAY)
    assert answer.status == 503
    assert "stopped after 2 s" in answer.text
    assert time.monotonic() - started < 60  # it came back at all (the query alone would run for hours)
    follow_up = sparql_get(strict_server, "ASK { ?s ?p ?o }")
    assert follow_up.status == 200
    assert follow_up.json() == {"head": {}, "boolean": True}
    assert strict_server.process.poll() is None


def test_a_result_over_the_limit_is_cut_and_says_so(strict_server: Server) -> None:
    answer = sparql_get(strict_server, "SELECT ?s WHERE { ?s ?p ?o }")
    assert answer.status == 200
    assert answer.headers["X-Rikg-Truncated"] == "true"
    assert answer.headers["X-Rikg-Row-Limit"] == "5"
    assert len(list(parse_query_results(answer.body, QueryResultsFormat.JSON))) == 5
    small = sparql_get(strict_server, PLANS)
    assert small.headers["X-Rikg-Truncated"] == "false"
    everything = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    construct = sparql_get(strict_server, everything, "application/n-triples")
    assert construct.headers["X-Rikg-Truncated"] == "true"
    assert len(list(parse(construct.body, RdfFormat.N_TRIPLES))) == 5


def test_sparqlwrapper_sees_a_refused_update_as_an_error(web_server: Server) -> None:
    client = SPARQLWrapper(web_server.url + "sparql")
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <http://e/a> <http://e/b> 'x' }")
    with pytest.raises((SPARQLWrapperException, OSError)):
        client.query()


def test_results_keep_plan_text_exactly(web_server: Server, built_store: GraphStore) -> None:
    query = """PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?title WHERE { <https://w3id.org/rikg/id/plan/ruse-2024-2027> dcterms:title ?title }"""
    expected = built_store.query(query).column("title")
    for accept, fmt in (("application/json", QueryResultsFormat.JSON), ("text/xml", QueryResultsFormat.XML)):
        solutions = parse_query_results(sparql_get(web_server, query, accept).body, fmt)
        titles = [solution["title"] for solution in solutions]
        assert titles == expected
        assert all(isinstance(title, Literal) and "РУСЕ" in title.value for title in titles)


def test_a_crashed_worker_is_replaced(strict_server: Server) -> None:
    workers = [
        child
        for child in psutil.Process(strict_server.process.pid).children()
        if "spawn_main" in " ".join(child.cmdline())
    ]
    assert len(workers) == 2
    for worker in workers:
        worker.kill()  # the server reaps them (they stay zombies until it notices)
    answers = [sparql_get(strict_server, "ASK { ?s ?p ?o }") for _ in range(3)]
    assert all(answer.status in (200, 503) for answer in answers)
    assert answers[-1].status == 200
    assert any("restarted" in answer.text for answer in answers if answer.status == 503)
    assert strict_server.process.poll() is None


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?a ?b ?c . service silent <{url}> {{ ?s ?p ?o }} }}",
        "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ],
)
def test_federated_queries_are_refused_and_send_nothing(web_server: Server, template: str) -> None:
    heard: list[str] = []

    class Listener(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            heard.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    listener = HTTPServer(("127.0.0.1", 0), Listener)
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.server_port}/sparql"
        answer = sparql_post(web_server, {"query": template.format(url=url)})
        assert answer.status == 403
        assert "SERVICE" in answer.text
    finally:
        listener.shutdown()
        listener.server_close()
    assert heard == []


def test_the_word_service_elsewhere_is_fine(web_server: Server) -> None:
    query = 'SELECT ?service WHERE { BIND("SERVICE" AS ?service) } # SERVICE <http://e/>'
    answer = sparql_get(web_server, query)
    assert answer.status == 200
    assert answer.json() == {
        "head": {"vars": ["service"]},
        "results": {"bindings": [{"service": {"type": "literal", "value": "SERVICE"}}]},
    }


def test_the_body_limit_follows_the_option(strict_server: Server) -> None:
    padded = "ASK { ?s ?p ?o } #" + "x" * 3000
    assert sparql_post(strict_server, {"query": padded}).status == 200
    refused = sparql_post(strict_server, {"query": padded + "x" * 2000})
    assert refused.status == 413
    assert "over 4096 bytes" in refused.text


def test_other_queries_are_answered_while_one_runs_away(strict_server: Server) -> None:
    finished: list[str] = []

    def runaway() -> None:
        answer = sparql_get(strict_server, RUNAWAY)
        finished.append(f"runaway {answer.status}")

    thread = threading.Thread(target=runaway)
    thread.start()
    try:
        time.sleep(0.3)  # let the runaway take a worker first
        quick = sparql_get(strict_server, "ASK { ?s a <https://w3id.org/rikg/ontology#Measure> }")
        finished.append(f"quick {quick.status}")
    finally:
        thread.join(timeout=60)
    assert finished == ["quick 200", "runaway 503"]
