"""The embedded backend: a pyoxigraph (RocksDB) store in a folder on disk.

Replacing graphs is one transaction, so a reader sees every old graph or every
new one (``docs/stores.md`` has the measurements behind the design):

* every target graph empty or missing (a first build, a new plan): the quads
  go in through ``Store.bulk_extend``, the fast SST-file loader (~3x faster
  than a transactional insert; in practice one ingestion);
* otherwise: one SPARQL Update that applies the difference,
  ``DELETE DATA {<gone triples>} ; INSERT DATA {<new triples>}`` (triples
  with blank nodes are always deleted and inserted again), which pyoxigraph
  runs as one transaction. A rebuild that changes little costs little.

One process opens a folder read-write; in that process every ``open_store``
of the same folder shares the one RocksDB instance. Other processes may open
it with ``read_only=True`` (a snapshot as of opening).

>>> import tempfile
>>> from pyoxigraph import Literal, NamedNode, Triple
>>> g = "https://w3id.org/rikg/id/graph/plan/demo"
>>> t = Triple(NamedNode("https://w3id.org/rikg/id/plan/demo"), NamedNode("http://purl.org/dc/terms/title"),
...            Literal("План", language="bg"))
>>> with EmbeddedStore(tempfile.mkdtemp()) as store:
...     store.replace_graphs({g: [t]})
...     store.query("SELECT ?title WHERE { ?plan ?p ?title }").column("title")
[<Literal value=План language=bg>]
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    Store,
    Triple,
    Variable,
    serialize,
)

from rikg.errors import QueryError, StoreError

from .base import GraphStore, QueryResult, Term
from .results import (
    PREFIXES,
    bind_values,
    check_export,
    group_by_graph,
    insert_data,
    parse_quads,
    rdf_format,
    result_from_pyoxigraph,
)

__all__ = ["EmbeddedStore"]


@dataclass
class _Shared:
    """One open pyoxigraph store of a folder, shared by every handle of this process."""

    store: Store
    writable: bool
    users: int = 0
    write_lock: threading.Lock = field(default_factory=threading.Lock)


_OPEN: dict[Path, _Shared] = {}
_OPEN_LOCK = threading.Lock()


def _open_shared(folder: Path, read_only: bool) -> _Shared:
    with _OPEN_LOCK:
        shared = _OPEN.get(folder)
        if shared is None or (not read_only and not shared.writable):
            shared = _Shared(_open_pyoxigraph(folder, read_only), writable=not read_only)
            _OPEN[folder] = shared
        shared.users += 1
        return shared


def _open_pyoxigraph(folder: Path, read_only: bool) -> Store:
    try:
        if read_only:
            if not folder.is_dir():
                raise StoreError(f"no store at {folder} (build one first: rikg build --store {folder})")
            return Store.read_only(str(folder))
        return Store(str(folder))
    except OSError as error:
        if "LOCK" in str(error):
            raise StoreError(
                f"cannot open store at {folder}: another process has it open for writing "
                "(open it read-only, or stop that process)"
            ) from error
        raise StoreError(f"cannot open store at {folder}: {error}") from error


def _release_shared(folder: Path, shared: _Shared) -> None:
    with _OPEN_LOCK:
        shared.users -= 1
        if shared.users == 0 and _OPEN.get(folder) is shared:
            del _OPEN[folder]
            if shared.writable:
                shared.store.flush()


class EmbeddedStore(GraphStore):
    """A pyoxigraph store in ``path`` (created if missing unless ``read_only``)."""

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False) -> None:
        self._folder = Path(path).expanduser().resolve()
        self.location = str(self._folder)
        self.read_only = read_only
        self._shared: _Shared | None = _open_shared(self._folder, read_only)

    # -- helpers ---------------------------------------------------------

    @property
    def _store(self) -> Store:
        if self._shared is None:
            raise StoreError(f"store at {self.location} is closed")
        return self._shared.store

    def _writable(self) -> _Shared:
        if self.read_only:
            raise StoreError(f"store at {self.location} is open read-only")
        if self._shared is None:
            raise StoreError(f"store at {self.location} is closed")
        return self._shared

    def _is_empty(self, graph: NamedNode) -> bool:
        return next(self._store.quads_for_pattern(None, None, None, graph), None) is None

    # -- GraphStore ------------------------------------------------------

    def replace_graphs(self, graphs: Mapping[str, Sequence[Triple]]) -> None:
        """Replace named graphs in one transaction (bulk-loaded when every target is empty)."""
        shared = self._writable()
        targets = {iri: list(triples) for iri, triples in graphs.items()}
        with shared.write_lock:
            try:
                if all(self._is_empty(NamedNode(iri)) for iri in targets):
                    self._store.bulk_extend(_quads(targets))
                elif update := self._difference(targets):
                    self._store.update(update)
            except (OSError, SyntaxError, ValueError) as error:
                raise StoreError(f"cannot write to store at {self.location}: {error}") from error

    def _difference(self, targets: Mapping[str, list[Triple]]) -> str:
        """One SPARQL Update turning the current graphs into the targets ('' when nothing changes).

        Only this process writes the folder (RocksDB lock) and the caller holds
        the write lock, so the graphs cannot change between reading and updating.
        """
        operations: list[str] = []
        added: dict[str, list[Triple]] = {}
        for iri, triples in targets.items():
            graph = NamedNode(iri)
            if not triples:
                operations.append(f"DROP SILENT GRAPH {graph}")
                continue
            current = {quad.triple for quad in self._store.quads_for_pattern(None, None, None, graph)}
            wanted = set(triples)
            if any(_has_blank_node(t) for t in current):
                operations.append(_DELETE_BLANK.format(graph=graph))
            gone = [t for t in current if t not in wanted and not _has_blank_node(t)]
            if gone:
                lines = "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in gone)
                operations.append(f"DELETE DATA {{ GRAPH {graph} {{\n{lines}}} }}")
            added[iri] = [t for t in dict.fromkeys(triples) if _has_blank_node(t) or t not in current]
        if inserts := insert_data(added):
            operations.append(inserts)
        return " ;\n".join(operations)

    def drop_graphs(self, graph_iris: Sequence[str]) -> None:
        """Remove named graphs in one transaction; missing ones are ignored."""
        shared = self._writable()
        if not graph_iris:
            return
        with shared.write_lock:
            try:
                self._store.update(" ;\n".join(f"DROP SILENT GRAPH {NamedNode(iri)}" for iri in graph_iris))
            except (OSError, ValueError) as error:
                raise StoreError(f"cannot write to store at {self.location}: {error}") from error

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> QueryResult:
        """Run a query over the union of all graphs; ``bindings`` are substituted as RDF terms.

        pyoxigraph substitutes only variables a SELECT projects; any other
        binding goes in as the same ``VALUES`` block the remote backend uses,
        so both backends answer alike.
        """
        try:
            substitutions: dict[Variable, Term | Triple] = {
                Variable(name): term for name, term in (bindings or {}).items()
            }
        except ValueError as error:
            raise QueryError(f"invalid binding: {error}") from error
        try:
            try:
                answer = self._union_query(sparql, substitutions)
            except RuntimeError as refused:
                if "projection" not in str(refused):
                    raise QueryError(f"cannot run the query: {refused}") from refused
                answer = self._union_query(bind_values(sparql, bindings or {}), {})
            return result_from_pyoxigraph(answer)
        except SyntaxError as error:
            raise QueryError(f"invalid SPARQL: {error}") from error
        except OSError as error:
            raise StoreError(f"cannot read store at {self.location}: {error}") from error

    def _union_query(
        self, sparql: str, substitutions: dict[Variable, Term | Triple]
    ) -> QuerySolutions | QueryBoolean | QueryTriples:
        return self._store.query(sparql, use_default_graph_as_union=True, substitutions=substitutions)

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, NamedNode))

    def count(self, graph_iri: str | None = None) -> int:
        """Quads in one named graph, or in the whole store (one consistent snapshot)."""
        if graph_iri is None:
            return len(self._store)
        graph = NamedNode(graph_iri)
        value = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}").rows[0]["n"]
        return int(value.value) if value is not None else 0

    def export(self, fmt: str, graph_iri: str | None = None) -> bytes:
        """The whole store (``trig``, ``nq``, ``jsonld``) or one named graph (any format)."""
        rdf = rdf_format(fmt)
        check_export(rdf, graph_iri)
        try:
            if graph_iri is None:
                data = self._store.dump(format=rdf, prefixes=PREFIXES)
            else:
                quads = self._store.quads_for_pattern(None, None, None, NamedNode(graph_iri))
                if rdf.supports_datasets:
                    data = serialize(quads, format=rdf, prefixes=PREFIXES)
                else:
                    data = serialize((q.triple for q in quads), format=rdf, prefixes=PREFIXES)
        except OSError as error:
            raise StoreError(f"cannot read store at {self.location}: {error}") from error
        assert data is not None  # no output given: pyoxigraph returns the bytes
        return data

    def import_data(self, data: bytes, fmt: str, graph_iri: str | None = None) -> int:
        """Add serialised RDF in one transaction; ``graph_iri`` receives triples outside named graphs."""
        shared = self._writable()
        by_graph = group_by_graph(parse_quads(data, fmt, graph_iri))
        with shared.write_lock:
            before = sum(self.count(iri) for iri in by_graph)
            try:
                if all(self._is_empty(NamedNode(iri)) for iri in by_graph):
                    self._store.bulk_extend(_quads(by_graph))
                else:
                    self._store.extend(_quads(by_graph))
            except OSError as error:
                raise StoreError(f"cannot write to store at {self.location}: {error}") from error
            return sum(self.count(iri) for iri in by_graph) - before

    def close(self) -> None:
        """Release this handle; the folder closes when its last handle in this process does."""
        if self._shared is not None:
            _release_shared(self._folder, self._shared)
            self._shared = None


_DELETE_BLANK = (
    "DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o "
    "FILTER(isBlank(?s) || isBlank(?o)) }} }}"
)


def _has_blank_node(triple: Triple) -> bool:
    return isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode)


def _quads(graphs: Mapping[str, Sequence[Triple]]) -> Iterator[Quad]:
    for iri, triples in graphs.items():
        graph = NamedNode(iri)
        for t in triples:
            yield Quad(t.subject, t.predicate, t.object, graph)
