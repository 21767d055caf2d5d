"""The browser harness itself: it must catch what the explorer and web-app tests assert against."""

from __future__ import annotations

from tests.browser import WatchedPage, is_local


def test_loopback_and_inline_urls_are_local() -> None:
    assert is_local("http://127.0.0.1:8765/sparql")
    assert is_local("file:///tmp/explorer.html")
    assert is_local("data:text/html,hi")
    assert not is_local("https://cdn.jsdelivr.net/npm/vis-network/standalone/umd/vis-network.min.js")
    assert not is_local("http://10.0.0.1/")


def test_a_page_that_calls_a_cdn_and_logs_an_error_is_caught(browser_page: WatchedPage) -> None:
    html = (
        "<html><head><script src='https://cdn.example.org/lib.js'></script></head>"
        "<body><p id='t'>Русе</p><script>console.error('boom')</script></body></html>"
    )
    browser_page.page.set_content(html)
    browser_page.settle()
    assert browser_page.page.inner_text("#t") == "Русе"
    assert browser_page.external_requests == ["https://cdn.example.org/lib.js"]
    assert any("boom" in message for message in browser_page.console_errors)
