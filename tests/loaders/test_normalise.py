"""Value normalisers: amounts, periods, status words, priority headings and look-alike letters.

Table-driven cases come from the four bundled plans and the hand-checked rows; property tests
(hypothesis) cover the families those cases belong to (every thousands separator, every dash).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rikg.loaders.normalise import (
    BGN_PER_EUR,
    fix_homoglyphs,
    is_status,
    normalise_status,
    parse_amounts,
    parse_period,
    policy_area_of,
)

EXAMPLES = Path(__file__).parent / "examples" / "extraction-rows.jsonl"  # copy of the hand-checked rows
PER_YEAR_WORDS = ("годишно", "ежегодно", "на година", "/год.")

# -- amounts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("10 000 лева", [(Decimal(10000), False)]),
        ("2 мил. лв.", [(Decimal(2000000), False)]),
        ("1,5 мил. лв.", [(Decimal(1500000), False)]),
        ("54,3 млн. лв.", [(Decimal(54300000), False)]),
        ("15.000 лв.", [(Decimal(15000), False)]),
        ("42,300", [(Decimal(42300), False)]),
        ("42 300 лева", [(Decimal(42300), False)]),
        ("100 лева годишно", [(Decimal(100), True)]),
        ("30000 лв. ежегодно", [(Decimal(30000), True)]),
        ("1600 лева за 40 здравно неосигурени жени и многодетни майки", [(Decimal(1600), False)]),
        (
            "Бюджет на община Русе-15.000 лв. до края на 2024 и ежегодно 30 000 лв.",
            [(Decimal(15000), False), (Decimal(30000), True)],
        ),
        ("100 000 лв. на училище.", [(Decimal(100000), False)]),
        ("200 000", [(Decimal(200000), False)]),
        ("3000", [(Decimal(3000), False)]),
        ("5000 лв", [(Decimal(5000), False)]),
        ("10 000 лв;", [(Decimal(10000), False)]),
        (
            "Проект „Изграждане на социални жилища в град Пловдив“ на стойност 7 165 650 лв.",
            [(Decimal(7165650), False)],
        ),
        ("88 млн. лв.", [(Decimal(88000000), False)]),
        ("12,5 лв.", [(Decimal("12.5"), False)]),
        ("1 234,56 лв.", [(Decimal("1234.56"), False)]),
        ("- ", []),
        ("-", []),
        ("Не са необходими", []),
        ("2024–2027 г.", []),
        ("2024", []),
        ("BG05M9OP001-2.004", []),
        ("Решение № 278", []),
        ("Проект П41", []),
        ("Брой деца 40", []),
        ("100%", []),
    ],
)
def test_amounts_from_plans(cell: str, expected: list[tuple[Decimal, bool]]) -> None:
    assert [(amount.bgn, amount.per_year) for amount in parse_amounts(cell)] == expected


def test_amount_keeps_the_text_as_written() -> None:
    (first, second) = parse_amounts("Бюджет на община Русе-15.000 лв. до края на 2024 и ежегодно 30 000 лв.")
    assert (first.raw, second.raw) == ("15.000 лв.", "30 000 лв.")
    assert parse_amounts("100 лева годишно")[0].raw == "100 лева годишно"


def test_euro_amounts_convert_at_the_fixed_rate() -> None:
    (amount,) = parse_amounts("2 млн. евро")
    assert amount.bgn == Decimal(2_000_000) * BGN_PER_EUR
    assert amount.raw == "2 млн. евро"
    assert parse_amounts("1 000 EUR")[0].bgn == Decimal("1955.83")


def _grouped(n: int, separator: str) -> str:
    digits = str(n)
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return separator.join(groups)


@given(
    n=st.integers(min_value=0, max_value=10**9),
    separator=st.sampled_from([" ", ".", ",", "\u00a0", ""]),
    currency=st.sampled_from(["лв.", "лв", "лева", "BGN"]),
    glue=st.sampled_from([" ", "", "\u00a0"]),
    per_year=st.sampled_from([None, *PER_YEAR_WORDS]),
    prefix=st.sampled_from(["", "Общински бюджет - ", "Средства: ", "Бюджет на община Русе-"]),
)
@example(n=15000, separator=".", currency="лв.", glue=" ", per_year=None, prefix="")
@example(n=42300, separator=",", currency="лева", glue=" ", per_year="годишно", prefix="")
def test_any_grouped_integer_with_currency(
    n: int, separator: str, currency: str, glue: str, per_year: str | None, prefix: str
) -> None:
    cell = f"{prefix}{_grouped(n, separator)}{glue}{currency}"
    if per_year:
        cell += ("" if per_year.startswith("/") else " ") + per_year
    (amount,) = parse_amounts(cell)
    assert amount.bgn == n
    assert amount.per_year is (per_year is not None)
    assert amount.raw in cell


@given(n=st.integers(min_value=1, max_value=10**7), marker=st.sampled_from(["ежегодно", "годишно"]))
def test_per_year_word_before_the_amount(n: int, marker: str) -> None:
    (amount,) = parse_amounts(f"и {marker} {_grouped(n, ' ')} лв.")
    assert amount.per_year and amount.bgn == n


@given(
    whole=st.integers(min_value=0, max_value=999),
    decimals=st.integers(min_value=1, max_value=99),
    scale=st.sampled_from([("мил.", 10**6), ("млн.", 10**6), ("хил.", 10**3), ("", 1)]),
    euro=st.booleans(),
)
def test_decimal_comma_scale_and_euro(whole: int, decimals: int, scale: tuple[str, int], euro: bool) -> None:
    word, factor = scale
    currency = "евро" if euro else "лв."
    cell = f"{whole},{decimals} {word} {currency}".replace("  ", " ")
    (amount,) = parse_amounts(cell)
    value = Decimal(f"{whole}.{decimals}") * factor
    if euro:
        value = (value * BGN_PER_EUR).quantize(Decimal("0.01"))
    assert amount.bgn == value
    assert amount.per_year is False


@given(start=st.integers(min_value=2000, max_value=2035), length=st.integers(min_value=0, max_value=10))
def test_years_and_codes_are_never_amounts(start: int, length: int) -> None:
    end = start + length
    for cell in (
        f"{start}–{end} г.",
        f"{start} - {end}",
        f"{start} г.",
        f"№ {start}",
        f"BG05M9OP001-{start}",
    ):
        assert parse_amounts(cell) == [], cell


# -- periods ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "start", "end", "status"),
    [
        ("2024–2027 г.", 2024, 2027, None),
        ("2024- 2027 г", 2024, 2027, None),
        ("2024-\n2027 г.", 2024, 2027, None),
        ("2022 - 2024", 2022, 2024, None),
        ("2022 г.-2024", 2022, 2024, None),
        ("2024 г.", 2024, 2024, None),
        ("2021- 2027 г.", 2021, 2027, None),
        ("2022 – 2024 г.", 2022, 2024, None),
        ("2024-25", 2024, 2025, None),
        ("до края на 2025 г.", None, 2025, None),
        ("Текущ 2024 г.", 2024, 2024, "Текущ"),
        ("постоянен", None, None, "постоянен"),
        ("Текущ", None, None, "Текущ"),
        ("ежегодно", None, None, "ежегодно"),
        ("В периода на изпълнение на проекта", None, None, "В периода на изпълнение на проекта"),
        ("Постоя-нен", None, None, "Постоя-нен"),
        ("Всяка учебна година", None, None, "Всяка учебна година"),
    ],
)
def test_periods_from_plans(cell: str, start: int | None, end: int | None, status: str | None) -> None:
    period = parse_period(cell)
    assert period is not None
    assert (period.raw, period.start_year, period.end_year, period.status) == (cell, start, end, status)


def test_empty_period_cell_gives_none() -> None:
    assert parse_period("") is None
    assert parse_period(" \n ") is None


@given(
    start=st.integers(min_value=1990, max_value=2040),
    length=st.integers(min_value=0, max_value=10),
    dash=st.sampled_from(["-", "–", "—", " - ", "- ", " -", "-\n", " – "]),
    first_suffix=st.sampled_from(["", " г.", "г."]),
    suffix=st.sampled_from(["", " г.", " г", "г.", " година"]),
)
def test_any_year_range(start: int, length: int, dash: str, first_suffix: str, suffix: str) -> None:
    end = start + length
    period = parse_period(f"{start}{first_suffix}{dash}{end}{suffix}")
    assert period is not None
    assert (period.start_year, period.end_year) == (start, end)
    assert period.start_year <= period.end_year


def test_hand_checked_rows() -> None:
    rows = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert rows
    for row in rows:
        period = parse_period(row["period_raw"])
        assert period is not None
        assert (period.start_year, period.end_year) == (row["start_year"], row["end_year"])
        if row.get("status_raw"):
            assert normalise_status(row["status_raw"]) == row["status_raw"]


# -- status words -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "Текущ",
        "Текуш",
        "Предстои",
        "Предстоящ",
        "постоянен",
        "постояне",
        "Постоя-нен",
        "постъпен",
        "регулярно",
        "При необходимост",
        "В периода на изпълнение на проекта",
        "Постоянен в периода на изпълнение на проекта",
        "<p>Текущ</p>",
    ],
)
def test_status_words_of_the_plans(cell: str) -> None:
    assert is_status(cell)
    assert normalise_status(cell) == " ".join(cell.replace("<p>", "").replace("</p>", "").split())


@pytest.mark.parametrize(
    "cell",
    [
        "Училища",
        "Община Русе",
        "Проекти",
        "2024–2027 г.",
        "10 000 лева",
        "",
        "Нова мярка",
        "Постоянна комисия",
    ],
)
def test_other_cells_are_not_statuses(cell: str) -> None:
    assert not is_status(cell)
    assert normalise_status(cell) is None


# -- policy areas -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "area"),
    [
        ("ПРИОРИТЕТ ОБРАЗОВАНИЕ", "education"),
        ("Приоритет №3 Заетост и социално включване", "employment"),
        ("Таблица -ПРИОРИТЕТ „ЗДРАВЕОПАЗВАНЕ“", "health"),
        ("ПРИОРИТЕТ 6: КУЛТУРА И МЕДИИ", "culture"),
        ("Приоритет 4: Жилищни условия", "housing"),
        ("ПРИОРИТЕТ ВЪРХОВЕНСТВО НА ЗАКОНА И НЕДИСКРИМИНАЦИЯ", "rule-of-law"),
        ("Приоритет 5. Недискриминация", "rule-of-law"),
        ("ПРИОРИТЕТ ОБРАЗOВАНИЕ", "education"),  # a Latin O
        ("Индикатори", None),
        ("", None),
    ],
)
def test_policy_area_of_headings(heading: str, area: str | None) -> None:
    assert policy_area_of(heading) == area


# -- look-alike letters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("Кюстендиl", "Кюстендил"),
        ("граждansкия", "гражданския"),
        ("презvakанциите", "презваканциите"),
        ("oбразование", "образование"),
        ("BG05M9OP001", "BG05M9OP001"),
        ("превенция на HIV", "превенция на HIV"),
        ("ХИВ/HIV", "ХИВ/HIV"),
        ("Covid-кризата", "Covid-кризата"),
    ],
)
def test_homoglyphs(text: str, fixed: str) -> None:
    assert fix_homoglyphs(text) == fixed


_MIXED = st.text(
    alphabet="абвгдежзийклмнопрстуфхцчшщъьюяАБВРСТaceopxyBHKMTlvns0123456789 -,./„“", max_size=60
)


@given(_MIXED)
def test_homoglyph_fix_is_idempotent_and_keeps_length(text: str) -> None:
    once = fix_homoglyphs(text)
    assert fix_homoglyphs(once) == once
    assert len(once) == len(text)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -./", max_size=40))
def test_latin_only_text_is_left_alone(text: str) -> None:
    assert fix_homoglyphs(text) == text
