"""Fixtures of the web-app tests: real ``rikg serve`` processes on loopback.

* ``web_server``: the built store with the default limits (session-wide).
* ``strict_server``: the built store with ``--timeout 2 --limit 5 --max-request-bytes 4096``
  (runaway queries, cut results, small bodies).
* ``xss_store`` / ``xss_server``: a store built from a copy of the Kyustendil plan whose first
  culture measure starts with script and HTML payloads (``PAYLOAD``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rikg.build import build
from rikg.config import bundled_plans_dir
from tests.web.web_helpers import (
    PAYLOAD,
    XSS_MEASURE_START,
    XSS_PLAN_FILE,
    Server,
    start_server,
    stop_server,
)


@pytest.fixture(scope="session")
def web_server(built_store_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``rikg serve`` over the built store with the default timeout and limit."""
    server = start_server(built_store_path, tmp_path_factory.mktemp("serve") / "serve.log")
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def strict_server(built_store_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``rikg serve --timeout 2 --limit 5 --workers 2 --max-request-bytes 4096`` over the built store."""
    log = tmp_path_factory.mktemp("serve-strict") / "serve.log"
    options = ("--timeout", "2", "--limit", "5", "--workers", "2", "--max-request-bytes", "4096")
    server = start_server(built_store_path, log, *options)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def xss_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store built from the Kyustendil plan with ``PAYLOAD`` written into a measure's text."""
    folder = tmp_path_factory.mktemp("xss")
    plans = folder / "plans"
    plans.mkdir()
    text = (bundled_plans_dir() / XSS_PLAN_FILE).read_text(encoding="utf-8")
    assert text.count(XSS_MEASURE_START) == 1
    changed = text.replace(XSS_MEASURE_START, "1." + PAYLOAD + XSS_MEASURE_START.removeprefix("1."))
    (plans / XSS_PLAN_FILE).write_text(changed, encoding="utf-8")
    report = build(plans, folder / "store")
    assert report.ok, report.errors
    return str(folder / "store")


@pytest.fixture(scope="session")
def xss_server(xss_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``rikg serve`` over the store with payloads in plan text."""
    server = start_server(xss_store, tmp_path_factory.mktemp("serve-xss") / "serve.log")
    yield server
    stop_server(server)
