"""The four bundled plans, read end to end: structure counts, nothing lost, metadata, hand-checked rows.

Counts were made by reading each plan's tables line by line (tabs shown), independently of the
loader, and then compared with its output. How each plan was counted is written next to its numbers.
Golden files (``golden/<plan>.json``) hold sample rows with every field; each value was checked by
hand against the plan text (the loader was fixed where they differed, never the golden file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rikg.loaders.plan import coverage, load_plan
from rikg.loaders.records import Activity, EntityRef, Measure, Objective, PlanDocument, Priority
from rikg.loaders.resolve import resolve_funding, resolve_institutions

DATA = Path(__file__).parents[2] / "data" / "plans"
GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = Path(__file__).parent / "examples" / "extraction-rows.jsonl"  # copy of the hand-checked rows

# (policy area, objectives, measures, activities) per priority, in document order.
EXPECTED_COUNTS: dict[str, list[tuple[str, int, int, int]]] = {
    # 000 Благоевград: one row per line; objectives "N." in the Цел column, measures "N.M.",
    # activities "N.M.K.". Education: objectives 1-11; measures 1.1-1.4, 3.1, 3.2, 4.1, 5.1-5.3,
    # 6.1, 7.1, 8.1, 9.1, 10.1, 11.1 plus the row "2.1.1" that has no measure above it (kept as a
    # measure) = 17; activities 1.1.1-1.1.4, 4.1.1, 4.2.1-4.2.5 (written under 4.1), 4.2.6 (in the row
    # of 5.1), 6.1.1, 8.1.1, 10.1.1-10.1.3, 11.1.1-11.1.3 = 19. Health: objectives 1-3; measures
    # 1.1-1.5, 2.1-2.4, 3.1 = 10; activities 1.1.1-1.1.3, 1.2.1, 1.3.1, 1.4.1, 1.4.2, 1.5.1, 2.1.1,
    # 2.2.1, 2.3.1, 2.3.2, 2.4.1 = 13. Housing: objectives 1-3; measures 1.1-1.3, 2.1, 3.1, 3.2;
    # activities 1.1.1, 1.2.1, 1.3.1, 2.1.1. Employment: objectives 1-3; measures 1.1, 1.2, 2.1,
    # "2..2." (a measure code in the activity column), 3.1; activities 1.1.1, 1.1.2, 1.2.1, 1.2.2,
    # 2.2.1, 3.1.1. Rule of law: objectives 1, 2 and a second "2." (line 212); measures 1.1, 2.1,
    # 2.1; activities 1.1.1, 1.1.2. Culture: objectives 1, 2; measures 1.1, 1.2, 2.1-2.5;
    # activities 1.1.1-1.1.5.
    "000_ac6471d0a6c93028.txt": [
        ("education", 11, 17, 19),
        ("health", 3, 10, 13),
        ("housing", 3, 6, 4),
        ("employment", 3, 5, 6),
        ("rule-of-law", 3, 3, 2),
        ("culture", 2, 7, 5),
    ],
    # 001 Кюстендил: per priority the operational goal (one objective holding the measures) plus
    # the "Подцели" items (objectives without measures): 5+1, 5+1, 4+1, 2+1, 6+1, 1+1. Measures
    # "N." in the Мерки column: 6, 6, 6, 5, 3, 3. Actions "N.M." (several may share one cell):
    # education 1.1, 1.2, 2.1-2.3, 3.1-3.4, 4.1-4.3, 5.1, 5.2, 6.1, 6.2 = 16; health 1.1, 1.2,
    # 2.1-6.1 = 7; employment 1.1, 1.2, 2.1, 3.1, 4.1, 4.2, 5.1, 6.1 = 8; housing 1.1-4.1 = 4;
    # rule of law 1.1-1.3, 2.1, 2.2, 3.1, 3.2 = 7; culture 1.1, 2.1, 3.1 = 3.
    "001_2ecf4836e184dbdf.txt": [
        ("education", 6, 6, 16),
        ("health", 6, 6, 7),
        ("employment", 5, 6, 8),
        ("housing", 3, 5, 4),
        ("rule-of-law", 7, 3, 7),
        ("culture", 2, 3, 3),
    ],
    # 002 Пловдив: Цели / Задачи / Дейности, numbering restarting under each goal; list cells
    # give one record per item. Education: goals 1-4; tasks 5 (unnumbered list, line 11) + 1 + 3 + 2
    # = 11; activities 6 + 1 + 1 + 1 + 3 + 2 = 14. Health: goals 1, 2, 5; tasks 1 + 1 + "3." + "4."
    # + 3 (list, line 51) = 7; activities 1 + 1 + 4 (lines 36-42) + 5 (lines 43-50) = 11.
    # Employment: goals 1, 2, 4, 3, 4 (as numbered); tasks 1 + 3 + 3 (goal 4 has activities only,
    # kept as measures) + 1 + 1 = 9; activities 4 (dash list, line 59) + 6 (numbered items, line 60)
    # + 2 (lines 71, 72) + 8 (lines 79 and 84) = 20. Housing: goals 1, 2; tasks 1 + 3 = 4;
    # activities 3 + 1 + 1 + 1 = 6. Rule of law: goals 1, 3, 2; tasks 2 + 3 + 2 = 7; activities
    # 1 + 3 (lines 114-119) + 2 (line 124) + 2 = 8. Culture: goal 1, task 1, activities 1-8.
    "002_2d4f0de67f49e8b7.txt": [
        ("education", 4, 11, 14),
        ("health", 3, 7, 11),
        ("employment", 5, 9, 20),
        ("housing", 2, 4, 6),
        ("rule-of-law", 3, 7, 8),
        ("culture", 1, 1, 8),
    ],
    # 004 Русе: one cell per line; "Цел N." headings above each header; measure rows with a code
    # cell and no activities. Education: Цел 1-4; measures 1.1, 2.1, 3.1, 6.1. Health: Цел 1-5;
    # 1.1-1.5, 2.1-2.3, 3.1, 4.1, 4.3, 5.1 = 12. Employment: Цел 1-4; 1.1, 1.2, 2.1, 2.2, 3.1, 3.2,
    # 4.1 = 7. Housing: Цел 1-3; 2.1, 3.1. Rule of law: Цел 1-4 plus the operational goal holding the
    # КЗД table that follows a note (line 1283); measures 1, 3.5-3.7, 3.1-3.3, 4.5, 5.1 and КЗД 1, 2
    # = 11. Culture: Цел 1; measure 1.1.
    "004_1a91cfd4f2bbbb4c.txt": [
        ("education", 4, 4, 0),
        ("health", 5, 12, 0),
        ("employment", 4, 7, 0),
        ("housing", 3, 2, 0),
        ("rule-of-law", 5, 11, 0),
        ("culture", 1, 1, 0),
    ],
}

EXPECTED_METADATA: dict[str, dict[str, Any]] = {
    "000_ac6471d0a6c93028.txt": {
        "municipality": "Благоевград",
        "oblast": "Благоевград",
        "slug": "blagoevgrad-2024-2027",
        "years": (2024, 2027),
        "adoption_act": None,  # a draft ("ПРОЕКТ"), the council decision is not in the text
        "upstream": {
            "document/nap-2024-2027",
            "document/ns-2021-2030",
            "document/oblast-strategy/blagoevgrad-2021-2030",
        },
    },
    "001_2ecf4836e184dbdf.txt": {
        "municipality": "Кюстендил",
        "oblast": "Кюстендил",
        "slug": "kyustendil-2022-2024",
        "years": (2022, 2024),
        "adoption_act": "Приет с Решение №865 по протокол №38 на Общински съвет - Кюстендиl.",
        "upstream": {"document/oblast-strategy/kyustendil-2022-2030", "document/eu-framework-2020-2030"},
    },
    "002_2d4f0de67f49e8b7.txt": {
        "municipality": "Пловдив",
        "oblast": "Пловдив",
        "slug": "plovdiv-2022-2024",
        "years": (2022, 2024),
        "adoption_act": None,
        "upstream": set(),  # the plan cites no strategy or national plan
    },
    "004_1a91cfd4f2bbbb4c.txt": {
        "municipality": "Русе",
        "oblast": "Русе",
        "slug": "ruse-2024-2027",
        "years": (2024, 2027),
        "adoption_act": "Решение № ………………………. прието с Протокол № ……./……….07.2024 г. на Обс-Русе",
        "upstream": {
            "document/nap-2024-2027",
            "document/ns-2021-2030",
            "document/eu-framework-2011",
            "document/council-recommendation-2021",
            "document/oblast-strategy/ruse-2021-2030",
            "document/oblast-strategy/ruse-2022-2023",
        },
    },
}

NOISE_REASONS = {"table header", "separator", "page header", "totals row", "note"}


@pytest.fixture(scope="module")
def plans() -> dict[str, PlanDocument]:
    return {name: load_plan(DATA / name) for name in EXPECTED_COUNTS}


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_counts_per_priority(name: str, plans: dict[str, PlanDocument]) -> None:
    counted = [
        (
            priority.policy_area,
            len(priority.objectives),
            sum(len(o.measures) for o in priority.objectives),
            sum(len(m.activities) for o in priority.objectives for m in o.measures),
        )
        for priority in plans[name].priorities
    ]
    assert counted == EXPECTED_COUNTS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_nothing_is_lost(name: str, plans: dict[str, PlanDocument]) -> None:
    plan = plans[name]
    assert plan.table_lines
    assert coverage(plan) == set()
    assert {fragment.reason for fragment in plan.unparsed} <= NOISE_REASONS
    assert not plan.warnings


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_spans_quote_the_file(name: str, plans: dict[str, PlanDocument]) -> None:
    lines = (DATA / name).read_text(encoding="utf-8").split("\n")
    plan = plans[name]
    records: list[Priority | Objective | Measure | Activity] = []
    for priority in plan.priorities:
        records.append(priority)
        for objective in priority.objectives:
            records.append(objective)
            for measure in objective.measures:
                records.extend([measure, *measure.activities])
    for record in records:
        span = record.span
        assert span.file == name
        assert 1 <= span.line_start <= span.line_end <= len(lines)
        assert span.text == "\n".join(lines[span.line_start - 1 : span.line_end])
    for fragment in plan.unparsed:
        assert fragment.span.text == "\n".join(lines[fragment.span.line_start - 1 : fragment.span.line_end])


@pytest.mark.parametrize("name", sorted(EXPECTED_METADATA))
def test_metadata(name: str, plans: dict[str, PlanDocument]) -> None:
    plan, expected = plans[name], EXPECTED_METADATA[name]
    assert plan.municipality == expected["municipality"]
    assert plan.oblast == expected["oblast"]
    assert plan.slug == expected["slug"]
    assert (plan.start_year, plan.end_year) == expected["years"]
    assert plan.adoption_act == expected["adoption_act"]
    assert {ref.key for ref in plan.upstream} == expected["upstream"]
    assert plan.title and plan.title.upper().startswith("ПЛАН ЗА ДЕЙСТВИЕ")
    for ref in plan.upstream:
        assert ref.raw and " ".join(ref.raw.split()) in " ".join(ref.span.text.split())


def _find(plan: PlanDocument, row: dict[str, Any]) -> tuple[Priority, Objective, Measure, Activity | None]:
    for priority in plan.priorities:
        for objective in priority.objectives:
            for measure in objective.measures:
                if (measure.code, objective.code, measure.text) != (
                    row["measure_code"],
                    row["objective_code"],
                    row["measure_text"],
                ):
                    continue
                if row["activity_code"] is None and row["activity_text"] is None:
                    return priority, objective, measure, None
                for activity in measure.activities:
                    if activity.code == row["activity_code"] and activity.text == row["activity_text"]:
                        return priority, objective, measure, activity
    raise AssertionError(f"{row['measure_code']}/{row['activity_code']} not found")


def _effective(measure: Measure, activity: Activity | None, attribute: str) -> Any:
    """An activity's value, or its measure's when it states none (the mapping's inheritance)."""
    if activity is not None and getattr(activity, attribute):
        return getattr(activity, attribute)
    return getattr(measure, attribute)


EXAMPLE_ROWS = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(
    "row", EXAMPLE_ROWS, ids=lambda r: f"{r['file'][:3]}-{r['measure_code']}-{r['activity_code']}"
)
def test_hand_checked_example_rows(row: dict[str, Any], plans: dict[str, PlanDocument]) -> None:
    plan = plans[row["file"]]
    assert plan.municipality == row["municipality"]
    _priority, objective, measure, activity = _find(plan, row)
    record = activity or measure
    assert objective.text == row["objective_text"]
    assert measure.text == row["measure_text"]
    assert record.span.line_start == row["source_line"]
    assert _effective(measure, activity, "status") == row.get("status_raw")
    assert _effective(measure, activity, "institutions_raw") == row["institutions_raw"]
    assert _keys(row["institutions"], resolve_institutions, plan.municipality) <= _found(
        _effective(measure, activity, "institutions")
    )
    period = _effective(measure, activity, "period")
    assert (period.raw, period.start_year, period.end_year) == (
        row["period_raw"],
        row["start_year"],
        row["end_year"],
    )
    assert _effective(measure, activity, "amount_raw") == row.get("amount_raw")
    amounts = _effective(measure, activity, "amounts")
    assert [str(a.bgn) for a in amounts] == ([str(row["amount_bgn"])] if row.get("amount_bgn") else [])
    assert _effective(measure, activity, "funding_raw") == row["funding_raw"]
    assert _keys(row["funding"], resolve_funding) <= _found(_effective(measure, activity, "funding"))
    assert [i.text for i in _effective(measure, activity, "indicators")] == row["indicators"]


def _keys(labels: list[str], resolve: Any, *args: Any) -> set[str]:
    """The registry keys of the hand-checked labels ("РУО", "ОП НОИР"), by the same resolver."""
    return {ref.key for label in labels for ref in resolve(label, *args)[:1]}


def _found(refs: list[EntityRef]) -> set[str]:
    """The keys a record resolved to, with the parents of regional units ("РУО – Русе" → РУО)."""
    return {ref.key for ref in refs} | {ref.parent_key for ref in refs if ref.parent_key}


def _golden_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted(GOLDEN.glob("*.json")):
        golden = json.loads(path.read_text(encoding="utf-8"))
        cases.extend((golden["file"], row) for row in golden["rows"])
    return cases


def _record_as_golden(
    priority: Priority, objective: Objective, measure: Measure, activity: Activity | None
) -> dict[str, Any]:
    record = activity or measure
    return {
        "priority": priority.policy_area,
        "priority_heading": priority.name_raw,
        "objective": {"kind": objective.kind, "code": objective.code, "text": objective.text},
        "measure": {"code": measure.code, "text": measure.text},
        "activity": {"code": activity.code, "text": activity.text} if activity else None,
        "line_start": record.span.line_start,
        "line_end": record.span.line_end,
        "status": record.status,
        "institutions_raw": record.institutions_raw,
        "institution_keys": [e.key for e in record.institutions],
        "period_raw": record.period.raw if record.period else None,
        "start_year": record.period.start_year if record.period else None,
        "end_year": record.period.end_year if record.period else None,
        "amount_raw": record.amount_raw,
        "amounts": [[str(a.bgn), a.per_year] for a in record.amounts],
        "funding_raw": record.funding_raw,
        "funding_keys": [e.key for e in record.funding],
        "indicators": [[i.text, i.baseline, i.target] for i in record.indicators],
    }


def _load_any(file: str) -> PlanDocument:
    return load_plan(DATA / file if (DATA / file).exists() else GOLDEN / file)


_LOADED: dict[str, PlanDocument] = {}


@pytest.mark.parametrize(
    ("file", "row"),
    _golden_cases(),
    ids=lambda value: (
        value
        if isinstance(value, str)
        else f"{value['measure']['code']}-{(value['activity'] or {}).get('code')}-L{value['line_start']}"
    ),
)
def test_golden_rows(file: str, row: dict[str, Any]) -> None:
    plan = _LOADED.setdefault(file, _load_any(file))
    candidates = []
    for priority in plan.priorities:
        for objective in priority.objectives:
            for measure in objective.measures:
                for activity in [None, *measure.activities]:
                    got = _record_as_golden(priority, objective, measure, activity)
                    if (got["measure"], got["activity"], got["line_start"]) == (
                        row["measure"],
                        row["activity"],
                        row["line_start"],
                    ):
                        candidates.append({key: got[key] for key in row})
    assert candidates, "row not produced"
    assert row in candidates


# Synthetic plans in layouts the bundled plans do not use (pipe table with a combined "Мярка/Дейност"
# column; one cell per line without tabs and a different column order; one tab table for the whole
# plan with priorities as table rows, a "№" column and letter-prefixed activity codes; a semicolon
# export with a priority column, an unknown column and quoted cells; a PDF-to-text export).
SYNTHETIC: dict[str, dict[str, Any]] = {
    "synthetic_pipes.txt": {
        "counts": [("education", 1, 2, 2), ("health", 1, 2, 0)],
        "meta": ("Трявна", "Габрово", "tryavna-2024-2027"),
        "upstream": {"document/nap-2024-2027", "document/oblast-strategy/gabrovo-2021-2030"},
        "adoption_act": "Приет с Решение № 112 по Протокол № 9 от 28.03.2024 г. на Общински съвет - Трявна.",
    },
    "synthetic_cells.txt": {
        "counts": [("employment", 1, 2, 0), ("housing", 1, 1, 0)],
        "meta": ("Дряново", None, "dryanovo-2022-2024"),  # not an oblast centre, no oblast named
        "upstream": {"document/ns-2021-2030"},
        "adoption_act": None,
    },
    "synthetic_csv.txt": {
        "counts": [("education", 1, 2, 0), ("health", 1, 1, 0)],
        "meta": ("Каварна", None, "kavarna-2024-2027"),
        "upstream": set(),
        "adoption_act": "Приет с Решение № 45 по Протокол № 3 на Общински съвет – Каварна.",
    },
    # pdftotext -layout: columns aligned with runs of spaces, cells wrapped onto the next lines
    # (under their column, or alone when lower-case), a word hyphenated across lines, page numbers
    # and a repeated running header between rows.
    "synthetic_pdftotext.txt": {
        "counts": [("education", 1, 3, 0), ("health", 1, 1, 0)],
        "meta": ("Севлиево", None, "sevlievo-2024-2027"),
        "upstream": set(),
        "adoption_act": "Приет с Решение № 58 по Протокол № 7 от 29.02.2024 г. на Общински съвет - Севлиево.",
    },
    "synthetic_inline.txt": {
        "counts": [("education", 1, 1, 2), ("health", 1, 1, 2)],
        "meta": ("Елена", "Велико Търново", "elena-2023-2025"),
        "upstream": {"document/oblast-strategy/veliko-tarnovo-2021-2030"},
        "adoption_act": None,
    },
}


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_unseen_layouts(name: str) -> None:
    plan = load_plan(GOLDEN / name)
    expected = SYNTHETIC[name]
    counted = [
        (
            p.policy_area,
            len(p.objectives),
            sum(len(o.measures) for o in p.objectives),
            sum(len(m.activities) for o in p.objectives for m in o.measures),
        )
        for p in plan.priorities
    ]
    assert counted == expected["counts"]
    assert (plan.municipality, plan.oblast, plan.slug) == expected["meta"]
    assert {ref.key for ref in plan.upstream} == expected["upstream"]
    assert plan.adoption_act == expected["adoption_act"]
    assert coverage(plan) == set()
    assert not plan.warnings
