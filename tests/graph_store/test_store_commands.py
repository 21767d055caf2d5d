"""``rikg export`` and ``rikg import`` move data between stores of either backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Dataset
from store_helpers import OTHER, PLAN, assert_same_dataset, measures, rich_triples

from rikg.cli import main
from rikg.graph_store import GraphStore


def dataset(path: Path) -> Dataset:
    graph = Dataset()
    graph.parse(path, format={".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld"}[path.suffix])
    return graph


@pytest.mark.parametrize(("source", "target"), [("embedded", "remote"), ("remote", "embedded")])
@pytest.mark.parametrize("fmt", ["trig", "nq", "jsonld"])
def test_export_then_import_moves_the_store(
    make_store: Callable[..., GraphStore], tmp_path: Path, source: str, target: str, fmt: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    origin, copy = make_store(source), make_store(target)
    origin.replace_graphs({PLAN: rich_triples() + measures(2), OTHER: measures(3)})
    dump = tmp_path / f"dump.{fmt}"
    assert main(["export", "--format", fmt, "--out", str(dump), "--store", origin.location]) == 0
    assert main(["import", str(dump), "--store", copy.location]) == 0
    assert "imported 9 quads" in capsys.readouterr().err
    assert copy.named_graphs() == sorted([PLAN, OTHER])
    again = tmp_path / f"again.{fmt}"
    assert main(["export", "--format", fmt, "--out", str(again), "--store", copy.location]) == 0
    assert_same_dataset(dataset(again), dataset(dump))


def test_one_graph_to_standard_output_and_into_another_graph(
    store: GraphStore, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    store.replace_graphs({PLAN: measures(3), OTHER: measures(1)})
    assert main(["export", "--format", "ttl", "--graph", PLAN, "--store", store.location]) == 0
    turtle = capsysbinary.readouterr().out
    assert "Мярка 2".encode() in turtle
    file = tmp_path / "plan.ttl"
    file.write_bytes(turtle)
    copy = PLAN + "-copy"
    assert main(["import", str(file), "--graph", copy, "--store", store.location]) == 0
    assert store.count(copy) == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "--format", "ttl"], "Turtle holds one graph"),
        (["import", "{tmp}/missing.trig"], "missing.trig: cannot read"),
        (["import", "{tmp}/plan.docx"], "plan.docx: unknown RDF format 'docx'"),
        (["import", "{tmp}/bare.ttl"], "bare.ttl: the ttl data has triples outside any named graph"),
        (["import", "{tmp}/broken.nq"], "broken.nq: invalid nq data"),
    ],
)
def test_errors_are_one_line(
    store: GraphStore, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    (tmp_path / "plan.docx").write_bytes(b"PK")
    (tmp_path / "bare.ttl").write_text("<http://example.org/a> <http://example.org/p> 1 .")
    (tmp_path / "broken.nq").write_text("<http://example.org/a> <http://example.org/p> .")
    store.replace_graphs({PLAN: measures(1)})
    command = [part.replace("{tmp}", str(tmp_path)) for part in argv]
    assert main([*command, "--store", store.location]) == 1
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1 and "Traceback" not in error
    assert store.count() == 1
