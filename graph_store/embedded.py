"""The embedded backend: a pyoxigraph (RocksDB) store in a folder on disk.

Replacing graphs is one transaction, so a reader sees every old graph or every
new one (``docs/stores.md`` has the measurements behind the design):

* every target graph empty or missing (a first build, a new plan): one
  bulk load (``Store.bulk_load`` of the triples serialised as N-Quads, or
  ``Store.bulk_extend`` of quads when they hold blank nodes: the SST-file
  loader writes files and ingests them all in one step at its end, so
  readers, and a crash, see none of them or all). Inside a
  :meth:`EmbeddedStore.bulk` block such calls wait in memory and go in
  together: once ~500,000 quads wait, before any read or other write
  through this process's handles, and when the block ends. One
  ingestion for a whole first build is as fast as pyoxigraph's own
  ``bulk_load``; one per plan graph is ~2x slower;
* otherwise: one SPARQL Update that applies the difference,
  ``DELETE DATA {<gone triples>} ; INSERT DATA {<new triples>}`` (triples
  with blank nodes are always deleted and inserted again), which pyoxigraph
  runs as one transaction. A rebuild that changes little costs little.

One process opens a folder read-write; in that process every ``open_store``
of the same folder shares the one RocksDB instance. Other processes may open
it with ``read_only=True`` (a snapshot as of opening). Opening read-write
removes SST files a killed bulk load left behind (``bulk-*.sst``, never
ingested).

>>> import tempfile
>>> from pyoxigraph import Literal, NamedNode, Triple
>>> g = "https://w3id.org/rikg/id/graph/plan/demo"
>>> t = Triple(NamedNode("https://w3id.org/rikg/id/plan/demo"), NamedNode("http://purl.org/dc/terms/title"),
...            Literal("План", language="bg"))
>>> with tempfile.TemporaryDirectory() as folder, EmbeddedStore(folder) as store:
...     store.replace_graphs({g: [t]})
...     store.query("SELECT ?title WHERE { ?plan ?p ?title }").column("title")
[<Literal value=План language=bg>]
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pyoxigraph import (
    BlankNode,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    Variable,
    serialize,
)

from rikg.errors import QueryError, StoreError

from .base import GraphStore, QueryResult, Term
from .ntriples import NTriples
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


#: New graphs wait until this many quads do, then go in as one bulk load.
BULK_FLUSH_QUADS = 500_000
#: Tries of a read on a read-only view, each after opening the folder again.
_READ_ATTEMPTS = 5
_T = TypeVar("_T")


@dataclass
class _Shared:
    """One open pyoxigraph store of a folder, shared by every handle of this process.

    ``pending_nquads`` holds the N-Quads of new graphs (``pending_graphs``) not yet in
    the store (``pending`` the quads of those with blank nodes), collected while
    ``bulk_blocks`` > 0; whoever holds ``write_lock`` may write them (:meth:`settle`).
    """

    store: Store
    writable: bool
    location: str
    users: int = 0
    write_lock: threading.RLock = field(default_factory=threading.RLock)
    pending: list[Quad] = field(default_factory=list)
    pending_nquads: list[bytes] = field(default_factory=list)
    pending_size: int = 0  # quads waiting, in both lists
    pending_graphs: set[str] = field(default_factory=set)
    bulk_blocks: int = 0

    def settle(self) -> None:
        """Bulk-load the pending quads (one ingestion); the caller holds ``write_lock``."""
        if not self.pending_size:
            return
        quads, chunks = self.pending, self.pending_nquads
        self.pending, self.pending_nquads, self.pending_size = [], [], 0
        self.pending_graphs.clear()
        if chunks and quads:  # one ingestion for both: the quads join the bytes
            chunks.append(serialize(quads, format=RdfFormat.N_QUADS) or b"")
        self.bulk_load(quads if not chunks else b"".join(chunks))

    def wait(self, targets: Mapping[str, Sequence[Triple]]) -> None:
        """Add new graphs to the pending ones, as N-Quads bytes unless they hold blank nodes;
        the caller holds ``write_lock``."""
        for iri, triples in targets.items():
            serialized = _serialized(triples)
            if serialized is None:
                self.pending.extend(_quads({iri: triples}))
            else:
                self.pending_nquads.append(serialized.as_nquads(iri))
            self.pending_size += len(triples)
        self.pending_graphs.update(targets)

    def bulk_load(self, data: Iterable[Quad] | bytes) -> None:
        """One ingestion (written to files, then ingested at once); the caller holds ``write_lock``.

        N-Quads bytes go in ``lenient``: they are pyoxigraph's own serialisation of checked terms.
        """
        try:
            if isinstance(data, bytes):
                self.store.bulk_load(data, RdfFormat.N_QUADS, lenient=True)
            else:
                self.store.bulk_extend(data)
        except OSError as error:
            raise StoreError(f"cannot write to store at {self.location}: {error}") from error

    def settled(self) -> Store:
        """The store with every pending quad written (what every read goes through)."""
        if self.pending_size:
            with self.write_lock:
                self.settle()
        return self.store


_OPEN: dict[Path, _Shared] = {}
_OPEN_LOCK = threading.Lock()


@atexit.register
def _settle_at_exit() -> None:
    """Write what waits in memory when a script ends without closing its store."""
    with _OPEN_LOCK:
        shared_stores = list(_OPEN.values())
    for shared in shared_stores:
        try:
            shared.settled()
        except StoreError as error:
            print(f"rikg: error: {error}", file=sys.stderr)


def _open_shared(folder: Path, read_only: bool) -> _Shared:
    with _OPEN_LOCK:
        shared = _OPEN.get(folder)
        if shared is None or (not read_only and not shared.writable):
            store = _open_pyoxigraph(folder, read_only)
            shared = _Shared(store, writable=not read_only, location=str(folder))
            _OPEN[folder] = shared
        shared.users += 1
        return shared


def _memory_copy(folder: Path) -> _Shared:
    """The folder's quads in a new in-memory pyoxigraph store, shared with no other handle (read
    through this process's handles when it has the folder open, so graphs waiting in a bulk block
    are copied too)."""
    with _OPEN_LOCK:
        shared = _OPEN.get(folder)
    source = shared.settled() if shared is not None else _open_pyoxigraph(folder, read_only=True)
    memory = Store()
    try:
        memory.bulk_load(source.dump(format=RdfFormat.N_QUADS), RdfFormat.N_QUADS, lenient=True)
    except OSError as error:
        raise StoreError(f"cannot read store at {folder}: {error}") from error
    return _Shared(memory, writable=False, location=str(folder), users=1)


def _vanished_file(error: Exception) -> bool:
    """A read-only view met a file the writing process has just replaced (RocksDB's MANIFEST, an SST)."""
    return isinstance(error, OSError | RuntimeError) and "No such file" in str(error)


def _open_read_only(folder: Path) -> Store:
    """A read-only view of the folder as of now; retried while a writer is switching its MANIFEST."""
    for attempt in range(_READ_ATTEMPTS):
        try:
            return Store.read_only(str(folder))
        except (OSError, RuntimeError) as error:
            if not _vanished_file(error) or attempt == _READ_ATTEMPTS - 1:
                raise OSError(str(error)) from error
        time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


def _open_pyoxigraph(folder: Path, read_only: bool) -> Store:
    try:
        if read_only:
            if not folder.is_dir():
                raise StoreError(f"no store at {folder} (build one first: rikg build --store {folder})")
            return _open_read_only(folder)
        store = Store(str(folder))
        _remove_killed_bulk_files(folder)
        return store
    except OSError as error:
        if "LOCK" in str(error):
            raise StoreError(
                f"cannot open store at {folder}: another process has it open for writing "
                "(open it read-only, or stop that process)"
            ) from error
        raise StoreError(f"cannot open store at {folder}: {error}") from error


def _remove_killed_bulk_files(folder: Path) -> None:
    """SST files of a bulk load that was killed before ingesting them (pyoxigraph 0.5 names them
    ``bulk-<n>.sst``; RocksDB never references that name). Only the holder of the RocksDB lock
    may bulk-load, and that is us now, so none of them can still be in use."""
    for leftover in folder.glob("bulk-*.sst"):
        leftover.unlink(missing_ok=True)


def _reopen_read_only(folder: Path, shared: _Shared, failed: Store) -> None:
    """Give the handles of a read-only folder a fresh view (unless another thread already did)."""
    with _OPEN_LOCK:
        if shared.store is not failed:
            return
        with contextlib.suppress(OSError):  # the next attempt of the read reopens once more
            shared.store = _open_read_only(folder)


def _release_shared(folder: Path, shared: _Shared) -> None:
    with _OPEN_LOCK:
        shared.users -= 1
        if shared.users == 0 and _OPEN.get(folder) is shared:
            del _OPEN[folder]
            if shared.writable:
                shared.settled()
                shared.store.flush()


class EmbeddedStore(GraphStore):
    """A pyoxigraph store in ``path`` (created if missing unless ``read_only``).

    ``in_memory=True`` (read-only only) copies the folder into pyoxigraph's in-memory storage when
    opening and answers from the copy: a national store takes ~10 s and ~450 MB more to open, and
    its catalogue queries then run 2-13x faster than from RocksDB (``bench/README.md``), which pays
    in a long session (a notebook), not for one query. The copy does not see later builds, and its
    blank nodes are labelled anew.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, read_only: bool = False, in_memory: bool = False
    ) -> None:
        self._folder = Path(path).expanduser().resolve()
        self.location = str(self._folder)
        if in_memory and not read_only:
            raise StoreError(f"an in-memory copy of {self.location} is read-only: open it read_only=True")
        self.read_only = read_only
        self._shared: _Shared | None = (
            _memory_copy(self._folder) if in_memory else _open_shared(self._folder, read_only)
        )

    # -- helpers ---------------------------------------------------------

    @property
    def _store(self) -> Store:
        """The pyoxigraph store, with every pending new graph written."""
        if self._shared is None:
            raise StoreError(f"store at {self.location} is closed")
        return self._shared.settled()

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
        """Replace named graphs in one transaction (bulk-loaded, later, when every target is new)."""
        shared = self._writable()
        targets = {iri: _sequence(triples) for iri, triples in graphs.items()}
        with shared.write_lock:
            if self._all_new(shared, targets):
                shared.wait(targets)
                if not shared.bulk_blocks or shared.pending_size >= BULK_FLUSH_QUADS:
                    shared.settle()
                return
            shared.settle()
            try:
                if update := self._difference(targets):
                    shared.store.update(update)
            except (OSError, SyntaxError, ValueError) as error:
                raise StoreError(f"cannot write to store at {self.location}: {error}") from error

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Collect the new graphs of the block's ``replace_graphs`` calls and bulk-load them together.

        Each call stays atomic (its graphs go into the same ingestion) and reads
        through this process's handles see them at once; other processes see
        them once ~500,000 quads wait, or at the latest when the block ends
        (even by an exception). A killed process loses what still waits: those
        graphs stay as they were (empty). Blocks may nest.
        """
        shared = self._writable()
        with shared.write_lock:
            shared.bulk_blocks += 1
        try:
            yield
        finally:
            with shared.write_lock:
                shared.bulk_blocks -= 1
                if shared.bulk_blocks == 0:
                    shared.settle()

    def optimize(self) -> None:
        """Compact the store's files (RocksDB): a bulk-loaded store answers queries about a third
        faster after it, and a national build spends ~3 s on it."""
        shared = self._writable()
        with shared.write_lock:
            shared.settle()
            try:
                shared.store.optimize()
            except OSError as error:
                raise StoreError(f"cannot write to store at {self.location}: {error}") from error

    def _all_new(self, shared: _Shared, targets: Mapping[str, Sequence[Triple]]) -> bool:
        """Every target graph is empty in the store and not waiting to be written."""
        if shared.pending_graphs.intersection(targets):
            return False
        return all(next(shared.store.quads_for_pattern(None, None, None, NamedNode(iri)), None) is None
                   for iri in targets)

    def _difference(self, targets: Mapping[str, Sequence[Triple]]) -> str:
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
        def run(store: Store) -> QueryResult:
            try:
                try:
                    answer = self._union_query(store, sparql, substitutions)
                except RuntimeError as refused:
                    if "projection" not in str(refused):
                        raise  # a query error, or a file a writer replaced: _read tells
                    answer = self._union_query(store, bind_values(sparql, bindings or {}), {})
                return result_from_pyoxigraph(answer)
            except SyntaxError as error:
                raise QueryError(f"invalid SPARQL: {error}") from error

        return self._read(run)

    @staticmethod
    def _union_query(
        store: Store, sparql: str, substitutions: dict[Variable, Term | Triple]
    ) -> QuerySolutions | QueryBoolean | QueryTriples:
        return store.query(sparql, use_default_graph_as_union=True, substitutions=substitutions)

    def _read(self, operation: Callable[[Store], _T]) -> _T:
        """Run a read; a read-only view of a folder another process writes is opened again and
        the read retried when it fails on files that writer replaced (RocksDB: "No such file")."""
        for attempt in range(_READ_ATTEMPTS):
            store = self._store
            try:
                return operation(store)
            except (OSError, RuntimeError) as error:
                shared = self._shared
                retry = shared is not None and not shared.writable and _vanished_file(error)
                if not retry or attempt == _READ_ATTEMPTS - 1:
                    if isinstance(error, RuntimeError) and "Corruption" not in str(error):
                        raise QueryError(f"cannot run the query: {error}") from error
                    raise StoreError(f"cannot read store at {self.location}: {error}") from error
            assert shared is not None
            time.sleep(0.02 * (attempt + 1))
            _reopen_read_only(self._folder, shared, store)
        raise AssertionError("unreachable")

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        return self._read(
            lambda store: sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
        )

    def count(self, graph_iri: str | None = None) -> int:
        """Quads in one named graph, or in the whole store (one consistent snapshot)."""
        if graph_iri is None:
            return self._read(len)
        graph = NamedNode(graph_iri)
        value = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}").rows[0]["n"]
        return int(value.value) if value is not None else 0

    def export(self, fmt: str, graph_iri: str | None = None) -> bytes:
        """The whole store (``trig``, ``nq``, ``jsonld``) or one named graph (any format)."""
        rdf = rdf_format(fmt)
        check_export(rdf, graph_iri)

        def dump(store: Store) -> bytes | None:
            if graph_iri is None:
                return store.dump(format=rdf, prefixes=PREFIXES)
            quads = store.quads_for_pattern(None, None, None, NamedNode(graph_iri))
            if rdf.supports_datasets:
                return serialize(quads, format=rdf, prefixes=PREFIXES)
            return serialize((q.triple for q in quads), format=rdf, prefixes=PREFIXES)

        data = self._read(dump)
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


def _sequence(triples: Sequence[Triple]) -> Sequence[Triple]:
    """The triples as a sequence read twice at most (N-Triples stay bytes)."""
    return triples if isinstance(triples, NTriples) else list(triples)


def _serialized(triples: Sequence[Triple]) -> NTriples | None:
    """The triples as N-Triples bytes, or None when they hold blank nodes: pyoxigraph's N-Quads
    loader gives blank nodes new labels, ``bulk_extend`` of quads keeps them (unless those quads
    share an ingestion with N-Quads bytes, see :meth:`_Shared.settle`). Serialising costs ~0.3 µs
    a triple, a Python ``Quad`` ~2.5 µs: a million-triple load spent ~2 s building quads."""
    if isinstance(triples, NTriples):
        return triples
    try:
        return NTriples.of(triples)
    except ValueError:
        return None


def _quads(graphs: Mapping[str, Sequence[Triple]]) -> Iterator[Quad]:
    for iri, triples in graphs.items():
        graph = NamedNode(iri)
        for t in triples:
            yield Quad(t.subject, t.predicate, t.object, graph)
