"""No catalogue query answers the same row twice when a municipality has several plans.

The union default graph of pyoxigraph keeps a triple once per named graph that states it, and a
municipality the reference data does not describe is described in each of its plans' graphs: a
query joining its type or label without DISTINCT or GROUP BY repeats rows once per such graph
(rdflib's union graph is a set and does not). The bundled plans are four municipalities the
reference describes, so this needs generated plans: ten of the benchmark corpus, two of them for
the same municipality.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from bench.generator import generate_corpus
from rikg.build import build
from rikg.graph_store import GraphStore, open_store
from rikg.queries.catalogue import list_queries


@pytest.fixture(scope="module")
def repeated_municipality_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    folder = tmp_path_factory.mktemp("plans")
    manifest = generate_corpus(folder, plans=10, seed=1)
    assert max(Counter(plan.municipality for plan in manifest).values()) >= 2
    location = tmp_path_factory.mktemp("store") / "store"
    build(folder, location)
    with open_store(str(location), read_only=True) as store:
        yield store


def test_a_municipality_is_described_in_several_plan_graphs(repeated_municipality_store: GraphStore) -> None:
    rows = repeated_municipality_store.query(
        "PREFIX rikg: <https://w3id.org/rikg/ontology#> SELECT ?place (COUNT(DISTINCT ?g) AS ?graphs) "
        "WHERE { GRAPH ?g { ?place a rikg:Municipality } } GROUP BY ?place ORDER BY DESC(?graphs) LIMIT 1"
    ).rows
    graphs = rows[0]["graphs"]
    assert graphs is not None and int(graphs.value) >= 2


@pytest.mark.parametrize("name", [query.name for query in list_queries()])
def test_no_row_is_repeated(repeated_municipality_store: GraphStore, name: str) -> None:
    query = next(query for query in list_queries() if query.name == name)
    rows = query.run(repeated_municipality_store).rows
    keys = Counter(tuple(sorted((key, str(value)) for key, value in row.items())) for row in rows)
    assert [key for key, count in keys.items() if count > 1] == []

