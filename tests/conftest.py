"""Shared fixtures of the rikg test suite.

Built store (session-scoped, built once per test run; stable — other test
modules rely on these names):

* ``built_store_path`` (``str``): path of an embedded store holding the
  ontology, the reference data and the four bundled plans, built by
  :func:`rikg.build.build` into a temporary folder. Pass it as ``--store`` to
  the command line (``rikg.cli.main([... "--store", built_store_path])``).
* ``built_store`` (:class:`~rikg.graph_store.base.GraphStore`): that store,
  opened read-only and shared by every test of the session.
* ``built_store_report`` (:class:`~rikg.quality.BuildReport`): what the build
  reported (per-plan counts, unresolved names, unparsed fragments).
* ``bundled_plans`` (``list[PlanDocument]``): the loader's records of the
  bundled plans, to compare the graph with.

Never write to the built store (no ``replace_graphs``, no ``rikg build`` or
``rikg import`` against it): every other test reads it. A test that needs to
write builds its own store under ``tmp_path``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from rikg.build import build
from rikg.config import bundled_plans_dir
from rikg.errors import PlanError
from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore
from rikg.loaders.plan import load_plans
from rikg.loaders.records import PlanDocument
from rikg.quality import BuildReport
from tests.browser import WatchedPage, launch, watched_page
from tests.oxigraph_server import oxigraph_server


@pytest.fixture(scope="session")
def built_store_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, BuildReport]:
    """The bundled plans built once into a temporary embedded store: (path, report)."""
    path = tmp_path_factory.mktemp("built-store") / "store"
    report = build(bundled_plans_dir(), path)
    if not report.ok:
        problems = "; ".join(f"{error.file}: {error.reason}" for error in report.errors)
        pytest.fail(f"the bundled plans must all load: {problems}")
    return str(path), report


@pytest.fixture(scope="session")
def built_store_path(built_store_build: tuple[str, BuildReport]) -> str:
    """Path of the session's built store (read it only)."""
    return built_store_build[0]


@pytest.fixture(scope="session")
def built_store_report(built_store_build: tuple[str, BuildReport]) -> BuildReport:
    """The build report of the session's built store."""
    return built_store_build[1]


@pytest.fixture(scope="session")
def built_store(built_store_path: str) -> Iterator[GraphStore]:
    """The session's built store, opened read-only and shared."""
    store = open_store(built_store_path, read_only=True)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(scope="session")
def built_store_server(built_store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a real ``oxigraph serve`` on loopback holding an export of the built store (read it only)."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-built")) as url:
        with open_store(url) as remote:
            remote.import_data(built_store.export("nq"), "nq")
        yield url


@pytest.fixture(scope="session")
def bundled_plans() -> list[PlanDocument]:
    """The loader's records of every bundled plan (all of them must load)."""
    loaded = load_plans(Path(bundled_plans_dir()))
    errors = [item for item in loaded if isinstance(item, PlanError)]
    assert not errors, errors
    return [item for item in loaded if isinstance(item, PlanDocument)]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium for the whole session (see ``tests/browser.py``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Browser) -> Iterator[WatchedPage]:
    """A fresh page that records console errors and aborts requests leaving the machine."""
    with watched_page(chromium) as page:
        yield page
