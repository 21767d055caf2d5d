"""The HTTP server of ``rikg serve``: pages, static files and the read-only SPARQL 1.1 endpoint.

Routes:

* ``/`` start page; ``/explore`` explorer view (``focus``, ``plan``, ``institution``);
* ``/query`` catalogue; ``/query/<name>`` one catalogue query with a form, its result as a
  table and CSV/JSON downloads (``download=csv|json``);
* ``/yasgui`` SPARQL editor (YASGUI served from ``/static``);
* ``/sparql`` SPARQL 1.1 Protocol: ``GET ?query=``, ``POST`` form (``query=``) or
  ``application/sparql-query``. Updates are refused (403), however they are sent, and so are
  federated queries (``SERVICE``), which would make the engine send requests to other servers.

Limits (``Settings``): every query runs in a worker process under a timeout
(:mod:`rikg.web.workers`); results stop at a row limit and say so
(``X-Rikg-Truncated: true`` and a note on the page); request bodies over
``max_request_bytes`` get 413 and URLs over ``max_url_bytes`` 414. When bound
to loopback the server answers only requests addressed to a loopback name
(``Host`` header), which stops DNS-rebinding pages from reading it.

>>> Settings(store="var/store").url
'http://127.0.0.1:8765/'
>>> Settings(store="var/store", host="::1", port=9000).url
'http://[::1]:9000/'
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from importlib.resources.abc import Traversable
from urllib.parse import parse_qs, urlsplit

from rikg.errors import QueryError, RikgError, StoreError
from rikg.output import format_result
from rikg.queries.catalogue import CatalogueQuery, get, list_queries

from . import pages
from .protocol import UPDATE_FORMS, negotiate, operation, result_kind, serialize, uses_service
from .workers import Answer, ExploreJob, QueryJob, QueryTimeout, ServerBusy, Unavailable, WorkerPool

__all__ = ["Handler", "Settings", "make_server"]

_APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# The explorer page is one self-contained document with inline script and data; it still may not
# fetch anything from another machine.
_EXPLORER_CSP = (
    "default-src 'self' 'unsafe-inline' data: blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
_STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
_RESERVED_QUERY_KEYS = {"run", "download"}


@dataclass(frozen=True)
class Settings:
    """Where the data is, where to listen and the limits of the endpoint."""

    store: str
    host: str = "127.0.0.1"
    port: int = 8765
    timeout: float = 10.0
    limit: int = 10_000
    workers: int = 2
    max_request_bytes: int = 1_000_000
    max_url_bytes: int = 8_192

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def loopback(self) -> bool:
        """True when the server listens on a loopback address only."""
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0"), is_loopback("localhost")
    (True, True, False, True)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class RikgServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its settings and its query workers."""

    daemon_threads = True
    request_queue_size = 64  # connections waiting to be accepted (the default 5 refuses a burst)
    settings: Settings
    pool: WorkerPool


class _HttpError(Exception):
    """An error answer: the status and one line saying why."""

    def __init__(self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _status_of(error: RikgError) -> _HttpError:
    """The HTTP answer for an error raised while running a job."""
    message = " ".join(str(error).split())
    if isinstance(error, QueryTimeout):
        return _HttpError(HTTPStatus.SERVICE_UNAVAILABLE, message)
    if isinstance(error, ServerBusy):
        return _HttpError(HTTPStatus.SERVICE_UNAVAILABLE, message, {"Retry-After": "1"})
    if isinstance(error, Unavailable):
        return _HttpError(HTTPStatus.SERVICE_UNAVAILABLE, message)
    if isinstance(error, StoreError):
        return _HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, message)
    return _HttpError(HTTPStatus.BAD_REQUEST, message)


class Handler(BaseHTTPRequestHandler):
    """One request: route it, answer it, and answer every error with its status and one line."""

    server: RikgServer
    server_version = "rikg"
    timeout = 30  # seconds a client may take to send its request (slow clients cannot hold a thread)

    def version_string(self) -> str:
        """The ``Server`` header: the name only, no versions."""
        return "rikg"

    # -- dispatch ----------------------------------------------------------

    def do_GET(self) -> None:
        """Answer a GET."""
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        """Answer a HEAD like a GET, without the body."""
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        """Answer a POST (only ``/sparql`` takes one)."""
        self._dispatch("POST")

    def _refuse_method(self) -> None:
        message = f"{self.command} is not allowed: rikg serve is read-only"
        error = _HttpError(HTTPStatus.METHOD_NOT_ALLOWED, message)
        self._send_error(error, {"Allow": "GET, HEAD, POST"})

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    def _dispatch(self, method: str) -> None:
        try:
            self._check_request()
            parts = urlsplit(self.path)
            path = parts.path
            if path == "/sparql":
                self._sparql(method, parts.query)
            elif method == "POST":
                message = f"POST is not allowed on {path} (only /sparql)"
                raise _HttpError(HTTPStatus.METHOD_NOT_ALLOWED, message)
            else:
                self._page(path, parts.query, method == "HEAD")
        except _HttpError as error:
            self._send_error(error, error.headers)
        except RikgError as error:
            self._send_error(_status_of(error))
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away; nobody to answer
        except Exception as error:  # one line for the client and the log, never a traceback
            detail = " ".join(f"{type(error).__name__}: {error}".split())
            self.log_message("internal error: %s", detail)
            self._send_error(_HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {detail}"))

    def _check_request(self) -> None:
        settings = self.server.settings
        if len(self.path.encode("utf-8")) > settings.max_url_bytes:
            raise _HttpError(
                HTTPStatus.REQUEST_URI_TOO_LONG,
                f"the URL is longer than {settings.max_url_bytes} bytes: POST long queries to /sparql",
            )
        if settings.loopback:
            host = (self.headers.get("Host") or "").strip().lower()
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in _LOOPBACK_NAMES:
                raise _HttpError(
                    HTTPStatus.FORBIDDEN,
                    "this server answers requests to 127.0.0.1 or localhost only, "
                    f"not to {host or 'no host'}",
                )

    # -- pages -------------------------------------------------------------

    def _page(self, path: str, query: str, head_only: bool) -> None:
        params = parse_qs(query, keep_blank_values=True)
        if path == "/":
            self._send_page(pages.home_page(self.server.settings.store), head_only=head_only)
        elif path in ("/query", "/query/"):
            self._send_page(pages.catalogue_page(list_queries()), head_only=head_only)
        elif path.startswith("/query/"):
            self._catalogue_query(path.removeprefix("/query/"), params, head_only)
        elif path in ("/yasgui", "/yasgui/"):
            self._send_page(pages.yasgui_page(), head_only=head_only)
        elif path in ("/explore", "/explore/"):
            self._explore(params, head_only)
        elif path.startswith("/static/"):
            self._static(path.removeprefix("/static/"), head_only)
        else:
            raise _HttpError(HTTPStatus.NOT_FOUND, f"nothing at {path}")

    def _catalogue_query(self, name: str, params: dict[str, list[str]], head_only: bool) -> None:
        try:
            query = get(name)
        except QueryError as error:
            raise _HttpError(HTTPStatus.NOT_FOUND, str(error)) from None
        values = {key: vals[-1] for key, vals in params.items() if key not in _RESERVED_QUERY_KEYS}
        download = (params.get("download") or [""])[-1]
        if download and download not in ("csv", "json"):
            raise _HttpError(HTTPStatus.BAD_REQUEST, f"download={download}: use csv or json")
        if not download and "run" not in params:
            outcome = pages.Outcome()
        else:
            outcome = self._run_catalogue(query, values)
        if download and outcome.result is not None:
            self._send_download(query, outcome, download, head_only)
            return
        if download and outcome.error is not None:
            raise _HttpError(HTTPStatus(outcome.status), outcome.error)
        limit = self.server.settings.limit
        page = pages.query_page(query, values, outcome, limit)
        status = HTTPStatus(outcome.status)
        headers = {"X-Rikg-Truncated": "true" if outcome.truncated else "false"} if outcome.result else {}
        self._send_page(page, status, head_only=head_only, headers=headers)

    def _run_catalogue(self, query: CatalogueQuery, values: dict[str, str]) -> pages.Outcome:
        given = {key: value for key, value in values.items() if value.strip()}
        try:
            bindings = query.bindings(given)
        except QueryError as error:
            return pages.Outcome(error=str(error), status=HTTPStatus.BAD_REQUEST)
        job = QueryJob(query.sparql, bindings, self.server.settings.limit)
        try:
            answer = self.server.pool.query(job)
        except (QueryError, QueryTimeout, ServerBusy) as error:
            return pages.Outcome(error=str(error), status=_status_of(error).status)
        return pages.Outcome(result=answer.result, truncated=answer.truncated)

    def _send_download(
        self, query: CatalogueQuery, outcome: pages.Outcome, fmt: str, head_only: bool
    ) -> None:
        assert outcome.result is not None
        body = format_result(outcome.result, fmt).encode("utf-8")
        limit = self.server.settings.limit
        stem = f"{query.name}-first-{limit}-rows" if outcome.truncated else query.name
        content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/sparql-results+json"
        headers = {
            "Content-Disposition": f'attachment; filename="{stem}.{fmt}"',
            "X-Rikg-Truncated": "true" if outcome.truncated else "false",
        }
        self._send(HTTPStatus.OK, body, content_type, headers, head_only=head_only)

    def _explore(self, params: dict[str, list[str]], head_only: bool) -> None:
        def one(key: str) -> str | None:
            value = (params.get(key) or [""])[-1].strip()
            return value or None

        job = ExploreJob(focus=one("focus"), plan=one("plan"), institution=one("institution"))
        html = self.server.pool.explore(job)
        body = html.encode("utf-8")
        self._send(HTTPStatus.OK, body, "text/html; charset=utf-8", head_only=head_only, csp=_EXPLORER_CSP)

    def _static(self, relative: str, head_only: bool) -> None:
        resource = _static_file(relative)
        if resource is None:
            raise _HttpError(HTTPStatus.NOT_FOUND, f"no static file {relative}")
        suffix = "." + relative.rsplit(".", 1)[-1] if "." in relative else ""
        content_type = _STATIC_TYPES.get(suffix, "application/octet-stream")
        cache = {"Cache-Control": "max-age=3600"}
        self._send(HTTPStatus.OK, resource.read_bytes(), content_type, cache, head_only=head_only)

    # -- the SPARQL endpoint -------------------------------------------------

    def _sparql(self, method: str, url_query: str) -> None:
        params = parse_qs(url_query, keep_blank_values=True)
        text = self._sparql_text(method, params)
        form = operation(text)
        if form in UPDATE_FORMS:
            raise _HttpError(HTTPStatus.FORBIDDEN, f"{form} is an update: this endpoint is read-only")
        if uses_service(text):
            raise _HttpError(
                HTTPStatus.FORBIDDEN,
                "SERVICE (federated query) is refused: this endpoint sends no request to other servers",
            )
        kind = result_kind(text)
        fmt = negotiate(self.headers.get("Accept"), kind)
        if fmt is None:
            raise _HttpError(
                HTTPStatus.NOT_ACCEPTABLE,
                f"cannot answer a {form} query as {self.headers.get('Accept')} "
                "(SELECT/ASK: SPARQL JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE: Turtle, N-Triples)",
            )
        answer: Answer = self.server.pool.query(QueryJob(text, {}, self.server.settings.limit))
        headers = {"X-Rikg-Truncated": "true" if answer.truncated else "false", "Vary": "Accept"}
        if answer.truncated:
            headers["X-Rikg-Row-Limit"] = str(self.server.settings.limit)
        body = serialize(answer.result, fmt)
        self._send(HTTPStatus.OK, body, fmt.content_type, headers, head_only=method == "HEAD")

    def _sparql_text(self, method: str, params: dict[str, list[str]]) -> str:
        """The query text of a protocol request (403 for any update, 4xx for a malformed request)."""
        if method == "POST":
            params = self._post_params(params)
        if "update" in params:
            raise _HttpError(HTTPStatus.FORBIDDEN, "SPARQL Update is refused: this endpoint is read-only")
        graphs = [key for key in ("default-graph-uri", "named-graph-uri") if key in params]
        if graphs:
            raise _HttpError(
                HTTPStatus.BAD_REQUEST,
                f"{graphs[0]} is not supported: the default graph is the union of all named graphs "
                "(use GRAPH or FROM in the query)",
            )
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            raise _HttpError(
                HTTPStatus.BAD_REQUEST,
                "give exactly one query (GET /sparql?query=..., or POST it); /yasgui is an editor",
            )
        return queries[0]

    def _post_params(self, params: dict[str, list[str]]) -> dict[str, list[str]]:
        body = self._read_body()
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise _HttpError(HTTPStatus.BAD_REQUEST, "the form is not UTF-8") from None
            return {**params, **form}
        if content_type == "application/sparql-update":
            raise _HttpError(HTTPStatus.FORBIDDEN, "SPARQL Update is refused: this endpoint is read-only")
        if content_type == "application/sparql-query":
            try:
                return {**params, "query": [body.decode("utf-8")]}
            except UnicodeDecodeError:
                raise _HttpError(HTTPStatus.BAD_REQUEST, "the query is not UTF-8") from None
        raise _HttpError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"cannot read a {content_type or 'body without Content-Type'}: "
            "POST application/x-www-form-urlencoded or application/sparql-query",
        )

    def _read_body(self) -> bytes:
        limit = self.server.settings.max_request_bytes
        length_header = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding") or length_header is None:
            self.close_connection = True
            raise _HttpError(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length with the request body")
        try:
            length = int(length_header)
        except ValueError:
            raise _HttpError(HTTPStatus.BAD_REQUEST, f"bad Content-Length {length_header!r}") from None
        if length < 0:
            raise _HttpError(HTTPStatus.BAD_REQUEST, f"bad Content-Length {length_header!r}")
        if length > limit:
            self.close_connection = True  # the unread body must not be taken for the next request
            raise _HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the request body is over {limit} bytes")
        return self.rfile.read(length)

    # -- answers -----------------------------------------------------------

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        head_only: bool = False,
        csp: str = _APP_CSP,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def _send_page(
        self,
        page: pages.Page,
        status: HTTPStatus = HTTPStatus.OK,
        *,
        head_only: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        body = pages.render(page).encode("utf-8")
        self._send(status, body, "text/html; charset=utf-8", headers, head_only=head_only)

    def _send_error(self, error: _HttpError, headers: dict[str, str] | None = None) -> None:
        """An error as one line: plain text for the endpoint and downloads, a page for a browser."""
        path = urlsplit(self.path).path
        wants_page = path != "/sparql" and "download=" not in self.path and self.command != "POST"
        if wants_page:
            page = pages.error_page(error.status.value, error.status.phrase, error.message)
            self._send_page(page, error.status, head_only=self.command == "HEAD", headers=headers)
            return
        body = f"rikg: {error.message}\n".encode()
        self._send(
            error.status, body, "text/plain; charset=utf-8", headers, head_only=self.command == "HEAD"
        )

    def log_message(self, format: str, *args: object) -> None:
        """One line per request on standard error (the access log)."""
        sys.stderr.write(f"rikg serve: {self.address_string()} {format % args}\n")


def _static_file(relative: str) -> Traversable | None:
    """The packaged static file at a relative path, or None (never anything outside ``static/``).

    >>> _static_file("rikg.css") is not None, _static_file("../server.py"), _static_file(".hidden")
    (True, None, None)
    """
    parts = relative.split("/")
    if not relative or any(not part or part.startswith(".") or "\\" in part for part in parts):
        return None
    resource = files("rikg.web").joinpath("static", *parts)
    return resource if resource.is_file() else None


def make_server(settings: Settings) -> RikgServer:
    """A bound server with its workers started (``settings.port`` 0 picks a free port)."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET

    class _Server(RikgServer):
        address_family = family

    try:
        server = _Server((settings.host, settings.port), Handler)
    except OSError as error:
        reason = error.strerror or str(error)
        raise RikgError(f"cannot listen on {settings.host}:{settings.port}: {reason}") from None
    bound = replace(settings, port=server.server_address[1])
    server.settings = bound
    try:
        server.pool = WorkerPool(bound.store, size=bound.workers, timeout=bound.timeout)
    except BaseException:
        server.server_close()
        raise
    return server
