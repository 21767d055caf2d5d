"""The Turtle files shipped in ``rikg.ontology``: the OWL ontology, the SHACL shapes and the reference data.

Files are read as package data (``importlib.resources``), so they work from a source checkout and
from an installed wheel alike, without network access. Each file comes as raw bytes (fast to load
into pyoxigraph) and, on request, as an rdflib :class:`~rdflib.Graph` or a list of pyoxigraph triples.
A file that is not valid Turtle raises :class:`~rikg.errors.RikgError` naming the file.

>>> ontology_resource().name
'rikg.ttl'
>>> from rikg.ontology.vocab import RIKG
>>> from rdflib import OWL, RDF
>>> (RIKG.Measure, RDF.type, OWL.Class) in ontology_graph()
True
>>> [shapes.name for shapes in shape_resources()]
['shapes/rikg-shapes.ttl']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

import pyoxigraph
from rdflib import Graph

from rikg.errors import RikgError

__all__ = [
    "TurtleResource",
    "ontology_graph",
    "ontology_resource",
    "reference_graph",
    "reference_resources",
    "shape_resources",
    "shapes_graph",
]

ONTOLOGY_FILE = "rikg.ttl"
SHAPES_DIR = "shapes"
REFERENCE_DIR = "reference"


@dataclass(frozen=True)
class TurtleResource:
    """One Turtle file of the package: its name relative to ``rikg.ontology`` and its bytes.

    >>> resource = TurtleResource("example.ttl", b"<http://example.org/a> <http://example.org/p> 1 .")
    >>> len(resource.triples()), len(resource.graph())
    (1, 1)
    >>> TurtleResource("bad.ttl", b"<a> <b>").graph()
    Traceback (most recent call last):
    ...
    rikg.errors.RikgError: bad.ttl: not valid Turtle: ...
    """

    name: str
    data: bytes

    def triples(self) -> list[pyoxigraph.Triple]:
        """The file's triples as pyoxigraph terms (blank nodes renamed, so files never share one)."""
        try:
            quads = pyoxigraph.parse(
                self.data, pyoxigraph.RdfFormat.TURTLE, rename_blank_nodes=True, without_named_graphs=True
            )
            return [quad.triple for quad in quads]
        except SyntaxError as error:
            raise RikgError(f"{self.name}: not valid Turtle: {error}") from None

    def graph(self) -> Graph:
        """The file parsed into a new rdflib graph."""
        return _parse_into(Graph(), [self])


def _package_root() -> Traversable:
    return files("rikg.ontology")


def _read(entry: Traversable, name: str) -> TurtleResource:
    if not entry.is_file():
        raise RikgError(f"{name}: missing from the rikg.ontology package data")
    return TurtleResource(name, entry.read_bytes())


def _turtle_files(folder: str) -> list[TurtleResource]:
    directory = _package_root() / folder
    if not directory.is_dir():
        return []
    entries = sorted(
        (entry for entry in directory.iterdir() if entry.name.endswith(".ttl")), key=lambda entry: entry.name
    )
    return [_read(entry, f"{folder}/{entry.name}") for entry in entries]


def _parse_into(graph: Graph, resources: Iterable[TurtleResource]) -> Graph:
    for resource in resources:
        try:
            graph.parse(data=resource.data, format="turtle", publicID=f"urn:rikg:resource:{resource.name}")
        except Exception as error:  # rdflib raises many parser error types
            raise RikgError(f"{resource.name}: not valid Turtle: {error}") from None
    return graph


def ontology_resource() -> TurtleResource:
    """The OWL 2 ontology ``rikg.ttl``."""
    return _read(_package_root() / ONTOLOGY_FILE, ONTOLOGY_FILE)


def shape_resources() -> list[TurtleResource]:
    """The SHACL shape files ``shapes/*.ttl``, sorted by name."""
    return _turtle_files(SHAPES_DIR)


def reference_resources() -> list[TurtleResource]:
    """The reference data of the upper chain, ``reference/*.ttl``, sorted by name.

    >>> all(resource.name.startswith("reference/") for resource in reference_resources())
    True
    """
    return _turtle_files(REFERENCE_DIR)


def ontology_graph() -> Graph:
    """A new rdflib graph holding the ontology."""
    return ontology_resource().graph()


def shapes_graph() -> Graph:
    """A new rdflib graph holding every SHACL shape file.

    >>> from rdflib import Namespace, RDF
    >>> SH = Namespace("http://www.w3.org/ns/shacl#")
    >>> len(set(shapes_graph().subjects(RDF.type, SH.NodeShape))) > 0
    True
    """
    return _parse_into(Graph(), shape_resources())


def reference_graph() -> Graph:
    """A new rdflib graph holding every reference file (empty if there are none)."""
    return _parse_into(Graph(), reference_resources())
