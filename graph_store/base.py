"""The store interface every backend implements, and the result type of a query.

Terms are pyoxigraph terms (``NamedNode``, ``Literal``, ``BlankNode``) in both
backends, so callers never care where the data lives. Each source document
lives in its own named graph (``rikg.ontology.vocab.graph_iri``); every query
sees the default graph as the union of all named graphs.

>>> from pyoxigraph import NamedNode
>>> result = QueryResult(kind="select", variables=["x"], rows=[{"x": NamedNode("http://example.org/a")}])
>>> result.column("x")
[<NamedNode value=http://example.org/a>]
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

Term = NamedNode | Literal | BlankNode
QueryKind = TypingLiteral["select", "ask", "construct"]

__all__ = ["GraphStore", "QueryKind", "QueryResult", "Term"]


@dataclass
class QueryResult:
    """Rows of a SELECT (variable name -> term or None), the answer of an ASK, or CONSTRUCT triples."""

    kind: QueryKind
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)

    def column(self, name: str) -> list[Term | None]:
        """The values of one variable, in row order."""
        return [row.get(name) for row in self.rows]


class GraphStore(ABC):
    """A quad store holding one named graph per source document."""

    location: str

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[str, Sequence[Triple]]) -> None:
        """Replace each named graph (IRI -> triples) with the given triples.

        All graphs of one call change in one transaction: a concurrent reader
        sees every old graph or every new one, never a mix or half a graph.
        """

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """A block whose ``replace_graphs`` calls may be written together at its end (faster).

        Each call stays atomic and reads through this store see its graphs at
        once; other clients see them at the latest when the block ends. The
        embedded store bulk-loads new graphs together; by default nothing changes.
        """
        yield

    def optimize(self) -> None:  # noqa: B027 - optional: a server manages its own storage
        """Reorganise the storage for reading after a large write (the embedded store compacts its files)."""

    @abstractmethod
    def drop_graphs(self, graph_iris: Sequence[str]) -> None:
        """Remove named graphs (missing ones are ignored), in one transaction."""

    @abstractmethod
    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> QueryResult:
        """Run a SPARQL 1.1 query; ``bindings`` binds variables (name without ``?``) to RDF terms."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs in the store, sorted."""

    @abstractmethod
    def count(self, graph_iri: str | None = None) -> int:
        """Number of quads in one named graph, or in the whole store."""

    @abstractmethod
    def export(self, fmt: str, graph_iri: str | None = None) -> bytes:
        """Serialise the store (``trig``/``nq``) or one graph (``ttl``/``nq``/``trig``/``jsonld``)."""

    @abstractmethod
    def import_data(self, data: bytes, fmt: str, graph_iri: str | None = None) -> int:
        """Load serialised RDF; triple formats go into ``graph_iri``. Returns the number of quads added."""

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        """Release the store (flush files, close connections)."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
