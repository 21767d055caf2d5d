"""The explorer page as HTML: self-contained, plan text embedded inertly; and the ``rikg explore`` command."""

from __future__ import annotations

import argparse
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rikg.cli import main
from rikg.commands import explore
from rikg.explorer import ExplorerView, ViewEdge, ViewNode, build_view, render_page
from rikg.explorer.view import SourceText
from rikg.graph_store.base import GraphStore

EVIL = "</script><script>alert(1)</script><img src=x onerror=alert(2)> <!-- \u2028\u2029 & </style>"
PLAN = "https://w3id.org/rikg/id/plan/evil-2024-2027"


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each script and style element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open = tag
            if tag == "script":
                self.scripts.append((dict(attrs), ""))
            else:
                self.styles.append("")

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        elif self._open == "style":
            self.styles[-1] += data


def parse(html: str) -> Elements:
    elements = Elements()
    elements.feed(html)
    return elements


def evil_view() -> ExplorerView:
    plan = ViewNode(PLAN, "plan", "План " + EVIL)
    measure = ViewNode(
        PLAN + "/education/measure/1.1", "measure", EVIL, code="1.1", plan=PLAN, document=PLAN,
        source=SourceText("evil.txt", 3, 4, "1.1. " + EVIL),
    )
    return ExplorerView(nodes=[plan, measure], edges=[ViewEdge(measure.iri, PLAN, "inDocument")],
                        names={PLAN: EVIL})


def assert_self_contained(html: str) -> None:
    elements = parse(html)
    for tag, attrs in elements.tags:
        assert tag not in ("link", "iframe", "object", "embed", "base"), tag
        assert not any(name in ("src", "href", "srcset") for name in attrs), (tag, attrs)
    for style in elements.styles:
        assert "@import" not in style
        urls = re.findall(r"url\(\s*([^)]*)", style)
        assert all(url.strip("'\"").startswith("data:") for url in urls)
    policy = next(attrs["content"] for tag, attrs in elements.tags
                  if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy")
    assert policy and "default-src 'none'" in policy and "connect-src 'none'" in policy


def test_the_page_loads_nothing_from_anywhere(built_store: GraphStore) -> None:
    html = render_page(build_view(built_store))
    assert_self_contained(html)
    scripts = parse(html).scripts
    assert [attrs.get("type") for attrs, _ in scripts] == ["application/json", None, None]
    assert "vis-network" in scripts[1][1][:400] and "@version 9.1.2" in scripts[1][1][:400]


def test_plan_text_stays_text_in_the_script_context() -> None:
    html = render_page(evil_view())
    assert_self_contained(html)
    elements = parse(html)
    assert len(elements.scripts) == 3, "plan text opened or closed a script element"
    assert html.count("</script>") == 3
    assert not any(tag == "img" for tag, _ in elements.tags)
    assert "\u2028" not in elements.scripts[0][1] and "\u2029" not in elements.scripts[0][1]
    data = json.loads(elements.scripts[0][1])
    measure = next(node for node in data["nodes"] if node["kind"] == "measure")
    assert measure["label"] == EVIL and measure["source"]["text"] == "1.1. " + EVIL
    assert data["names"][PLAN] == EVIL


def test_the_title_is_escaped_as_html() -> None:
    html = render_page(evil_view(), title="<b>Русе</b>")
    assert "<title>&lt;b&gt;Русе&lt;/b&gt;</title>" in html


def test_explore_command_writes_the_page_and_prints_its_path(
    built_store_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pages" / "ruse.html"
    status = main(["explore", "--store", built_store_path, "--out", str(out),
                   "--focus", "id:plan/ruse-2024-2027"])
    captured = capsys.readouterr()
    assert status == 0 and captured.out == f"{out}\n"
    html = out.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert "ruse-2024-2027" in parse(html).scripts[0][1]


def test_explore_with_an_unknown_focus_is_one_line(
    built_store_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.html"
    status = main(["explore", "--store", built_store_path, "--out", str(out), "--focus", "id:plan/nowhere"])
    captured = capsys.readouterr()
    assert status == 1 and captured.out == "" and not out.exists()
    assert captured.err.strip().count("\n") == 0
    assert "no node https://w3id.org/rikg/id/plan/nowhere" in captured.err


def test_explore_run_takes_plan_institution_and_max_nodes(
    built_store_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # rikg.commands.explore reads these options when the parser has them (see docs/explorer.md).
    out = tmp_path / "ruo.html"
    args = argparse.Namespace(store=built_store_path, out=str(out), focus=None, plan="ruse-2024-2027",
                              institution="ruo", max_nodes=20)
    assert explore.run(args) == 0
    assert capsys.readouterr().out == f"{out}\n"
    data = json.loads(parse(out.read_text(encoding="utf-8")).scripts[0][1])
    assert len(data["nodes"]) == 20 and data["notice"].startswith("Showing 20 of ")
    assert data["focus"] == "https://w3id.org/rikg/id/institution/ruo"
