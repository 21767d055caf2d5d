"""``rikg query`` through rikg.cli.main: formats, parameter binding, catalogue, one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from rikg.cli import main
from rikg.loaders.records import PlanDocument
from rikg.mapping import plan_iri
from rikg.queries.catalogue import list_queries, names

PREFIXES = (
    "PREFIX rikg: <https://w3id.org/rikg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
)
MEASURES_PER_PLAN = (
    PREFIXES
    + "SELECT ?plan (COUNT(?m) AS ?measures) { ?m a rikg:Measure ; rikg:inDocument ?plan } "
    + "GROUP BY ?plan ORDER BY ?plan"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_json_is_sparql_results_json(
    built_store_path: str, bundled_plans: list[PlanDocument], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys, "query", "--sparql", MEASURES_PER_PLAN, "--format", "json", "--store", built_store_path
    )
    assert status == 0, err
    data = json.loads(out)
    assert data["head"] == {"vars": ["plan", "measures"]}
    counts = {b["plan"]["value"]: b["measures"] for b in data["results"]["bindings"]}
    assert counts.keys() == {plan_iri(doc.slug) for doc in bundled_plans}
    for doc in bundled_plans:
        value = counts[plan_iri(doc.slug)]
        assert value["type"] == "literal"
        assert value["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
        assert int(value["value"]) == len(doc.measures())
    assert all(b["plan"]["type"] == "uri" for b in data["results"]["bindings"])


def test_json_ask(built_store_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "query", "--sparql", PREFIXES + "ASK { ?m a rikg:Measure }", "--format", "json",
        "--store", built_store_path,
    )  # fmt: skip
    assert status == 0
    assert json.loads(out) == {"head": {}, "boolean": True}


def test_csv_is_sparql_csv(
    built_store_path: str, bundled_plans: list[PlanDocument], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys, "query", "--sparql", MEASURES_PER_PLAN, "--format", "csv", "--store", built_store_path
    )
    assert status == 0
    assert out.startswith("plan,measures\r\n") and out.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert {row["plan"]: int(row["measures"]) for row in rows} == {
        plan_iri(doc.slug): len(doc.measures()) for doc in bundled_plans
    }


def test_csv_keeps_commas_quotes_and_newlines_of_plan_text(
    built_store_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    query = PREFIXES + 'SELECT ?t { VALUES ?t { "а, \\"б\\"\\nв"@bg } }'
    status, out, _ = run(capsys, "query", "--sparql", query, "--format", "csv", "--store", built_store_path)
    assert status == 0
    assert list(csv.reader(io.StringIO(out, newline=""))) == [["t"], ['а, "б"\nв']]


def test_table_is_aligned_and_one_line_per_row(
    built_store_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    query = PREFIXES + 'SELECT ?a ?b { VALUES (?a ?b) { ("ред\\nнов" 1) ("x" 22) } } ORDER BY ?b'
    status, out, _ = run(capsys, "query", "--sparql", query, "--store", built_store_path)
    assert status == 0
    assert out.splitlines() == [
        "a         b",
        "--------  --",
        "ред\\nнов  1",
        "x         22",
    ]


def test_param_binds_an_iri(
    built_store_path: str, bundled_plans: list[PlanDocument], capsys: pytest.CaptureFixture[str]
) -> None:
    doc = bundled_plans[0]
    query = PREFIXES + "SELECT (COUNT(?m) AS ?n) { ?m a rikg:Measure ; rikg:inDocument ?plan }"
    status, out, _ = run(
        capsys, "query", "--sparql", query, "--param", f"plan=id:plan/{doc.slug}", "--format", "csv",
        "--store", built_store_path,
    )  # fmt: skip
    assert status == 0
    assert out == f"n\r\n{len(doc.measures())}\r\n"


@pytest.mark.parametrize(
    "payload",
    [
        'x" } UNION { ?s ?p ?o } #',
        "x' . ?s ?p ?o . FILTER('1",
        '"> } ; DROP ALL ; SELECT * { <x',
    ],
)
def test_injection_string_stays_a_literal(
    built_store_path: str, capsys: pytest.CaptureFixture[str], payload: str
) -> None:
    query = (
        PREFIXES
        + "SELECT (COUNT(*) AS ?n) (SAMPLE(?q) AS ?echo) { ?s skos:prefLabel ?label FILTER(?label = ?q) }"
    )
    status, out, err = run(
        capsys, "query", "--sparql", query, "--param", f"q={payload}", "--format", "json",
        "--store", built_store_path,
    )  # fmt: skip
    assert status == 0, err
    binding = json.loads(out)["results"]["bindings"][0]
    assert binding["n"]["value"] == "0"
    echo = PREFIXES + "SELECT ?q {}"
    status, out, _ = run(
        capsys, "query", "--sparql", echo, "--param", f"q={payload}", "--format", "json",
        "--store", built_store_path,
    )  # fmt: skip
    assert json.loads(out)["results"]["bindings"] == [{"q": {"type": "literal", "value": payload}}]


def test_rq_file_with_catalogue_header_defaults_and_types(
    built_store_path: str,
    bundled_plans: list[PlanDocument],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = bundled_plans[-1]
    query_file = tmp_path / "measures.rq"
    query_file.write_text(
        "# title: Measures of one plan\n"
        "# audience: tester\n"
        "# description: How many measures one plan has.\n"
        f"# param: plan (iri) = id:plan/{doc.slug} -- the plan\n"
        "# param: year (year) = 1990 -- any year\n"
        "# columns: plan, year, n, type\n"
        + PREFIXES
        + "SELECT ?plan ?year (COUNT(?m) AS ?n) (SAMPLE(DATATYPE(?year)) AS ?type) {\n"
        "  ?m a rikg:Measure ; rikg:inDocument ?plan . } GROUP BY ?plan ?year\n",
        encoding="utf-8",
    )
    status, out, err = run(capsys, "query", str(query_file), "--format", "json", "--store", built_store_path)
    assert status == 0, err
    binding = json.loads(out)["results"]["bindings"][0]
    assert int(binding["n"]["value"]) == len(doc.measures())
    assert binding["type"]["value"] == "http://www.w3.org/2001/XMLSchema#gYear"
    status, _, err = run(
        capsys, "query", str(query_file), "--param", "year=soon", "--store", built_store_path
    )
    assert status == 1 and "'soon' is not a valid xsd:gYear" in err
    status, _, err = run(
        capsys, "query", str(query_file), "--param", "town=Русе", "--store", built_store_path
    )
    assert status == 1 and "unknown parameter 'town'" in err


def test_catalogue_query_by_name_with_a_param(
    built_store_path: str, bundled_plans: list[PlanDocument], capsys: pytest.CaptureFixture[str]
) -> None:
    """Every catalogue query that takes a plan returns rows of that plan only."""
    doc = bundled_plans[0]
    for query in list_queries():
        if "plan" not in [p.name for p in query.parameters]:
            continue
        status, out, err = run(
            capsys, "query", query.name, "--param", f"plan=id:plan/{doc.slug}", "--format", "json",
            "--store", built_store_path,
        )  # fmt: skip
        assert status == 0, err
        plans = {b["plan"]["value"] for b in json.loads(out)["results"]["bindings"] if "plan" in b}
        assert plans <= {plan_iri(doc.slug)}, query.name


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "no-such-query"], "no catalogue query 'no-such-query'"),
        (["query", "missing.rq"], "missing.rq: cannot read"),
        (["query", "--sparql", "SELECT WHERE {"], "rikg query: error: "),
        (["query", "--sparql", "SELECT * WHERE {"], "invalid SPARQL"),
        (["query", "x", "--sparql", "ASK {}"], "not both"),
        (["query"], "give a catalogue query name"),
        (["query", "--sparql", "ASK {}", "--param", "novalue"], "expected NAME=VALUE"),
        (["query", "--sparql", "ASK {}", "--param", "p=<not an iri>"], "not a valid IRI"),
    ],
)
def test_errors_are_one_line_without_traceback(
    built_store_path: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv, "--store", built_store_path)
    assert status == 1
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("rikg query: error: ") and message in err
    assert "Traceback" not in err


def test_list_names_every_catalogue_query(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "query", "--list")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["name", "audience", "parameters", "title"]
    assert {line.split()[0] for line in lines[2:]} == set(names())


@pytest.mark.parametrize("name", names())
def test_every_catalogue_query_runs_with_its_defaults(
    built_store_path: str, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    status, out, err = run(capsys, "query", name, "--format", "json", "--store", built_store_path)
    assert status == 0, err
    assert "head" in json.loads(out)
