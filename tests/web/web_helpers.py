"""Helpers of the web-app tests: start and stop a real ``rikg serve``, send HTTP requests.

Each server is ``python -m rikg serve --port 0``: it prints its URL, which
:func:`start_server` reads, then waits until the start page answers.
"""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

PAYLOAD = '</script><script>alert(1)</script> <img src=x onerror=alert(1)> " onmouseover="alert(3) '
XSS_PLAN_FILE = "001_2ecf4836e184dbdf.txt"
XSS_MEASURE_START = "1.Подкрепа на творчески проекти в областта на сценичните изкуства"
XSS_MEASURE = "https://w3id.org/rikg/id/plan/kyustendil-2022-2024/culture/measure/1"


@dataclass
class Server:
    """A running ``rikg serve``: its base URL (ending in ``/``), process and log file."""

    url: str
    process: subprocess.Popen[str]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Reply:
    """An HTTP answer: status, headers and body."""

    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> object:
        return json.loads(self.body)


def request(
    url: str,
    *,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    method: str | None = None,
    timeout: float = 30,
) -> Reply:
    """One HTTP request; error statuses come back as a ``Reply`` too."""
    prepared = urllib.request.Request(url, data=data, headers=dict(headers or {}), method=method)
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as answer:
            return Reply(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read())


def sparql_get(server: Server, query: str, accept: str | None = None) -> Reply:
    """``GET /sparql?query=...``."""
    headers = {"Accept": accept} if accept else {}
    return request(server.url + "sparql?" + urllib.parse.urlencode({"query": query}), headers=headers)


def sparql_post(server: Server, fields: Mapping[str, str], accept: str | None = None) -> Reply:
    """``POST /sparql`` as an HTML form."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept:
        headers["Accept"] = accept
    return request(server.url + "sparql", data=urllib.parse.urlencode(fields).encode(), headers=headers)


def _read_url(process: subprocess.Popen[str], log: Path, deadline: float) -> str:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        if selector.select(timeout=0.1):
            line = process.stdout.readline().strip()
            if line.startswith("http://"):
                return line
        if process.poll() is not None:
            break
    pytest.fail(f"rikg serve printed no URL: {log.read_text(encoding='utf-8', errors='replace')}")


def start_server(store: str, log: Path, *options: str) -> Server:
    """Start ``rikg serve`` on a free loopback port and wait until it answers."""
    command = [sys.executable, "-m", "rikg", "serve", "--port", "0", "--store", store, *options]
    with log.open("w", encoding="utf-8") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
    deadline = time.monotonic() + 60
    url = _read_url(process, log, deadline)
    server = Server(url, process, log)
    while time.monotonic() < deadline:
        try:
            if request(url, timeout=2).status == 200:
                return server
        except OSError:
            time.sleep(0.05)
    stop_server(server)
    pytest.fail(f"rikg serve did not answer at {url}: {log.read_text(encoding='utf-8')}")


def stop_server(server: Server) -> None:
    """Stop the server as Ctrl-C would (SIGTERM is handled the same way)."""
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    if server.process.stdout is not None:
        server.process.stdout.close()
