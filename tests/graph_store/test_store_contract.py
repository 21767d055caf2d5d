"""The GraphStore contract, run on both backends (embedded pyoxigraph and a real Oxigraph server)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize
from rdflib import Graph
from rdflib.compare import isomorphic
from store_helpers import (
    EX,
    OTHER,
    PLAN,
    REFERENCE,
    assert_same_dataset,
    measures,
    node,
    parse_dataset,
    rich_triples,
    watch_while,
)

from rikg.errors import QueryError, StoreError
from rikg.graph_store import GraphStore
from rikg.graph_store.ntriples import NTriples
from rikg.ontology.vocab import graph_iri


def test_replace_count_and_named_graphs(store: GraphStore) -> None:
    store.replace_graphs({PLAN: measures(5), REFERENCE: measures(2, "r")})
    assert store.named_graphs() == sorted([PLAN, REFERENCE])
    assert (store.count(PLAN), store.count(REFERENCE), store.count()) == (5, 2, 7)
    store.replace_graphs({PLAN: measures(3, "new")})
    assert (store.count(PLAN), store.count(REFERENCE)) == (3, 2)
    labels = store.query(f"SELECT ?l WHERE {{ GRAPH <{PLAN}> {{ ?m ?p ?l }} }}").column("l")
    assert all(isinstance(label, Literal) and label.value.endswith("new") for label in labels)


def test_replacing_with_nothing_removes_the_graph(store: GraphStore) -> None:
    store.replace_graphs({PLAN: measures(2), OTHER: measures(1)})
    store.replace_graphs({PLAN: []})
    assert store.named_graphs() == [OTHER]
    assert store.count(PLAN) == 0


def test_drop_graphs_ignores_missing_ones(store: GraphStore) -> None:
    store.replace_graphs({PLAN: measures(2), OTHER: measures(1)})
    store.drop_graphs([PLAN, EX + "never-there"])
    assert store.named_graphs() == [OTHER]
    store.drop_graphs([])
    assert store.count() == 1


def test_default_graph_is_the_union_of_named_graphs(store: GraphStore) -> None:
    store.replace_graphs({PLAN: measures(2), OTHER: [Triple(node("m0"), node("next"), node("m1"))]})
    result = store.query(f"SELECT ?label WHERE {{ ?a <{EX}next> ?b . ?b <{EX}label> ?label }}")
    assert result.rows == [{"label": Literal("Мярка 1", language="bg")}]
    graphs = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{EX}m0> ?p ?o }} }} ORDER BY ?g")
    assert graphs.column("g") == [NamedNode(PLAN), NamedNode(OTHER)]


def test_select_ask_construct(store: GraphStore) -> None:
    store.replace_graphs({PLAN: rich_triples()})
    select = store.query(
        f"SELECT ?m ?en ?missing WHERE {{ ?m <{EX}label> ?en OPTIONAL {{ ?m <{EX}nothing> ?missing }} }}"
    )
    assert select.kind == "select" and select.variables == ["m", "en", "missing"]
    assert select.rows == [{"m": node("m1"), "en": Literal("Measure", language="en"), "missing": None}]
    assert store.query(f"ASK {{ ?a <{EX}bgn> 1955.83 }}").boolean is True
    assert store.query(f"ASK {{ ?a <{EX}bgn> 1.0 }}").boolean is False
    construct = store.query(f"CONSTRUCT {{ ?a <{EX}eur> ?bgn }} WHERE {{ ?a <{EX}bgn> ?bgn }}")
    assert construct.kind == "construct" and len(construct.triples) == 1
    assert isinstance(construct.triples[0].subject, BlankNode)
    note = store.query(f"SELECT ?n WHERE {{ ?a <{EX}note> ?n }}").column("n")
    assert note == [Literal('кавички "така"\nи нов ред', language="bg")]


def test_invalid_query_is_a_query_error(store: GraphStore) -> None:
    with pytest.raises(QueryError):
        store.query("SELECT ?x WHERE { ?x ")


def test_bindings_bind_terms(store: GraphStore) -> None:
    store.replace_graphs({PLAN: measures(3), OTHER: measures(1)})
    query = f"SELECT ?m ?label WHERE {{ ?m <{EX}label> ?label }} ORDER BY ?m"
    by_label = store.query(query, {"label": Literal("Мярка 1", language="bg")})
    assert by_label.rows == [{"m": node("m1"), "label": Literal("Мярка 1", language="bg")}]
    assert store.query(query, {"label": Literal("Мярка 1")}).rows == []  # no language tag: another term
    by_node = store.query(query, {"m": node("m2")})
    assert by_node.column("label") == [Literal("Мярка 2", language="bg")]


def test_bindings_constrain_grouped_queries(store: GraphStore) -> None:
    store.replace_graphs({PLAN: measures(3), OTHER: measures(1)})
    query = f"SELECT (COUNT(?m) AS ?n) WHERE {{ GRAPH ?g {{ ?m <{EX}label> ?l }} }}"
    counted = store.query(query, {"g": NamedNode(PLAN)}).column("n")
    assert [int(n.value) for n in counted if n is not None] == [3]


@pytest.mark.parametrize(
    "hostile",
    ['"} ; DROP ALL ; #', "'} } ; DROP ALL ; #", '\\" . } DROP ALL {', ">} DROP ALL #<", "\n} ; CLEAR ALL"],
)
def test_injection_strings_stay_literal(store: GraphStore, hostile: str) -> None:
    store.replace_graphs({PLAN: [*measures(2), Triple(node("evil"), node("label"), Literal(hostile))]})
    query = f"SELECT ?m WHERE {{ ?m <{EX}label> ?label }}"
    assert store.query(query, {"label": Literal(hostile)}).column("m") == [node("evil")]
    assert store.query("ASK { ?m ?p ?label }", {"label": Literal(hostile + "x")}).boolean is False
    assert store.count(PLAN) == 3


def test_binding_names_must_be_variable_names(store: GraphStore) -> None:
    with pytest.raises(QueryError):
        store.query("SELECT ?x WHERE { ?x ?p ?o }", {"x } DROP ALL {": node("a")})


@pytest.mark.parametrize("fmt", ["trig", "nq", "jsonld"])
def test_export_import_round_trip(store: GraphStore, make_store: Callable[..., GraphStore], fmt: str) -> None:
    store.replace_graphs({PLAN: rich_triples() + measures(3), REFERENCE: measures(2, "r")})
    exported = store.export(fmt)
    for backend in ("embedded", "remote"):
        copy = make_store(backend) if backend != _backend(store) else store
        if copy is store:
            store.drop_graphs(store.named_graphs())
        assert copy.import_data(exported, fmt) == 9
        assert_same_dataset(parse_dataset(copy.export(fmt), fmt), parse_dataset(exported, fmt))
        copy.drop_graphs(copy.named_graphs())


def _backend(store: GraphStore) -> str:
    return "remote" if store.location.startswith("http") else "embedded"


def _graph(data: bytes) -> Graph:
    return Graph().parse(data=data, format="turtle")


@pytest.mark.parametrize("fmt", ["ttl", "nt", "rdf"])
def test_one_graph_copies_into_another_graph(store: GraphStore, fmt: str) -> None:
    store.replace_graphs({PLAN: rich_triples(), OTHER: measures(2)})
    copy = str(graph_iri("plan/copy"))
    assert store.import_data(store.export(fmt, PLAN), fmt, copy) == 4
    assert isomorphic(_graph(store.export("ttl", copy)), _graph(store.export("ttl", PLAN)))
    assert store.count(OTHER) == 2


@pytest.mark.parametrize("fmt", ["trig", "nq", "jsonld"])
def test_one_graph_in_a_dataset_format_keeps_its_name(store: GraphStore, fmt: str) -> None:
    store.replace_graphs({PLAN: rich_triples(), OTHER: measures(2)})
    before = _graph(store.export("ttl", PLAN))
    exported = store.export(fmt, PLAN)
    store.drop_graphs([PLAN])
    assert store.import_data(exported, fmt) == 4
    assert store.named_graphs() == sorted([PLAN, OTHER])
    assert isomorphic(_graph(store.export("ttl", PLAN)), before)


def test_import_counts_only_new_quads(store: GraphStore) -> None:
    store.replace_graphs({PLAN: measures(3)})
    data = store.export("nq", PLAN)
    assert store.import_data(data, "nq") == 0
    more = "".join(f"<{EX}x{i}> <{EX}p> \"{i}\" <{PLAN}> .\n" for i in range(2)).encode()
    assert store.import_data(data + more, "nq") == 2


def test_import_refuses_triples_without_a_graph(store: GraphStore) -> None:
    with pytest.raises(StoreError, match="outside any named graph"):
        store.import_data(f"<{EX}a> <{EX}p> <{EX}b> .".encode(), "ttl")
    with pytest.raises(StoreError, match="invalid"):
        store.import_data(b"<not closed", "nt", PLAN)
    assert store.count() == 0


def test_turtle_export_of_the_whole_store_is_refused(store: GraphStore) -> None:
    with pytest.raises(StoreError, match="one graph"):
        store.export("ttl")


def test_a_reader_never_sees_half_a_plan(store: GraphStore) -> None:
    sizes = (700, 200)
    store.replace_graphs({PLAN: measures(sizes[0], "a"), OTHER: measures(7)})

    def rebuild() -> None:
        for round_ in range(10):
            store.replace_graphs({PLAN: measures(sizes[(round_ + 1) % 2], str(round_))})

    seen = watch_while(lambda: store.count(PLAN), rebuild)
    assert seen and seen <= set(sizes)
    union = watch_while(lambda: len(store.query("SELECT ?m ?l WHERE { ?m ?p ?l }").rows), rebuild)
    assert union and union <= {size + 7 for size in sizes}


def test_graphs_of_one_call_change_together(store: GraphStore) -> None:
    store.replace_graphs({PLAN: measures(300, "0"), OTHER: measures(300, "0")})

    def both() -> tuple[int, int]:
        pattern = f"VALUES ?g {{ <{PLAN}> <{OTHER}> }} GRAPH ?g {{ ?s ?p ?o }}"
        query = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {pattern} }} GROUP BY ?g ORDER BY ?g"
        counts = store.query(query).column("n")
        return tuple(int(n.value) for n in counts if n is not None)  # type: ignore[return-value]

    def rebuild() -> None:
        for round_ in range(1, 9):
            size = 300 if round_ % 2 == 0 else 120
            store.replace_graphs({PLAN: measures(size, str(round_)), OTHER: measures(size, str(round_))})

    seen = watch_while(both, rebuild)
    assert seen and seen <= {(300, 300), (120, 120)}


def test_first_load_into_empty_graphs_is_whole(store: GraphStore) -> None:
    seen = watch_while(lambda: store.count(PLAN), lambda: store.replace_graphs({PLAN: measures(3000)}))
    assert seen <= {0, 3000}
    assert store.count(PLAN) == 3000


def _as_graph(triples: list[Triple]) -> Graph:
    return Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")


def test_replacing_keeps_exactly_the_new_triples(store: GraphStore) -> None:
    old = rich_triples() + measures(6)
    store.replace_graphs({PLAN: old})
    new = rich_triples() + measures(4) + measures(3, "new") + measures(2)  # overlaps, gone, added, repeated
    store.replace_graphs({PLAN: new})
    assert isomorphic(_graph(store.export("ttl", PLAN)), _as_graph(new))
    assert store.count(PLAN) == 4 + 4 + 3
    store.replace_graphs({PLAN: new})
    assert store.count(PLAN) == 11
    assert isomorphic(_graph(store.export("ttl", PLAN)), _as_graph(new))


def test_a_bulk_block_writes_what_its_calls_replace(store: GraphStore) -> None:
    """New graphs, a replaced graph and a reader inside the block: the same store as without it."""
    store.replace_graphs({OTHER: measures(3)})
    with store.bulk():
        store.replace_graphs({PLAN: measures(5)})
        assert store.count(PLAN) == 5  # reads see what the block wrote so far
        store.replace_graphs({PLAN: measures(2, "new"), OTHER: measures(4)})
        store.replace_graphs({REFERENCE: rich_triples()})
    assert (store.count(PLAN), store.count(OTHER), store.count(REFERENCE)) == (2, 4, 4)
    assert isomorphic(_graph(store.export("ttl", REFERENCE)), _as_graph(rich_triples()))


def _without_blank_nodes(triples: list[Triple]) -> list[Triple]:
    return [t for t in triples if not any(isinstance(term, BlankNode) for term in (t.subject, t.object))]


@pytest.mark.parametrize("in_bulk", [False, True])
def test_ntriples_bytes_replace_graphs_like_triples(store: GraphStore, in_bulk: bool) -> None:
    """Graphs handed over as N-Triples bytes (what build workers send) land exactly as triples would,
    new or replacing a graph, alone or beside plain triples in one call."""
    literals = _without_blank_nodes(rich_triples()) + measures(3)
    with store.bulk() if in_bulk else contextlib.nullcontext():
        store.replace_graphs({PLAN: NTriples.of(literals), REFERENCE: measures(2, "r")})
        assert store.count(PLAN) == len(set(literals))
    stored = {
        Triple(row["s"], row["p"], row["o"])  # type: ignore[arg-type]
        for row in store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{PLAN}> {{ ?s ?p ?o }} }}").rows
    }
    assert stored == set(literals)
    store.replace_graphs({PLAN: NTriples.of(measures(1, "new"))})  # an existing graph: replaced
    assert store.query(f"SELECT ?l WHERE {{ GRAPH <{PLAN}> {{ ?m ?p ?l }} }}").column("l") == [
        Literal("Мярка 0new", language="bg")
    ]
    assert store.count(REFERENCE) == 2


def test_ntriples_refuse_blank_nodes() -> None:
    with pytest.raises(ValueError, match="blank nodes"):
        NTriples.of(rich_triples())


def test_ntriples_keep_a_literal_that_reads_like_a_blank_node() -> None:
    triple = Triple(NamedNode("http://example.org/m"), NamedNode("http://example.org/p"), Literal("_:b0 ."))
    assert list(NTriples.of([triple])) == [triple]


def test_optimize_keeps_every_graph(store: GraphStore) -> None:
    with store.bulk():
        store.replace_graphs({PLAN: measures(4), REFERENCE: measures(2, "r")})
        store.optimize()  # also writes what the bulk block holds
    assert (store.count(PLAN), store.count(REFERENCE)) == (4, 2)
    store.optimize()
    assert store.named_graphs() == sorted([PLAN, REFERENCE])
