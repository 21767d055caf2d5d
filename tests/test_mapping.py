"""Unit tests of rikg.mapping on small hand-made plan records."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store, Triple

from rikg.loaders.records import (
    Activity,
    Amount,
    EntityRef,
    Indicator,
    Measure,
    Objective,
    Period,
    PlanDocument,
    Priority,
    SourceSpan,
    UnparsedFragment,
    UpstreamRef,
)
from rikg.mapping import ReferenceIndex, code_segment, eur_from_bgn, map_plan, single_number

ID = "https://w3id.org/rikg/id/"
PLAN = f"{ID}plan/test-2024-2027"
PREFIXES = {
    "rikg": "https://w3id.org/rikg/ontology#",
    "id": ID,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
FILE = "test-plan.txt"


def span(line: int, text: str = "ред", last: int | None = None) -> SourceSpan:
    return SourceSpan(FILE, line, last or line, text)


RUO = EntityRef("РУО", "Регионално управление на образованието", "institution/ruo", True)
RUO_RUSE = EntityRef("РУО-Русе", "РУО – Русе", "institution/ruo-ruse", True, parent_key="institution/ruo")
UNKNOWN_ACTOR = EntityRef("ЦПТРДБ", "ЦПТРДБ", "institution/unresolved/tsptrdb", False)
MUNICIPAL_BUDGET = EntityRef("Общински бюджет", "Общински бюджет", "funding/municipal-budget", True)
UNKNOWN_FUND = EntityRef("Фонд Х", "Фонд Х", "funding/unresolved/fond-h", False)


def make_doc() -> PlanDocument:
    """Two priorities; codes, missing codes, a repeated code; inheritance cases; money; indicators."""
    inheriting = Activity(code="1.1.1", text="Дейност без данни", span=span(12))
    own_data = Activity(
        code="1.1.2",
        text="Дейност със свои данни",
        span=span(13),
        institutions_raw="РУО-Русе",
        institutions=[RUO_RUSE],
        funding_raw="Фонд Х",
        funding=[UNKNOWN_FUND],
        period=Period("2025 г.", 2025, 2025),
    )
    measure = Measure(
        code="1.1",
        text="Обхващане на децата",
        span=span(10, "1.1 Обхващане на децата", 11),
        status="Текущ",
        institutions_raw="РУО, ЦПТРДБ",
        institutions=[RUO, UNKNOWN_ACTOR],
        funding_raw="Общински бюджет",
        funding=[MUNICIPAL_BUDGET],
        period=Period("2024–2027 г.", 2024, 2027),
        amount_raw="10 000 лева годишно",
        amounts=[Amount("10 000 лева годишно", Decimal("10000"), per_year=True)],
        indicators=[Indicator("Обхванати деца", baseline="120 деца", target="от 150 до 200")],
        activities=[inheriting, own_data],
    )
    uncoded = Measure(code=None, text="Мярка без номер", span=span(20))
    repeated = Measure(code="1.1", text="Повторен номер", span=span(21))
    goal = Objective(
        code="1", text="Цел за образованието", span=span(9), measures=[measure, uncoded, repeated]
    )
    sub_goal = Objective(code="1.2", text="Подцел", span=span(22), kind="Подцел")
    health_goal = Objective(
        code=None,
        text="Здравна цел",
        span=span(30),
        measures=[Measure(code="1.1", text="Здравна мярка", span=span(31))],
    )
    return PlanDocument(
        file=FILE,
        slug="test-2024-2027",
        municipality="Русе",
        oblast="Русе",
        title="План за действие на Община Русе",
        start_year=2024,
        end_year=2027,
        adoption_act="Решение № 1",
        upstream=[UpstreamRef("document/nap-2024-2027", "Национален план", span(3))],
        priorities=[
            Priority("Образование", "education", span(8), objectives=[goal, sub_goal]),
            Priority("Здравеопазване", "health", span(29), objectives=[health_goal]),
        ],
        unparsed=[UnparsedFragment(span(40, "непонятен текст"), "no column")],
    )


@pytest.fixture()
def triples() -> list[Triple]:
    return map_plan(make_doc())


@pytest.fixture()
def store(triples: list[Triple]) -> Store:
    store = Store()
    store.extend(Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


def select(store: Store, query: str) -> list[tuple[str, ...]]:
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    solutions = store.query(head + query)
    names = [v.value for v in solutions.variables]
    return sorted(tuple(s[n].value if s[n] is not None else "" for n in names) for s in solutions)


def ask(store: Store, query: str) -> bool:
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    return bool(store.query(head + query))


def test_same_records_give_the_same_triples() -> None:
    first, second = map_plan(make_doc()), map_plan(make_doc())
    assert first == second
    assert len(set(first)) == len(first), "no triple is emitted twice"


def test_item_iris_follow_the_scheme(store: Store) -> None:
    measures = select(store, "SELECT ?m { ?m a rikg:Measure }")
    assert measures == sorted(
        [
            (f"{PLAN}/education/measure/1.1",),
            (f"{PLAN}/education/measure/m2",),
            (f"{PLAN}/education/measure/1.1-2",),
            (f"{PLAN}/health/measure/1.1",),
        ]
    )
    objectives = select(store, "SELECT ?o { ?o a rikg:Objective }")
    assert (f"{PLAN}/health/objective/o1",) in objectives
    assert (f"{PLAN}/education/objective/1",) in objectives
    assert select(store, "SELECT ?a { ?a a rikg:Activity }") == [
        (f"{PLAN}/education/activity/1.1.1",),
        (f"{PLAN}/education/activity/1.1.2",),
    ]


def test_code_segments_keep_dots_and_transliterate() -> None:
    assert code_segment("1.1.1") == "1.1.1"
    assert code_segment("Д.1.1") == "d.1.1"
    assert code_segment(" 2. ") == "2"


def test_plan_node(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?label ?start ?end ?up ?territory {{
            <{PLAN}> a rikg:MunicipalActionPlan ; skos:prefLabel ?label ; rikg:startYear ?start ;
                rikg:endYear ?end ; rikg:implements ?up ; rikg:territory ?territory .
            FILTER(lang(?label) = "bg" && datatype(?start) = xsd:gYear)
        }}""",
    )
    assert {row[3] for row in rows} == {f"{ID}document/nap-2024-2027"}
    assert {row[4] for row in rows} == {f"{ID}municipality/ruse", f"{ID}region/ruse"}
    assert rows[0][:3] == ("План за действие на Община Русе", "2024", "2027")


def test_structure_links(store: Store) -> None:
    measure, activity = f"{PLAN}/education/measure/1.1", f"{PLAN}/education/activity/1.1.1"
    goal = f"{PLAN}/education/objective/1"
    assert ask(
        store,
        f"ASK {{ <{measure}> rikg:servesObjective <{goal}> ; rikg:policyArea <{ID}policy-area/education> }}",
    )
    assert ask(
        store, f"ASK {{ <{activity}> rikg:partOfMeasure <{measure}> ; rikg:servesObjective <{goal}> }}"
    )
    assert ask(
        store,
        f"ASK {{ <{activity}> rikg:policyArea <{ID}policy-area/education> ; rikg:inDocument <{PLAN}> }}",
    )
    assert ask(store, f"ASK {{ <{PLAN}/education/objective/1.2> rikg:subObjectiveOf <{goal}> }}")
    assert ask(store, f"ASK {{ <{PLAN}/health/measure/1.1> rikg:policyArea <{ID}policy-area/health> }}")


def test_texts_as_written_are_strings_and_labels_are_bulgarian(store: Store) -> None:
    measure = f"{PLAN}/education/measure/1.1"
    rows = select(
        store,
        f"""SELECT ?status ?inst ?fund ?period ?amount ?code {{
            <{measure}> rikg:statusText ?status ; rikg:institutionsText ?inst ; rikg:fundingText ?fund ;
                rikg:periodText ?period ; rikg:amountText ?amount ; rikg:code ?code .
            FILTER(datatype(?status) = xsd:string && datatype(?inst) = xsd:string
                   && datatype(?code) = xsd:string)
        }}""",
    )
    assert rows == [("Текущ", "РУО, ЦПТРДБ", "Общински бюджет", "2024–2027 г.", "10 000 лева годишно", "1.1")]
    assert not ask(store, 'ASK { ?s skos:prefLabel ?l FILTER(lang(?l) != "bg") }')


def test_amount_keeps_bgn_and_adds_eur(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?bgn ?eur ?perYear ?text ?currency {{
            <{PLAN}/education/measure/1.1> rikg:plannedAmount ?a .
            ?a a rikg:MonetaryAmount ; rikg:amountBGN ?bgn ; rikg:amountEUR ?eur ; rikg:perYear ?perYear ;
               rikg:amountText ?text ; <https://schema.org/currency> ?currency .
            FILTER(datatype(?eur) = xsd:decimal)
        }}""",
    )
    assert rows == [("10000", "5112.92", "true", "10 000 лева годишно", "BGN")]


def test_eur_rounds_half_up_to_the_cent() -> None:
    assert eur_from_bgn(Decimal("1")) == Decimal("0.51")
    assert eur_from_bgn(Decimal("0.009779150")) == Decimal("0.01")  # 0.005 EUR exactly rounds up
    assert eur_from_bgn(Decimal("2000000")) == Decimal("1022583.76")


def test_activity_without_data_inherits_the_measure(store: Store) -> None:
    inheriting = f"{PLAN}/education/activity/1.1.1"
    assert select(store, f"SELECT ?i {{ <{inheriting}> rikg:responsibleInstitution ?i }}") == [
        (f"{ID}institution/ruo",),
        (f"{ID}institution/unresolved/tsptrdb",),
    ]
    assert select(store, f"SELECT ?f {{ <{inheriting}> rikg:fundingSource ?f }}") == [
        (f"{ID}funding/municipal-budget",)
    ]
    assert select(store, f"SELECT ?s ?e {{ <{inheriting}> rikg:startYear ?s ; rikg:endYear ?e }}") == [
        ("2024", "2027")
    ]
    assert not ask(store, f"ASK {{ <{inheriting}> rikg:plannedAmount ?a }}"), "amounts are not copied"
    assert not ask(store, f"ASK {{ <{inheriting}> rikg:institutionsText ?t }}"), "texts stay where written"


def test_activity_with_its_own_data_keeps_it(store: Store) -> None:
    own = f"{PLAN}/education/activity/1.1.2"
    assert select(store, f"SELECT ?i {{ <{own}> rikg:responsibleInstitution ?i }}") == [
        (f"{ID}institution/ruo-ruse",)
    ]
    assert select(store, f"SELECT ?f {{ <{own}> rikg:fundingSource ?f }}") == [
        (f"{ID}funding/unresolved/fond-h",)
    ]
    assert select(store, f"SELECT ?s ?e {{ <{own}> rikg:startYear ?s ; rikg:endYear ?e }}") == [
        ("2025", "2025")
    ]


def test_measure_does_not_inherit_from_activities(store: Store) -> None:
    assert not ask(
        store, f"ASK {{ <{PLAN}/education/measure/1.1> rikg:fundingSource <{ID}funding/unresolved/fond-h> }}"
    )


def test_every_extracted_node_has_a_span_with_file_and_lines(store: Store) -> None:
    missing = select(
        store,
        """SELECT ?node {
            ?node a ?class .
            VALUES ?class { rikg:MunicipalActionPlan rikg:Objective rikg:Measure rikg:Activity
                            rikg:Indicator rikg:MonetaryAmount rikg:UnparsedFragment rikg:Institution
                            rikg:FundingSource }
            FILTER NOT EXISTS {
                ?node prov:wasDerivedFrom ?span .
                ?span a rikg:SourceSpan ; rikg:sourceFile "test-plan.txt" ; rikg:lineStart ?start ;
                      rikg:lineEnd ?end ; rikg:sourceText ?text .
                FILTER(datatype(?start) = xsd:integer && ?start <= ?end)
            }
        }""",
    )
    assert missing == []
    assert select(
        store,
        f"SELECT ?s ?e ?t {{ <{PLAN}/education/measure/1.1/span> rikg:lineStart ?s ; rikg:lineEnd ?e ;"
        " rikg:sourceText ?t }",
    ) == [("10", "11", "1.1 Обхващане на децата")]


def test_unresolved_names_are_flagged_nodes(store: Store) -> None:
    rows = select(
        store,
        """SELECT ?node ?class ?label { ?node rikg:unresolved true ; a ?class ; skos:prefLabel ?label }""",
    )
    assert rows == [
        (f"{ID}funding/unresolved/fond-h", PREFIXES["rikg"] + "FundingSource", "Фонд Х"),
        (f"{ID}institution/unresolved/tsptrdb", PREFIXES["rikg"] + "Institution", "ЦПТРДБ"),
    ]
    assert not ask(store, f"ASK {{ <{ID}institution/ruo> rikg:unresolved ?x }}")


def test_regional_unit_created_on_the_fly(store: Store) -> None:
    assert ask(
        store,
        f"""ASK {{ <{ID}institution/ruo-ruse> a rikg:Institution ; skos:prefLabel "РУО – Русе"@bg ;
                  org:subOrganizationOf <{ID}institution/ruo> }}""",
    )


def test_reference_nodes_are_linked_not_repeated() -> None:
    described = {f"{ID}institution/ruo", f"{ID}institution/ruo-ruse", f"{ID}funding/municipal-budget"}
    reference = ReferenceIndex(
        described=frozenset(described | {f"{ID}municipality/ruse", f"{ID}region/ruse"}),
        municipalities={"русе": f"{ID}municipality/ruse"},
        regions={"русе": f"{ID}region/ruse"},
    )
    subjects = {t.subject.value for t in map_plan(make_doc(), reference)}
    assert not described & subjects
    assert f"{ID}municipality/ruse" not in subjects
    standalone = {t.subject.value for t in map_plan(make_doc())}
    assert described <= standalone, "without reference data every linked node is described in the plan graph"
    assert f"{ID}municipality/ruse" in standalone


def test_reference_territory_found_by_label() -> None:
    reference = ReferenceIndex(
        described=frozenset({f"{ID}municipality/sofia-grad"}),
        municipalities={"столична": f"{ID}municipality/sofia-grad"},
    )
    doc = make_doc()
    doc.municipality = "Столична"
    objects = {t.object.value for t in map_plan(doc, reference) if t.predicate.value.endswith("#territory")}
    assert f"{ID}municipality/sofia-grad" in objects


def test_indicators_keep_values_and_add_clear_numbers(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?label ?baseline ?target ?bn {{
            <{PLAN}/education/measure/1.1> rikg:hasIndicator ?i .
            ?i a rikg:Indicator ; skos:prefLabel ?label ; rikg:baselineValue ?baseline ;
               rikg:targetValue ?target ; rikg:baselineNumber ?bn .
            FILTER NOT EXISTS {{ ?i rikg:targetNumber ?tn }}
        }}""",
    )
    assert rows == [("Обхванати деца", "120 деца", "от 150 до 200", "120")]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("45%", Decimal("45")),
        ("1 500", Decimal("1500")),
        ("0,5 %", Decimal("0.5")),
        ("100 бр.", Decimal("100")),
        ("2 и 3", None),
        ("", None),
        ("постоянно", None),
        ("2027 г.", None),
    ],
)
def test_single_number(text: str, number: Decimal | None) -> None:
    assert single_number(text) == number


def test_unparsed_fragment_is_kept(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?reason ?text {{
            <{PLAN}/unparsed/40> a rikg:UnparsedFragment ; rikg:unparsedReason ?reason ;
                rikg:inDocument <{PLAN}> ;
                prov:wasDerivedFrom [ rikg:sourceText ?text ; rikg:lineStart 40 ] }}""",
    )
    assert rows == [("no column", "непонятен текст")]


def test_plan_without_table_maps_to_the_plan_node_only() -> None:
    doc = PlanDocument(
        file="x.txt",
        slug="x-2024-2027",
        municipality=None,
        oblast=None,
        title=None,
        start_year=None,
        end_year=None,
    )
    triples = map_plan(doc)
    labels = [t.object for t in triples if t.predicate.value.endswith("prefLabel")]
    assert labels == [Literal("x.txt", language="bg")], "an untitled plan is labelled with its file name"
    assert {t.subject for t in triples} == {
        NamedNode(f"{ID}plan/x-2024-2027"),
        NamedNode(f"{ID}plan/x-2024-2027/span"),
    }
