"""An in-memory copy of an embedded store: the same answers as the folder, read-only, a snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import OTHER, PLAN, measures

from rikg.errors import StoreError
from rikg.graph_store import GraphStore, open_store
from rikg.queries.catalogue import get, list_queries


def _rows(store: GraphStore, name: str) -> list[tuple[str, ...]]:
    """A catalogue query's rows, sorted, each value's ``, ``-joined parts sorted: ``GROUP_CONCAT``
    and rows of equal sort keys come in the engine's order, which the two storages need not share."""
    return sorted(tuple(_text(value) for value in row.values()) for row in get(name).run(store).rows)


def _text(value: object) -> str:
    parts = sorted(str(getattr(value, "value", value)).split(", "))
    return f"{type(value).__name__}:{', '.join(parts)}@{getattr(value, 'language', '')}"


@pytest.mark.parametrize("name", [query.name for query in list_queries()])
def test_the_copy_answers_every_catalogue_query_as_the_folder(
    built_store: GraphStore, built_store_path: str, name: str
) -> None:
    with open_store(built_store_path, read_only=True, in_memory=True) as copy:
        assert _rows(copy, name) == _rows(built_store, name)


def test_the_copy_holds_every_quad_and_graph(built_store: GraphStore, built_store_path: str) -> None:
    with open_store(built_store_path, read_only=True, in_memory=True) as copy:
        assert copy.named_graphs() == built_store.named_graphs()
        assert copy.count() == built_store.count() > 10_000
        assert all(copy.count(iri) == built_store.count(iri) for iri in built_store.named_graphs())


def test_the_copy_is_a_read_only_snapshot(tmp_path: Path) -> None:
    folder = str(tmp_path / "store")
    with open_store(folder) as writer:
        writer.replace_graphs({PLAN: measures(3)})
        with open_store(folder, read_only=True, in_memory=True) as copy:
            writer.replace_graphs({PLAN: measures(5), OTHER: measures(2)})
            assert (copy.count(PLAN), copy.named_graphs()) == (3, [PLAN])
            with pytest.raises(StoreError, match="read-only"):
                copy.replace_graphs({OTHER: measures(1)})
            with pytest.raises(StoreError, match="read-only"):
                copy.drop_graphs([PLAN])
        assert writer.count(PLAN) == 5


def test_graphs_waiting_in_a_bulk_block_are_copied(tmp_path: Path) -> None:
    folder = str(tmp_path / "store")
    with open_store(folder) as writer, writer.bulk():
        writer.replace_graphs({PLAN: measures(4)})
        with open_store(folder, read_only=True, in_memory=True) as copy:
            assert copy.count(PLAN) == 4


def test_a_copy_must_be_read_only_and_of_a_folder_that_exists(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="read-only: open it read_only=True"):
        open_store(str(tmp_path / "store"), in_memory=True)
    with pytest.raises(StoreError, match="no store at"):
        open_store(str(tmp_path / "missing"), read_only=True, in_memory=True)
