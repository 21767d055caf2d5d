"""The explorer page in headless Debian Chromium: draws, searches, filters, shows sources; offline, inert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rikg.build import build
from rikg.config import bundled_plans_dir
from rikg.explorer import ExplorerView, ViewEdge, ViewNode, build_view, render_page
from rikg.explorer.view import SourceText
from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore
from rikg.ontology.vocab import ID_NS
from tests.browser import WatchedPage

RUSE = f"{ID_NS}plan/ruse-2024-2027"
BLAGOEVGRAD = f"{ID_NS}plan/blagoevgrad-2024-2027"
PLAN_KINDS = {"plan", "summary", "objective", "measure", "activity"}
EVIL_PLAN_TEXT = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
HIDDEN_IDS = "rikgExplorer.nodes.get({filter: function (n) { return n.hidden === true; }}).map(n => n.id)"
DRAWN_PIXELS = """() => {
    const canvas = document.querySelector('#graph canvas');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let drawn = 0;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { drawn += 1; } }
    return drawn;
}"""


def open_page(watched: WatchedPage, view: ExplorerView, folder: Path) -> None:
    """Write the page, open it as a file: URL and wait until it has drawn and the network is idle."""
    path = folder / "explorer.html"
    path.write_text(render_page(view), encoding="utf-8")
    watched.page.goto(path.as_uri())
    watched.page.wait_for_selector("body[data-ready=true]", timeout=20000)
    watched.settle()


def click_node(watched: WatchedPage, iri: str) -> None:
    """Bring the node to the middle of the graph and click it with the mouse."""
    watched.page.evaluate(
        "(id) => rikgExplorer.network.moveTo({position: rikgExplorer.network.getPosition(id), scale: 1.5,"
        " animation: false})",
        iri,
    )
    box = watched.page.locator("#graph").bounding_box()
    assert box is not None
    watched.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.fixture(scope="module")
def default_view(built_store: GraphStore) -> ExplorerView:
    return build_view(built_store)


def test_the_page_draws_every_node_offline(
    browser_page: WatchedPage, default_view: ExplorerView, tmp_path: Path
) -> None:
    open_page(browser_page, default_view, tmp_path)
    page = browser_page.page
    assert page.evaluate("rikgExplorer.nodes.length") == len(default_view.nodes)
    assert page.evaluate("Object.keys(rikgExplorer.network.getPositions()).length") == len(default_view.nodes)
    assert page.evaluate(DRAWN_PIXELS) > 5000
    assert page.locator("#legend-items li").count() == len({node.kind for node in default_view.nodes})
    assert page.inner_text("#count").startswith(f"{len(default_view.nodes)} of {len(default_view.nodes)}")
    browser_page.assert_clean()


def test_search_finds_cyrillic_labels_from_cyrillic_and_latin_input(
    browser_page: WatchedPage, default_view: ExplorerView, tmp_path: Path
) -> None:
    open_page(browser_page, default_view, tmp_path)
    page = browser_page.page
    expected = {node.label for node in default_view.nodes if "образователни медиатори" in node.label.lower()}
    assert expected
    for query in ("Образователни МЕДИАТОРИ", "obrazovatelni mediatori"):
        page.fill("#search", query)
        found = set(page.locator("#results button .label").all_text_contents())
        assert {label.split(" ", 1)[1] if label[0].isdigit() else label for label in found} >= expected, query
        selected = page.evaluate("rikgExplorer.network.getSelectedNodes().length")
        assert selected == len(found)
    page.fill("#search", "zzzz-nothing")
    assert page.inner_text("#results") == "nothing found"
    browser_page.assert_clean()


def test_filters_hide_the_right_nodes(
    browser_page: WatchedPage, default_view: ExplorerView, tmp_path: Path
) -> None:
    open_page(browser_page, default_view, tmp_path)
    page = browser_page.page
    page.select_option("#filter-plan", RUSE)
    hidden = set(page.evaluate(HIDDEN_IDS))
    assert hidden == {node.iri for node in default_view.nodes
                      if node.kind in PLAN_KINDS and node.plan != RUSE}
    assert page.inner_text("#count").startswith(f"{len(default_view.nodes) - len(hidden)} of ")
    ruo = f"{ID_NS}institution/ruo"
    page.select_option("#filter-plan", "")
    page.select_option("#filter-institution", ruo)
    hidden = set(page.evaluate(HIDDEN_IDS))
    assert hidden == {node.iri for node in default_view.nodes
                      if node.kind == "measure" and ruo not in node.institutions}
    page.click("#reset")
    assert page.evaluate(HIDDEN_IDS) == []
    browser_page.assert_clean()


def test_clicking_shows_the_source_line_and_the_alignment_confidence(
    browser_page: WatchedPage, built_store: GraphStore, tmp_path: Path
) -> None:
    view = build_view(built_store, plan="blagoevgrad-2024-2027")
    measure = next(node for node in view.nodes if node.kind == "measure" and node.code == "1.4")
    assert measure.source is not None and measure.source.text
    open_page(browser_page, view, tmp_path)
    click_node(browser_page, measure.iri)
    page = browser_page.page
    info = page.inner_text("#info")
    source = measure.source
    assert measure.label in info and measure.iri in info
    assert f"{source.file}, lines {source.line_start}–{source.line_end}" in info
    assert page.locator("#info pre.source").text_content() == source.text
    assert "РУО" in info and "rikg trace " + measure.iri in info
    aligned = next(edge for edge in view.edges
                   if edge.relation == "alignedWith" and edge.confidence is not None)
    target = next(node for node in view.nodes if node.iri == aligned.target)
    click_node(browser_page, aligned.source)
    links = page.locator("#info ul.links li").all_text_contents()
    expected = f"alignedWith → {target.code + ' ' if target.code else ''}{target.label}"
    expected += f" (confidence {aligned.confidence:.2f}, {aligned.method})"
    assert expected in links
    browser_page.assert_clean()


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """A store built from a copy of the Blagoevgrad plan whose measure 1.4 carries markup and script."""
    folder = tmp_path_factory.mktemp("evil-plan")
    original = bundled_plans_dir() / "000_ac6471d0a6c93028.txt"
    text = original.read_text(encoding="utf-8")
    cell = "1.4.Провеждане на обучения за образователни"
    assert text.count(cell) == 1
    (folder / "plans").mkdir()
    (folder / "plans" / original.name).write_text(
        text.replace(cell, f"1.4.Провеждане {EVIL_PLAN_TEXT} на обучения за образователни"), encoding="utf-8"
    )
    report = build(folder / "plans", folder / "store")
    assert report.ok
    with open_store(str(folder / "store"), read_only=True) as store:
        yield store


def test_script_in_plan_text_stays_inert(
    browser_page: WatchedPage, evil_store: GraphStore, tmp_path: Path
) -> None:
    view = build_view(evil_store, plan="blagoevgrad-2024-2027")
    measure = next(node for node in view.nodes if node.source and EVIL_PLAN_TEXT in (node.source.text or ""))
    open_page(browser_page, view, tmp_path)
    click_node(browser_page, measure.iri)
    page = browser_page.page
    assert EVIL_PLAN_TEXT in (page.locator("#info pre.source").text_content() or "")
    assert page.evaluate("window.pwned === undefined && document.images.length === 0")
    assert page.evaluate("document.scripts.length") == 3
    browser_page.assert_clean()


def test_markup_in_labels_and_tooltips_stays_text(browser_page: WatchedPage, tmp_path: Path) -> None:
    plan = f"{ID_NS}plan/evil-2024-2027"
    label = 'Мярка <img src=x onerror="window.pwned=3"><b>удебелено</b>'
    measure = ViewNode(f"{plan}/education/measure/1.1", "measure", label, code="1.1", plan=plan,
                       document=plan, institutions=[label], source=SourceText("evil.txt", 1, 1, label))
    view = ExplorerView(nodes=[ViewNode(plan, "plan", "План"), measure],
                        edges=[ViewEdge(measure.iri, plan, "inDocument")], names={label: label})
    open_page(browser_page, view, tmp_path)
    page = browser_page.page
    click_node(browser_page, measure.iri)
    page.mouse.move(10, 10)
    box = page.locator("#graph").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert label in (tooltip.text_content() or "")
    page.fill("#search", "удебелено")
    assert label in page.inner_text("#results")
    assert "<b>" in page.inner_text("#info h3")
    assert page.evaluate("window.pwned === undefined && document.images.length === 0")
    assert page.locator("#info b, #results b, div.vis-tooltip b").count() == 0
    browser_page.assert_clean()

