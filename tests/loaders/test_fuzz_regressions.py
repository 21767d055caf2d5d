"""Regressions for what fuzzing the loader found (tests/fuzz): one small plan per case.

Each case is a five-line plan with one pathological cell or line. Before the fixes these hung the
loader (backtracking or quadratic scans: minutes to hours) or decoded a damaged file as mojibake;
the time-out guards against a hang returning, it measures nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rikg.loaders.plan import coverage, load_plan

PLAN = (
    "ПЛАН ЗА ДЕЙСТВИЕ НА ОБЩИНА ТРЯВНА ЗА ПЕРИОДА 2024-2027 Г.\n"
    "ПРИОРИТЕТ ОБРАЗОВАНИЕ\n"
    "Цел\tМярка\tСрок\tОтговорна институция\tИзточник на финансиране\n"
    "1. Обхват в образованието\t1.1. Информационни кампании\t2024-2027 г.\tОбщина Трявна, РУО\t{funding}\n"
    "{extra}\n"
)
FUNDING = "Общински бюджет"

CASES = {
    # split_coded_items: an unbounded code pattern backtracked over "1.1. 1.1. ..." (10 KB: 11 s)
    "numbered-items": {"funding": "1.1. " * 20_000},
    # _AMOUNT_ANYWHERE searched "2024 2024 ..." from every digit (25 KB: over a minute)
    "number-run": {"funding": "2024 " * 20_000},
    # resolve: every window of up to 30 words was normalised and looked up (10 KB: 15 s)
    "words-without-names": {"funding": "а " * 50_000},
    # resolve: the phrase before each match was walked back to the previous break (quadratic)
    "repeated-acronym": {"funding": "РУО " * 25_000},
    # the title pattern "^\\s*\\**\\s*" split a line of blanks every possible way
    "blank-line": {"extra": " " * 100_000},
    # header detection fuzzy-matched every word of a huge line against every column name
    "huge-line": {"extra": "Срок Мярка Цел " * 100_000},
}


def _write(tmp_path: Path, name: str, funding: str = FUNDING, extra: str = "") -> Path:
    path = tmp_path / f"{name}.txt"
    path.write_text(PLAN.format(funding=funding, extra=extra), encoding="utf-8")
    return path


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", sorted(CASES))
def test_pathological_cells_load(case: str, tmp_path: Path) -> None:
    plan = load_plan(_write(tmp_path, case, **CASES[case]))
    assert [m.code for m in plan.measures()] == ["1.1"]
    assert coverage(plan) == set()
    measure = plan.measures()[0]
    if "funding" in CASES[case]:  # kept whole (as funding, or as institutions when it reads like them)
        assert len((measure.funding_raw or "") + (measure.institutions_raw or "")) > 50_000


def test_utf16_without_bom_loads(tmp_path: Path) -> None:
    text = PLAN.format(funding=FUNDING, extra="")
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        plan = load_plan(path)
        assert plan.encoding == encoding
        assert [m.code for m in plan.measures()] == ["1.1"]
        assert plan.measures()[0].funding_raw == FUNDING


def test_utf8_cut_inside_a_character_stays_utf8(tmp_path: Path) -> None:
    """It was decoded as latin-1 ("ÐŸÐ›ÐÐ") and then had no plan in it."""
    path = tmp_path / "cut.txt"
    path.write_bytes(PLAN.format(funding=FUNDING, extra="Бележка").encode("utf-8")[:-2])
    plan = load_plan(path)
    assert plan.encoding == "utf-8"
    assert plan.municipality == "Трявна"
    assert [m.code for m in plan.measures()] == ["1.1"]
    assert any("1 undecodable byte sequence(s) replaced" in warning for warning in plan.warnings)
