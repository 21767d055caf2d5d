"""Table reconstruction: from a region's physical lines to logical rows whose cells have roles.

Exports break table rows across page breaks, drop empty cells (shifting the rest left), put a
cell's tail on a later line, repeat page headers inside tables and draw dash rules. This module
reads a :class:`~rikg.loaders.layout.TableRegion` line by line and yields *events*: logical
:class:`Row` objects (cells keyed by column role, with the lines they came from), objective or
priority headings met inside the table, and :class:`Noise` lines (separators, page headers,
repeated header rows, totals, notes) that are kept as unparsed fragments.

Each cell is scored for every role by what it holds (a code like "1.1.1." is an activity, "Текущ" a
status, "2024–2027 г." a period, "10 000 лева" an amount, "Брой ..." an indicator) and cells are
assigned to columns by a dynamic programme that respects column order and prefers each cell's
own column position, so shifted cells land where they belong.

>>> classify_strong("2024–2027 г.", {Role.PERIOD})
<Role.PERIOD: 'period'>
>>> classify_strong("Текущ", {Role.STATUS})
<Role.STATUS: 'status'>
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from rikg.loaders.layout import (
    LEVEL_ROLES,
    CellStyle,
    Header,
    Role,
    TableRegion,
    header_role,
    is_separator_line,
    objective_heading,
    priority_heading,
    split_cells,
)
from rikg.loaders.text import (
    clean_text,
    code_depth,
    html_items,
    is_open_ended,
    leading_code,
    starts_lowercase,
)

__all__ = [
    "Field",
    "HeadingEvent",
    "Noise",
    "Row",
    "TableEvent",
    "classify_strong",
    "read_region",
]

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_PERIOD_WORDS = re.compile(
    r"^(?:\d{4}\s*[-–—]?\s*(?:\d{4})?\s*(?:г\.?|год\.?|година)?\s*[-–—,;]?\s*)+$|^(?:до|от|през|в)\s+\d{4}",
    re.IGNORECASE,
)
_PERIOD_LOOSE = re.compile(
    r"^(?:постоя-?нен|ежегодно|текущ|годишно|периодично|\d{4}|\d{1,2}\.\d{4}|през|до|от|в срок|"
    r"[IVX]+\s*(?:-|–)?\s*(?:во)?\s*(?:тримесечие|полугодие))",
    re.IGNORECASE,
)
# Possessive runs ("*+"): a long run of digits and spaces with no unit after it fails at once
# instead of being backtracked through position by position.
_AMOUNT = re.compile(
    r"^\s*(?:до\s+|около\s+)?\d[\d\s.,]*+(?:лв\.?|лева|BGN|евро|EUR|€|хил\.?|млн\.?|мил\.?|милиона?)",
    re.IGNORECASE,
)
_AMOUNT_UNIT = re.compile(r"лв\.?|лева|BGN|евро|EUR|€|хил\.|млн\.|мил\.", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\s*\d[\d\s.,]*+$")
_STATUS_TERMS = (
    "текущ",
    "текуща",
    "текущо",
    "предстои",
    "предстоящ",
    "предстояща",
    "постоянен",
    "постоянна",
    "постоянно",
    "регулярно",
    "при необходимост",
    "изпълнява се",
    "изпълнена",
    "изпълнено",
    "в процес",
    "продължаваща",
    "продължава",
    "нова",
    "нов",
    "ежегодно",
    "в периода на изпълнение на проекта",
    "постоянен в периода на изпълнение на проекта",
    "текуш",
    "постъпен",
    "постояне",
)
_INSTITUTION_WORDS = re.compile(
    r"\b(?:Община|община|Общини|РУО|МОН|НПО|Училищ\w*|училищ\w*|Детски градини|детски градини|ДГ|ДСП|"
    r"Д\"СП\"|ДБТ|Бюро по труда|АЗ|РЗИ|МЗ|МТСП|АСП|РСЗ|ОДМВР|ОД МВР|МВР|РУ на МВР|КЗД|МКБППМН|МКБПМН|"
    r"читалищ\w*|Читалищ\w*|Дирекция|Агенция|Министерство|ЦПЛР|РЗОК|НЗОК|лекари|ОПЛ|консултанти|Съд|"
    r"прокуратура|Прокуратура|медиатор\w*|Медиатор\w*|МРРБ|МК|ДАЗД|ГДНП|РЦППО|ЦОП|Доставчици|доставчици|"
    r"организации|институции|БТ|ФК|Медии|РСР|ЛЗ|Кариерни|Общински съвет|Районна|Регионален|Регионална)\b"
)
_FUNDING_WORDS = re.compile(
    r"(?:бюджет|Бюджет|средства|Средства|[Пп]рограм|\bОП\b|\bОП[А-Я]|[Пп]роект|НПВУ|[Фф]инансиране|[Фф]онд|"
    r"ПРЧР|ИРЧР|ПРР|ОПРР|ППР|\bНП\b|Не са необходими|[Нн]е се изисква|В рамките на|в рамките на|донор|"
    r"Европейск|ЕСФ|ЕФРР|ФМ на ЕИП|Норвежки|НФМ|собствени|спонсор|дарения|Конкурсни процедури|ИЗТОЧНИЦИ)"
)
_PRIORITY_NAME = re.compile(
    r"образован|здрав|заетост|жилищ|закон|дискрими|култур|медии|социал|инфраструкт", re.IGNORECASE
)
_DETAIL_START = re.compile(
    r"^(?:Със средства|От държавния бюджет|Брой|Бр\.|Дял|Процент|Деца|Ученици|Реализирани|Обучени|Приложени)"
)
_INDICATOR_START = re.compile(
    r"^\s*(?:\d{1,2}[.)]?\s*)?(?:Брой|Броя|Броят|Бр\.|брой|Дял|дял|Процент|процент|%|Изготвен|Изготвени|Проведен|"
    r"Проведени|Увеличен|Увеличаване|Намал|Растеж|Растък|Максимално|Създаден|Създадени|Подкрепени|Обучени|"
    r"Реализиран|Реализирани|Включени|Деца|Ученици|Лица|Приемане на оценка|Изпълнение на|Изпълнява се|"
    r"Ниво|Степен|Коефициент|Постигнат)"
)


@dataclass
class Field:
    """The text of one role in a logical row, as segments (one per source cell) of items.

    Segments come from different cells (joined with " | "); items are a cell's paragraphs or
    wrapped lines (joined with a space), kept apart so lists can be split later.

    >>> f = Field([["Общински бюджет"], ["1. Със средства", "по ОП НОИР"]])
    >>> f.text
    'Общински бюджет | 1. Със средства по ОП НОИР'
    """

    segments: list[list[str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The field's text: items joined by a space, segments by " | "."""
        return " | ".join(" ".join(items) for items in self.segments if items)

    @property
    def items(self) -> list[str]:
        """All items of all segments, in order."""
        return [item for segment in self.segments for item in segment]

    def add_segment(self, items: list[str]) -> None:
        """Add the items of a new source cell."""
        if items and not self._duplicate(items):
            self.segments.append(list(items))

    def continue_with(self, items: list[str], glue_first: bool) -> None:
        """Append a continuation of the last cell (the first item glued on when ``glue_first``)."""
        if not items or self._duplicate(items):
            return
        if not self.segments:
            self.segments.append([])
        last = self.segments[-1]
        if glue_first and last and _comparable(items[0]).startswith(_comparable(last[-1])):
            last[-1] = items[0]  # the tail repeats the whole cell it continues: keep the full text
            last.extend(items[1:])
        elif glue_first and last:
            last[-1] = f"{last[-1]} {items[0]}"
            last.extend(items[1:])
        else:
            last.extend(items)

    def _duplicate(self, items: list[str]) -> bool:
        key = _comparable(" ".join(items))
        return bool(key) and any(_comparable(" ".join(segment)) == key for segment in self.segments)


_NON_WORD = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=4096)  # a field's segments are compared again for every cell added to it
def _comparable(text: str) -> str:
    return _NON_WORD.sub("", text.lower())


@dataclass
class Row:
    """A logical table row: its fields by role and the lines it spans."""

    first_line: int
    fields: dict[Role, Field] = field(default_factory=dict)
    lines: set[int] = field(default_factory=set)
    opened_by: set[Role] = field(default_factory=set)

    @property
    def last_line(self) -> int:
        """The last line holding part of this row."""
        return max(self.lines) if self.lines else self.first_line

    def text(self, role: Role) -> str | None:
        """The text of ``role`` in this row, or None."""
        found = self.fields.get(role)
        return found.text if found and found.text else None

    def field(self, role: Role) -> Field:
        """The field of ``role``, created empty if missing."""
        return self.fields.setdefault(role, Field())


@dataclass(frozen=True)
class HeadingEvent:
    """A priority or objective heading met inside a table region."""

    kind: str  # "priority" or "objective"
    line: int
    text: str
    code: str | None = None
    objective_kind: str = "Цел"
    end_line: int | None = None

    @property
    def last_line(self) -> int:
        """The last line of the heading (headings may wrap)."""
        return self.end_line or self.line


@dataclass(frozen=True)
class Noise:
    """Table lines that are not data: separator, page header, repeated header, totals, note."""

    line: int
    text: str
    reason: str
    end_line: int | None = None

    @property
    def last_line(self) -> int:
        """The last line of the fragment (a header written one cell per line spans several)."""
        return self.end_line or self.line


TableEvent = Row | HeadingEvent | Noise


def classify_strong(text: str, roles: set[Role]) -> Role | None:
    """The role a cell's content alone decides (status, period, amount), if that role is a column.

    >>> classify_strong("10 000 лева", {Role.AMOUNT, Role.FUNDING})
    <Role.AMOUNT: 'amount'>
    >>> classify_strong("Община Благоевград", {Role.INSTITUTIONS}) is None
    True
    """
    cleaned = clean_text(text)
    if not cleaned:
        return None
    lowered = cleaned.lower().strip(" .;,")
    if Role.STATUS in roles and len(lowered) <= 50 and _status_like(lowered):
        return Role.STATUS
    if Role.PERIOD in roles and len(cleaned) <= 40 and _PERIOD_WORDS.match(cleaned) and _YEAR.search(cleaned):
        return Role.PERIOD
    if _AMOUNT.match(cleaned) and len(cleaned) <= 80 and Role.AMOUNT in roles:
        return Role.AMOUNT
    return None


def _status_like(lowered: str) -> bool:
    if lowered in _STATUS_TERMS:
        return True
    close = len(lowered) > 4 and process.extractOne(
        lowered, _STATUS_TERMS, scorer=fuzz.ratio, processor=None, score_cutoff=85
    )
    return bool(close)


def _has_amount(text: str) -> bool:
    """Whether a number with a currency or scale unit appears anywhere ("... 10 000 лв. ...").

    Scans back from each unit over digits, spaces, dots and commas for a digit, which is what
    ``\\d[\\d\\s.,]*\\s*unit`` says, in linear time: searching that pattern is quadratic in a long run
    of numbers with no unit.

    >>> _has_amount("Общински бюджет 10 000 лв. годишно"), _has_amount("2024 2025 лв"), _has_amount("лв.")
    (True, True, False)
    """
    for unit in _AMOUNT_UNIT.finditer(text):
        index = unit.start() - 1
        while index >= 0 and (text[index] in ".," or text[index].isspace() or text[index].isdigit()):
            if text[index].isdigit():
                return True
            index -= 1
    return False


_INDICATOR_WORDS = re.compile(r"\b(?:[Бб]рой|[Бб]р\.|[Дд]ял|[Пп]роцент)")
_DIGIT = re.compile(r"\d")


def _content_score(text: str, role: Role) -> float:
    """How well a cell's content fits a column role (higher is better, 0 is neutral)."""
    cleaned = clean_text(text)
    if role in LEVEL_ROLES:
        code, _ = leading_code(cleaned)
        score = 1.0
        if _INDICATOR_START.match(cleaned):
            score -= 1.0
        if not code and len(cleaned) <= 120 and _INSTITUTION_WORDS.match(cleaned):
            score -= 2.0
        return score + (0.5 if code else 0.0)
    if role is Role.STATUS:
        return 4.0 if _status_like(cleaned.lower().strip(" .;,")) else -3.0
    if role is Role.PERIOD:
        if _YEAR.search(cleaned) and len(cleaned) <= 60:
            return 3.0
        return 1.0 if _PERIOD_LOOSE.match(cleaned) and len(cleaned) <= 40 else -3.0
    if role is Role.AMOUNT:
        if _AMOUNT.match(cleaned) or _BARE_NUMBER.match(cleaned):
            return 4.0
        return 2.0 if _has_amount(cleaned) else -3.0
    if role is Role.FUNDING:
        found = _FUNDING_WORDS.search(cleaned)
        if found:
            early = len(cleaned[: found.start()].split()) <= 4 or len(cleaned) <= 60
            return 3.0 if early else 1.5
        return 1.0 if _has_amount(cleaned) else -0.5
    if role is Role.INSTITUTIONS:
        if _INDICATOR_START.match(cleaned):
            return -1.0
        hits = len(_INSTITUTION_WORDS.findall(cleaned))
        if hits and (_INSTITUTION_WORDS.match(cleaned) or (hits >= 2 and len(cleaned) <= 100)):
            return 3.0
        return 1.0 if hits and len(cleaned) <= 250 else -0.5
    if role is Role.INDICATOR:
        if _INDICATOR_START.match(cleaned):
            return 3.0
        return 2.0 if _INDICATOR_WORDS.search(cleaned) else 0.0
    if role is Role.NUMBER:
        return 3.0 if _is_row_number(cleaned) else -5.0
    if role is Role.PRIORITY:
        return 3.0 if _PRIORITY_NAME.search(cleaned) and len(cleaned) <= 80 else -2.0
    if role is Role.NOTES:
        return -0.5
    if role in (Role.BASELINE, Role.TARGET):
        return 2.0 if len(cleaned) <= 30 and _DIGIT.search(cleaned) else -1.0
    return 0.0


@dataclass
class _Cell:
    position: int
    text: str
    lines: list[int]
    items: list[str]


def _cell_items(text: str) -> list[str]:
    items: list[str] = html_items(text)
    return items


class _Assigner:
    """Assigns a physical row's cells to column roles (content first, then column order)."""

    open_roles: frozenset[Role] = frozenset()
    aligned: bool = False

    def __init__(self, header: Header, hierarchical: bool, depth_roles: dict[int, Role]) -> None:
        self.columns: list[tuple[int, Role]] = [(i, r) for i, r in enumerate(header.roles) if r is not None]
        self.roles = {r for _, r in self.columns}
        self.index = {r: i for i, r in self.columns}
        self.hierarchical = hierarchical
        self.depth_roles = depth_roles

    def level_role_by_code(self, cell: _Cell) -> Role | None:
        """The level a coded cell belongs to by its code depth ("1.1." → measure), if it is a level cell."""
        text = clean_text(cell.text)
        code, rest = leading_code(text)
        if code is None or not self.hierarchical:
            return None
        levels = [self.index[r] for r in LEVEL_ROLES if r in self.index]
        if cell.position > max(levels) + 2 or _DETAIL_START.match(rest):
            return None
        return self.depth_roles.get(code_depth(code))

    def assign(
        self, cells: list[_Cell], open_roles: frozenset[Role] = frozenset(), aligned: bool = False
    ) -> list[tuple[_Cell, Role]]:
        """Roles for a row's cells. ``open_roles`` (for a page-break tail) are the previous row's
        unfinished cells: the tail keeps its column positions and favours continuing them.
        ``aligned`` says the line has exactly one cell per header column."""
        self.open_roles = open_roles
        self.aligned = aligned
        strong: dict[int, Role] = {}
        taken: set[Role] = set()
        for k, cell in enumerate(cells):
            if open_roles:
                break
            role = self.level_role_by_code(cell) or classify_strong(cell.text, self.roles)
            if (
                Role.NUMBER in self.index
                and cell.position == self.index[Role.NUMBER]
                and _is_row_number(cell.text)
            ):
                role = Role.NUMBER
            if role is not None and role not in taken:
                strong[k] = role
                taken.add(role)
        first_role = self.columns[0][1] if self.columns else None
        if (
            cells
            and not open_roles
            and 0 not in strong
            and cells[0].position == 0
            and first_role is not None
            and first_role not in taken
            and _content_score(cells[0].text, first_role) > 0
        ):
            # a line's first cell is in the first column: empty cells drop, lines do not shift
            strong[0] = first_role
            taken.add(first_role)
        offsets = {k: self.index[role] - cells[k].position for k, role in strong.items()}
        result: dict[int, Role] = dict(strong)
        # Cells between strong anchors are placed by a monotone dynamic programme.
        free = [k for k in range(len(cells)) if k not in strong]
        if free:
            for k, role in self._place(cells, free, strong, offsets).items():
                result[k] = role
        return [(cells[k], result[k]) for k in range(len(cells))]

    def _expected_column(self, cells: list[_Cell], k: int, offsets: dict[int, int]) -> float:
        if not offsets:
            return float(cells[k].position)
        nearest = min(offsets, key=lambda j: (abs(cells[j].position - cells[k].position), -j))
        return float(cells[k].position + offsets[nearest])

    def _place(
        self, cells: list[_Cell], free: list[int], strong: dict[int, Role], offsets: dict[int, int]
    ) -> dict[int, Role]:
        placed: dict[int, Role] = {}
        # Split free cells into runs between strong cells; each run may use the columns between
        # the neighbouring anchors' columns (or any column left free when content says so).
        runs: list[list[int]] = []
        for k in free:
            if runs and runs[-1][-1] == k - 1:
                runs[-1].append(k)
            else:
                runs.append([k])
        used = set(strong.values())
        for run in runs:
            left = max((self.index[strong[j]] for j in strong if j < run[0]), default=-1)
            right = min(
                (self.index[strong[j]] for j in strong if j > run[-1]), default=len(self.columns) + 99
            )
            window = [(i, r) for i, r in self.columns if r not in used] or list(self.columns)
            for k, role in self._dp(cells, run, window, offsets, (left, right)).items():
                placed[k] = role
                used.add(role)
        return placed

    def _dp(
        self,
        cells: list[_Cell],
        run: list[int],
        window: list[tuple[int, Role]],
        offsets: dict[int, int],
        bounds: tuple[int, int],
    ) -> dict[int, Role]:
        n, m = len(run), len(window)
        neg = float("-inf")
        # best[a][b]: best score placing the first a cells with the a-th cell in column b.
        best = [[neg] * m for _ in range(n)]
        back: list[list[int]] = [[-1] * m for _ in range(n)]
        # a row with one cell per column keeps its columns, and so does a page-break tail
        # unless the export broke its cell count
        weight = 1.5 if self.aligned else (0.5 if self.open_roles else 0.8)
        for a, k in enumerate(run):
            expected = self._expected_column(cells, k, offsets)
            lowercase = starts_lowercase(cells[k].text)
            merge_penalty = (2.0 if self.aligned else 1.0) + (2.0 if lowercase else 0.0)
            for b, (column, role) in enumerate(window):
                gain = _content_score(cells[k].text, role) - weight * abs(expected - column)
                if role in self.open_roles:
                    gain += 2.5 if lowercase else 1.0  # a tail finishes an open cell, a lower-case one surely
                if not bounds[0] < column < bounds[1]:
                    gain -= 2.0  # out of column order with the row's anchored cells
                if a == 0:
                    best[a][b] = gain
                    continue
                best[a][b], back[a][b] = _best_predecessor(best[a - 1], b, gain, merge_penalty)
        b = max(range(m), key=lambda j: best[n - 1][j])
        chosen: dict[int, Role] = {}
        for a in range(n - 1, -1, -1):
            chosen[run[a]] = window[b][1]
            b = back[a][b]
        return chosen


def _best_predecessor(previous: list[float], b: int, gain: float, merge_penalty: float) -> tuple[float, int]:
    """The best score of a cell in column ``b`` after the previous cell in column ``p <= b`` (the first
    best ``p``; ``p == b`` merges the two cells), and that ``p``; (-inf, -1) if no ``p`` is reachable."""
    neg = float("-inf")
    top, top_p = neg, -1
    for p in range(b + 1):
        value = previous[p]
        if value == neg:
            continue
        score = value + gain - (merge_penalty if p == b else 0.0)
        if score > top:
            top, top_p = score, p
    return top, top_p


def _is_totals(texts: list[str]) -> bool:
    joined = " ".join(texts).upper()
    return bool(re.search(r"\bОБЩ[АО]\b|\bВСИЧКО\b|\bОБЩА СТОЙНОСТ\b|\bОБЩО:", joined))


def _is_amount_only(texts: list[str]) -> bool:
    return bool(texts) and all(_AMOUNT.match(clean_text(t)) or _BARE_NUMBER.match(t) for t in texts)


class _Reader:
    """Turns a region's lines into table events."""

    def __init__(self, lines: Sequence[str], region: TableRegion, page_header_lines: set[int]) -> None:
        self.lines = lines
        self.region = region
        self.header = region.header
        self.page_headers = page_header_lines
        self.header_lines = {n for h in [region.header, *region.extra_headers] for n in h.lines}
        self.header_first = {h.lines[0]: h.lines[-1] for h in [region.header, *region.extra_headers]}
        roles = [r for r in self.header.roles if r in LEVEL_ROLES]
        self.level_columns: list[Role] = list(dict.fromkeys(roles))
        self.number_column = (
            self.header.roles.index(Role.NUMBER) if Role.NUMBER in self.header.roles else None
        )
        self.depth_roles = self._depth_roles()
        self.hierarchical = bool(self.depth_roles)
        self.assigner = _Assigner(self.header, self.hierarchical, self.depth_roles)
        self.rows: list[Row] = []
        self.events: list[TableEvent] = []
        header_line = self.lines[self.header.lines[0] - 1]
        starts = [start for start, _ in _aligned_cells(header_line)]
        self.column_starts: list[int] = starts if len(starts) == len(self.header.roles) else []

    def _depth_roles(self) -> dict[int, Role]:
        """Which code depth each level column uses ("1." objective, "1.1." measure, ...), if the
        table numbers its levels hierarchically; empty when numbering restarts at each level."""
        if len(self.level_columns) < 2:
            return {}
        width = len(self.header.roles)
        seen: dict[Role, list[int]] = {role: [] for role in self.level_columns}
        depths: set[int] = set()
        for number in range(self.region.start, self.region.end + 1):
            cells = split_cells(self.lines[number - 1], self._split_style())
            for position, cell in enumerate(cells):
                code, rest = leading_code(clean_text(cell))
                if not code or not rest:
                    continue
                depths.add(code_depth(code))
                role = self.header.roles[position] if len(cells) == width else None
                if role in seen:
                    seen[role].append(code_depth(code))
        # the most frequent depth per column (ties go to the deeper one: a stray parent code is rarer)
        typical = [max(set(found), key=lambda d: (found.count(d), d)) for found in seen.values() if found]
        if len(typical) >= 2:
            if all(a < b for a, b in itertools.pairwise(typical)):
                first = typical[0] - list(seen).index(next(r for r in seen if seen[r]))
                return {first + index: role for index, role in enumerate(self.level_columns)}
            return {}
        if max(depths, default=1) < 2:
            return {}
        return {depth + 1: role for depth, role in enumerate(self.level_columns)}

    def _split_style(self) -> CellStyle:
        return CellStyle.TABS if self.header.style is CellStyle.CELL_PER_LINE else self.header.style

    # --- classification of non-data lines -------------------------------------------------
    def _noise_or_heading(self, number: int, line: str, cells: list[str]) -> TableEvent | None:
        if number in self.header_lines:
            return self._header_noise(number)
        if is_separator_line(line):
            return Noise(number, line, "separator")
        if number in self.page_headers:
            return Noise(number, line, "page header")
        filled = [c for c in cells if c]
        if len(filled) == 1:
            heading = objective_heading(filled[0])
            if heading is not None:
                kind, code, text = heading
                return HeadingEvent("objective", number, text, code, kind)
            if priority_heading(filled[0]):
                return HeadingEvent("priority", number, clean_text(filled[0]))
        return None

    def _header_noise(self, number: int) -> Noise:
        """One fragment per header (its first line); the header's other lines are marked consumed."""
        if number in self.header_first:
            last = self.header_first[number]
            text = "\n".join(self.lines[number - 1 : last])
            return Noise(number, text, "table header", last)
        return Noise(number, self.lines[number - 1], "")

    # --- in-row layouts -------------------------------------------------------------------
    def read_in_row(self) -> list[TableEvent]:
        blank_before = False
        for number in range(self.region.start, self.region.end + 1):
            line = self.lines[number - 1]
            if not line.strip():
                blank_before = True
                continue
            cells = self._row_cells(line)
            event = self._noise_or_heading(number, line, cells)
            if (
                event is None
                and len([c for c in cells if c]) <= 1
                and not _has_separator(line, self.header.style)
                and not self._wrapped_cell(line)
            ):
                event = Noise(number, line, "note")
            if event is not None:
                if isinstance(event, HeadingEvent):
                    self.flush_pending()
                    self._last_row = None  # a heading closes the previous row
                self.events.append(event)
                blank_before = False if isinstance(event, HeadingEvent) else blank_before
                continue
            physical = [
                _Cell(position, text, [number], _cell_items(text))
                for position, text in enumerate(cells)
                if clean_text(text) and clean_text(text) not in {"-", "–", "—"}
            ]
            self._take_physical(number, line, physical, blank_before, dash_cells=_dash_cells(cells))
            blank_before = False
        self.flush_pending()
        return self.events

    _last_row: Row | None = None

    def _row_cells(self, line: str) -> list[str]:
        """A line's cells; in a table aligned with runs of spaces (a PDF-to-text export) a line with
        fewer cells than columns puts each under the header column it starts below, so a wrapped
        line's fragments keep their columns."""
        in_order: list[str] = split_cells(line, self.header.style)
        if self.header.style is not CellStyle.MULTISPACE or not self.column_starts:
            return in_order
        found = _aligned_cells(line)
        if len(found) >= len(self.column_starts):  # a full row: its cells in order, aligned or not
            return in_order
        cells = [""] * len(self.column_starts)
        for start, text in found:
            column = max(
                (i for i, column_start in enumerate(self.column_starts) if column_start <= start + 2),
                default=0,
            )
            cells[column] = f"{cells[column]} {text}".strip()
        return cells

    def _wrapped_cell(self, line: str) -> bool:
        """A lone lower-case fragment under a column of a space-aligned table: the rest of a cell."""
        return (
            self.header.style is CellStyle.MULTISPACE
            and self._last_row is not None
            and starts_lowercase(line)
            and bool(self.column_starts)
        )

    def _take_physical(
        self, number: int, line: str, cells: list[_Cell], blank_before: bool, dash_cells: bool = False
    ) -> None:
        texts = [c.text for c in cells]
        if not cells:
            if dash_cells and self._last_row is not None:
                self._last_row.lines.add(number)  # a row whose cells are all "-"
            else:
                self.events.append(Noise(number, line, "empty row"))
            return
        if _is_totals(texts) or (_is_amount_only(texts) and self._next_is_totals(number)):
            self.events.append(Noise(number, line, "totals row"))
            return
        levels = [i for i, r in self.assigner.columns if r in LEVEL_ROLES]
        cells = _merge_code_only_cells(
            _drop_duplicates(cells, max(levels, default=-1), self.hierarchical), self.number_column
        )
        aligned = len(split_cells(line, self.header.style)) == len(self.header.roles)
        open_roles = self._open_roles_for(cells, blank_before)
        if not open_roles:
            cells = self._take_tails(number, cells)
        assigned = self.assigner.assign(cells, open_roles, aligned)
        starts = self._starts_row(assigned)
        if self._pending is not None:
            pending, self._pending = self._pending, None
            if starts and all(role in LEVEL_ROLES for _, role in assigned):
                # the line before held this row's details; its level cell came a line late
                self._place(number, assigned, blank_before)
                if self._last_row is not None:
                    self._place_into(self._last_row, *pending)
                return
            self._place(*pending)
        anchors = {role for _, role in assigned} & {Role.STATUS, Role.PERIOD}
        if not starts and anchors and self._last_row is not None:
            self._pending = (number, assigned, blank_before)  # decided by the next line
            return
        self._place(number, assigned, blank_before)

    _pending: tuple[int, list[tuple[_Cell, Role]], bool] | None = None

    def flush_pending(self) -> None:
        """Place a held continuation line as the tail of the row before it."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._place(*pending)

    def _place_into(
        self, row: Row, number: int, assigned: list[tuple[_Cell, Role]], blank_before: bool
    ) -> None:
        """Give ``row`` the detail cells of an earlier line; its level fragments continue older rows."""
        for cell, role in assigned:
            if role in LEVEL_ROLES:
                target = next((r for r in reversed(self.rows) if r is not row and r.text(role)), None)
                if target is not None:
                    target.field(role).continue_with(cell.items, glue_first=True)
                    target.lines.add(number)
                    continue
            row.field(role).add_segment(cell.items)
        row.lines.add(number)

    def _take_tails(self, number: int, cells: list[_Cell]) -> list[_Cell]:
        """Lower-case detail cells of a new row that finish the previous row's open cells."""
        previous = self._last_row
        if previous is None:
            return cells
        levels = [i for i, r in self.assigner.columns if r in LEVEL_ROLES]
        reach = max(levels, default=-1) + 2
        kept: list[_Cell] = []
        for cell in cells:
            role = self.header.roles[cell.position] if cell.position < len(self.header.roles) else None
            if (
                cell.position > reach
                and starts_lowercase(cell.text)
                and classify_strong(cell.text, self.assigner.roles) is None
            ):
                target = self._open_role(previous, role or Role.NOTES)
                if target is not None:
                    previous.field(target).continue_with(cell.items, glue_first=True)
                    previous.lines.add(number)
                    continue
            kept.append(cell)
        return kept

    def _open_roles_for(self, cells: list[_Cell], blank_before: bool) -> frozenset[Role]:
        """The previous row's unfinished cells, when this line looks like the tail of that row."""
        previous = self._last_row
        if previous is None:
            return frozenset()
        levels = [i for i, r in self.assigner.columns if r in LEVEL_ROLES]
        reach = max(levels, default=-1) + 2
        coded = any(leading_code(clean_text(c.text))[0] is not None and c.position <= reach for c in cells)
        if coded or not (blank_before or any(starts_lowercase(c.text) for c in cells)):
            return frozenset()
        return frozenset(
            role for role, found in previous.fields.items() if found.text and _strictly_open(found.text)
        ) or frozenset({Role.NOTES})

    def _next_is_totals(self, number: int) -> bool:
        for later in range(number + 1, min(number + 3, self.region.end + 1)):
            text = self.lines[later - 1]
            if text.strip():
                return _is_totals([text])
        return False

    def _is_continuation_level(self, cell: _Cell, role: Role) -> bool:
        text = clean_text(cell.text)
        if starts_lowercase(text):
            return True
        code, _ = leading_code(text)
        if code is not None:
            return False
        if self.hierarchical:
            return True
        previous = self._row_with(role)
        return previous is not None and _strictly_open(previous.text(role) or "")

    def _row_with(self, role: Role) -> Row | None:
        for row in reversed(self.rows):
            if role in row.fields and row.fields[role].text:
                return row
        return None

    def _starts_row(self, assigned: list[tuple[_Cell, Role]]) -> bool:
        """Whether a line opens a new logical row (a level cell that does not continue an earlier one)."""
        return any(
            role in LEVEL_ROLES and not self._is_continuation_level(cell, role) for cell, role in assigned
        )

    def _place(self, number: int, assigned: list[tuple[_Cell, Role]], blank_before: bool) -> None:
        starts_row = self._starts_row(assigned)
        previous = self._last_row
        if starts_row or previous is None:
            row = Row(number, lines={number})
            for cell, role in assigned:
                lowercase = starts_lowercase(cell.text)
                if (
                    role in LEVEL_ROLES
                    and previous is not None
                    and self._is_continuation_level(cell, role)
                    and is_open_ended((self._row_with(role) or previous).text(role) or "x")
                ):
                    target = self._row_with(role) or previous
                    target.field(role).continue_with(cell.items, glue_first=True)
                    target.lines.add(number)
                    continue
                strong = classify_strong(cell.text, self.assigner.roles) is not None
                if lowercase and previous is not None and role not in LEVEL_ROLES and not strong:
                    target_role = self._open_role(previous, role)
                    if target_role is not None:
                        previous.field(target_role).continue_with(cell.items, glue_first=True)
                        previous.lines.add(number)
                        continue
                if role in LEVEL_ROLES:
                    row.opened_by.add(role)
                row.field(role).add_segment(cell.items)
            self.rows.append(row)
            self.events.append(row)
            self._last_row = row
            return
        # A continuation line: a page-break tail (after a blank line, or lower-case) continues the
        # same cell; otherwise it is another table row of the same item (extra institution, ...).
        # A tail whose level cell brings new numbered items ("4.3. ...") brings their details too,
        # so its other cells stay separate items rather than being glued on.
        new_items = any(
            role in LEVEL_ROLES and any(leading_code(item)[0] for item in cell.items)
            for cell, role in assigned
        )
        filled: set[Role] = set()
        for cell, role in assigned:
            target = previous
            if role in LEVEL_ROLES:
                target = self._row_with(role) or previous
            glue = starts_lowercase(cell.text) or (
                blank_before and (_strictly_open(target.text(role) or "") or not new_items)
            )
            if role in filled:  # a second column of this line with the same role is a cell of its own
                target.field(role).add_segment(cell.items)
            elif glue or blank_before:
                target.field(role).continue_with(cell.items, glue_first=glue)
            else:
                target.field(role).add_segment(cell.items)
            filled.add(role)
            target.lines.add(number)
        previous.lines.add(number)

    def _open_role(self, previous: Row, role: Role) -> Role | None:
        """Where a lower-case fragment of a new row continues: the previous row's same cell if it
        stops mid-phrase, else its nearest cell that does; None keeps the fragment in the new row."""
        if previous.text(role) and _strictly_open(previous.text(role) or ""):
            return role
        order = [r for _, r in self.assigner.columns]
        candidates = [
            r
            for r in order
            if r not in LEVEL_ROLES and previous.text(r) and _strictly_open(previous.text(r) or "")
        ]
        if not candidates:
            return None
        here = order.index(role) if role in order else 0
        return min(candidates, key=lambda r: abs(order.index(r) - here))

    # --- one cell per line ------------------------------------------------------------------
    def read_cell_per_line(self) -> list[TableEvent]:
        tabbed = self.lines[self.header.lines[0] - 1].startswith("\t")
        width = len(self.header.roles)
        cells: list[_Cell] = []
        row_width = width
        current_heading: HeadingEvent | None = None

        def flush() -> None:
            nonlocal cells
            if cells:
                self._take_cells(cells)
            cells = []

        number = self.region.start
        while number <= self.region.end:
            line = self.lines[number - 1]
            if not line.strip() and not (tabbed and line.startswith("\t")):
                number += 1
                continue
            if number in self.header_lines:
                flush()
                current_heading = None
                self.events.append(self._header_noise(number))
                number += 1
                continue
            starts_cell = line.startswith("\t") if tabbed else True
            text = line.strip()
            if not starts_cell:
                if current_heading is not None and (
                    starts_lowercase(text) or is_open_ended(current_heading.text)
                ):
                    position = self.events.index(current_heading)
                    current_heading = HeadingEvent(
                        "objective",
                        current_heading.line,
                        f"{current_heading.text} {clean_text(text)}",
                        current_heading.code,
                        current_heading.objective_kind,
                        number,
                    )
                    self.events[position] = current_heading
                elif cells and len(cells) < row_width:
                    cells[-1].text = f"{cells[-1].text}\n{text}"
                    cells[-1].lines.append(number)
                    if starts_lowercase(text) and cells[-1].items:
                        cells[-1].items[-1] = f"{cells[-1].items[-1]} {clean_text(text)}"
                    else:
                        cells[-1].items.extend(_cell_items(text))
                elif cells or self.rows:
                    flush()
                    event = self._noise_or_heading(number, line, [text])
                    self.events.append(event if event is not None else Noise(number, line, "note"))
                else:
                    self.events.append(Noise(number, line, "note"))
                number += 1
                continue
            event = self._noise_or_heading(number, line, [text])
            if isinstance(event, HeadingEvent):
                flush()
                current_heading = event
                self.events.append(event)
                number += 1
                continue
            if isinstance(event, Noise):
                flush()
                self.events.append(event)
                number += 1
                continue
            current_heading = None
            if len(cells) >= row_width:
                flush()
            if not cells:
                code, rest = leading_code(clean_text(text))
                row_width = (
                    width + 1
                    if (code is not None and not rest)
                    else (self._previous_width if not text else width)
                )
            cells.append(_Cell(len(cells), text, [number], _cell_items(text)))
            number += 1
        flush()
        return self.events

    _previous_width: int = 0

    def _take_cells(self, cells: list[_Cell]) -> None:
        lines = sorted({n for c in cells for n in c.lines})
        self._previous_width = len(cells)
        filled = [c for c in cells if clean_text(c.text)]
        if not filled:
            return  # cells of white space only: blank lines, not table text
        merged = _merge_code_only_cells(filled, self.number_column)
        shift = len(cells) - len(self.header.roles)
        for cell in merged:
            cell.position = max(0, cell.position - shift) if cell.position > 0 else 0
        assigned = self.assigner.assign(merged)
        first = min(lines)
        self._place(first, assigned, blank_before=False)
        target = self._last_row
        if target is not None:
            target.lines.update(lines)


_OPEN_WORDS = {
    "и",
    "в",
    "във",
    "на",
    "за",
    "от",
    "с",
    "със",
    "по",
    "до",
    "към",
    "при",
    "чрез",
    "или",
    "като",
    "както",
    "между",
    "срещу",
    "след",
    "пред",
    "под",
    "над",
    "без",
    "че",
    "които",
    "която",
    "който",
    "което",
    "а",
}


def _strictly_open(text: str) -> bool:
    """Whether a cell clearly stops mid-phrase (a preposition, conjunction, comma or hyphen at its end)."""
    stripped = clean_text(text).rstrip()
    if not stripped:
        return False
    return stripped.endswith(("-", ",", "–")) or stripped.split()[-1].lower() in _OPEN_WORDS


def _is_row_number(text: str) -> bool:
    return bool(re.fullmatch(r"\s*\d{1,3}\s*\.?\s*", clean_text(text)))


def _dash_cells(cells: list[str]) -> bool:
    return any(c.strip() in {"-", "–", "—"} for c in cells)


_ALIGNED_CELL = re.compile(r"[^\s](?:[^\S\t\n]?[^\s])*")


def _aligned_cells(line: str) -> list[tuple[int, str]]:
    """(start offset, text) of each run of words separated by single spaces.

    >>> _aligned_cells("1.1. Мярка      Община   2024 г.")
    [(0, '1.1. Мярка'), (16, 'Община'), (25, '2024 г.')]
    """
    return [(match.start(), match.group()) for match in _ALIGNED_CELL.finditer(line)]


def _has_separator(line: str, style: CellStyle) -> bool:
    if style is CellStyle.TABS:
        return "\t" in line
    if style is CellStyle.PIPES:
        return "|" in line
    if style is CellStyle.SEMICOLON:
        return ";" in line
    return len(split_cells(line, style)) > 1


def _drop_duplicates(cells: list[_Cell], level_reach: int, hierarchical: bool) -> list[_Cell]:
    """Drop a cell that repeats a later cell of the same row (merged Word cells exported twice).

    Two level cells (positions up to ``level_reach``) may legitimately say the same thing (a task
    and its only activity), so those are kept unless they carry a numbering code.
    """
    keep: list[_Cell] = []
    for k, cell in enumerate(cells):
        key = _comparable(cell.text)
        twins = [other for other in cells[k + 1 :] if _comparable(other.text) == key]
        if twins and len(key) > 3:
            both_levels = cell.position <= level_reach and twins[0].position <= level_reach
            if not both_levels or (hierarchical and leading_code(clean_text(cell.text))[0] is not None):
                continue
        keep.append(cell)
    return keep


def _merge_code_only_cells(cells: list[_Cell], number_column: int | None = None) -> list[_Cell]:
    """Join a cell holding only a code ("1.1") with the text cell after it (not a "№" column's cell)."""
    merged: list[_Cell] = []
    k = 0
    while k < len(cells):
        cell = cells[k]
        code, rest = leading_code(clean_text(cell.text))
        if code is not None and not rest and k + 1 < len(cells) and cell.position != number_column:
            nxt = cells[k + 1]
            next_code, _ = leading_code(clean_text(nxt.text))
            if next_code is None and header_role(nxt.text) is None and not _BARE_NUMBER.match(nxt.text):
                items = [f"{code} {nxt.items[0]}" if nxt.items else code, *nxt.items[1:]]
                merged.append(_Cell(cell.position, f"{code} {nxt.text}", cell.lines + nxt.lines, items))
                k += 2
                continue
        merged.append(cell)
        k += 1
    return merged


def read_region(
    lines: Sequence[str], region: TableRegion, page_header_lines: set[int]
) -> Iterator[TableEvent]:
    """The events of one table region, in line order."""
    reader = _Reader(lines, region, page_header_lines)
    if region.header.style is CellStyle.CELL_PER_LINE:
        events = reader.read_cell_per_line()
    else:
        events = reader.read_in_row()
    yield from (event for event in events if not (isinstance(event, Noise) and not event.reason))
