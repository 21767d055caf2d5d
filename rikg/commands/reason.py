"""``rikg reason``: run HermiT over the stored graphs and keep what it infers in ``id:graph/inferred``.

Every named graph except ``id:graph/inferred`` (the ontology, the reference chain, the plans, the
alignments) goes to HermiT together; the entailed class memberships and contributesTo-family links
replace the inferred graph in one transaction. Counts and timings go to standard error. When the
graph is inconsistent the old inferred graph is dropped (it no longer follows from the data) and
the command fails with one line naming the conflicting individuals.

>>> from rikg.cli import build_parser
>>> build_parser().parse_args(["reason", "--store", "var/store"]).store
'var/store'
"""

from __future__ import annotations

import argparse
import sys
import time

import pyoxigraph
from rdflib import Graph
from rdflib.namespace import RDF

from rikg.errors import RikgError
from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore
from rikg.ontology.reasoning import InconsistentGraphError, infer
from rikg.ontology.vocab import graph_iri

__all__ = ["INFERRED_GRAPH", "run", "stored_graph"]

INFERRED_GRAPH = str(graph_iri("inferred"))


def run(args: argparse.Namespace) -> int:
    """Reason over the store at ``args.store``; 0 on success, an error when inconsistent."""
    with open_store(args.store) as store:
        started = time.perf_counter()
        graph, sources = stored_graph(store)
        if not sources:
            raise RikgError(f"the store at {args.store} holds no graphs: run `rikg build` first")
        exported = time.perf_counter() - started
        try:
            result = infer(graph, progress=lambda message: print(f"rikg reason: {message}", file=sys.stderr))
        except InconsistentGraphError:
            store.drop_graphs([INFERRED_GRAPH])
            print(f"rikg reason: dropped {INFERRED_GRAPH} (the graphs are inconsistent)", file=sys.stderr)
            raise
        store.replace_graphs({INFERRED_GRAPH: _oxigraph_triples(result.graph)})
    types = sum(1 for _ in result.graph.triples((None, RDF.type, None)))
    print(
        f"rikg reason: {result.asserted} triples from {len(sources)} graphs; "
        f"{len(result.graph)} inferred ({types} class memberships, {len(result.graph) - types} links) "
        f"into {INFERRED_GRAPH}; export {exported:.1f} s, HermiT {result.reasoner_seconds:.1f} s, "
        f"total {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    if result.unsatisfiable_classes:
        unsatisfiable = ", ".join(result.unsatisfiable_classes)
        print(f"rikg reason: unsatisfiable classes: {unsatisfiable}", file=sys.stderr)
    return 0


def stored_graph(store: GraphStore) -> tuple[Graph, list[str]]:
    """Every named graph of the store except the inferred one, merged into one rdflib graph.

    >>> import tempfile
    >>> from pyoxigraph import NamedNode, Triple
    >>> from rikg.graph_store import open_store
    >>> a, p, g = (NamedNode(f"https://example.org/{name}") for name in "apg")
    >>> with open_store(tempfile.mkdtemp()) as store:
    ...     store.replace_graphs({g.value: [Triple(a, p, a)], INFERRED_GRAPH: [Triple(p, p, a)]})
    ...     graph, sources = stored_graph(store)
    >>> len(graph), sources
    (1, ['https://example.org/g'])
    """
    sources = [graph for graph in store.named_graphs() if graph != INFERRED_GRAPH]
    merged = Graph()
    for source in sources:
        quads = pyoxigraph.parse(store.export("nq", source), pyoxigraph.RdfFormat.N_QUADS)
        triples = pyoxigraph.serialize([quad.triple for quad in quads], format=pyoxigraph.RdfFormat.N_TRIPLES)
        merged.parse(data=triples or b"", format="nt")
    return merged, sources


def _oxigraph_triples(graph: Graph) -> list[pyoxigraph.Triple]:
    data = graph.serialize(format="nt", encoding="utf-8")
    return [quad.triple for quad in pyoxigraph.parse(data, pyoxigraph.RdfFormat.N_TRIPLES)]
