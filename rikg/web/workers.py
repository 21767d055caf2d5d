"""Queries run in worker processes, so that a runaway query can be stopped.

pyoxigraph cannot cancel a running query, so every query (and every explorer
view) runs in a worker process; when it has not answered within the timeout,
the server kills that process and starts a fresh one, and the request gets a
one-line error. The server itself never runs a query, so it stays up.

Each worker opens the store read-only for each job (a few milliseconds), so
it always reads the store as the last build left it. Results stop at the row
limit: SELECT rows and CONSTRUCT triples are read one by one from pyoxigraph
and reading stops at ``limit + 1``, so the answer says whether it was cut.

A store URL (``http(s)://``) goes through :class:`rikg.graph_store.remote.RemoteStore`
with the same timeout; its answer is cut at the limit after it arrives.

>>> answer = capped(iter([1, 2, 3]), 2)
>>> answer
([1, 2], True)
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import multiprocessing
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any

from pyoxigraph import (
    Store,
    Triple,
    Variable,
)

from rikg.config import is_remote
from rikg.errors import QueryError, RikgError, StoreError
from rikg.graph_store import open_store
from rikg.graph_store.base import QueryResult, Term
from rikg.graph_store.results import bind_values, capped, read_capped

__all__ = [
    "Answer",
    "ExploreJob",
    "QueryJob",
    "QueryTimeout",
    "ServerBusy",
    "Unavailable",
    "WorkerPool",
    "capped",
]

#: How long a fresh worker may take to import rikg and say it is ready.
STARTUP_SECONDS = 60.0
_READ_ATTEMPTS = 3


class QueryTimeout(RikgError):
    """The job did not finish within the timeout; its worker was stopped."""


class ServerBusy(RikgError):
    """Every worker stayed busy for the whole timeout."""


class Unavailable(RikgError):
    """A part of the web app that is not installed or failed to start."""


@dataclass(frozen=True)
class QueryJob:
    """Run ``sparql`` with ``bindings`` (RDF terms) and keep at most ``limit`` rows or triples."""

    sparql: str
    bindings: dict[str, Term] = field(default_factory=dict)
    limit: int = 10_000


@dataclass(frozen=True)
class ExploreJob:
    """Build and render one explorer view (``rikg.explorer``)."""

    focus: str | None = None
    plan: str | None = None
    institution: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Answer:
    """A query result and whether it was cut at the row limit."""

    result: QueryResult
    truncated: bool = False


@dataclass(frozen=True)
class _Failure:
    """What a worker sends back instead of an answer: the error class name and its one-line message."""

    kind: str
    message: str


_ERRORS: dict[str, type[RikgError]] = {
    "QueryError": QueryError,
    "StoreError": StoreError,
    "Unavailable": Unavailable,
}


# -- inside a worker ---------------------------------------------------------


def _open_read_only(folder: str) -> Store:
    path = Path(folder)
    if not path.is_dir():
        raise StoreError(f"no store at {folder} (build one first: rikg build --store {folder})")
    try:
        return Store.read_only(str(path))
    except OSError as error:
        raise StoreError(f"cannot open store at {folder}: {error}") from error


def _embedded_query(folder: str, job: QueryJob) -> Answer:
    """The job on a read-only pyoxigraph store, read lazily up to the limit.

    Like ``EmbeddedStore.query``: bindings are pyoxigraph substitutions, or a
    ``VALUES`` block of escaped terms when pyoxigraph refuses to substitute a
    variable the query does not project. When a build replaced the store's
    files under the query (RocksDB: "No such file"), the store is opened
    again and the query run again, a few times.
    """
    for attempt in range(_READ_ATTEMPTS):
        try:
            return _embedded_attempt(folder, job)
        except (OSError, RuntimeError) as error:
            if "No such file" not in str(error) or attempt == _READ_ATTEMPTS - 1:
                if isinstance(error, RuntimeError):
                    raise QueryError(f"cannot run the query: {error}") from error
                raise StoreError(f"cannot read store at {folder}: {error}") from error
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _embedded_attempt(folder: str, job: QueryJob) -> Answer:
    store = _open_read_only(folder)
    substitutions: dict[Variable, Term | Triple] = {Variable(k): v for k, v in job.bindings.items()}
    try:
        try:
            answer = store.query(job.sparql, use_default_graph_as_union=True, substitutions=substitutions)
        except RuntimeError as refused:
            if "projection" not in str(refused):
                raise
            answer = store.query(bind_values(job.sparql, job.bindings), use_default_graph_as_union=True)
        return Answer(*read_capped(answer, job.limit))
    except SyntaxError as error:
        raise QueryError(f"invalid SPARQL: {' '.join(str(error).split())}") from error


def _remote_query(url: str, job: QueryJob, timeout: float) -> Answer:
    with open_store(url, read_only=True, timeout=timeout) as store:
        result = store.query(job.sparql, job.bindings)
    if result.kind == "select":
        rows, truncated = capped(result.rows, job.limit)
        return Answer(QueryResult(kind="select", variables=result.variables, rows=rows), truncated)
    if result.kind == "construct":
        triples, truncated = capped(result.triples, job.limit)
        return Answer(QueryResult(kind="construct", triples=triples), truncated)
    return Answer(result)


def _explore(location: str, job: ExploreJob, timeout: float) -> str:
    try:
        explorer = importlib.import_module("rikg.explorer")
    except ImportError as error:
        raise Unavailable(f"the explorer is not installed in this copy of rikg ({error})") from error
    options: dict[str, Any] = {"timeout": timeout} if is_remote(location) else {}
    with open_store(location, read_only=True, **options) as store:
        view = explorer.build_view(store, focus=job.focus, plan=job.plan, institution=job.institution)
        page: str = explorer.render_page(view, title=job.title)
        return page


def _do(location: str, job: QueryJob | ExploreJob, timeout: float) -> Answer | str:
    if isinstance(job, ExploreJob):
        return _explore(location, job, timeout)
    if is_remote(location):
        return _remote_query(location, job, timeout)
    return _embedded_query(location, job)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the server process dies (even by SIGKILL)."""
    with contextlib.suppress(OSError, AttributeError):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _work(conn: Connection, location: str, timeout: float) -> None:
    """The worker's loop: answer jobs one at a time until the server closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops the workers
    _die_with_parent()
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: Answer | str | _Failure = _do(location, job, timeout)
        except RikgError as error:
            kind = type(error).__name__ if type(error).__name__ in _ERRORS else "QueryError"
            reply = _Failure(kind, " ".join(str(error).split()))
        except Exception as error:  # one readable line for the page instead of a dead worker
            reply = _Failure("StoreError", " ".join(f"{type(error).__name__}: {error}".split()))
        conn.send(reply)


# -- in the server -------------------------------------------------------------


class _Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, location: str, timeout: float) -> None:
        self._location = location
        self._timeout = timeout
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self.retired = False
        self._spawn()

    def _spawn(self) -> None:
        parent, child = self._context.Pipe()
        self.process: SpawnProcess = self._context.Process(
            target=_work, args=(child, self._location, self._timeout), daemon=True, name="rikg-query-worker"
        )
        self.process.start()
        child.close()
        self.conn = parent
        self.ready = False

    def _wait_ready(self) -> None:
        if self.ready:
            return
        try:
            started = self.conn.poll(STARTUP_SECONDS) and self.conn.recv() == "ready"
        except (EOFError, OSError):
            started = False
        if not started:
            self.restart()
            raise Unavailable("a query worker failed to start; it has been restarted")
        self.ready = True

    def ask(self, job: QueryJob | ExploreJob, timeout: float) -> Answer | str:
        """Send one job and wait for its answer; on timeout the process is killed and replaced."""
        self._wait_ready()
        try:
            self.conn.send(job)
            if not self.conn.poll(timeout):
                self.restart()
                raise QueryTimeout(f"the query was stopped after {timeout:g} s (the server's --timeout)")
            reply: Answer | str | _Failure = self.conn.recv()
        except (EOFError, OSError) as error:
            if self.retired:
                raise Unavailable("the server is shutting down") from error
            self.restart()
            raise Unavailable("the query worker stopped unexpectedly; it has been restarted") from error
        if isinstance(reply, _Failure):
            raise _ERRORS[reply.kind](reply.message)
        return reply

    def restart(self) -> None:
        """Kill the process (a running query cannot be cancelled otherwise) and start a fresh one
        (unless the pool is closing)."""
        self.stop()
        if not self.retired:
            self._spawn()

    def stop(self) -> None:
        """Kill the process and close the pipe."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(10)
        self.conn.close()


class WorkerPool:
    """``size`` worker processes over the store at ``location``; a job waits for a free one.

    ``timeout`` bounds both the wait for a free worker and the job itself.
    """

    def __init__(self, location: str, *, size: int = 2, timeout: float = 10.0) -> None:
        if size < 1:
            raise StoreError(f"the server needs at least one query worker, not {size}")
        self.timeout = timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all = [_Worker(location, timeout) for _ in range(size)]
        self._closed = threading.Event()
        for worker in self._all:
            self._idle.put(worker)

    def run(self, job: QueryJob | ExploreJob) -> Answer | str:
        """The job's answer (an ``Answer``, or the HTML of an explorer view)."""
        if self._closed.is_set():
            raise Unavailable("the server is shutting down")
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise ServerBusy(f"every query worker stayed busy for {self.timeout:g} s: try again") from None
        try:
            return worker.ask(job, self.timeout)
        finally:
            self._idle.put(worker)

    def query(self, job: QueryJob) -> Answer:
        """Run a query job."""
        answer = self.run(job)
        if not isinstance(answer, Answer):
            raise StoreError("a query worker sent a page instead of a query result")
        return answer

    def explore(self, job: ExploreJob) -> str:
        """Render an explorer view."""
        page = self.run(job)
        if not isinstance(page, str):
            raise StoreError("a query worker sent a query result instead of a page")
        return page

    def close(self) -> None:
        """Stop every worker."""
        self._closed.set()
        for worker in self._all:
            worker.retired = True
            worker.stop()

