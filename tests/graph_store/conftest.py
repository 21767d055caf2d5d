"""Fixtures: a real Oxigraph server on loopback, a ``store`` of each backend, and a meddling proxy.

The proxy stands between the client and the Oxigraph server to imitate what
other servers do: cut SELECT results at a row cap (Virtuoso), or run only the
first operation of an update and then fail (a server without transactions).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from store_helpers import Proxy

from rikg.graph_store import GraphStore, open_store
from tests.oxigraph_server import oxigraph_server

BACKENDS = ["embedded", "remote"]


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a real ``oxigraph serve`` process on a free loopback port, stopped after the session."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


def wipe(url: str) -> None:
    """Empty the server's whole dataset (staging graphs included)."""
    headers = {"Content-Type": "application/sparql-update"}
    request = urllib.request.Request(f"{url}/update", data=b"DROP ALL", method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.fixture
def make_store(tmp_path: Path, oxigraph_url: str) -> Iterator[Callable[..., GraphStore]]:
    """``make_store(backend, **options)``: a fresh, empty store of that backend (closed afterwards)."""
    opened: list[GraphStore] = []
    wipe(oxigraph_url)

    def make(backend: str, **options: object) -> GraphStore:
        location = str(tmp_path / f"store-{len(opened)}") if backend == "embedded" else oxigraph_url
        store = open_store(location, **options)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, make_store: Callable[..., GraphStore]) -> GraphStore:
    """An empty store of each backend; every test using it runs on both."""
    return make_store(request.param)


def _handler(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
            proxy.authorizations.append(self.headers.get("Authorization", ""))
            proxy.methods.append(self.command)
            failing = False
            if proxy.fail_after_first_update_operation and body and b"MOVE" in body:
                body = body.split(b" ;\n")[0]
                failing = True
            headers = {k: v for k, v in self.headers.items() if k.lower() in {"content-type", "accept"}}
            request = urllib.request.Request(proxy.target + self.path, data=body, method=self.command,
                                             headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, data = response.status, response.read()
                    media = response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as error:
                status, media, data = error.code, error.headers.get("Content-Type", ""), error.read()
            if failing:
                status, media, data = 500, "text/plain", b"simulated failure after the first operation"
            if "sparql-results+json" in media:
                data = self._cut(data)
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _cut(self, data: bytes) -> bytes:
            answer = json.loads(data)
            if "results" in answer:
                if proxy.row_cap is not None:
                    answer["results"]["bindings"] = answer["results"]["bindings"][: proxy.row_cap]
                proxy.select_requests.append(len(answer["results"]["bindings"]))
            return json.dumps(answer).encode()

        do_GET = do_POST = do_PUT = _relay

    return Forward


@pytest.fixture
def proxy(oxigraph_url: str) -> Iterator[Proxy]:
    """A proxy to the Oxigraph server on another loopback port."""
    settings = Proxy(target=oxigraph_url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(settings))
    settings.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield settings
    finally:
        server.shutdown()
        server.server_close()
