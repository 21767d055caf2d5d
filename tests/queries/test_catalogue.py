"""The query catalogue: headers, typed bindings, and every query on the graph of the bundled plans.

Facts checked here come from the bundled plan files (line numbers cited) or are
cross-checks between queries, so a query that returns rows for the wrong
reason fails.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from pyoxigraph import Literal, NamedNode

from rikg.config import bundled_plans_dir, project_root
from rikg.errors import QueryError
from rikg.graph_store import GraphStore
from rikg.queries.catalogue import (
    PARAMETER_TYPES,
    CatalogueQuery,
    PythonValue,
    get,
    list_queries,
    load_query,
    names,
    parse_query,
    records,
)

ID = "https://w3id.org/rikg/id/"
RIKG = "https://w3id.org/rikg/ontology#"
RUSE = f"{ID}plan/ruse-2024-2027"
PLOVDIV = f"{ID}plan/plovdiv-2022-2024"
KYUSTENDIL = f"{ID}plan/kyustendil-2022-2024"
BLAGOEVGRAD = f"{ID}plan/blagoevgrad-2024-2027"
BUNDLED_PLANS = {RUSE, PLOVDIV, KYUSTENDIL, BLAGOEVGRAD}
INJECTION = 'x" } ; DROP ALL ; #'
BLAGOEVGRAD_FILE = "000_ac6471d0a6c93028.txt"

#: Queries that may find nothing on the bundled plans, with the reason. Every other query must return rows.
#: (Empty: on the four bundled plans every question has an answer.)
MAY_BE_EMPTY: dict[str, str] = {}

Row = dict[str, PythonValue]


def run(store: GraphStore, name: str, **params: str) -> list[Row]:
    """A catalogue query's rows as Python values."""
    return records(get(name).run(store, params))


def ask(store: GraphStore, sparql: str, **bindings: NamedNode | Literal) -> bool:
    answer = store.query(f"PREFIX rikg: <{RIKG}>\n{sparql}", bindings).boolean
    assert answer is not None
    return answer


# -- the catalogue and its headers ------------------------------------------------------------------


def test_catalogue_has_at_least_twelve_queries_one_per_file() -> None:
    files = sorted(path.stem for path in (project_root() / "queries").glob("*.rq"))
    assert len(files) >= 12
    assert names() == files == [query.name for query in list_queries()]


@pytest.mark.parametrize("name", names())
def test_header_parses(name: str) -> None:
    query = get(name)
    assert query.title and query.audience and query.description
    assert query.audience in {"policy analyst", "auditor", "data steward"}
    assert query.columns and len(set(query.columns)) == len(query.columns)
    for parameter in query.parameters:
        assert parameter.type in PARAMETER_TYPES and parameter.description
        assert parameter.name in query.columns
        if parameter.default is not None:
            assert parameter.name in query.bindings()
    assert set(query.bindings()) == {p.name for p in query.parameters if p.default is not None}


@pytest.mark.parametrize("name", names())
def test_every_query_is_documented(name: str) -> None:
    assert f"`{name}`" in (project_root() / "docs" / "queries.md").read_text(encoding="utf-8")


def test_a_file_outside_the_catalogue_loads_the_same_way() -> None:
    path = project_root() / "queries" / "ended-plans.rq"
    assert load_query(path) == get("ended-plans")


HEADER = "# title: Plans\n# audience: auditor\n# description: Every plan.\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# title: Plans\nSELECT ?plan {}", "the header lacks audience, description, columns"),
        (HEADER + "# param: plan (url) -- x\n# columns: plan\nSELECT ?plan {}", "type 'url' unknown"),
        (HEADER + "# param: plan (iri) -- x\n# columns: other\nSELECT ?other {}", "'plan' is not a column"),
        (HEADER + "# param: year (year) = soon -- x\n# columns: year\nSELECT ?year {}", "bad default"),
        (HEADER + "# param: plan iri\n# columns: plan\nSELECT ?plan {}", "cannot read parameter"),
        (HEADER + "# title: Again\n# columns: plan\nSELECT ?plan {}", "gives 'title' twice"),
        (HEADER + "# columns: plan\n\n# SELECT ?plan {}\n", "no query after the header"),
    ],
)
def test_bad_headers_are_refused_naming_the_file(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=r"^bad\.rq: .*") as error:
        parse_query("bad", text)
    assert message in str(error.value)


def test_header_fields_continue_on_comment_lines_and_params_keep_defaults() -> None:
    text = (
        HEADER.replace("Every plan.", "Every plan,\n#   and its period.")
        + "# param: asOf (year) = 2025 -- the year\n# param: plan (iri)\n# columns: plan, asOf\nSELECT * {}"
    )
    query = parse_query("plans", text)
    assert query.description == "Every plan, and its period."
    assert [(p.name, p.type, p.default, p.description) for p in query.parameters] == [
        ("asOf", "year", "2025", "the year"),
        ("plan", "iri", None, ""),
    ]


def test_unknown_query_and_parameter_names_get_suggestions() -> None:
    with pytest.raises(QueryError, match="did you mean: measures-per-subgoal"):
        get("measures-per-subgoals")
    with pytest.raises(QueryError, match=r"unknown parameter 'are' \(this query takes: area, plan\)"):
        get("measures-per-subgoal").bindings({"are": "id:policy-area/education"})


def test_values_become_terms_of_the_declared_type() -> None:
    bindings = get("measures-per-subgoal").bindings({"area": "id:policy-area/education", "plan": f"<{RUSE}>"})
    assert bindings == {"area": NamedNode(f"{ID}policy-area/education"), "plan": NamedNode(RUSE)}
    year = get("ended-plans").bindings({"asOf": "2025"})["asOf"]
    assert isinstance(year, Literal) and year.datatype.value.endswith("#gYear")
    assert get("measures-per-institution").bindings() == {
        "rollUp": Literal("false", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    }
    with pytest.raises(QueryError, match="parameter 'asOf'"):
        get("ended-plans").bindings({"asOf": "last year"})
    with pytest.raises(QueryError, match=r"parameter 'plan'.*not an IRI"):
        get("plan-overview").bindings({"plan": INJECTION})


# -- every query on the bundled plans ---------------------------------------------------------------


@pytest.mark.parametrize("name", names())
def test_every_query_runs_without_parameters_and_its_columns_are_the_header_columns(
    built_store: GraphStore, name: str
) -> None:
    query: CatalogueQuery = get(name)
    result = query.run(built_store)
    assert result.kind == "select"
    assert result.variables == query.columns
    if name not in MAY_BE_EMPTY:
        assert result.rows, f"{name} found nothing on the bundled plans"


PLAN_PARAMETER_QUERIES = [q.name for q in list_queries() if any(p.name == "plan" for p in q.parameters)]


@pytest.mark.parametrize("name", PLAN_PARAMETER_QUERIES)
def test_binding_a_plan_restricts_to_that_plan(built_store: GraphStore, name: str) -> None:
    everything = run(built_store, name)
    ruse = run(built_store, name, plan="id:plan/ruse-2024-2027")
    assert {row["plan"] for row in ruse} <= {RUSE}
    assert ruse == [row for row in everything if row["plan"] == RUSE]


def test_an_injection_string_is_a_literal_and_changes_nothing(built_store: GraphStore) -> None:
    quads = built_store.count()
    graphs = built_store.named_graphs()
    query = get("unresolved-names")
    bindings = query.bindings({"kind": INJECTION})
    assert bindings["kind"] == Literal(INJECTION)
    assert query.run(built_store, {"kind": INJECTION}).rows == []
    assert records(query.run(built_store, {"kind": "funding"}))
    assert built_store.count() == quads and built_store.named_graphs() == graphs


# -- coverage -----------------------------------------------------------------------------------------


def test_ruse_has_measures_under_education_sub_goal_1(built_store: GraphStore) -> None:
    rows = run(
        built_store, "measures-per-subgoal", plan="id:plan/ruse-2024-2027", area="id:policy-area/education"
    )
    assert rows and all(row["area"] == f"{ID}policy-area/education" for row in rows)
    by_goal = {row["subgoal"]: row for row in rows}
    first = by_goal[f"{ID}objective/ns-2021-2030/education/1"]
    assert (
        first["municipality"] == "Община Русе"
        and isinstance(first["measures"], int)
        and first["measures"] >= 1
    )
    # the Русе plan numbers the measures of its education goal 4 after national sub-goal 6 (line 529: "6.1")
    assert f"{ID}objective/ns-2021-2030/education/6" in by_goal


def test_uncovered_sub_goals_are_exactly_the_ones_no_plan_serves(built_store: GraphStore) -> None:
    served = {row["subgoal"] for row in run(built_store, "measures-per-subgoal")}
    uncovered = {row["subgoal"] for row in run(built_store, "uncovered-subgoals")}
    all_goals = {
        row["g"].value
        for row in built_store.query(f"SELECT ?g {{ ?g a <{RIKG}SubGoal> }}").rows
        if isinstance(row["g"], NamedNode)
    }
    assert served and uncovered
    assert served | uncovered == all_goals and not served & uncovered


def test_unaligned_objectives_have_no_link_out_of_their_plan(built_store: GraphStore) -> None:
    rows = run(built_store, "unaligned-objectives")
    assert rows
    for row in rows:
        assert not ask(
            built_store,
            "ASK { ?objective rikg:alignedWith ?goal }",
            objective=NamedNode(str(row["objective"])),
        )
    aligned_somewhere = ask(built_store, "ASK { ?o a rikg:Objective ; rikg:alignedWith ?g }")
    assert aligned_somewhere


def test_measures_per_eu_objective_include_the_chain_of_ruse_measure_6_1(built_store: GraphStore) -> None:
    rows = run(built_store, "measures-per-eu-objective", plan="id:plan/ruse-2024-2027")
    education = [row for row in rows if row["objective"] == f"{ID}objective/eu-2020-2030/education"]
    assert education and isinstance(education[0]["measures"], int) and education[0]["measures"] >= 1


def test_plan_overview_counts_match_the_graph(built_store: GraphStore) -> None:
    rows = {row["plan"]: row for row in run(built_store, "plan-overview")}
    assert set(rows) == BUNDLED_PLANS
    assert (rows[KYUSTENDIL]["startYear"], rows[KYUSTENDIL]["endYear"]) == (2022, 2024)
    assert rows[PLOVDIV]["municipality"] == "Община Пловдив"
    for plan, row in rows.items():
        counted = built_store.query(
            f"SELECT (COUNT(?m) AS ?n) {{ ?m a <{RIKG}Measure> ; <{RIKG}inDocument> ?plan }}",
            {"plan": NamedNode(str(plan))},
        ).rows[0]["n"]
        assert counted is not None and row["measures"] == int(counted.value) > 0
        assert isinstance(row["measuresReachingEU"], int) and 0 < row["measuresReachingEU"] <= row["measures"]


def test_similar_measures_pair_different_municipalities_on_one_sub_goal(built_store: GraphStore) -> None:
    rows = run(built_store, "similar-measures")
    assert rows
    served = {(row["plan"], row["subgoal"]) for row in run(built_store, "measures-per-subgoal")}
    for row in rows:
        assert row["planA"] != row["planB"] and str(row["measureA"]) < str(row["measureB"])
        assert (row["planA"], row["subgoal"]) in served and (row["planB"], row["subgoal"]) in served
    goal = str(rows[0]["subgoal"])
    restricted = run(built_store, "similar-measures", subgoal=goal)
    assert restricted == [row for row in rows if row["subgoal"] == goal]


# -- who does what ------------------------------------------------------------------------------------


def test_regional_units_roll_up_to_their_parent(built_store: GraphStore) -> None:
    plain = {row["institution"]: row for row in run(built_store, "measures-per-institution")}
    rolled = {row["institution"]: row for row in run(built_store, "measures-per-institution", rollUp="true")}
    ruo_ruse, mon = f"{ID}institution/ruo-ruse", f"{ID}institution/mon"
    assert ruo_ruse in plain and ruo_ruse not in rolled
    assert all(row["rollUp"] is False for row in plain.values())
    assert all(row["rollUp"] is True for row in rolled.values())
    assert rolled[mon]["measures"] >= max(plain[mon]["measures"], plain[ruo_ruse]["measures"])  # type: ignore[type-var]
    for institution in rolled:
        assert not ask(
            built_store,
            "ASK { ?i <http://www.w3.org/ns/org#subOrganizationOf> ?p }",
            i=NamedNode(str(institution)),
        )


def test_institutions_sharing_measures_are_pairs_named_on_one_measure(built_store: GraphStore) -> None:
    rows = run(built_store, "institutions-sharing-measures")
    assert rows and all(str(row["institutionA"]) < str(row["institutionB"]) for row in rows)
    pairs = {(row["institutionA"], row["institutionB"]): row for row in rows}
    kindergartens_schools = pairs[(f"{ID}institution/kindergartens", f"{ID}institution/schools")]
    assert (
        kindergartens_schools["labelA"] == "Детски градини" and kindergartens_schools["labelB"] == "Училища"
    )
    assert isinstance(kindergartens_schools["plans"], int) and kindergartens_schools["plans"] >= 2


def test_measures_without_institution_include_blagoevgrad_education_1_2(built_store: GraphStore) -> None:
    rows = run(built_store, "measures-without-institution")
    # 000_ac6471d0a6c93028.txt:99: measure 1.2 leaves the "Отговорна институция" cell empty
    assert f"{BLAGOEVGRAD}/education/measure/1.2" in {row["measure"] for row in rows}
    for row in rows:
        assert not ask(
            built_store,
            "ASK { ?m (^rikg:partOfMeasure)?/rikg:responsibleInstitution ?i }",
            m=NamedNode(str(row["measure"])),
        )


# -- money ----------------------------------------------------------------------------------------------


def test_planned_amounts_keep_bgn_and_eur_and_per_year_apart(built_store: GraphStore) -> None:
    rows = run(built_store, "planned-amounts")
    assert {row["perYear"] for row in rows} == {True, False}
    for row in rows:
        bgn, eur, amounts = row["totalBGN"], row["totalEUR"], row["amounts"]
        assert isinstance(bgn, Decimal) and isinstance(eur, Decimal) and isinstance(amounts, int)
        assert abs(bgn / Decimal("1.95583") - eur) <= Decimal("0.005") * amounts
    # 000_ac6471d0a6c93028.txt:158: de-worming campaigns, "Общински бюджет", "300 лева годишно"
    per_year = [
        row
        for row in rows
        if row["plan"] == BLAGOEVGRAD
        and row["area"] == f"{ID}policy-area/health"
        and row["funding"] == "Общински бюджет"
        and row["perYear"] is True
    ]
    assert [row["totalBGN"] for row in per_year] == [Decimal("300")]


def test_each_amount_is_counted_once(built_store: GraphStore) -> None:
    counted = sum(int(str(row["amounts"])) for row in run(built_store, "planned-amounts"))
    total = built_store.query(
        f"SELECT (COUNT(DISTINCT ?a) AS ?n) {{ ?i <{RIKG}plannedAmount> ?a ; <{RIKG}inDocument> ?plan . "
        f"?plan a <{RIKG}MunicipalActionPlan> }}"
    ).rows[0]["n"]
    assert total is not None and counted == int(total.value) > 0


def test_plovdiv_funding_includes_the_municipal_budget(built_store: GraphStore) -> None:
    rows = run(built_store, "funding-sources-per-plan", plan="id:plan/plovdiv-2022-2024")
    municipal = [row for row in rows if row["funding"] == f"{ID}funding/municipal-budget"]
    assert [row["fundingLabel"] for row in municipal] == ["Общински бюджет"]
    assert municipal[0]["programme"] is False and municipal[0]["unresolved"] is False
    programmes = {row["funding"] for row in run(built_store, "funding-sources-per-plan") if row["programme"]}
    assert f"{ID}programme/prchr-2021-2027" in programmes


def test_measures_without_funding_name_no_source(built_store: GraphStore) -> None:
    rows = run(built_store, "measures-without-funding")
    assert rows
    for row in rows:
        assert not ask(
            built_store,
            "ASK { ?m (^rikg:partOfMeasure)?/rikg:fundingSource ?s }",
            m=NamedNode(str(row["measure"])),
        )


# -- auditor findings -------------------------------------------------------------------------------------


def test_blagoevgrad_cites_op_noir_2014_2020_with_its_successor(built_store: GraphStore) -> None:
    rows = run(built_store, "outdated-programmes")
    noir = [row for row in rows if row["programme"] == f"{ID}programme/op-noir-2014-2020"]
    assert len(noir) == 1
    row = noir[0]
    assert row["plan"] == BLAGOEVGRAD and row["programmeEnd"] == 2020
    assert row["successor"] == f"{ID}programme/education-2021-2027"
    assert row["sourceFile"] == BLAGOEVGRAD_FILE and isinstance(row["firstLine"], int)
    line = (
        (bundled_plans_dir() / BLAGOEVGRAD_FILE)
        .read_text(encoding="utf-8")
        .splitlines()[row["firstLine"] - 1]
    )
    assert "ОП НОИР" in line  # 000_ac6471d0a6c93028.txt:93 "Със средства по ОП НОИР"
    for finding in rows:
        assert isinstance(finding["planEnd"], int) and finding["planEnd"] > 2021
        assert finding["successor"] or (
            isinstance(finding["programmeEnd"], int) and finding["programmeEnd"] <= 2020
        )


def test_ended_plans_are_judged_in_the_current_year_or_as_of(built_store: GraphStore) -> None:
    this_year = datetime.date.today().year
    rows = run(built_store, "ended-plans")
    assert all(row["judgedIn"] == this_year and row["asOf"] is None for row in rows)
    ends = {RUSE: 2027, BLAGOEVGRAD: 2027, PLOVDIV: 2024, KYUSTENDIL: 2024}
    assert {row["plan"] for row in rows} == {plan for plan, end in ends.items() if end < this_year}
    assert {row["plan"] for row in run(built_store, "ended-plans", asOf="2025")} == {PLOVDIV, KYUSTENDIL}
    assert run(built_store, "ended-plans", asOf="2024") == []
    later = run(built_store, "ended-plans", asOf="2030")
    assert {row["plan"] for row in later} == BUNDLED_PLANS
    assert {(row["plan"], row["yearsSinceEnd"]) for row in later} >= {(RUSE, 3), (PLOVDIV, 6)}


def test_measures_without_targets(built_store: GraphStore) -> None:
    rows = run(built_store, "measures-without-indicators")
    assert rows
    overview = {row["plan"]: row["measures"] for row in run(built_store, "plan-overview")}
    ruse = [row for row in rows if row["plan"] == RUSE]
    # 004_1a91cfd4f2bbbb4c.txt:1218-1234: measure 3.3 counts referred cases, baseline 0, target 90
    assert f"{RUSE}/rule-of-law/measure/3.3" not in {row["measure"] for row in rows}
    assert isinstance(overview[RUSE], int) and len(ruse) < overview[RUSE]
    for row in rows:
        assert not ask(
            built_store,
            "ASK { ?m (^rikg:partOfMeasure)?/rikg:hasIndicator/rikg:targetValue ?t }",
            m=NamedNode(str(row["measure"])),
        )


def test_low_confidence_alignments_are_under_the_threshold(built_store: GraphStore) -> None:
    rows = run(built_store, "alignments-to-review")
    assert rows and all(
        isinstance(row["confidence"], Decimal) and row["confidence"] < Decimal("0.8") for row in rows
    )
    assert all(row["below"] == Decimal("0.8") and row["method"] and row["evidence"] for row in rows)
    assert run(built_store, "alignments-to-review", below="0") == []
    assert len(run(built_store, "alignments-to-review", below="1.01")) > len(rows)


def test_chain_of_ruse_measure_6_1_reaches_the_eu_education_objective(built_store: GraphStore) -> None:
    rows = run(built_store, "measure-chain")
    steps = {row["node"]: row for row in rows}
    item = f"{RUSE}/education/measure/6.1"
    assert steps[item]["step"] == 0 and steps[item]["source"] == "004_1a91cfd4f2bbbb4c.txt#L529"
    objective = steps[f"{RUSE}/education/objective/4"]
    sub_goal = steps[f"{ID}objective/ns-2021-2030/education/6"]
    eu = steps[f"{ID}objective/eu-2020-2030/education"]
    assert objective["via"] == "rikg:servesObjective" and sub_goal["via"] == "rikg:alignedWith"
    assert 0 < objective["step"] < sub_goal["step"] < eu["step"]  # type: ignore[operator]
    assert eu["labelEn"] and eu["document"] == f"{ID}document/eu-framework-2020-2030"
    other = run(built_store, "measure-chain", measure=f"{PLOVDIV}/education/measure/1-3")
    assert {row["measure"] for row in other} == {f"{PLOVDIV}/education/measure/1-3"}


# -- data quality ---------------------------------------------------------------------------------------


def test_unresolved_names_are_unresolved_nodes(built_store: GraphStore) -> None:
    rows = run(built_store, "unresolved-names")
    assert {row["kind"] for row in rows} == {"institution", "funding"}
    funding = run(built_store, "unresolved-names", kind="funding")
    assert funding == [row for row in rows if row["kind"] == "funding"]
    for row in rows:
        assert ask(built_store, "ASK { ?e rikg:unresolved true }", e=NamedNode(str(row["entity"])))


def test_unparsed_fragments_quote_their_source_lines(built_store: GraphStore) -> None:
    rows = run(built_store, "unparsed-fragments")
    assert {row["plan"] for row in rows} <= BUNDLED_PLANS and rows
    for row in rows:
        lines = (bundled_plans_dir() / str(row["sourceFile"])).read_text(encoding="utf-8").splitlines()
        start, end = row["lineStart"], row["lineEnd"]
        assert isinstance(start, int) and isinstance(end, int) and 1 <= start <= end <= len(lines)
        first_words = str(row["text"]).split()[:3]
        assert all(word in " ".join(lines[start - 1 : end]) for word in first_words), row


def test_the_query_text_is_the_file_after_its_header() -> None:
    text = (project_root() / "queries" / "plan-overview.rq").read_text("utf-8")
    sparql = get("plan-overview").sparql
    assert sparql.startswith("PREFIX ") and text.endswith(sparql)
    assert all(line.startswith("#") for line in text.removesuffix(sparql).splitlines())
