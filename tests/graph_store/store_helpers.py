"""Test data and helpers shared by the graph store tests."""

from __future__ import annotations

import json
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from rdflib import Dataset
from rdflib.compare import isomorphic

from rikg.ontology.vocab import graph_iri

EX = "http://example.org/"
XSD_DECIMAL = NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
PLAN = str(graph_iri("plan/ruse-2024-2027"))
OTHER = str(graph_iri("plan/vidin-2024-2027"))
REFERENCE = str(graph_iri("reference"))


def node(name: str) -> NamedNode:
    return NamedNode(EX + name)


def measures(count: int, tag: str = "") -> list[Triple]:
    """``count`` measures, each with a Bulgarian label."""
    label = node("label")
    return [Triple(node(f"m{i}"), label, Literal(f"Мярка {i}{tag}", language="bg")) for i in range(count)]


def rich_triples() -> list[Triple]:
    """Triples with blank nodes, language tags, datatypes, quotes and newlines."""
    amount = BlankNode()
    return [
        Triple(node("m1"), node("amount"), amount),
        Triple(amount, node("bgn"), Literal("1955.83", datatype=XSD_DECIMAL)),
        Triple(amount, node("note"), Literal('кавички "така"\nи нов ред', language="bg")),
        Triple(node("m1"), node("label"), Literal("Measure", language="en")),
    ]


def all_graphs(url: str) -> list[str]:
    """Every named graph on the server, staging graphs included (straight from the server)."""
    query = urllib.parse.urlencode({"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"})
    accept = {"Accept": "application/sparql-results+json"}
    request = urllib.request.Request(f"{url}/query?{query}", headers=accept)
    with urllib.request.urlopen(request, timeout=10) as response:
        bindings = json.load(response)["results"]["bindings"]
    return sorted(row["g"]["value"] for row in bindings)


def _reader(read: Callable[[], object], stop: threading.Event, seen: set[object]) -> None:
    while not stop.is_set():
        seen.add(read())


def watch_while(read: Callable[[], object], change: Callable[[], None]) -> set[object]:
    """Every value ``read`` returned (in a thread) while ``change`` ran (in this one)."""
    seen: set[object] = set()
    stop = threading.Event()
    reader = threading.Thread(target=_reader, args=(read, stop, seen))
    reader.start()
    try:
        change()
    finally:
        stop.set()
        reader.join()
    return seen


@dataclass
class Proxy:
    """A meddling HTTP proxy in front of the Oxigraph server."""

    target: str
    url: str = ""
    row_cap: int | None = None
    fail_after_first_update_operation: bool = False
    select_requests: list[int] = field(default_factory=list)  # rows sent back per SELECT answer
    authorizations: list[str] = field(default_factory=list)  # Authorization header of each request
    methods: list[str] = field(default_factory=list)  # HTTP method of each request




def parse_dataset(data: bytes, fmt: str) -> Dataset:
    """An rdflib dataset of TriG, N-Quads or JSON-LD data."""
    dataset = Dataset()
    dataset.parse(data=data, format={"trig": "trig", "nq": "nquads", "jsonld": "json-ld"}[fmt])
    return dataset


def assert_same_dataset(left: Dataset, right: Dataset) -> None:
    """Same named graphs, each isomorphic (blank nodes matched by structure, not by label)."""
    names = {g.identifier for g in left.graphs() if len(g)}
    assert names == {g.identifier for g in right.graphs() if len(g)}
    for name in names:
        assert isomorphic(left.graph(name), right.graph(name)), name
