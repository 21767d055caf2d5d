"""Triples held as N-Triples bytes: cheap to hand from a worker process to the one that writes.

A build maps each plan in a worker process; pickling a million pyoxigraph ``Triple`` objects back to
the writer (and building a ``Quad`` of each there) costs more than the mapping itself.
:class:`NTriples` is the same triples as one ``bytes`` value: it pickles as fast as bytes, it is a
``Sequence[Triple]`` (parsed when iterated), so every ``GraphStore.replace_graphs`` accepts it, and
the embedded store bulk-loads its bytes without making a Python object per triple
(:meth:`NTriples.as_nquads`).

>>> from pyoxigraph import Literal, NamedNode, Triple
>>> triples = NTriples.of([Triple(NamedNode("http://example.org/a"), NamedNode("http://example.org/p"),
...                               Literal("ред\\nдва", language="bg"))])
>>> len(triples), triples[0].object.value
(1, 'ред\\nдва')
>>> print(triples.as_nquads("http://example.org/g").decode())
<http://example.org/a> <http://example.org/p> "ред\\nдва"@bg <http://example.org/g> .
<BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple, parse, serialize

__all__ = ["NTriples"]

# pyoxigraph writes one statement per line, ending " .\n", and escapes line breaks inside literals,
# so " .\n" occurs in its N-Triples output only where a statement ends.
_STATEMENT_END = b" .\n"
_BLANK_NODE_START = b"_:"


def _holds_blank_node(triple: Triple) -> bool:
    return isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode)


class NTriples(Sequence[Triple]):
    """Triples kept as pyoxigraph's N-Triples serialisation of them (no blank nodes, see :meth:`of`)."""

    __slots__ = ("_count", "_data", "_parsed")

    def __init__(self, data: bytes, count: int) -> None:
        self._data = data
        self._count = count
        self._parsed: list[Triple] | None = None

    @classmethod
    def of(cls, triples: Iterable[Triple]) -> NTriples:
        """Serialise triples (their count is kept, duplicates included, as ``len`` of a list would).

        Blank nodes are refused: labels written by separate serialisations could meet in one load.

        >>> NTriples.of([])
        NTriples(0 triples, 0 bytes)
        """
        kept = list(triples)
        data = serialize(kept, format=RdfFormat.N_TRIPLES) or b""
        # every blank node label starts with "_:" in N-Triples; a literal may hold it too, hence the
        # test on the terms, only then (it took half the time of a national load's preparation)
        if _BLANK_NODE_START in data and any(_holds_blank_node(t) for t in kept):
            raise ValueError("NTriples holds no blank nodes")
        return cls(data, len(kept))

    @property
    def data(self) -> bytes:
        """The N-Triples bytes."""
        return self._data

    def as_nquads(self, graph_iri: str) -> bytes:
        """The same statements as N-Quads in the named graph ``graph_iri`` (a bytes rewrite, no parse)."""
        return self._data.replace(_STATEMENT_END, f" {NamedNode(graph_iri)} .\n".encode())

    def _triples(self) -> list[Triple]:
        if self._parsed is None:
            self._parsed = [quad.triple for quad in parse(self._data, RdfFormat.N_TRIPLES)]
        return self._parsed

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Triple: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Triple]: ...

    def __getitem__(self, index: int | slice) -> Triple | Sequence[Triple]:
        return self._triples()[index]

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples())

    def __reduce__(self) -> tuple[type[NTriples], tuple[bytes, int]]:
        return NTriples, (self._data, self._count)

    def __repr__(self) -> str:
        return f"NTriples({self._count} triples, {len(self._data)} bytes)"

