"""rikg.ontology: the OWL ontology, SHACL shapes and reference data, and the helpers to load them.

>>> from rikg.ontology import ontology_graph
>>> len(ontology_graph()) > 100
True
"""

from rikg.ontology.resources import (
    TurtleResource,
    ontology_graph,
    ontology_resource,
    reference_graph,
    reference_resources,
    shape_resources,
    shapes_graph,
)

__all__ = [
    "TurtleResource",
    "ontology_graph",
    "ontology_resource",
    "reference_graph",
    "reference_resources",
    "shape_resources",
    "shapes_graph",
]
