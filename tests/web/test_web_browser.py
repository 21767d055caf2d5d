"""``rikg serve`` in headless Debian Chromium: query page, downloads, YASGUI, explorer, hostile plan text.

Every page must load with no console error, no uncaught error and no request
leaving the machine (``browser_page`` aborts and records those), and no plan
text may ever open a dialog.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, Route

from rikg.graph_store.base import GraphStore
from rikg.output import format_result
from rikg.queries.catalogue import get
from tests.browser import WatchedPage
from tests.web.web_helpers import PAYLOAD, XSS_MEASURE, Server, request

PLANS = """PREFIX rikg: <https://w3id.org/rikg/ontology#>
SELECT ?plan WHERE { ?plan a rikg:MunicipalActionPlan } ORDER BY ?plan"""


@pytest.fixture
def dialogs(browser_page: WatchedPage) -> Iterator[list[str]]:
    """Messages of every dialog (alert, confirm, prompt) the page opens; each is dismissed."""
    opened: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    browser_page.page.on("dialog", dismiss)
    yield opened


def _run_in_yasgui(page: Page, server: Server, query: str) -> None:
    page.goto(server.url + "yasgui")
    page.wait_for_function("window.rikgYasgui && document.querySelector('.yasqe .CodeMirror')")
    page.evaluate("query => window.rikgYasgui.getTab().getYasqe().setValue(query)", query)
    with page.expect_response(lambda response: response.url == server.url + "sparql") as answer:
        page.click(".yasqe_queryButton")
    assert answer.value.status == 200
    page.wait_for_selector(".yasr table.dataTable tbody tr")


def test_query_page_runs_a_catalogue_query(browser_page: WatchedPage, web_server: Server) -> None:
    page = browser_page.page
    page.goto(web_server.url + "query")
    page.click('a[href="/query/plan-overview"]')
    page.fill("#p-plan", "id:plan/ruse-2024-2027")
    page.click("button[name=run]")
    page.wait_for_selector("table.results tbody tr")
    assert page.locator("table.results tbody tr").count() == 1
    assert "id:plan/ruse-2024-2027" in page.inner_text("table.results")
    assert page.inner_text("p.count") == "1 row"
    browser_page.settle()
    browser_page.assert_clean()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_download_links_give_csv_and_json(
    browser_page: WatchedPage, web_server: Server, built_store: GraphStore, fmt: str
) -> None:
    page = browser_page.page
    values = {"area": "id:policy-area/health", "run": "1"}
    page.goto(f"{web_server.url}query/measures-per-subgoal?" + urllib.parse.urlencode(values))
    with page.expect_download() as download_info:
        page.click(f"text=Download {fmt.upper()}")
    download = download_info.value
    assert download.suggested_filename == f"measures-per-subgoal.{fmt}"
    content = Path(download.path()).read_bytes().decode("utf-8")
    query = get("measures-per-subgoal")
    assert content == format_result(query.run(built_store, {"area": "id:policy-area/health"}), fmt)
    if fmt == "json":
        assert json.loads(content)["head"]["vars"][0] == "municipality"
    browser_page.assert_clean()


def test_yasgui_runs_a_query_against_the_endpoint(
    browser_page: WatchedPage, web_server: Server, built_store: GraphStore
) -> None:
    page = browser_page.page
    _run_in_yasgui(page, web_server, PLANS)
    rows = page.locator(".yasr table.dataTable tbody tr")
    assert rows.count() == 4
    table = page.inner_text(".yasr table.dataTable")
    for term in built_store.query(PLANS).column("plan"):
        assert term is not None and term.value.rsplit("/", 1)[-1] in table
    browser_page.settle()
    browser_page.assert_clean()


def test_explorer_page_loads_offline(browser_page: WatchedPage, web_server: Server) -> None:
    page = browser_page.page
    page.goto(web_server.url + "explore?plan=ruse-2024-2027")
    page.wait_for_selector("#graph canvas")
    assert "ruse" in page.title().lower() or "русе" in page.title().lower()
    browser_page.settle()
    browser_page.assert_clean()
    missing = request(web_server.url + "explore?focus=id:nothing/here")
    assert missing.status == 400
    assert "no node" in missing.text


def test_plan_text_in_the_query_page_stays_text(
    browser_page: WatchedPage, dialogs: list[str], xss_server: Server
) -> None:
    page = browser_page.page
    values = {"plan": "id:plan/kyustendil-2022-2024", "run": "1"}
    page.goto(f"{xss_server.url}query/measures-without-indicators?" + urllib.parse.urlencode(values))
    page.wait_for_selector("table.results tbody tr")
    assert '" onmouseover="alert(3)' in page.inner_text("table.results")
    page.hover("table.results tbody tr td >> nth=1")
    reflected = {"kind": PAYLOAD, "run": "1"}
    page.goto(f"{xss_server.url}query/unresolved-names?" + urllib.parse.urlencode(reflected))
    assert page.input_value("#p-kind") == PAYLOAD
    refused = {"plan": "<img src=x onerror=alert(1)>", "run": "1"}
    page.goto(f"{xss_server.url}query/plan-overview?" + urllib.parse.urlencode(refused))
    assert "<img src=x onerror=alert(1)>" in page.inner_text("p.error")
    assert dialogs == []
    assert not browser_page.page_errors and not browser_page.external_requests


def test_plan_text_in_yasgui_results_stays_text(
    browser_page: WatchedPage, dialogs: list[str], xss_server: Server
) -> None:
    """YASGUI escapes literals itself: checked with the server's Content-Security-Policy taken off.

    (With the policy on, an injected handler could not run anyway; and Chromium reports the
    policy for handlers that YASGUI's sanitiser only parses in an inert document.)
    """
    page = browser_page.page

    def without_policy(route: Route) -> None:
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-security-policy"}
        route.fulfill(response=response, headers=headers)

    page.route(xss_server.url + "yasgui", without_policy)
    query = """PREFIX rikg: <https://w3id.org/rikg/ontology#>
    SELECT ?text WHERE { ?span rikg:sourceText ?text FILTER(CONTAINS(?text, "onerror")) }"""
    _run_in_yasgui(page, xss_server, query)
    shown = page.inner_text(".yasr table.dataTable")
    assert "</script><script>alert(1)</script> <img src=x onerror=alert(1)>" in shown
    page.wait_for_timeout(300)  # an injected <img onerror> would fire as soon as its load fails
    assert page.locator(".yasr img").count() == 0
    assert dialogs == []
    browser_page.assert_clean()


def test_plan_text_in_the_explorer_stays_text(
    browser_page: WatchedPage, dialogs: list[str], xss_server: Server
) -> None:
    page = browser_page.page
    page.goto(xss_server.url + "explore?" + urllib.parse.urlencode({"focus": XSS_MEASURE}))
    page.wait_for_selector("#graph canvas")
    data = page.evaluate("JSON.parse(document.getElementById('rikg-data').textContent)")
    assert "onmouseover" in json.dumps(data, ensure_ascii=False)
    page.wait_for_timeout(300)
    assert dialogs == []
    browser_page.assert_clean()


def test_the_page_can_query_the_endpoint_but_not_update_it(
    browser_page: WatchedPage, web_server: Server
) -> None:
    page = browser_page.page
    page.goto(web_server.url)
    answer = page.evaluate(
        """async query => {
            const response = await fetch("/sparql?" + new URLSearchParams({query}),
                                         {headers: {Accept: "application/sparql-results+json"}});
            return [response.status, await response.json()];
        }""",
        PLANS,
    )
    assert answer[0] == 200
    assert len(answer[1]["results"]["bindings"]) == 4
    refused = page.evaluate(
        """async () => {
            const body = new URLSearchParams({update: "DROP ALL"});
            const response = await fetch("/sparql", {method: "POST", body});
            return [response.status, await response.text()];
        }"""
    )
    assert refused[0] == 403
    assert "read-only" in refused[1]
    assert not browser_page.external_requests and not browser_page.page_errors


def test_yasgui_says_when_the_result_was_cut(browser_page: WatchedPage, strict_server: Server) -> None:
    page = browser_page.page
    _run_in_yasgui(page, strict_server, "SELECT ?s WHERE { ?s ?p ?o }")
    page.wait_for_selector("#truncated:not([hidden])")
    assert "Only the first 5 rows are shown" in page.inner_text("#truncated")
    assert page.locator(".yasr table.dataTable tbody tr").count() == 5
    page.evaluate("query => window.rikgYasgui.getTab().getYasqe().setValue(query)", PLANS)
    page.click(".yasqe_queryButton")
    page.wait_for_selector("#truncated[hidden]", state="attached")
    browser_page.assert_clean()
