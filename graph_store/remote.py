"""The remote backend: any SPARQL 1.1 server (Oxigraph by default; Fuseki, Virtuoso, GraphDB by profile).

Queries go through SPARQLWrapper (GET, or POST for long ones) and come back
as pyoxigraph terms: SELECT/ASK as SPARQL JSON results, CONSTRUCT/DESCRIBE as
N-Triples. Parameters are bound by a ``VALUES`` block of escaped RDF terms
(``results.bind_values``), never by pasting text. Where a server cuts
results at a row cap (Virtuoso: 10,000), SELECT results are fetched page by
page; a result that reaches the cap and cannot be paged is an error, never a
silent truncation.

Replacing graphs (``docs/stores.md`` has the measurements):

* all target graphs empty and the server has a bulk loader (Oxigraph
  ``/store?no_transaction``): one N-Quads upload of every graph;
* else, on a transactional server, when the update fits ``max_update_bytes``:
  one SPARQL Update ``DROP SILENT GRAPH <g> ; ... INSERT DATA { GRAPH <g> {...} ... }``;
* else: each new graph is uploaded into a staging graph, then one update
  ``MOVE <staging> TO <g> ; ...`` switches them all. If that fails midway on
  a server without transactions, the error names the graphs replaced.

Credentials come only from the environment: ``RIKG_STORE_USER`` and
``RIKG_STORE_PASSWORD`` (HTTP Basic, or Digest with ``RIKG_STORE_AUTH=digest``)
or ``RIKG_STORE_TOKEN`` (``Authorization: Bearer``).

>>> store = RemoteStore("http://127.0.0.1:7878")
>>> store.endpoints.query_url, store.endpoints.union_parameter
('http://127.0.0.1:7878/query', 'union-default-graph')
"""

from __future__ import annotations

import ast
import base64
import contextlib
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Triple, parse, serialize
from SPARQLWrapper import DIGEST, GET, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper import SPARQLExceptions as sparql_errors

from rikg.errors import QueryError, StoreError

from .base import GraphStore, QueryResult, Term
from .results import (
    PREFIXES,
    QUERY_FORMS,
    UPDATE_FORMS,
    bind_values,
    check_export,
    group_by_graph,
    insert_data,
    page_query,
    pageable,
    parse_quads,
    query_form,
    rdf_format,
    result_from_json,
)
from .servers import Endpoints, resolve

__all__ = ["STAGING_PREFIX", "RemoteStore"]

#: Named graphs under this IRI hold uploads on their way to their real graph.
STAGING_PREFIX = "https://w3id.org/rikg/id/graph/staging/"
_LONG_QUERY = 1500  # characters; longer queries are POSTed (URLs past ~2 kB are refused by some proxies)


class RemoteStore(GraphStore):
    """A SPARQL 1.1 server at ``url``; ``options`` override its profile (see ``servers.resolve``)."""

    def __init__(self, url: str, *, read_only: bool = False, **options: Any) -> None:
        self.location = url.rstrip("/")
        self.read_only = read_only
        self.endpoints: Endpoints = resolve(self.location, options)
        self._user = os.environ.get("RIKG_STORE_USER")
        self._password = os.environ.get("RIKG_STORE_PASSWORD")
        self._token = os.environ.get("RIKG_STORE_TOKEN")
        self._digest = os.environ.get("RIKG_STORE_AUTH", "basic").lower() == "digest"

    # -- HTTP ------------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        if self._token:
            return {"Authorization": f"Bearer {self._token}"}
        if self._user and self._password is not None and not self._digest:
            pair = base64.b64encode(f"{self._user}:{self._password}".encode()).decode("ascii")
            return {"Authorization": f"Basic {pair}"}
        return {}

    def _opener(self, url: str) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        if self._digest and self._user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, url, self._user, self._password or "")
            handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
        return urllib.request.build_opener(*handlers)

    def _send(self, method: str, url: str, body: bytes, content_type: str, accept: str = "*/*") -> bytes:
        """One HTTP request to the server; any failure becomes a one-line ``StoreError``."""
        headers = {"Content-Type": content_type, "Accept": accept, **self._auth_headers()}
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self._opener(url).open(request, timeout=self.endpoints.timeout) as response:
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as error:
            raise self._http_error(url, error.code, error.read()) from error
        except (urllib.error.URLError, OSError) as error:
            raise self._unreachable(error) from error

    def _unreachable(self, error: BaseException) -> StoreError:
        reason: object = error.reason if isinstance(error, urllib.error.URLError) else error
        if isinstance(reason, socket.timeout | TimeoutError):
            text = f"no answer within {self.endpoints.timeout:g} s"
        elif isinstance(reason, socket.gaierror):
            text = "unknown host"
        elif isinstance(reason, OSError) and reason.strerror:
            text = reason.strerror.lower()
        else:
            text = str(reason) or type(reason).__name__
        return StoreError(f"cannot reach SPARQL server at {self.location}: {text}")

    def _http_error(self, url: str, status: int, body: bytes) -> StoreError | QueryError:
        detail = " ".join(body.decode("utf-8", "replace").split())[:300]
        if status in (401, 403):
            return StoreError(
                f"SPARQL server at {url} refused access (HTTP {status}): set RIKG_STORE_USER and "
                "RIKG_STORE_PASSWORD, or RIKG_STORE_TOKEN"
            )
        if status == 400:
            return QueryError(f"SPARQL server at {url} rejected the request: {detail}")
        if status == 404:
            return StoreError(f"no SPARQL endpoint at {url} (HTTP 404): check the store URL and profile")
        return StoreError(f"SPARQL server at {url} failed (HTTP {status}): {detail}")

    # -- queries -----------------------------------------------------------

    def _wrapper(self, sparql: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.endpoints.query_url)
        with warnings.catch_warnings():  # an unknown query form is the server's to report, as one line
            warnings.simplefilter("ignore", RuntimeWarning)
            wrapper.setQuery(sparql)
        # SPARQLWrapper's own guess reads words in comments (``# clear ...`` is a CLEAR update)
        form = query_form(sparql)
        wrapper.queryType = form if form in QUERY_FORMS else "SELECT"
        wrapper.setTimeout(int(self.endpoints.timeout))
        long_query = len(urllib.parse.quote(sparql)) > _LONG_QUERY
        wrapper.setMethod(POST if long_query else GET)
        wrapper.setRequestMethod(URLENCODED)
        if self.endpoints.union_parameter:
            wrapper.addParameter(self.endpoints.union_parameter, "")
        if self._token:
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {self._token}")
        elif self._user and self._password is not None:
            wrapper.setCredentials(self._user, self._password)
            if self._digest:
                wrapper.setHTTPAuth(DIGEST)
        return wrapper

    def _fetch(self, sparql: str, accept: str | None = None) -> tuple[bytes, str]:
        """The raw answer of a query and its media type."""
        wrapper = self._wrapper(sparql)
        wrapper.setReturnFormat(TURTLE if accept else JSON)
        if accept:
            wrapper.addCustomHttpHeader("Accept", accept)
        url = self.endpoints.query_url
        try:
            with contextlib.closing(wrapper.query().response) as response:
                return response.read(), response.headers.get_content_type()
        except sparql_errors.QueryBadFormed as error:
            raise QueryError(f"SPARQL server at {url} rejected the query: {_detail(error)}") from error
        except sparql_errors.Unauthorized as error:
            raise self._http_error(url, 401, b"") from error
        except sparql_errors.EndPointNotFound as error:
            raise self._http_error(url, 404, b"") from error
        except sparql_errors.SPARQLWrapperException as error:
            raise StoreError(f"SPARQL server at {url} failed: {_detail(error)}") from error
        except urllib.error.HTTPError as error:
            raise self._http_error(url, error.code, error.read()) from error
        except (urllib.error.URLError, OSError) as error:
            raise self._unreachable(error) from error

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> QueryResult:
        """Run a query on the server over the union of all graphs; ``bindings`` go in as RDF terms."""
        text = bind_values(sparql, bindings or {})
        form = query_form(text)
        if form in UPDATE_FORMS:
            raise QueryError(f"not a query but a {form} update: the store is written by rikg build/import")
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self._construct(text)
        result = self._select_or_ask(text)
        cap = self.endpoints.max_rows
        if result.kind == "select" and cap is not None and len(result.rows) >= cap:
            return self._paged(text, result.variables, cap)
        return result

    def _select_or_ask(self, sparql: str) -> QueryResult:
        data, _ = self._fetch(sparql)
        return result_from_json(data)

    def _construct(self, sparql: str) -> QueryResult:
        data, media_type = self._fetch(sparql, accept="application/n-triples, text/turtle;q=0.8")
        fmt = RdfFormat.from_media_type(media_type) or RdfFormat.N_TRIPLES
        try:
            triples = [quad.triple for quad in parse(data, fmt)]
        except SyntaxError as error:
            raise StoreError(f"SPARQL server at {self.location} sent bad {fmt.name}: {error}") from error
        cap = self.endpoints.max_rows
        if cap is not None and len(triples) >= cap:
            raise StoreError(
                f"the CONSTRUCT result reached the server's cap of {cap} rows and may be cut: "
                "narrow the query, or SELECT the triples (SELECT results are paged)"
            )
        return QueryResult(kind="construct", triples=triples)

    def _paged(self, sparql: str, variables: list[str], cap: int) -> QueryResult:
        """Every row of a SELECT whose result reached the server's row cap, fetched page by page."""
        if not pageable(sparql):
            raise StoreError(
                f"the result reached the server's cap of {cap} rows and this query (with FROM) "
                "cannot be paged: add LIMIT/OFFSET yourself or narrow the query"
            )
        rows: list[dict[str, Term | None]] = []
        while True:
            page = self._select_or_ask(page_query(sparql, variables, cap, len(rows)))
            rows.extend(page.rows)
            if len(page.rows) < cap:
                return QueryResult(kind="select", variables=variables, rows=rows)

    # -- reading -----------------------------------------------------------

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs on the server, sorted (staging graphs left out)."""
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }").column("g")
        return sorted(
            g.value for g in rows if isinstance(g, NamedNode) and not g.value.startswith(STAGING_PREFIX)
        )

    def count(self, graph_iri: str | None = None) -> int:
        """Quads in one named graph, or in all named graphs."""
        graph = "?g" if graph_iri is None else str(NamedNode(graph_iri))
        value = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}").rows[0]["n"]
        return int(value.value) if value is not None else 0

    def _counts(self, graph_iris: Iterable[str]) -> int:
        graphs = " ".join(str(NamedNode(iri)) for iri in graph_iris)
        if not graphs:
            return 0
        pattern = f"VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }}"
        value = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}").rows[0]["n"]
        return int(value.value) if value is not None else 0

    def _all_empty(self, graph_iris: Iterable[str]) -> bool:
        graphs = " ".join(str(NamedNode(iri)) for iri in graph_iris)
        answer = self.query(f"ASK {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        return answer.boolean is False

    def export(self, fmt: str, graph_iri: str | None = None) -> bytes:
        """The whole store (``trig``, ``nq``, ``jsonld``) or one named graph (any format)."""
        rdf = rdf_format(fmt)
        check_export(rdf, graph_iri)
        if graph_iri is None:
            rows = self.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows
            quads = [Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]  # type: ignore[arg-type]
            data = serialize(quads, format=rdf, prefixes=PREFIXES)
        else:
            graph = NamedNode(graph_iri)
            rows = self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}").rows
            triples = [Triple(r["s"], r["p"], r["o"]) for r in rows]  # type: ignore[arg-type]
            if rdf.supports_datasets:
                data = serialize([Quad(t.subject, t.predicate, t.object, graph) for t in triples],
                                 format=rdf, prefixes=PREFIXES)
            else:
                data = serialize(triples, format=rdf, prefixes=PREFIXES)
        assert data is not None  # no output given: pyoxigraph returns the bytes
        return data

    # -- writing -----------------------------------------------------------

    def _writable_update_url(self) -> str:
        if self.read_only:
            raise StoreError(f"store at {self.location} is open read-only")
        if not self.endpoints.update_url:
            raise StoreError(f"no update URL for the server at {self.location}: set RIKG_STORE_UPDATE_URL")
        return self.endpoints.update_url

    def _update(self, update: str) -> None:
        self._send("POST", self._writable_update_url(), update.encode("utf-8"), "application/sparql-update")

    def _can_bulk_load(self) -> bool:
        return bool(self.endpoints.bulk_parameter and self.endpoints.store_url)

    def _bulk_load(self, graphs: Mapping[str, Sequence[Triple]]) -> None:
        """One non-transactional N-Quads upload into graphs that are all empty; undone on failure."""
        assert self.endpoints.store_url and self.endpoints.bulk_parameter
        body = serialize(_quads(graphs), format=RdfFormat.N_QUADS)
        assert body is not None
        url = f"{self.endpoints.store_url}?{self.endpoints.bulk_parameter}"
        try:
            self._send("POST", url, body, "application/n-quads")
        except StoreError as error:
            self._drop_quietly(graphs)
            raise StoreError(f"{error}; the graphs were empty before and were emptied again") from error

    def replace_graphs(self, graphs: Mapping[str, Sequence[Triple]]) -> None:
        """Replace named graphs so that readers see all old graphs or all new ones (see module doc)."""
        self._writable_update_url()
        targets = {iri: list(triples) for iri, triples in graphs.items()}
        if not targets:
            return
        if self._can_bulk_load() and any(targets.values()) and self._all_empty(targets):
            self._bulk_load(targets)
            return
        drops = "".join(f"DROP SILENT GRAPH {NamedNode(iri)} ;\n" for iri in targets)
        update = drops + insert_data(targets)
        if self.endpoints.transactional and len(update.encode("utf-8")) <= self.endpoints.max_update_bytes:
            try:
                self._update(update)
            except StoreError as error:
                raise StoreError(f"{error} (no graph was replaced)") from error
            return
        self._replace_via_staging(targets)

    def _replace_via_staging(self, targets: Mapping[str, list[Triple]]) -> None:
        run = uuid.uuid4().hex
        staging = {iri: f"{STAGING_PREFIX}{run}/{n}" for n, iri in enumerate(targets)}
        try:
            for iri, triples in targets.items():
                if triples:
                    self._upload(staging[iri], triples)
        except StoreError as error:
            self._drop_quietly(staging.values())
            raise StoreError(f"{error} (no graph was replaced)") from error
        switch = [
            f"MOVE {NamedNode(staging[g])} TO {NamedNode(g)}" if ts else f"DROP SILENT GRAPH {NamedNode(g)}"
            for g, ts in targets.items()
        ]
        try:
            self._update(" ;\n".join(switch))
        except StoreError as error:
            raise self._partial_failure(error, targets, staging) from error

    def _partial_failure(
        self, error: StoreError, targets: Mapping[str, list[Triple]], staging: Mapping[str, str]
    ) -> StoreError:
        """Which graphs a failed switch replaced (none on a transactional server)."""
        try:
            present = set(self._graph_names())
        except StoreError:
            return StoreError(f"{error}; could not check which graphs were replaced: the store may be mixed")
        self._drop_quietly(staging[iri] for iri in targets if staging[iri] in present)
        replaced = [
            iri for iri, triples in targets.items()
            if (staging[iri] not in present if triples else iri not in present)
        ]
        kept = [iri for iri in targets if iri not in replaced]
        if not replaced:
            return StoreError(f"{error} (no graph was replaced)")
        return StoreError(f"{error}; replaced: {', '.join(replaced)}; NOT replaced: {', '.join(kept)}")

    def _graph_names(self) -> list[str]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }").column("g")
        return [g.value for g in rows if isinstance(g, NamedNode)]

    def _upload(self, graph_iri: str, triples: Sequence[Triple]) -> None:
        """Put triples into a new (staging) graph: one Graph Store upload, else INSERT DATA pieces."""
        if self.endpoints.store_url:
            body = serialize(triples, format=RdfFormat.N_TRIPLES)
            assert body is not None
            query = urllib.parse.urlencode({"graph": graph_iri})
            if self.endpoints.bulk_parameter:  # a staging graph is always new and empty
                query += f"&{self.endpoints.bulk_parameter}"
            self._send("PUT", f"{self.endpoints.store_url}?{query}", body, "application/n-triples")
            return
        pieces = list(_pieces(triples, self.endpoints.max_update_bytes))
        if len(pieces) > 1 and any(_has_blank_node(t) for t in triples):
            raise StoreError(
                f"{len(triples)} triples with blank nodes cannot be sent in pieces (it would split the "
                "blank nodes): raise RIKG_STORE_MAX_UPDATE_BYTES or set RIKG_STORE_GSP_URL"
            )
        for piece in pieces:
            self._update(insert_data({graph_iri: piece}))

    def _drop_quietly(self, graph_iris: Iterable[str]) -> None:
        """Best-effort clean-up after a failure (the first error is the one worth reporting)."""
        drops = " ;\n".join(f"DROP SILENT GRAPH {NamedNode(iri)}" for iri in graph_iris)
        if drops:
            with contextlib.suppress(StoreError):
                self._update(drops)

    def drop_graphs(self, graph_iris: Sequence[str]) -> None:
        """Remove named graphs in one update request; missing ones are ignored."""
        if graph_iris:
            self._update(" ;\n".join(f"DROP SILENT GRAPH {NamedNode(iri)}" for iri in graph_iris))

    def import_data(self, data: bytes, fmt: str, graph_iri: str | None = None) -> int:
        """Add serialised RDF; ``graph_iri`` receives triples outside named graphs. Returns quads added."""
        self._writable_update_url()
        by_graph = group_by_graph(parse_quads(data, fmt, graph_iri))
        if not by_graph:
            return 0
        before = self._counts(by_graph)
        if self._can_bulk_load() and before == 0:
            self._bulk_load(by_graph)
        else:
            update = insert_data(by_graph)
            if len(update.encode("utf-8")) <= self.endpoints.max_update_bytes:
                self._update(update)
            else:
                for iri, triples in by_graph.items():
                    self._upload_added(iri, triples)
        return self._counts(by_graph) - before

    def _upload_added(self, graph_iri: str, triples: Sequence[Triple]) -> None:
        if self.endpoints.store_url:
            body = serialize(triples, format=RdfFormat.N_TRIPLES)
            assert body is not None
            url = f"{self.endpoints.store_url}?{urllib.parse.urlencode({'graph': graph_iri})}"
            self._send("POST", url, body, "application/n-triples")  # Graph Store POST adds
        else:
            for piece in _pieces(triples, self.endpoints.max_update_bytes):
                self._update(insert_data({graph_iri: piece}))


def _detail(error: Exception) -> str:
    """The server's own words from a SPARQLWrapper exception (which holds them as a bytes repr)."""
    text = str(error)
    marker = "Response:\n"
    if marker in text:
        text = text.split(marker, 1)[1]
        try:
            words = ast.literal_eval(text)
            text = words.decode("utf-8", "replace") if isinstance(words, bytes) else str(words)
        except (ValueError, SyntaxError):
            pass
    return " ".join(text.split())[:300]


def _quads(graphs: Mapping[str, Sequence[Triple]]) -> list[Quad]:
    return [Quad(t.subject, t.predicate, t.object, NamedNode(iri)) for iri, ts in graphs.items() for t in ts]


def _has_blank_node(triple: Triple) -> bool:
    return isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode)


def _pieces(triples: Sequence[Triple], max_bytes: int) -> Iterable[list[Triple]]:
    """Consecutive runs of triples whose N-Triples text stays under ``max_bytes`` (at least one each)."""
    piece: list[Triple] = []
    size = 0
    for triple in triples:
        line = len(str(triple).encode("utf-8")) + 3
        if piece and size + line > max_bytes:
            yield piece
            piece, size = [], 0
        piece.append(triple)
        size += line
    if piece:
        yield piece
