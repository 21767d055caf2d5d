"""Network views of the graph (networkx): who shares responsibility with whom, and how deep the chains go.

Two projections are read from a store by SPARQL:

* the **co-responsibility network** (:func:`co_responsibility_network`): institutions, linked when
  a plan names them responsible for the same measure or activity; the edge weight counts the
  measures and activities they share;
* the **contribution graph** (:func:`contribution_graph`): documents, objectives, measures and
  activities, with an edge for each asserted link of the ``rikg:contributesTo`` family
  (``implements``, ``servesObjective``, ``partOfMeasure``, ``subObjectiveOf``, ``alignedWith``,
  ``contributesTo``). The reasoner's ``id:graph/inferred`` is left out: its transitive shortcuts
  would hide the chain's steps.

On top of them: centrality of institutions (:func:`institution_centrality`) and the depth of the
chain from each municipal plan's activities up through the graph (:func:`chain_depths`).

>>> network = network_from_assignments({
...     "m1": ["id:ruo", "id:municipality"], "m2": ["id:ruo", "id:municipality", "id:rzi"], "m3": ["id:rzi"]})
>>> network["id:ruo"]["id:municipality"]["weight"], network["id:ruo"]["id:rzi"]["weight"]
(2, 1)
>>> [(row.institution, row.weighted_degree) for row in institution_centrality(network, top=2)]
[('id:municipality', 3), ('id:ruo', 3)]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

import networkx as nx
from pyoxigraph import Literal, NamedNode
from rdflib import URIRef
from rdflib.namespace import RDFS

from rikg.graph_store.base import GraphStore, Term
from rikg.ontology.resources import ontology_graph
from rikg.ontology.vocab import ID_NS, RIKG, graph_iri

__all__ = [
    "CHAIN_PROPERTIES",
    "GraphCount",
    "InstitutionCentrality",
    "PlanChainDepth",
    "chain_depths",
    "co_responsibility_network",
    "contribution_graph",
    "graph_counts",
    "institution_centrality",
    "longest_chains",
    "network_from_assignments",
]

#: Properties whose asserted links make up the contribution graph (all sub-properties of contributesTo).
CHAIN_PROPERTIES = (
    RIKG.implements, RIKG.servesObjective, RIKG.partOfMeasure, RIKG.subObjectiveOf, RIKG.alignedWith,
    RIKG.contributesTo,
)
#: The node kinds of the contribution graph, each with the class that defines it.
KINDS = {
    "document": RIKG.PolicyDocument,
    "objective": RIKG.Objective,
    "measure": RIKG.Measure,
    "activity": RIKG.Activity,
}
INFERRED_GRAPH = str(graph_iri("inferred"))

_PREFIXES = """PREFIX rikg: <https://w3id.org/rikg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_RESPONSIBILITIES = _PREFIXES + """SELECT DISTINCT ?item ?institution WHERE {
  ?item rikg:responsibleInstitution ?institution ; a ?kind .
  FILTER (?kind IN (rikg:Measure, rikg:Activity))
}"""
_LABELS = _PREFIXES + """SELECT ?node ?label WHERE {
  ?node skos:prefLabel ?label .
  FILTER (isIRI(?node) && isLiteral(?label))
}"""
_CHAIN_EDGES = _PREFIXES + """SELECT DISTINCT ?source ?property ?target WHERE {
  GRAPH ?graph { ?source ?property ?target }
  FILTER (?property IN (%s) && isIRI(?target) && ?graph != <%s>)
}"""
_TYPED_NODES = _PREFIXES + """SELECT DISTINCT ?node ?kind ?document WHERE {
  ?node a ?kind .
  FILTER (?kind IN (%s) && isIRI(?node))
  OPTIONAL { ?node rikg:inDocument ?document }
}"""


@dataclass(frozen=True)
class GraphCount:
    """The number of triples in one named graph."""

    graph: str
    triples: int


@dataclass(frozen=True)
class InstitutionCentrality:
    """How central one institution is in the co-responsibility network.

    ``items`` counts the measures and activities it is responsible for, ``degree`` its distinct
    partners, ``weighted_degree`` the items it shares summed over partners, ``betweenness`` how
    often it lies on the shortest path between two others (normalised to 0..1; strong ties are
    short: distance = 1 / weight).
    """

    institution: str
    label: str
    items: int
    degree: int
    weighted_degree: int
    betweenness: float


@dataclass(frozen=True)
class PlanChainDepth:
    """The longest chain from an item of a plan up through the contribution graph.

    ``depth`` counts its links; ``path`` lists its nodes from the item to the top; ``items`` is the
    number of the plan's items the chains were measured from (activities, else measures, else
    objectives).
    """

    plan: str
    label: str
    items: int
    depth: int
    path: tuple[str, ...]


def graph_counts(store: GraphStore) -> list[GraphCount]:
    """Triples per named graph, in the store's order (sorted by IRI)."""
    return [GraphCount(graph, store.count(graph)) for graph in store.named_graphs()]


def network_from_assignments(
    assignments: Mapping[str, Iterable[str]], labels: Mapping[str, str] | None = None
) -> nx.Graph:
    """The co-responsibility network of items and their responsible institutions.

    Every institution is a node (``items``: how many items name it; ``label``); two institutions
    are linked when they share an item, with ``weight`` = the number of items they share.

    >>> network = network_from_assignments({"a1": ["x", "y"], "a2": ["y", "x", "x"], "a3": ["z"]})
    >>> sorted(network.nodes(data="items")), list(network.edges(data="weight"))
    ([('x', 2), ('y', 2), ('z', 1)], [('x', 'y', 2)])
    """
    network = nx.Graph()
    labels = labels or {}
    for institutions in assignments.values():
        members = sorted(set(institutions))
        for institution in members:
            if institution not in network:
                network.add_node(institution, items=0, label=labels.get(institution, ""))
            network.nodes[institution]["items"] += 1
        for first, second in combinations(members, 2):
            weight = network.edges[first, second]["weight"] if network.has_edge(first, second) else 0
            network.add_edge(first, second, weight=weight + 1)
    return network


def co_responsibility_network(store: GraphStore) -> nx.Graph:
    """Institutions linked by the measures and activities they are jointly responsible for."""
    assignments: dict[str, list[str]] = defaultdict(list)
    for row in store.query(_RESPONSIBILITIES).rows:
        assignments[_iri(row["item"])].append(_iri(row["institution"]))
    return network_from_assignments(assignments, _labels(store))


def institution_centrality(network: nx.Graph, top: int | None = None) -> list[InstitutionCentrality]:
    """Institutions ranked by weighted degree, then betweenness, then IRI; the first ``top`` if given.

    >>> network = network_from_assignments({"m1": ["a", "b"], "m2": ["b", "c"]})
    >>> [(row.institution, row.degree, row.betweenness) for row in institution_centrality(network)]
    [('b', 2, 1.0), ('a', 1, 0.0), ('c', 1, 0.0)]
    """
    for _, _, data in network.edges(data=True):
        data["distance"] = 1 / data["weight"]
    betweenness = nx.betweenness_centrality(network, weight="distance", normalized=True)
    rows = [
        InstitutionCentrality(
            institution=node,
            label=str(data.get("label", "")),
            items=int(data.get("items", 0)),
            degree=int(network.degree(node)),
            weighted_degree=int(network.degree(node, weight="weight")),
            betweenness=round(float(betweenness[node]), 6),
        )
        for node, data in network.nodes(data=True)
    ]
    rows.sort(key=lambda row: (-row.weighted_degree, -row.betweenness, row.institution))
    return rows if top is None else rows[:top]


def contribution_graph(store: GraphStore) -> nx.DiGraph:
    """Documents, objectives, measures and activities, linked by asserted contributesTo-family edges.

    Nodes carry ``kind`` (document, objective, measure, activity, or ``None`` for an untyped
    target), ``types`` (their rikg classes), ``document`` (for a document: itself) and ``label``;
    edges carry ``properties``, the local names of the properties that link the two nodes.
    """
    kinds = _kinds_of_classes()
    dag = nx.DiGraph()
    classes = ", ".join(f"<{cls}>" for cls in kinds)
    for row in store.query(_TYPED_NODES % classes).rows:
        node, cls = _iri(row["node"]), _iri(row["kind"])
        if node not in dag:
            dag.add_node(node, kind=None, types=set(), document=None, label="")
        attributes = dag.nodes[node]
        attributes["types"].add(cls)
        attributes["kind"] = _more_specific_kind(attributes["kind"], kinds[cls])
        if row.get("document") is not None:
            attributes["document"] = _iri(row["document"])
    for node, attributes in dag.nodes(data=True):
        if attributes["kind"] == "document":
            attributes["document"] = node
    properties = ", ".join(f"<{prop}>" for prop in CHAIN_PROPERTIES)
    for row in store.query(_CHAIN_EDGES % (properties, INFERRED_GRAPH)).rows:
        source, target, prop = _iri(row["source"]), _iri(row["target"]), _iri(row["property"])
        for node in (source, target):
            if node not in dag:
                dag.add_node(node, kind=None, types=set(), document=None, label="")
        if dag.has_edge(source, target):
            dag.edges[source, target]["properties"].add(_local(prop))
        else:
            dag.add_edge(source, target, properties={_local(prop)})
    labels = _labels(store)
    for node, attributes in dag.nodes(data=True):
        attributes["label"] = labels.get(node, "")
    return dag


def longest_chains(dag: nx.DiGraph) -> dict[str, tuple[str, ...]]:
    """For every node, the longest path that starts at it and follows the edges (itself alone at a top).

    Among equally long paths the first in sorted order wins. Cycles (which a sound graph does not
    have) are collapsed first: a chain crosses a cycle once.

    >>> dag = nx.DiGraph([("activity", "measure"), ("measure", "goal"), ("goal", "eu"), ("measure", "eu")])
    >>> longest_chains(dag)["activity"]
    ('activity', 'measure', 'goal', 'eu')
    >>> longest_chains(nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c")]))["a"][-1]
    'c'
    """
    condensed = nx.condensation(dag)
    first_member = {scc: min(data["members"]) for scc, data in condensed.nodes(data=True)}
    best: dict[int, tuple[str, ...]] = {}
    for scc in reversed(list(nx.topological_sort(condensed))):
        above = [best[successor] for successor in condensed.successors(scc)]
        best[scc] = (first_member[scc], *_longest(above))
    return {node: (node, *best[condensed.graph["mapping"][node]][1:]) for node in dag}


def _longest(chains: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    """The longest chain; among equally long ones the first in sorted order (so results are stable)."""
    return min(chains, key=lambda chain: (-len(chain), chain), default=())


def chain_depths(dag: nx.DiGraph) -> list[PlanChainDepth]:
    """The longest chain up from each municipal plan's items, one row per plan, sorted by plan IRI.

    Chains start at the plan's activities (or, for a plan without activities, its measures, else
    its objectives) and follow the edges of :func:`contribution_graph` to the top.
    """
    chains = longest_chains(dag)
    rows = []
    plan_class = str(RIKG.MunicipalActionPlan)
    plans = sorted(node for node, types in dag.nodes(data="types") if plan_class in (types or ()))
    for plan in plans:
        items = _plan_items(dag, plan)
        path = _longest(chains[item] for item in items)
        rows.append(
            PlanChainDepth(
                plan=plan,
                label=str(dag.nodes[plan].get("label", "")),
                items=len(items),
                depth=max(len(path) - 1, 0),
                path=path,
            )
        )
    return rows


def _plan_items(dag: nx.DiGraph, plan: str) -> list[str]:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for node, attributes in dag.nodes(data=True):
        if attributes.get("document") == plan and attributes.get("kind") != "document":
            by_kind[str(attributes.get("kind"))].append(node)
    for kind in ("activity", "measure", "objective"):
        if by_kind[kind]:
            return sorted(by_kind[kind])
    return []


def _kinds_of_classes() -> dict[str, str]:
    """Every class of the ontology that falls under one of :data:`KINDS`, with that kind."""
    ontology = ontology_graph()
    kinds: dict[str, str] = {}
    for kind, root in KINDS.items():
        for cls in ontology.transitive_subjects(RDFS.subClassOf, root):
            if isinstance(cls, URIRef):
                kinds[str(cls)] = kind
    return kinds


def _more_specific_kind(current: str | None, new: str) -> str:
    order = ("activity", "measure", "objective", "document")
    return new if current is None or order.index(new) < order.index(current) else current


def _labels(store: GraphStore) -> dict[str, str]:
    """One label per node: the Bulgarian prefLabel if there is one, else any prefLabel."""
    labels: dict[str, tuple[int, str]] = {}
    for row in store.query(_LABELS).rows:
        label = row["label"]
        if not isinstance(label, Literal):
            continue
        rank = {"bg": 0, "": 1}.get(label.language or "", 2)
        node = _iri(row["node"])
        if node not in labels or (rank, label.value) < labels[node]:
            labels[node] = (rank, label.value)
    return {node: text for node, (_, text) in labels.items()}


def _iri(term: Term | None) -> str:
    if not isinstance(term, NamedNode):
        raise ValueError(f"expected an IRI, got {term!r}")
    return term.value


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.removeprefix(ID_NS)
