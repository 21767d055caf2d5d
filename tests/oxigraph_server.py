"""A real ``oxigraph serve`` process on a free loopback port, for the remote-store tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    """A loopback port nobody listens on (right now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def oxigraph_binary() -> str:
    """The ``oxigraph`` server of the PyPI package ``oxigraph`` (beside this Python, else on PATH)."""
    beside_python = Path(sys.executable).parent / "oxigraph"
    found = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph server (PyPI package 'oxigraph') is not installed")
    return found


def _wait_until_answering(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"oxigraph serve exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    pytest.fail(f"oxigraph serve did not answer at {url}")


@contextmanager
def oxigraph_server(location: Path) -> Iterator[str]:
    """Run ``oxigraph serve`` on a folder; yields its URL, stops it afterwards."""
    url = f"http://127.0.0.1:{free_port()}"
    command = [oxigraph_binary(), "serve", "--location", str(location), "--bind", url.removeprefix("http://")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_answering(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
