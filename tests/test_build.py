"""The build pipeline on the bundled plans: graphs, counts against the records, spans, report, failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rikg.build import ONTOLOGY_GRAPH, REFERENCE_GRAPH, build, default_report_path
from rikg.cli import main
from rikg.config import bundled_plans_dir
from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore
from rikg.loaders.records import PlanDocument
from rikg.mapping import plan_graph_iri, plan_iri
from rikg.quality import BuildReport

PREFIXES = """PREFIX rikg: <https://w3id.org/rikg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def count(store: GraphStore, graph: str, cls: str) -> int:
    result = store.query(
        f"{PREFIXES}SELECT (COUNT(DISTINCT ?n) AS ?c) {{ GRAPH <{graph}> {{ ?n a rikg:{cls} }} }}"
    )
    value = result.rows[0]["c"]
    assert value is not None
    return int(value.value)


def test_every_plan_graph_is_present(built_store: GraphStore, bundled_plans: list[PlanDocument]) -> None:
    graphs = set(built_store.named_graphs())
    assert {ONTOLOGY_GRAPH, REFERENCE_GRAPH} <= graphs
    assert {plan_graph_iri(doc.slug) for doc in bundled_plans} <= graphs
    assert len(bundled_plans) == len(list(bundled_plans_dir().glob("*.txt")))
    for doc in bundled_plans:
        assert built_store.count(plan_graph_iri(doc.slug)) > 0


def test_counts_match_the_records(built_store: GraphStore, bundled_plans: list[PlanDocument]) -> None:
    for doc in bundled_plans:
        graph = plan_graph_iri(doc.slug)
        objectives = sum(len(p.objectives) for p in doc.priorities)
        assert count(built_store, graph, "Objective") == objectives, doc.file
        assert count(built_store, graph, "Measure") == len(doc.measures()), doc.file
        assert count(built_store, graph, "Activity") == len(doc.activities()), doc.file
        assert count(built_store, graph, "UnparsedFragment") == len(doc.unparsed), doc.file
        assert len(doc.measures()) > 0, f"{doc.file}: a bundled plan yields measures"


def test_every_measure_and_activity_has_a_span_with_file_and_line(
    built_store: GraphStore, bundled_plans: list[PlanDocument]
) -> None:
    files = {doc.file for doc in bundled_plans}
    result = built_store.query(
        PREFIXES
        + """SELECT ?item ?file ?start ?end {
            ?item a ?class ; rikg:inDocument ?plan . ?plan a rikg:MunicipalActionPlan .
            VALUES ?class { rikg:Measure rikg:Activity rikg:Objective }
            OPTIONAL { ?item prov:wasDerivedFrom ?span .
                       ?span a rikg:SourceSpan ; rikg:sourceFile ?file ;
                             rikg:lineStart ?start ; rikg:lineEnd ?end }
        }"""
    )
    assert result.rows
    for row in result.rows:
        item, file, start, end = row["item"], row["file"], row["start"], row["end"]
        assert file is not None and start is not None and end is not None, f"{item} has no span"
        assert file.value in files
        assert 1 <= int(start.value) <= int(end.value)


def test_spans_quote_the_plan_file(built_store: GraphStore, bundled_plans: list[PlanDocument]) -> None:
    """The source text of a measure's span is found on the lines the span names."""
    doc = bundled_plans[0]
    measure = doc.measures()[0]
    lines = (bundled_plans_dir() / doc.file).read_text(encoding=doc.encoding).splitlines()
    quoted = "\n".join(lines[measure.span.line_start - 1 : measure.span.line_end])
    first_words = " ".join(measure.span.text.split()[:3])
    assert first_words and first_words in " ".join(quoted.split())


def test_plan_nodes_link_the_territory(built_store: GraphStore, bundled_plans: list[PlanDocument]) -> None:
    for doc in bundled_plans:
        result = built_store.query(
            PREFIXES
            + f"SELECT ?t {{ <{plan_iri(doc.slug)}> a rikg:MunicipalActionPlan ; rikg:territory ?t }}"
        )
        territories = {row["t"].value for row in result.rows if row["t"] is not None}
        assert any("/municipality/" in t for t in territories), doc.file


@pytest.mark.parametrize(
    ("cls", "attribute"),
    [("Institution", "unresolved_institutions"), ("FundingSource", "unresolved_funding")],
)
def test_unresolved_names_are_flagged(
    built_store: GraphStore, built_store_report: BuildReport, cls: str, attribute: str
) -> None:
    reported = {name for plan in built_store_report.plans for name in getattr(plan, attribute)}
    result = built_store.query(
        PREFIXES
        + "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        + f"SELECT DISTINCT ?label {{ ?n a rikg:{cls} ; rikg:unresolved true ; skos:prefLabel ?label }}"
    )
    assert {row["label"].value for row in result.rows if row["label"] is not None} == reported


def test_quality_report_beside_the_store(
    built_store_path: str, built_store_report: BuildReport, bundled_plans: list[PlanDocument]
) -> None:
    path = default_report_path(built_store_path)
    assert path == Path(built_store_path + ".quality.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["ok"] is True and data["errors"] == []
    by_slug = {plan["slug"]: plan for plan in data["plans"]}
    for doc in bundled_plans:
        plan = by_slug[doc.slug]
        assert plan["totals"]["measures"] == len(doc.measures())
        assert plan["totals"]["activities"] == len(doc.activities())
        assert len(plan["unparsed"]) == len(doc.unparsed)
        assert [p["policy_area"] for p in plan["priorities"]] == [p.policy_area for p in doc.priorities]


def test_rebuild_gives_the_same_graphs(tmp_path: Path, built_store: GraphStore) -> None:
    """Same input → same IRIs and triples; rebuilding replaces graphs instead of adding to them."""
    store_path = tmp_path / "store"
    build(bundled_plans_dir(), store_path)
    first = _graph_counts(store_path)
    build(bundled_plans_dir(), store_path)
    assert _graph_counts(store_path) == first
    assert first == {graph: built_store.count(graph) for graph in built_store.named_graphs()}


def _graph_counts(store_path: Path) -> dict[str, int]:
    with open_store(str(store_path), read_only=True) as store:
        return {graph: store.count(graph) for graph in store.named_graphs()}


def _plan_files() -> list[Path]:
    return sorted(bundled_plans_dir().glob("*.txt"))


def test_bad_file_fails_the_build_but_the_others_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    good = _plan_files()[:2]
    for file in good:
        shutil.copy(file, plans / file.name)
    (plans / "empty.txt").write_bytes(b"")
    (plans / "binary.txt").write_bytes(bytes(range(256)) * 40)
    store_path = tmp_path / "store"
    status = main(["build", "--plans", str(plans), "--store", str(store_path)])
    captured = capsys.readouterr()
    assert status == 1
    error_lines = [line for line in captured.err.splitlines() if ": error: " in line]
    assert {line.split(": ")[2] for line in error_lines} == {"empty.txt", "binary.txt"}
    assert all(line.startswith("rikg build: error: ") for line in error_lines)
    assert "Traceback" not in captured.err
    report = json.loads((tmp_path / "store.quality.json").read_text(encoding="utf-8"))
    assert {error["file"] for error in report["errors"]} == {"empty.txt", "binary.txt"}
    loaded = {plan["slug"] for plan in report["plans"]}
    assert len(loaded) == 2
    with open_store(str(store_path), read_only=True) as store:
        assert {plan_graph_iri(slug) for slug in loaded} <= set(store.named_graphs())
    for slug in loaded:
        assert slug in captured.out, "the summary table on stdout names every loaded plan"


def test_build_without_plans_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["build", "--plans", str(tmp_path / "missing"), "--store", str(tmp_path / "store")])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.err.strip().count("\n") == 0 and "plans folder not found" in captured.err


def test_plans_of_another_folder_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder, file in ((first, _plan_files()[0]), (second, _plan_files()[1])):
        folder.mkdir()
        shutil.copy(file, folder / file.name)
    store_path = str(tmp_path / "store")
    report_a = build(first, store_path)
    report_b = build(second, store_path)
    kept = plan_graph_iri(report_a.plans[0].slug)
    assert report_b.kept_plan_graphs == [kept]
    with open_store(store_path, read_only=True) as store:
        assert {kept, plan_graph_iri(report_b.plans[0].slug)} <= set(store.named_graphs())
    assert (
        main(["build", "--plans", str(second), "--store", store_path, "--report", str(tmp_path / "q.json")])
        == 0
    )
    captured = capsys.readouterr()
    assert f"note: kept {kept}" in captured.err
    assert (tmp_path / "q.json").exists()


def test_two_files_of_the_same_plan_are_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    original = _plan_files()[0]
    shutil.copy(original, plans / original.name)
    shutil.copy(original, plans / ("copy-of-" + original.name))
    status = main(["build", "--plans", str(plans), "--store", str(tmp_path / "store")])
    captured = capsys.readouterr()
    assert status == 1
    errors = [line for line in captured.err.splitlines() if ": error: " in line]
    assert len(errors) == 1
    assert errors[0].startswith(f"rikg build: error: copy-of-{original.name}: plan ")
    assert "duplicate plan" in errors[0] and original.name in errors[0]
