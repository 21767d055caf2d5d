"""Layout detection: where a plan's action tables are, how their cells are separated, what each column means.

A plan export is narrative text with one or more tables. A table starts at a header row whose
cells name column roles ("Мярка", "Срок", "Отговорна институция", ...), matched fuzzily so that
misspellings ("Марка", "Времени период") still count. Cells are separated by tabs on one line,
by pipes, by runs of spaces, by semicolons, or written one cell per line. Headings around the
tables name the priority ("ПРИОРИТЕТ ОБРАЗОВАНИЕ"), its operational goal and objectives ("Цел 1.").

>>> header_role("Статус на марката")
<Role.STATUS: 'status'>
>>> header_role("Целева стойност с натрупване 2024-2027 г.")
<Role.TARGET: 'target'>
>>> split_cells("| 1.1 | Мярка | 2024 |", CellStyle.PIPES)
['1.1', 'Мярка', '2024']
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz, process

from rikg.loaders.text import clean_text, leading_code, starts_lowercase

__all__ = [
    "LEVEL_ROLES",
    "CellStyle",
    "Header",
    "PrioritySection",
    "Role",
    "TableRegion",
    "detect_sections",
    "find_headers",
    "find_page_headers",
    "header_role",
    "is_separator_line",
    "objective_heading",
    "operational_goal",
    "priority_heading",
    "section_heading",
    "split_cells",
]


class Role(StrEnum):
    """What a table column holds."""

    OBJECTIVE = "objective"
    MEASURE = "measure"
    ACTIVITY = "activity"
    STATUS = "status"
    INSTITUTIONS = "institutions"
    PERIOD = "period"
    AMOUNT = "amount"
    FUNDING = "funding"
    INDICATOR = "indicator"
    BASELINE = "baseline"
    TARGET = "target"
    NOTES = "notes"
    NUMBER = "number"
    PRIORITY = "priority"


LEVEL_ROLES = (Role.OBJECTIVE, Role.MEASURE, Role.ACTIVITY)

_ROLE_TERMS: dict[Role, tuple[str, ...]] = {
    Role.OBJECTIVE: (
        "цел",
        "цели",
        "специфична цел",
        "специфични цели",
        "оперативна цел",
        "подцел",
        "подцели",
        "стратегическа цел",
        "общa цел",
        "обща цел",
    ),
    Role.MEASURE: ("мярка", "мерки", "задача", "задачи", "мярка/дейност", "мерки/дейности", "марка"),
    Role.ACTIVITY: ("дейност", "дейности", "действие", "действия", "конкретни дейности", "дейности/действия"),
    Role.STATUS: ("статус", "статус на мярката", "статус на изпълнение", "състояние"),
    Role.INSTITUTIONS: (
        "отговорна институция",
        "отговорни институции",
        "отговорник",
        "отговорници",
        "изпълнител",
        "изпълнители",
        "партньори",
        "отговорна институция/партньори",
        "институция",
        "отговорни",
        "водеща институция",
        "отговорни лица",
    ),
    Role.PERIOD: (
        "срок",
        "срокове",
        "срок за изпълнение",
        "срок на изпълнение",
        "времеви период",
        "период",
        "период на изпълнение",
        "времеви график",
        "времева рамка",
    ),
    Role.AMOUNT: (
        "средства",
        "бюджет",
        "стойност",
        "необходими средства",
        "прогнозна стойност",
        "сума",
        "размер на средствата",
        "финансов ресурс",
        "прогнозен бюджет",
    ),
    Role.FUNDING: (
        "финансиране",
        "източник на финансиране",
        "източници на финансиране",
        "източник",
        "финансиране източник",
        "източник на средствата",
    ),
    Role.INDICATOR: (
        "индикатори",
        "индикатор",
        "индикатор за изпълнение",
        "индикатори за изпълнение",
        "индикатори за резултат",
        "очакван резултат",
        "очаквани резултати",
        "резултат",
        "резултати",
    ),
    Role.BASELINE: ("текуща стойност", "базова стойност", "изходна стойност", "начална стойност"),
    Role.TARGET: ("целева стойност", "целеви стойности", "целева стойност с натрупване"),
    Role.NOTES: ("забележка", "забележки", "коментар", "бележки"),
    Role.PRIORITY: ("приоритет", "приоритети", "приоритетна област", "направление", "област на политиката"),
}
_NUMBER_HEADER = re.compile(r"^(?:№|#|No\.?|N|Nr\.?|№\s*по\s*ред|пореден\s+номер|ред)$", re.IGNORECASE)
_MIN_HEADER_SCORE = 84
_MIN_HEADER_ROLES = 3
# Header cells are short ("Срок", "Източник на финансиране (...)") and header rows hold a few of them;
# longer texts are never headers, and skipping them keeps a huge line from costing a fuzzy match per word.
_MAX_HEADER_CELL = 300
_MAX_HEADER_LINE = 3000


class CellStyle(StrEnum):
    """How a table's cells are separated."""

    TABS = "tabs"
    CELL_PER_LINE = "cell-per-line"
    PIPES = "pipes"
    MULTISPACE = "multispace"
    SEMICOLON = "semicolon"


_IN_ROW_STYLES = (CellStyle.TABS, CellStyle.PIPES, CellStyle.SEMICOLON, CellStyle.MULTISPACE)


_PARENTHESISED = re.compile(r"\(.*?\)|\(.*$")
_YEAR_SPAN = re.compile(r"\d{4}\s*[-–]\s*\d{4}\s*г?\.?")
_NON_WORD = re.compile(r"[^\w/]+")
_NON_WORD_RUN = re.compile(r"[\W_]+")
_ITEM_NUMBER = re.compile(r"(?<!\d)\d{1,2}(?!\d)")
# The role terms flattened in dictionary order: a tie on score and length goes to the earlier term.
_TERMS: tuple[str, ...] = tuple(term for terms in _ROLE_TERMS.values() for term in terms)
_TERM_ROLES: tuple[Role, ...] = tuple(role for role, terms in _ROLE_TERMS.items() for _ in terms)
_TERM_INDEX: dict[str, int] = {}
for _index, _term in enumerate(_TERMS):
    _TERM_INDEX.setdefault(_term, _index)


def _normalise_header(text: str) -> str:
    text = clean_text(text).lower().replace("ё", "е")
    text = _PARENTHESISED.sub(" ", text)
    text = _YEAR_SPAN.sub(" ", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def _prefix_terms(normalised: str) -> list[int]:
    """Indexes of the terms the normalised cell equals or starts with as whole words (score 100)."""
    ends = [i for i, char in enumerate(normalised) if char == " "]
    ends.append(len(normalised))
    return [_TERM_INDEX[normalised[:end]] for end in ends if normalised[:end] in _TERM_INDEX]


@functools.lru_cache(maxsize=8192)
def header_role(text: str) -> Role | None:
    """The column role a header cell names, tolerating misspellings; None if it names none.

    >>> header_role("Времени период")
    <Role.PERIOD: 'period'>
    >>> header_role("Източник на финансиране (преки бюджетни разходи, друго – млн. евро)")
    <Role.FUNDING: 'funding'>
    >>> header_role("Брой деца, записани в първи клас") is None
    True
    >>> header_role("№")
    <Role.NUMBER: 'number'>
    """
    if len(text) > _MAX_HEADER_CELL:
        return None
    if _NUMBER_HEADER.match(clean_text(text)):
        return Role.NUMBER
    normalised = _normalise_header(text)
    if not normalised or len(normalised) > 60 or _ITEM_NUMBER.search(normalised):
        return None  # header cells do not carry item numbers ("Цел 4: ..." is a heading)
    # (score, term length, -term index): the best score wins, then the longest term, then the first one
    scored = {
        index: score
        for _, score, index in process.extract(
            normalised, _TERMS, scorer=fuzz.ratio, processor=None, score_cutoff=_MIN_HEADER_SCORE, limit=None
        )
    }
    for index in _prefix_terms(normalised):
        scored[index] = 100.0
    if not scored:
        return None
    best = max(scored, key=lambda index: (scored[index], len(_TERMS[index]), -index))
    return _TERM_ROLES[best]


_MULTISPACE = re.compile(r"\s{2,}|\t")


def split_cells(line: str, style: CellStyle) -> list[str]:
    """Split one line into cell texts for an in-row style (other styles give the stripped line).

    >>> split_cells("Цел\\tМярка\\t\\tСрок", CellStyle.TABS)
    ['Цел', 'Мярка', '', 'Срок']
    >>> split_cells("1.1   Мярка  2024 г.", CellStyle.MULTISPACE)
    ['1.1', 'Мярка', '2024 г.']
    >>> split_cells('1.;"Община Русе; НПО";2024', CellStyle.SEMICOLON)
    ['1.', 'Община Русе; НПО', '2024']
    """
    if style is CellStyle.TABS:
        return [cell.strip() for cell in line.split("\t")]
    if style is CellStyle.PIPES:
        stripped = line.strip()
        stripped = stripped[1:] if stripped.startswith("|") else stripped
        stripped = stripped[:-1] if stripped.endswith("|") else stripped
        return [cell.strip() for cell in stripped.split("|")]
    if style is CellStyle.SEMICOLON:
        return [cell.strip() for cell in next(csv.reader([line], delimiter=";"), [])]
    if style is CellStyle.MULTISPACE:
        return [cell.strip() for cell in _MULTISPACE.split(line.strip())]
    return [line.strip()]


_SEPARATOR = re.compile(r"^[\s\-–—=_|:+⇥]*$")


def is_separator_line(line: str) -> bool:
    """A table rule drawn with dashes ("--⇥--⇥---", "|---|---|").

    >>> is_separator_line("--\\t--\\t----------")
    True
    >>> is_separator_line("- Образование;")
    False
    """
    return bool(_SEPARATOR.match(line)) and line.count("-") + line.count("=") + line.count("—") >= 2


@dataclass(frozen=True)
class Header:
    """A table header: its lines, cell style and the role of each column position."""

    lines: tuple[int, ...]
    style: CellStyle
    roles: tuple[Role | None, ...]

    @property
    def last_line(self) -> int:
        """The last line of the header."""
        return self.lines[-1]


def _row_roles(cells: Sequence[str]) -> list[Role | None] | None:
    """Roles of a header row's cells, or None if the row is not a header."""
    filled = [cell for cell in cells if cell]
    if len(filled) < 2:
        return None
    roles = [header_role(cell) if cell else None for cell in cells]
    named = [role for role in roles if role]
    if len(named) < max(2, int(0.7 * len(filled))):
        return None
    # a named column the vocabulary does not know ("Целева група") still holds its own cells
    return [role or (Role.NOTES if cell else None) for role, cell in zip(roles, cells, strict=True)]


def _merge_sub_header(top: list[Role | None], sub: list[Role | None]) -> list[Role | None]:
    """Merge a second header row ("Средства | Източник" under "Финансиране") into the first."""
    width = max(len(top), len(sub))
    merged: list[Role | None] = []
    for i in range(width):
        upper = top[i] if i < len(top) else None
        lower = sub[i] if i < len(sub) else None
        merged.append(lower or upper)
    return merged


def _in_row_header(lines: Sequence[str], index: int) -> Header | None:
    line = lines[index]
    if len(line) > _MAX_HEADER_LINE:
        return None
    for style in _IN_ROW_STYLES:
        if style is CellStyle.TABS and "\t" not in line:
            continue
        if style is CellStyle.PIPES and line.count("|") < 2:
            continue
        if style is CellStyle.SEMICOLON and line.count(";") < 2:
            continue
        cells = split_cells(line, style)
        roles = _row_roles(cells)
        if roles is None or len({r for r in roles if r}) < _MIN_HEADER_ROLES:
            continue
        used = [index + 1]
        nxt = index + 1
        while nxt < len(lines) and (is_separator_line(lines[nxt]) and style is CellStyle.PIPES):
            used.append(nxt + 1)
            nxt += 1
        if nxt < len(lines):
            sub_cells = split_cells(lines[nxt], style)
            sub_roles = [header_role(cell) if cell else None for cell in sub_cells]
            sub_filled = [cell for cell in sub_cells if cell]
            if sub_filled and all(sub_roles[i] for i, cell in enumerate(sub_cells) if cell):
                roles = _merge_sub_header(roles, sub_roles)
                used.append(nxt + 1)
        return Header(tuple(used), style, tuple(roles))
    return None


def _cell_per_line_header(lines: Sequence[str], index: int) -> Header | None:
    """A header written one cell per line ("⇥Мерки", "⇥Статус", ...), possibly with wrapped cells."""
    tabbed = lines[index].startswith("\t")
    roles: list[Role | None] = []
    used: list[int] = []
    i = index
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        starts_cell = line.startswith("\t") if tabbed else True
        if not starts_cell:
            if roles:  # a wrapped header cell ("(мерна единица: брой, дял)")
                used.append(i + 1)
                i += 1
                continue
            break
        role = header_role(line)
        if role is None:
            break
        roles.append(role)
        used.append(i + 1)
        i += 1
    if len(set(roles)) < _MIN_HEADER_ROLES or len(roles) < _MIN_HEADER_ROLES:
        return None
    return Header(tuple(used), CellStyle.CELL_PER_LINE, tuple(roles))


def find_headers(lines: Sequence[str]) -> list[Header]:
    """Every table header of a document, in order.

    >>> find_headers(["", "Мерки\\tДействия\\tСрок\\tОтговорна институция", "1.\\tx\\t2022\\tРУО"])[0].roles
    (<Role.MEASURE: 'measure'>, <Role.ACTIVITY: 'activity'>, <Role.PERIOD: 'period'>, ...)
    """
    headers: list[Header] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        header = None
        if line.strip():
            header = _in_row_header(lines, i)
            if header is None and header_role(line) is not None:
                header = _cell_per_line_header(lines, i)
        if header:
            headers.append(header)
            i = header.last_line
        else:
            i += 1
    return headers


_PRIORITY = re.compile(
    r"^\s*(?:\d+\s*\.\s*)?(?:таблица\s*[-–—]?\s*)?"
    r"(?:приоритет(?:н\w+\s+(?:направление|област|ос))?|направление)\b"
    r"\s*(?:№\s*)?(?:\d+|[IVXІ]+)?\s*[.:–—-]?\s*(?P<name>.*)$",
    re.IGNORECASE,
)


def priority_heading(line: str) -> str | None:
    """The heading text if the line opens a priority section ("ПРИОРИТЕТ ОБРАЗОВАНИЕ", "Приоритет №1 ...").

    >>> priority_heading("Таблица ПРИОРИТЕТ 1 – ОБРАЗОВАНИЕ")
    'Таблица ПРИОРИТЕТ 1 – ОБРАЗОВАНИЕ'
    >>> priority_heading("Приоритет №1 Образование")
    'Приоритет №1 Образование'
    >>> priority_heading("Изпълнението на мерките по приоритет „Образование“ ще допринесе") is None
    True
    """
    text: str = clean_text(line).strip()
    match = _PRIORITY.match(text)
    if not match or len(text) > 110:
        return None
    name = match.group("name").strip(' „“"”*')
    if not name or len(name.split()) > 9 or name[0].islower():
        return None
    return text


_OBJECTIVE = re.compile(
    r"^\s*(?P<kind>Цел|Специфична цел|Подцел|Стратегическа цел|Оперативна цел|Обща цел)\s*[:.]?\s*(?:№\s*)?"
    r"(?P<code>\d{1,2}(?:\.\d{1,2})*)\s*[.:)]?\s*(?P<text>.*)$",
    re.IGNORECASE,
)


def objective_heading(text: str) -> tuple[str, str, str] | None:
    """(kind, code, text) of an objective heading above a table ("Цел 1. ...", "Цел: 1 ...").

    >>> objective_heading("Цел: 1 Съхраняване и популяризиране на културата")
    ('Цел', '1', 'Съхраняване и популяризиране на културата')
    >>> objective_heading("Целева стойност 2024-2027 г.") is None
    True
    """
    match = _OBJECTIVE.match(clean_text(text))
    if not match or not match.group("text"):
        return None
    kind = match.group("kind")
    return kind[0].upper() + kind[1:].lower(), match.group("code"), match.group("text").strip()


_OPERATIONAL = re.compile(r"^\s*Оперативна(?:та)?\s+цел\b[^:]{0,40}?:\s*(?P<text>.+)$", re.IGNORECASE)


def operational_goal(text: str) -> str | None:
    """The goal text of an "Оперативна цел: ..." line.

    >>> operational_goal("Оперативна цел: Подобряване достъпа до заетост.")
    'Подобряване достъпа до заетост.'
    """
    match = _OPERATIONAL.match(clean_text(text))
    return match.group("text").strip() if match else None


_ROMAN_SECTION = re.compile(r"^\s*[IVXІ]{1,4}\s*\.\s*\S")
_NOTE = re.compile(r"^\s*(?:Забележка|\*{3}|Легенда|Мониторинг|Очаквани резултати)", re.IGNORECASE)


def section_heading(line: str) -> bool:
    """A line that closes a table: a numbered document section ("V. ОЧАКВАНИ РЕЗУЛТАТИ:") or a note.

    >>> section_heading("VI. ОЧАКВАНИ РЕЗУЛТАТИ:")
    True
    >>> section_heading("Мониторинг на изпълнението")
    True
    """
    text = clean_text(line)
    return bool(_ROMAN_SECTION.match(text) or _NOTE.match(text))


@dataclass
class TableRegion:
    """One table: its header and the 1-based inclusive line range it covers (header included)."""

    header: Header
    start: int
    end: int
    extra_headers: list[Header] = field(default_factory=list)


@dataclass
class PrioritySection:
    """A priority heading, the goal lines between it and its first table, and its tables.

    ``subgoals`` are (first line, last line, code, text) of the items of a "Подцели:" list.
    """

    heading_line: int
    heading: str
    operational_goal: tuple[int, str] | None = None
    subgoals: list[tuple[int, int, str | None, str]] = field(default_factory=list)
    regions: list[TableRegion] = field(default_factory=list)


_SUBGOALS_LABEL = re.compile(r"^\s*(?:Подцели|Общи цели|Цели)\b[^:]{0,60}:\s*$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-–•·]\s*)?(?:(?P<code>\d{1,2})\s*[.)]\s*)?(?P<text>\S.*)$")


def _preamble(lines: Sequence[str], section: PrioritySection, stop: int) -> None:
    """Read the operational goal and the "Подцели:" list between a heading and its first table."""
    in_list = False
    for number in range(section.heading_line + 1, stop):
        text = clean_text(lines[number - 1])
        if not text:
            continue
        goal = operational_goal(text)
        if goal is not None and section.operational_goal is None:
            section.operational_goal = (number, goal)
            in_list = False
            continue
        if _SUBGOALS_LABEL.match(text):
            in_list = True
            continue
        if in_list:
            match = _LIST_ITEM.match(text)
            if match is None:
                continue
            item = match.group("text").strip().rstrip("*").strip()
            starts_item = bool(match.group("code")) or text.lstrip().startswith(("-", "–", "•", "·"))
            if starts_item or not section.subgoals:
                section.subgoals.append((number, number, match.group("code"), item))
            else:  # a wrapped list item
                first, _, code, previous = section.subgoals[-1]
                section.subgoals[-1] = (first, number, code, f"{previous} {item}")


def _table_lines_end(lines: Sequence[str], header: Header, limit: int) -> int:
    """The last line of a table that starts with ``header`` (at most ``limit``)."""
    last = header.last_line
    number = header.last_line + 1
    while number <= limit:
        line = lines[number - 1]
        if line.strip():
            if priority_heading(line) and not _has_cells(line, header.style):
                break
            per_line_cell = header.style is CellStyle.CELL_PER_LINE and line.startswith("\t")
            if not per_line_cell and section_heading(line):
                break
            wrapped = header.style is CellStyle.MULTISPACE and starts_lowercase(line)  # a cell's tail
            if _has_cells(line, header.style) or header.style is CellStyle.CELL_PER_LINE or wrapped:
                last = number
        number += 1
    return last


def _has_cells(line: str, style: CellStyle) -> bool:
    if style is CellStyle.TABS:
        return "\t" in line
    if style is CellStyle.PIPES:
        return line.count("|") >= 2
    if style is CellStyle.SEMICOLON:
        return line.count(";") >= 2
    if style is CellStyle.MULTISPACE:
        return len(split_cells(line, style)) >= 2
    return True


def detect_sections(lines: Sequence[str]) -> list[PrioritySection]:
    """The priority sections of a document that hold at least one table, with their tables.

    A table runs from its header to the line before the next priority heading or document
    section heading; later headers inside that span (one per objective) join the same region.
    """
    headers = find_headers(lines)
    if not headers:
        return []
    headings = [(i + 1, h) for i, line in enumerate(lines) if (h := priority_heading(line))]
    sections: list[PrioritySection] = []
    regions: list[TableRegion] = []
    for header in headers:
        if regions and header.lines[0] <= regions[-1].end:
            regions[-1].extra_headers.append(header)
            regions[-1].end = max(regions[-1].end, _region_end(lines, header, headings))
            continue
        start = _objective_heading_above(lines, header.lines[0])
        regions.append(TableRegion(header, start, _region_end(lines, header, headings)))
    for region in regions:
        before = [(n, h) for n, h in headings if n < region.start]
        heading_line, heading = before[-1] if before else (0, "")
        if sections and sections[-1].heading_line == heading_line:
            sections[-1].regions.append(region)
            continue
        section = PrioritySection(heading_line, heading)
        _preamble(lines, section, region.start)
        section.regions.append(region)
        sections.append(section)
    return sections


def _objective_heading_above(lines: Sequence[str], header_line: int) -> int:
    """The first line of an objective heading ("Цел 1. ...") right above a header, else the header line."""
    number = header_line - 1
    start = header_line
    while number >= 1:
        text = lines[number - 1].strip()
        if not text:
            number -= 1
            continue
        if objective_heading(text) is not None:
            start = number
            number -= 1
            continue
        break
    return start


# A page number line of an export ("Страница 3 от 12", "стр. 4", "- 5 -", "Page 6 of 9").
_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:страница|стр\.|page)\s*\d{1,4}(?:\s*(?:от|/|of)\s*\d{1,4})?|[-–]\s*\d{1,4}\s*[-–])\s*$",
    re.IGNORECASE,
)


def find_page_headers(lines: Sequence[str], sections: Sequence[PrioritySection]) -> set[int]:
    """Lines inside tables that repeat a title line or each other (page headers of the export).

    >>> doc = ["ПЛАН ЗА ДЕЙСТВИЕ", "Цел\tМярка\tСрок", "1.\t1.1.\t2024", "ПЛАН ЗА ДЕЙСТВИЕ", "2.\t2.1.\t2024"]
    >>> region = TableRegion(Header((2,), CellStyle.TABS, (Role.OBJECTIVE, Role.MEASURE, Role.PERIOD)), 2, 5)
    >>> sorted(find_page_headers(doc, [PrioritySection(0, "", regions=[region])]))
    [4]
    """
    inside: set[int] = set()
    per_line: set[int] = set()
    for section in sections:
        for region in section.regions:
            inside.update(range(region.start, region.end + 1))
            if region.header.style is CellStyle.CELL_PER_LINE:
                per_line.update(range(region.start, region.end + 1))

    def key(text: str) -> str:
        return _NON_WORD_RUN.sub("", clean_text(text).lower())

    outside_keys = {text for n, line in enumerate(lines, 1) if n not in inside and (text := key(line))}
    candidates = {
        n: key(lines[n - 1])
        for n in inside
        if lines[n - 1].strip() and "\t" not in lines[n - 1] and "|" not in lines[n - 1]
    }
    seen: dict[str, int] = {}
    for k in candidates.values():
        seen[k] = seen.get(k, 0) + 1
    found: set[int] = {n for n in candidates if _PAGE_NUMBER.match(lines[n - 1])}
    for n, k in candidates.items():
        if len(k) < 10 or objective_heading(lines[n - 1]) or priority_heading(lines[n - 1]):
            continue
        if n in per_line:
            continue
        if k in outside_keys or seen[k] > 1:
            found.add(n)
    return found


def _region_end(lines: Sequence[str], header: Header, headings: list[tuple[int, str]]) -> int:
    # a heading written as a table row ("ПРИОРИТЕТ 2⇥⇥⇥") belongs to the table, it does not end it
    in_table = header.style is not CellStyle.CELL_PER_LINE
    later = [
        n
        for n, _ in headings
        if n > header.last_line and not (in_table and _has_cells(lines[n - 1], header.style))
    ]
    limit = (later[0] - 1) if later else len(lines)
    return _table_lines_end(lines, header, limit)


def first_code(text: str) -> str | None:
    """The numbering code a text starts with (see :func:`rikg.loaders.text.leading_code`).

    >>> first_code("1.2. Превенция")
    '1.2'
    """
    code: str | None = leading_code(text)[0]
    return code
