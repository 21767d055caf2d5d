"""A precomputed layered layout: one band per level (EU at the top), few crossings, no physics needed.

The view's nodes and edges go into a :mod:`networkx` graph; each level is a
horizontal band, wrapped into rows of at most ``row_width`` nodes, and nodes
within a band are ordered by the mean position of their neighbours in the
bands above (a barycentre sweep), so a plan's objectives sit under the plan
and its measures under its objectives. A wide band wraps column by column,
so the order still runs left to right. Positions are written into the nodes.

>>> from rikg.explorer.view import ExplorerView, ViewEdge, ViewNode
>>> view = ExplorerView(
...     nodes=[ViewNode("p", "plan", "Plan"), ViewNode("o", "objective", "Goal"),
...            ViewNode("m", "measure", "M")],
...     edges=[ViewEdge("o", "p", "inDocument"), ViewEdge("m", "o", "servesObjective")])
>>> layout(view)
>>> [(node.iri, node.x, node.y) for node in view.nodes]
[('p', 0.0, 0.0), ('o', 0.0, 190.0), ('m', 0.0, 380.0)]
"""

from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx

from rikg.explorer.view import ExplorerView, ViewNode

__all__ = ["PHYSICS_LIMIT", "layout"]

#: Above this many nodes the page turns physics off and keeps the precomputed positions.
PHYSICS_LIMIT = 300
X_SPACING = 130.0
ROW_SPACING = 100.0
BAND_SPACING = 190.0


def layout(view: ExplorerView, *, row_width: int = 0) -> None:
    """Give every node of ``view`` its ``x``/``y``: levels top-down, ordered to follow their parents.

    ``row_width`` caps the columns of a band (0: about twice the square root of the node count, at least 24).
    """
    if not view.nodes:
        return
    width = row_width or max(24, round(2 * math.sqrt(len(view.nodes))))
    graph = nx.Graph()
    graph.add_nodes_from(node.iri for node in view.nodes)
    graph.add_edges_from((edge.source, edge.target) for edge in view.edges)
    bands: dict[int, list[ViewNode]] = defaultdict(list)
    for node in sorted(view.nodes, key=lambda node: (node.level, node.plan or "", node.code or "", node.iri)):
        bands[node.level].append(node)
    position: dict[str, float] = {}
    y = 0.0
    for level in sorted(bands):
        ordered = _order_band(bands[level], graph, position)
        # Column-major wrapping keeps the left-to-right order that follows the parents.
        rows = math.ceil(len(ordered) / width)
        columns = math.ceil(len(ordered) / rows)
        for index, node in enumerate(ordered):
            column, row = divmod(index, rows)
            node.x = (column - (columns - 1) / 2) * X_SPACING
            node.y = y + row * ROW_SPACING
            position[node.iri] = node.x
        y += (rows - 1) * ROW_SPACING + BAND_SPACING


def _order_band(band: list[ViewNode], graph: nx.Graph, position: dict[str, float]) -> list[ViewNode]:
    """The band's nodes by the mean x of their placed neighbours (stable; unplaced ones go last)."""
    def barycentre(index_node: tuple[int, ViewNode]) -> tuple[float, int]:
        index, node = index_node
        placed = [position[other] for other in graph.neighbors(node.iri) if other in position]
        if not placed:
            return (math.inf, index)
        return (sum(placed) / len(placed), index)

    if not position:
        return band
    keyed = sorted(enumerate(band), key=barycentre)
    return [node for _, node in keyed]
