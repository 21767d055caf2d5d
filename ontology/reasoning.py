"""OWL 2 reasoning with HermiT (through owlready2): consistency checks with readable explanations,
and the facts HermiT infers.

owlready2 cannot read Turtle, so the rdflib graph goes in as N-Triples, into a fresh owlready2
``World``; a count check makes sure every subject arrived. HermiT runs with
``--ignoreUnsupportedDatatypes`` because ``xsd:gYear`` and ``xsd:date`` (used for years and adoption
dates) are outside the OWL 2 datatype map; the SHACL shapes check those values instead.

HermiT decides consistency and the types of individuals (classification and realisation); the
links between individuals that follow from the property axioms (sub-properties, inverses,
transitive properties: the only ones in the ontology that entail property values) are completed
by :func:`infer` itself, together with the superclasses of every type, so the inferred graph
answers plain SPARQL (``?x a rikg:Objective``, ``?x rikg:contributesTo ?y``) without paths.
HermiT's own property-value realisation (``-Y``) gives the same links on the bundled plans but
did not finish in 40 minutes on a national store (1 M triples); realisation alone takes ~8.

>>> from rdflib import Graph
>>> from rikg.ontology.resources import ontology_graph
>>> data = ontology_graph().parse(format="turtle", data='''
...     @prefix rikg: <https://w3id.org/rikg/ontology#> .
...     <https://example.org/activity> rikg:partOfMeasure <https://example.org/measure> .
...     <https://example.org/measure> rikg:servesObjective <https://example.org/goal> .''')
>>> result = infer(data)
>>> from rikg.ontology.vocab import RIKG
>>> from rdflib import URIRef, RDF
>>> activity, goal = URIRef("https://example.org/activity"), URIRef("https://example.org/goal")
>>> (activity, RIKG.contributesTo, goal) in result.graph
True
>>> (URIRef("https://example.org/measure"), RDF.type, RIKG.Measure) in result.graph
True
"""

from __future__ import annotations

import io
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import networkx as nx
import owlready2
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from rikg.errors import RikgError
from rikg.ontology.vocab import ID_NS, RIKG_NS

__all__ = [
    "ConsistencyReport",
    "InconsistentGraphError",
    "InferenceResult",
    "check_consistency",
    "infer",
    "require_java",
]

JAVA_MISSING = "Java not found: install a JRE (apt-get install default-jre-headless) or run `make test`"
INPUT_ONTOLOGY = "urn:rikg:reasoning:input"
INFERRED_ONTOLOGY = "urn:rikg:reasoning:inferred"
#: Upper bound on HermiT runs spent searching for the individuals behind an inconsistency.
DEFAULT_EXPLAIN_RUNS = 60

Triple = tuple[Node, Node, Node]

# rdf:type objects that make a subject part of the schema rather than an individual.
_SCHEMA_TYPES = frozenset(
    {
        OWL.Class, RDFS.Class, OWL.Ontology, RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty,
        OWL.AnnotationProperty, OWL.TransitiveProperty, OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty, OWL.SymmetricProperty, OWL.AsymmetricProperty,
        OWL.ReflexiveProperty, OWL.IrreflexiveProperty, RDFS.Datatype, OWL.Restriction,
        OWL.AllDisjointClasses, OWL.AllDifferent, OWL.AllDisjointProperties,
    }
)
_PREFIXES = {
    RIKG_NS: "rikg:",
    ID_NS: "id:",
    str(RDF): "rdf:",
    str(RDFS): "rdfs:",
    str(OWL): "owl:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://www.w3.org/ns/org#": "org:",
    "https://schema.org/": "schema:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
    "http://purl.org/dc/terms/": "dcterms:",
}


@dataclass(frozen=True)
class ConsistencyReport:
    """The verdict of HermiT on a graph.

    ``culprits`` are the individuals of the smallest conflicting set found, ``conflict`` their
    statements, ``explanation`` one readable line naming them (empty when consistent).
    ``unsatisfiable_classes`` lists classes that can have no member (a consistent graph may still
    have them). ``seconds`` is the wall time including any explanation search.
    """

    consistent: bool
    seconds: float
    explanation: str = ""
    culprits: tuple[str, ...] = ()
    conflict: tuple[str, ...] = ()
    unsatisfiable_classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class InferenceResult:
    """Triples HermiT entails that the input did not state, with timings in seconds."""

    graph: Graph
    seconds: float
    reasoner_seconds: float
    asserted: int
    unsatisfiable_classes: tuple[str, ...] = field(default=())


class InconsistentGraphError(RikgError):
    """The graph has no model; the message names the conflicting individuals."""

    def __init__(self, report: ConsistencyReport) -> None:
        super().__init__(report.explanation)
        self.report = report


@dataclass(frozen=True)
class _Run:
    consistent: bool
    seconds: float
    hermit_graph: Graph
    unsatisfiable: tuple[str, ...]


def require_java() -> str:
    """The path of the ``java`` executable owlready2 runs HermiT with, or a RikgError saying how to get one.

    >>> require_java().endswith("java")
    True
    """
    java = shutil.which(str(owlready2.JAVA_EXE))
    if java is None:
        raise RikgError(JAVA_MISSING)
    return java


def check_consistency(
    graph: Graph,
    *,
    explain: bool = True,
    max_runs: int = DEFAULT_EXPLAIN_RUNS,
    progress: Callable[[str], None] | None = None,
) -> ConsistencyReport:
    """Ask HermiT whether ``graph`` (ontology and data together) has a model.

    When it has none and ``explain`` is set, HermiT is re-run on subsets of the individuals
    (at most ``max_runs`` times) to find a small set that still conflicts, and the report
    names those individuals, their types and the disjoint classes they fall into. ``progress``
    hears about that (slower) search before it starts.

    >>> from rikg.ontology.resources import ontology_graph
    >>> data = ontology_graph().parse(format="turtle", data='''
    ...     @prefix rikg: <https://w3id.org/rikg/ontology#> .
    ...     <https://w3id.org/rikg/id/institution/x> a rikg:Measure , rikg:Institution .''')
    >>> report = check_consistency(data)
    >>> report.consistent, report.culprits
    (False, ('https://w3id.org/rikg/id/institution/x',))
    >>> print(report.explanation)
    inconsistent (HermiT): id:institution/x is rikg:Institution (asserted type)
    and rikg:Measure (asserted type), which are disjoint
    """
    started = time.perf_counter()
    run = _run_hermit(graph, property_values=False)
    if run.consistent:
        return ConsistencyReport(True, time.perf_counter() - started, unsatisfiable_classes=run.unsatisfiable)
    return _inconsistent_report(graph, started, explain, max_runs, progress)


def infer(graph: Graph, *, progress: Callable[[str], None] | None = None) -> InferenceResult:
    """The triples HermiT entails from ``graph`` that ``graph`` does not state.

    New class memberships (with their superclasses) and object-property links (with their
    super-properties and inverses) of individuals; schema-level inferences are left out.
    Raises :class:`InconsistentGraphError` when the graph has no model (``progress`` as in
    :func:`check_consistency`).
    """
    started = time.perf_counter()
    run = _run_hermit(graph, property_values=False)
    if not run.consistent:
        report = _inconsistent_report(graph, started, True, DEFAULT_EXPLAIN_RUNS, progress)
        raise InconsistentGraphError(report)
    entailed = _entailed_triples(graph, run.hermit_graph)
    return InferenceResult(
        graph=entailed,
        seconds=time.perf_counter() - started,
        reasoner_seconds=run.seconds,
        asserted=len(graph),
        unsatisfiable_classes=run.unsatisfiable,
    )


# --- running HermiT -------------------------------------------------------------------------


def _run_hermit(graph: Graph, *, property_values: bool) -> _Run:
    require_java()
    world = owlready2.World()
    try:
        _load(world, graph)
        inferred = world.get_ontology(INFERRED_ONTOLOGY)
        started = time.perf_counter()
        try:
            with inferred:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=property_values, debug=0, ignore_unsupported_datatypes=True
                )
        except owlready2.OwlReadyInconsistentOntologyError:
            return _Run(False, time.perf_counter() - started, Graph(), ())
        except owlready2.OwlReadyJavaError as error:
            raise RikgError(f"HermiT failed: {_java_message(str(error))}") from None
        seconds = time.perf_counter() - started
        unsatisfiable = tuple(
            sorted(str(cls.iri) for cls in world.inconsistent_classes() if cls.iri != str(OWL.Nothing))
        )
        return _Run(True, seconds, _saved(inferred), unsatisfiable)
    finally:
        world.close()


def _load(world: owlready2.World, graph: Graph) -> None:
    """Load ``graph`` into ``world`` as N-Triples and check that every subject arrived."""
    ontology = world.get_ontology(INPUT_ONTOLOGY)
    ontology.load(fileobj=io.BytesIO(graph.serialize(format="nt", encoding="utf-8")), format="ntriples")
    expected = len({s for s in graph.subjects() if isinstance(s, URIRef)})
    (loaded,) = world.graph.execute(
        "SELECT COUNT(DISTINCT s) FROM quads WHERE c = ? AND s > 0", (ontology.graph.c,)
    ).fetchone()
    if loaded != expected:
        raise RikgError(f"owlready2 loaded {loaded} of {expected} subjects of the graph; cannot reason on it")


def _saved(ontology: owlready2.Ontology) -> Graph:
    buffer = io.BytesIO()
    ontology.save(buffer, format="ntriples")
    return Graph().parse(data=buffer.getvalue(), format="nt")


def _java_message(text: str) -> str:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("at ")]
    return " | ".join(lines[1:3] or lines[:1]) or "no message"


# --- completing HermiT's answer --------------------------------------------------------------


def _schema_terms(graph: Graph) -> set[Node]:
    terms = {s for schema_type in _SCHEMA_TYPES for s in graph.subjects(RDF.type, schema_type)}
    terms.update(s for s, _, _ in graph.triples((None, RDFS.subClassOf, None)))
    terms.update(s for s, _, _ in graph.triples((None, RDFS.subPropertyOf, None)))
    return terms


def _ancestors(graph: Graph, term: Node, relation: URIRef) -> Iterator[URIRef]:
    for ancestor in graph.transitive_objects(term, relation):
        if isinstance(ancestor, URIRef) and ancestor != term and ancestor != OWL.Thing:
            yield ancestor


def _entailed_triples(asserted: Graph, hermit: Graph) -> Graph:
    combined = asserted + hermit
    schema = _schema_terms(combined)
    entailed = Graph()
    for s, p, o in hermit:
        trivial_type = p == RDF.type and (o == OWL.Thing or o in _SCHEMA_TYPES)
        if isinstance(s, URIRef) and s not in schema and not trivial_type:
            entailed.add((s, p, o))
    combined += entailed
    for s, _, cls in list(combined.triples((None, RDF.type, None))):
        if s not in schema and cls not in _SCHEMA_TYPES:
            for ancestor in _ancestors(combined, cls, RDFS.subClassOf):
                entailed.add((s, RDF.type, ancestor))
    for prop in {p for p, _, _ in combined.triples((None, RDFS.subPropertyOf, None))}:
        supers = list(_ancestors(combined, prop, RDFS.subPropertyOf))
        for s, _, o in combined.triples((None, prop, None)):
            for super_prop in supers:
                entailed.add((s, super_prop, o))
    combined += entailed
    for prop in list(combined.subjects(RDF.type, OWL.TransitiveProperty)):
        for s, o in list(_transitive_links(combined, prop)):
            entailed.add((s, prop, o))
            combined.add((s, prop, o))  # only the new links: not every entailed triple again
    for prop, _, inverse in list(combined.triples((None, OWL.inverseOf, None))):
        for first, second in ((prop, inverse), (inverse, prop)):
            for s, _, o in list(combined.triples((None, first, None))):
                entailed.add((o, second, s))
    for triple in asserted:
        entailed.remove(triple)
    return entailed


def _transitive_links(graph: Graph, prop: Node) -> Iterator[tuple[URIRef, URIRef]]:
    """Every (subject, object) pair of named individuals that a chain of ``prop`` links joins
    (the links a transitive property entails; a cycle links its members to themselves)."""
    named = ((s, o) for s, _, o in graph.triples((None, prop, None)))
    links = nx.DiGraph((s, o) for s, o in named if isinstance(s, URIRef) and isinstance(o, URIRef))
    yield from nx.transitive_closure(links, reflexive=False).edges()


# --- explaining an inconsistency -------------------------------------------------------------


def _inconsistent_report(
    graph: Graph, started: float, explain: bool, max_runs: int, progress: Callable[[str], None] | None
) -> ConsistencyReport:
    if not explain:
        text = "inconsistent (HermiT); run `rikg reason` for the conflicting individuals"
        return ConsistencyReport(False, time.perf_counter() - started, text)
    if progress is not None:
        progress(f"inconsistent: searching for the conflicting individuals (at most {max_runs} HermiT runs)")
    base, groups = _split(graph)
    culprits, complete = _conflict_set(base, groups, max_runs)
    conflict = [triple for culprit in culprits for triple in groups.get(culprit, [])]
    explanation = _describe(graph, culprits, conflict, complete)
    return ConsistencyReport(
        consistent=False,
        seconds=time.perf_counter() - started,
        explanation=explanation,
        culprits=tuple(str(culprit) for culprit in culprits),
        conflict=tuple(" ".join(_short(term) for term in triple) for triple in conflict),
    )


def _split(graph: Graph) -> tuple[Graph, dict[URIRef, list[Triple]]]:
    """Schema triples (and everything in the rikg namespace) in one graph; the rest grouped by subject."""
    schema = _schema_terms(graph)
    base = Graph()
    groups: dict[URIRef, list[Triple]] = defaultdict(list)
    for s, p, o in graph:
        if isinstance(s, URIRef) and s not in schema and not str(s).startswith(RIKG_NS):
            groups[s].append((s, p, o))
        else:
            base.add((s, p, o))
    return base, dict(sorted(groups.items()))


def _conflict_set(
    base: Graph, groups: dict[URIRef, list[Triple]], max_runs: int
) -> tuple[list[URIRef], bool]:
    """A set of subjects whose statements (with the schema) still conflict, and whether it is minimal.

    Bisects on prefixes: the shortest inconsistent prefix ends with a subject the conflict needs;
    keep it, and search the subjects before it, until the kept ones conflict on their own.
    """
    runs = 0

    def consistent(subjects: Iterable[URIRef]) -> bool:
        nonlocal runs
        runs += 1
        subset = Graph() + base
        for subject in subjects:
            for triple in groups[subject]:
                subset.add(triple)
        return _run_hermit(subset, property_values=False).consistent

    if not consistent([]):
        return [], True
    found: list[URIRef] = []
    candidates = list(groups)
    while candidates:
        low, high = 1, len(candidates)
        while low < high:
            if runs >= max_runs:
                return sorted(found + candidates[:high]), False
            middle = (low + high) // 2
            if consistent(found + candidates[:middle]):
                low = middle + 1
            else:
                high = middle
        found.append(candidates[high - 1])
        candidates = candidates[: high - 1]
        if runs >= max_runs:
            return sorted(found + candidates), False
        if not consistent(found):
            return sorted(found), True
    return sorted(found), False


def _describe(graph: Graph, culprits: list[URIRef], conflict: list[Triple], complete: bool) -> str:
    if not culprits:
        return "inconsistent (HermiT): the ontology and schema statements conflict on their own"
    prefix = "inconsistent (HermiT)" if complete else "inconsistent (HermiT; search stopped, set not minimal)"
    nodes = list(dict.fromkeys([*culprits, *(o for _, _, o in conflict if isinstance(o, URIRef))]))
    clashes = [clash for node in nodes if (clash := _clash(graph, node, conflict))]
    if clashes:
        return f"{prefix}: {'; '.join(clashes[:5])}"
    names = ", ".join(_short(culprit) for culprit in culprits[:10])
    more = f" (and {len(culprits) - 10} more)" if len(culprits) > 10 else ""
    statements = [f"{_short(s)} {_short(p)} {_short(o)}" for s, p, o in conflict[:8]]
    return f"{prefix}: conflict among {names}{more}: " + ", ".join(statements)


def _clash(graph: Graph, node: URIRef, conflict: list[Triple]) -> str:
    """How ``node`` falls into two disjoint classes through the conflicting statements, or ''."""
    memberships: list[tuple[URIRef, str]] = []
    for s, p, o in conflict:
        if s == node and p == RDF.type and isinstance(o, URIRef):
            memberships.append((o, "asserted type"))
        elif s == node:
            memberships.extend((d, f"domain of {_short(p)}") for d in _named(graph.objects(p, RDFS.domain)))
        if o == node and p != RDF.type:
            why = f"range of {_short(p)} from {_short(s)}"
            memberships.extend((r, why) for r in _named(graph.objects(p, RDFS.range)))
    disjoint = _disjoint_pairs(graph)
    for i, (first, why_first) in enumerate(memberships):
        for second, why_second in memberships[i + 1 :]:
            for a in [first, *_ancestors(graph, first, RDFS.subClassOf)]:
                for b in [second, *_ancestors(graph, second, RDFS.subClassOf)]:
                    if frozenset((a, b)) in disjoint:
                        return _clash_text(node, (first, why_first), (second, why_second), (a, b))
    return ""


def _clash_text(
    node: URIRef, first: tuple[URIRef, str], second: tuple[URIRef, str], disjoint: tuple[URIRef, URIRef]
) -> str:
    (class_1, why_1), (class_2, why_2) = sorted((_short(cls), why) for cls, why in (first, second))
    if set(disjoint) == {first[0], second[0]}:
        tail = ", which are disjoint"
    else:
        tail = f"; {_short(disjoint[0])} and {_short(disjoint[1])} are disjoint"
    return f"{_short(node)} is {class_1} ({why_1}) and {class_2} ({why_2}){tail}"


def _named(terms: Iterable[Node]) -> list[URIRef]:
    return [term for term in terms if isinstance(term, URIRef)]


def _disjoint_pairs(graph: Graph) -> set[frozenset[Node]]:
    pairs = {frozenset((a, b)) for a, _, b in graph.triples((None, OWL.disjointWith, None))}
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        for members in graph.objects(axiom, OWL.members):
            classes = list(graph.items(members))
            pairs.update(frozenset((a, b)) for i, a in enumerate(classes) for b in classes[i + 1 :])
    return pairs


def _short(term: Node) -> str:
    if isinstance(term, BNode):
        return "_:" + str(term)
    if isinstance(term, URIRef):
        text = str(term)
        for namespace, prefix in _PREFIXES.items():
            if text.startswith(namespace):
                return prefix + text[len(namespace) :]
        return f"<{text}>"
    return term.n3()
