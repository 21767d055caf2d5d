"""Headless Debian Chromium driven by Playwright, for the explorer and web-app tests.

Chromium comes from Debian (``scripts/install-system-deps.sh``), never from
``playwright install``. The fixtures in ``conftest.py`` hand tests a
:class:`WatchedPage`: a page that records console errors, page errors and
every request that would leave the machine (all such requests are aborted,
so a test can assert that the page needed none of them).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Playwright, Route

# Without the background-networking flags Chromium keeps calling Google's hosts,
# which this closed network refuses; those refusals would read as page errors.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


def chromium_path() -> str | None:
    """Path of the system Chromium, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright: Playwright) -> Browser:
    """Start headless system Chromium."""
    path = chromium_path()
    if path is None:
        raise RuntimeError("chromium is not installed (run: make system-deps)")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)


def is_local(url: str) -> bool:
    """True for file:, data:, blob:, about: URLs and http(s) URLs on loopback."""
    parts = urlsplit(url)
    if parts.scheme in {"file", "data", "blob", "about"}:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class WatchedPage:
    """A page plus what it did wrong: console errors, uncaught errors, requests off the machine."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def settle(self) -> None:
        """Wait until the network has been idle (a bare screenshot catches loading bars)."""
        self.page.wait_for_load_state("networkidle")

    def assert_clean(self) -> None:
        """No console error, no uncaught error, no request that left the machine."""
        assert not self.external_requests, f"requests left the machine: {self.external_requests}"
        assert not self.page_errors, f"uncaught page errors: {self.page_errors}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


@contextmanager
def watched_page(browser: Browser) -> Iterator[WatchedPage]:
    """A fresh context and page whose off-machine requests are aborted and recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    watched = WatchedPage(page)

    def guard(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            watched.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page.on("console", lambda msg: watched.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    try:
        yield watched
    finally:
        context.close()
