"""Value normalisers for plan cells: amounts, periods, status words, priority headings, look-alike letters.

Every function reads one cell's text as the plan wrote it and returns typed values while keeping the
text as written (``raw``). Nothing here guesses beyond the text: a cell with no clear amount gives no
amount, a cell with no year gives no year.

>>> cell = "Бюджет на община Русе-15.000 лв. до края на 2024 и ежегодно 30 000 лв."
>>> [(a.bgn, a.per_year) for a in parse_amounts(cell)]
[(Decimal('15000'), False), (Decimal('30000'), True)]
>>> parse_period("2024–2027 г.")
Period(raw='2024–2027 г.', start_year=2024, end_year=2027, status=None)
>>> policy_area_of("Приоритет №3 Заетост и социално включване")
'employment'
>>> fix_homoglyphs("граждansкия BG05M9OP001")
'гражданския BG05M9OP001'
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from rikg.loaders.records import Amount, Period
from rikg.ontology.registry import fix_homoglyphs

__all__ = [
    "BGN_PER_EUR",
    "fix_homoglyphs",
    "is_status",
    "normalise_status",
    "parse_amounts",
    "parse_period",
    "policy_area_of",
]

#: The fixed conversion rate of the lev to the euro.
BGN_PER_EUR = Decimal("1.95583")

# -- amounts ------------------------------------------------------------------------------------------

_SPACE = "[ \u00a0\u202f]"
# A number: digits with optional thousands groups (space, dot or comma) and an optional decimal part.
_NUMBER = (
    rf"(?P<number>\d{{1,3}}(?:(?:{_SPACE}|\.|,)\d{{3}})+(?![\d])(?:[.,]\d+)?"
    r"|\d+(?:[.,]\d+)?)"
)
_SCALE = r"(?P<scale>милиарда|милиард|млрд\.?|милиона|милион|мил\.?|млн\.?|хиляди|хил\.?)"
_CURRENCY = r"(?P<currency>лева|лев|лв\.?|BGN|евро|EUR|€)"
_AMOUNT = re.compile(
    rf"{_NUMBER}(?:{_SPACE}*{_SCALE})?(?:{_SPACE}*{_CURRENCY})?",
    re.IGNORECASE,
)
_PER_YEAR = re.compile(r"годишно|ежегодно|на\s+година|/\s*год\b\.?|за\s+година|на\s+год\.", re.IGNORECASE)
_SCALES = {
    "млрд": Decimal(10**9),
    "милиард": Decimal(10**9),
    "милиарда": Decimal(10**9),
    "мил": Decimal(10**6),
    "млн": Decimal(10**6),
    "милион": Decimal(10**6),
    "милиона": Decimal(10**6),
    "хил": Decimal(10**3),
    "хиляди": Decimal(10**3),
}
_EURO = {"евро", "eur", "€"}
# Text around a number that makes it a code, a year, a percentage or a count rather than an amount.
_CODE_BEFORE = re.compile(r"(?:[A-Za-zА-Яа-я0-9]|\d[-–/]|№\s*|No\.?\s*)$")
_NOT_AMOUNT_AFTER = re.compile(  # used with match(text, pos): anchored where the number ends
    r"(?:\s*(?:%|г\.|г\b|год\b|годин|[-–]\s*\d)|[A-Za-zА-Яа-я0-9])", re.IGNORECASE
)
_RANGE_BEFORE = re.compile(r"\d\s*(?:г\.?)?\s*[-–—]\s*$")
# Atomic groups: a long digit run is read one way only, not split into numbers every possible way.
_BARE_CELL = re.compile(rf"^[\s\-–—:;.,/()]*+(?>{_NUMBER}[\s\-–—;,/()]*+)+$")
# How far before a number its context is looked at ("№ ", "2024 г. – ", a letter of a code).
_CONTEXT = 40
_YEAR_RANGE = (1990, 2050)


def parse_amounts(text: str) -> list[Amount]:
    """The amounts a cell names, in order, converted to BGN (euro amounts at 1.95583).

    Numbers with a currency or a scale word ("лв.", "лева", "мил.", "млн. евро") are amounts; bare
    numbers count only when the cell holds nothing else ("42,300", "3000"). Years, codes ("№ 278",
    "BG05M9OP001-2.004"), percentages and counts ("за 40 жени") are not amounts. An amount is per year
    when "годишно", "ежегодно", "на година" or "/год." is next to it.

    >>> [str(a.bgn) for a in parse_amounts("1,5 мил. лв.")], parse_amounts("42,300")[0].bgn
    (['1500000'], Decimal('42300'))
    >>> parse_amounts("100 лева годишно")
    [Amount(raw='100 лева годишно', bgn=Decimal('100'), per_year=True)]
    >>> parse_amounts("0,5 млн. евро")[0].bgn
    Decimal('977915')
    >>> parse_amounts("2024–2027 г."), parse_amounts("Не са необходими"), parse_amounts("№ 278")
    ([], [], [])
    """
    candidates = [match for match in _AMOUNT.finditer(text) if _is_amount_position(text, match)]
    with_unit = [match for match in candidates if match.group("scale") or match.group("currency")]
    if with_unit:
        chosen = with_unit
    elif _BARE_CELL.match(text):
        chosen = [match for match in candidates if not _looks_like_year(match.group("number"))]
    else:
        chosen = []
    amounts: list[Amount] = []
    previous_end = 0
    for index, match in enumerate(chosen):
        next_start = chosen[index + 1].start() if index + 1 < len(chosen) else len(text)
        amounts.append(_amount(text, match, previous_end, next_start))
        previous_end = match.end()
    return amounts


def _is_amount_position(text: str, match: re.Match[str]) -> bool:
    before = text[max(0, match.start() - _CONTEXT) : match.start()]
    if _CODE_BEFORE.search(before):
        return False
    if match.group("currency") or match.group("scale"):
        return True
    return not (_NOT_AMOUNT_AFTER.match(text, match.end()) or _RANGE_BEFORE.search(before))


def _looks_like_year(number: str) -> bool:
    return number.isdigit() and len(number) == 4 and _YEAR_RANGE[0] <= int(number) <= _YEAR_RANGE[1]


def _amount(text: str, match: re.Match[str], previous_end: int, next_start: int) -> Amount:
    scale = (match.group("scale") or "").rstrip(".").lower()
    value = _number_value(match.group("number"), decimal_comma=bool(scale))
    value *= _SCALES.get(scale, Decimal(1))
    if (match.group("currency") or "").lower() in _EURO:
        value = (value * BGN_PER_EUR).quantize(Decimal("0.01"))
    raw_end = match.end()
    after = text[match.end() : next_start]
    marker_after = _PER_YEAR.match(after.lstrip(" \u00a0,"))
    if marker_after:
        raw_end = match.end() + (len(after) - len(after.lstrip(" \u00a0,"))) + marker_after.end()
    before = text[previous_end : match.start()]
    per_year = bool(marker_after) or _per_year_before(before) or _per_year_after(after)
    return Amount(text[match.start() : raw_end].strip(), _integral(value), per_year)


def _per_year_before(before: str) -> bool:
    """A per-year word among the few words right before the amount ("ежегодно 30 000 лв.")."""
    tail = re.split(r"\d", before)[-1]
    return bool(_PER_YEAR.search(" ".join(tail.split()[-4:])))


def _per_year_after(after: str) -> bool:
    """A per-year word after the amount, before the next number or list separator."""
    head = re.split(r"[\d;\n]", after)[0]
    return bool(_PER_YEAR.search(" ".join(head.split()[:4])))


def _number_value(number: str, *, decimal_comma: bool) -> Decimal:
    """The value of a written number: a separator followed by exactly three digits groups thousands.

    With a scale word ("1,500 мил.") a single comma is a decimal comma.
    """
    compact = re.sub(_SPACE, "", number)
    separators = re.findall(r"[.,]", compact)
    if decimal_comma and separators == [","]:
        return Decimal(compact.replace(",", "."))
    parts = re.split(r"([.,])", compact)
    integer, decimals = parts[0], ""
    for index in range(1, len(parts), 2):
        group = parts[index + 1]
        is_last = index + 2 >= len(parts)
        if len(group) == 3 and not (is_last and decimals):
            integer += group
        elif is_last:
            decimals = group
        else:
            integer += group
    return Decimal(f"{integer}.{decimals}" if decimals else integer)


def _integral(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


# -- periods and status words ------------------------------------------------------------------------

_YEAR = r"(?:19|20)\d\d"
_RANGE = re.compile(
    rf"(?<!\d)(?P<start>{_YEAR})(?!\d)\s*(?:г\.?|год\.?)?\s*[-–—‒]+\s*(?:до\s*)?(?P<end>{_YEAR}|\d\d)(?!\d)"
)
_SINGLE_YEAR = re.compile(rf"(?<![\d№/.-])(?P<year>{_YEAR})(?![\d])")
_YEAR_UNIT = re.compile(r"(?<![А-Яа-я])(?:г|год)(?![А-Яа-я])\.?")
_UNTIL = re.compile(r"(?:до|края\s+на|не\s+по-късно\s+от)\s*(?:\S+\s+){0,2}$", re.IGNORECASE)
_UNTIL_REACH = 120  # "до края на месец декември" and two more words fit

#: Status words and phrases as the plans write them (and common misspellings), normalised.
_STATUS_PHRASES = (
    "текущ",
    "текуща",
    "текущо",
    "текущи",
    "предстои",
    "предстоящ",
    "предстояща",
    "предстоящо",
    "постоянен",
    "постоянна",
    "постоянно",
    "постъпен",
    "регулярно",
    "ежегодно",
    "ежемесечно",
    "целогодишно",
    "всяка година",
    "всяка учебна година",
    "при необходимост",
    "при нужда",
    "в процес на изпълнение",
    "в изпълнение",
    "изпълнена",
    "изпълнен",
    "завършен",
    "продължаваща",
    "продължава",
    "нова",
    "нов",
    "непрекъснат",
    "в периода на изпълнение на проекта",
    "срок на проекта",
    "съгласно срока на проекта",
)
_STATUS_FUZZY_MIN = 88


def _status_key(text: str) -> str:
    text = fix_homoglyphs(unicodedata.normalize("NFKC", text)).casefold()
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"(?<=[а-я])-\s*(?=[а-я])", "", text)  # a word broken at a column edge: "Постоя-нен"
    return " ".join(re.findall(r"[а-яa-z]+", text))


def is_status(text: str) -> bool:
    """Whether a cell holds a status word or phrase ("Текущ", "Предстоящ", "постоянен", "регулярно").

    >>> [is_status(t) for t in ("Текущ", "Предстои.", "постъпен", "При необходимост", "2024 г.", "РУО")]
    [True, True, True, True, False, False]
    >>> is_status("В периода на изпълнение на проекта"), is_status("Постоя-нен"), is_status("Текуш")
    (True, True, True)
    """
    key = _status_key(text)
    if not key or len(key) > 80:
        return False
    words = key.split()
    # A status may combine two phrases: "Постоянен в периода на изпълнение на проекта".
    return any(
        _is_status_phrase(" ".join(words[:cut])) and _is_status_phrase(" ".join(words[cut:]))
        for cut in range(1, len(words))
    ) or _is_status_phrase(key)


def _is_status_phrase(key: str) -> bool:
    """A status phrase as listed, or a misspelling of one (one wrong letter in a word of five or more)."""
    if key in _STATUS_PHRASES:
        return True
    if len(key) < 5:
        return False
    return any(
        Levenshtein.distance(key, phrase) <= 1 or fuzz.ratio(key, phrase) >= _STATUS_FUZZY_MIN
        for phrase in _STATUS_PHRASES
    )


def normalise_status(text: str) -> str | None:
    """The status as written, tidied (spaces collapsed, markup and end punctuation dropped), or None.

    >>> normalise_status(" Текущ. "), normalise_status("<p>Предстои</p>"), normalise_status("Училища")
    ('Текущ', 'Предстои', None)
    """
    if not is_status(text):
        return None
    return _tidy(text)


def _tidy(text: str) -> str:
    text = fix_homoglyphs(re.sub(r"<[^>]*>", " ", text))
    return " ".join(text.split()).strip(" .,;:-–")


def parse_period(text: str) -> Period | None:
    """The years of a period or deadline cell, and its status.

    ``status`` is the status phrase written beside the years ("Текущ 2024 г."), or, for a cell with no
    year at all, the cell's text tidied ("постоянен", "Всяка учебна година"), so no deadline is lost.
    A range gives start and end ("2024–2027 г.", "2022 г.-2024", "2024-25"); a single year gives both,
    or only the end after "до" / "края на" ("до края на 2025 г."). An empty cell gives None.

    >>> parse_period("2024-\\n2027 г.")
    Period(raw='2024-\\n2027 г.', start_year=2024, end_year=2027, status=None)
    >>> parse_period("2022 г.-2024").end_year, parse_period("2024 г.").start_year
    (2024, 2024)
    >>> parse_period("постоянен")
    Period(raw='постоянен', start_year=None, end_year=None, status='постоянен')
    >>> parse_period("  ") is None
    True
    """
    if not _tidy(text):
        return None
    years = _years(text)
    if years is None:
        return Period(text, None, None, normalise_status(text) or _tidy(text))
    leftover = _tidy(_YEAR_UNIT.sub(" ", _SINGLE_YEAR.sub(" ", _RANGE.sub(" ", text))))
    return Period(text, years[0], years[1], normalise_status(leftover) if leftover else None)


def _years(text: str) -> tuple[int | None, int | None] | None:
    starts: list[int] = []
    ends: list[int] = []
    for match in _RANGE.finditer(text):
        start = int(match.group("start"))
        end_text = match.group("end")
        end = int(end_text) if len(end_text) == 4 else start // 100 * 100 + int(end_text)
        if end >= start:
            starts.append(start)
            ends.append(end)
    remainder = _RANGE.sub(" ", text)
    for match in _SINGLE_YEAR.finditer(remainder):
        year = int(match.group("year"))
        ends.append(year)
        if not _UNTIL.search(remainder[max(0, match.start() - _UNTIL_REACH) : match.start()]):
            starts.append(year)
    if not ends:
        return None
    return (min(starts) if starts else None), max(ends)


# -- policy areas -------------------------------------------------------------------------------------

_AREA_STEMS = (
    ("education", ("образовани",)),
    ("health", ("здрав",)),
    ("employment", ("заетост", "трудов")),
    ("housing", ("жилищ", "жилища", "инфраструктур")),
    ("rule-of-law", ("върховенство", "недискриминац", "дискриминац", "закона")),
    ("culture", ("култур", "медии")),
)


def policy_area_of(heading: str) -> str | None:
    """The policy area a priority heading names (the earliest area word in the heading wins).

    >>> [policy_area_of(h) for h in ("ПРИОРИТЕТ ОБРАЗОВАНИЕ", "Таблица -ПРИОРИТЕТ „ЗДРАВЕОПАЗВАНЕ“",
    ...     "ПРИОРИТЕТ 6: КУЛТУРА И МЕДИИ", "Жилищни условия", "Върховенство на закона и недискриминация")]
    ['education', 'health', 'culture', 'housing', 'rule-of-law']
    >>> policy_area_of("Индикатори") is None
    True
    """
    text = fix_homoglyphs(unicodedata.normalize("NFKC", heading)).casefold()
    found: list[tuple[int, str]] = []
    for area, stems in _AREA_STEMS:
        positions = [match.start() for stem in stems for match in re.finditer(stem, text)]
        if positions:
            found.append((min(positions), area))
    return min(found)[1] if found else None
