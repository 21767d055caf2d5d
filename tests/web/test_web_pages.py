"""The pages of ``rikg serve`` over HTTP: catalogue, catalogue queries, downloads, escaping, static files."""

from __future__ import annotations

import html
import re
import urllib.parse

import pytest

from rikg.graph_store.base import GraphStore
from rikg.output import format_result
from rikg.queries.catalogue import get, list_queries
from tests.web.web_helpers import PAYLOAD, Server, request


def _query_url(server: Server, name: str, **values: str) -> str:
    return f"{server.url}query/{name}?" + urllib.parse.urlencode(values)


def _table_rows(page: str) -> int:
    return len(re.findall(r"<tr>", page.split("<tbody>", 1)[1])) if "<tbody>" in page else 0


def test_home_links_every_part(web_server: Server) -> None:
    page = request(web_server.url).text
    for link in ('href="/explore"', 'href="/query"', 'href="/yasgui"'):
        assert link in page


def test_catalogue_lists_every_query_with_its_description_and_parameters(web_server: Server) -> None:
    answer = request(web_server.url + "query")
    assert answer.status == 200
    page = html.unescape(answer.text)
    for query in list_queries():
        assert f'href="/query/{query.name}"' in page
        assert query.title in page
        assert query.description in page
        for parameter in query.parameters:
            assert parameter.description in page


def test_a_query_page_runs_only_when_asked(web_server: Server) -> None:
    form = request(_query_url(web_server, "plan-overview")).text
    assert '<form class="params"' in form and 'name="plan"' in form
    assert "<table" not in form
    ran = request(_query_url(web_server, "plan-overview", run="1"))
    assert ran.status == 200
    assert _table_rows(ran.text) == 4
    assert ran.headers["X-Rikg-Truncated"] == "false"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_downloads_match_the_command_line(web_server: Server, built_store: GraphStore, fmt: str) -> None:
    values = {"area": "id:policy-area/education"}
    answer = request(_query_url(web_server, "measures-per-subgoal", **values, run="1", download=fmt))
    assert answer.status == 200
    assert answer.headers["Content-Disposition"] == f'attachment; filename="measures-per-subgoal.{fmt}"'
    expected = format_result(get("measures-per-subgoal").run(built_store, values), fmt)
    assert answer.text == expected
    assert len(format_result(get("measures-per-subgoal").run(built_store, values), "table").splitlines()) > 3


def test_a_cut_result_says_so_on_the_page_and_in_the_download(strict_server: Server) -> None:
    page = request(_query_url(strict_server, "measures-without-indicators", run="1"))
    assert page.headers["X-Rikg-Truncated"] == "true"
    assert "Only the first 5 rows are shown" in page.text
    assert _table_rows(page.text) == 5
    csv = request(_query_url(strict_server, "measures-without-indicators", download="csv"))
    assert csv.headers["X-Rikg-Truncated"] == "true"
    assert "first-5-rows.csv" in csv.headers["Content-Disposition"]
    assert len(csv.text.splitlines()) == 6


@pytest.mark.parametrize("hostile", ['"> } ; DROP ALL ; #', "<http://x> . ?s ?p ?o", PAYLOAD])
def test_string_parameters_are_bound_as_literals(
    web_server: Server, built_store: GraphStore, hostile: str
) -> None:
    before = built_store.count()
    answer = request(_query_url(web_server, "unresolved-names", kind=hostile, run="1"))
    assert answer.status == 200
    assert _table_rows(answer.text) == 0
    assert len(get("unresolved-names").run(built_store, {"kind": hostile}).rows) == 0
    # the value comes back in the form, escaped
    assert f'value="{html.escape(hostile)}"' in answer.text
    assert "<script>alert(1)" not in answer.text
    assert built_store.count() == before
    matching = request(_query_url(web_server, "unresolved-names", kind="institution", run="1"))
    assert _table_rows(matching.text) > 0  # the same query with a real value finds names


def test_iri_parameters_are_checked_and_bound_as_iris(web_server: Server) -> None:
    pasted = request(_query_url(web_server, "plan-overview", plan="<http://x> . ?s ?p ?o", run="1"))
    assert pasted.status == 400
    assert "is not an IRI" in html.unescape(pasted.text)
    script = request(_query_url(web_server, "plan-overview", plan="<img src=x onerror=alert(1)>", run="1"))
    assert script.status == 400
    assert "<img src=x" not in script.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in script.text
    unknown_plan = request(_query_url(web_server, "plan-overview", plan="<http://x>", run="1"))
    assert unknown_plan.status == 200 and _table_rows(unknown_plan.text) == 0
    one_plan = request(_query_url(web_server, "plan-overview", plan="id:plan/ruse-2024-2027", run="1"))
    assert _table_rows(one_plan.text) == 1


def test_unknown_queries_and_parameters_are_named(web_server: Server) -> None:
    missing = request(web_server.url + "query/plan-overveiw")
    assert missing.status == 404
    assert "plan-overview" in missing.text
    wrong = request(_query_url(web_server, "plan-overview", plann="x", run="1"))
    assert wrong.status == 400
    assert "unknown parameter" in html.unescape(wrong.text)
    bad_format = request(_query_url(web_server, "plan-overview", download="xlsx"))
    assert bad_format.status == 400


def test_plan_text_in_result_tables_is_escaped(xss_server: Server) -> None:
    values = {"plan": "id:plan/kyustendil-2022-2024", "run": "1"}
    page = request(_query_url(xss_server, "measures-without-indicators", **values)).text
    assert "onmouseover" in page
    assert '" onmouseover="' not in page
    assert "&quot; onmouseover=&quot;alert(3)" in page


def test_static_files_stay_inside_the_static_folder(web_server: Server) -> None:
    assert request(web_server.url + "static/rikg.css").status == 200
    script = request(web_server.url + "static/yasgui/yasgui.min.js")
    assert script.status == 200
    assert script.headers.get_content_type() == "text/javascript"
    for path in ("static/../server.py", "static/%2e%2e/server.py", "static/.hidden", "static/", "nowhere"):
        assert request(web_server.url + path).status == 404


def test_pages_forbid_inline_and_foreign_scripts(web_server: Server) -> None:
    answer = request(web_server.url + "yasgui")
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in answer.text  # only <script src=...> from this server


def test_head_answers_without_a_body(web_server: Server) -> None:
    answer = request(web_server.url + "query", method="HEAD")
    assert answer.status == 200
    assert answer.body == b""
    assert int(answer.headers["Content-Length"]) > 0
