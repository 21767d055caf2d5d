"""Loading a municipal action plan's text export into typed records.

``load_plan`` runs the whole pipeline: decode the file (:mod:`~rikg.loaders.decode`), find the
tables, priorities and goals (:mod:`~rikg.loaders.layout`), rebuild logical rows
(:mod:`~rikg.loaders.table`), read the metadata (:mod:`~rikg.loaders.document`) and build the
record tree ``PlanDocument → Priority → Objective → Measure → Activity``. Values are kept as
written (texts keep even look-alike Latin letters; only HTML debris, runs of white space and
syllable-broken words are repaired) and resolved through :mod:`rikg.loaders.normalise` and
:mod:`rikg.loaders.resolve`.

Structure decisions:

* Hierarchy comes from the table's level columns and from numbering codes: in a table with
  objective, measure and activity columns, "1." is an objective, "1.1." a measure and "1.1.1." an
  activity wherever the export put the cell; a measure code in the activity column makes a measure.
  Codes are kept as written (strings; repeats and gaps kept).
* A table without an objective column hangs its measures under the objective heading above it
  ("Цел 1. ..."); failing that, under an objective of kind "Оперативна цел" holding the priority's
  operational goal (a "Подцели:" list above the table becomes objectives of kind "Подцел" without
  measures: the plan does not number its measures under them).
* A row holding several items in one cell ("4.1. ... 4.2. ...") gives one record per item; the row's
  other cells are split between the items when they split into as many parts, otherwise they stay
  on the parent measure (the mapping passes them down).
* Lines of a table that no record holds (dash rules, repeated page headers and header rows, totals)
  become :class:`UnparsedFragment` records with a reason; :func:`coverage` lists table lines that
  are neither, and is empty for the bundled plans.

>>> from pathlib import Path
>>> plan = load_plan(Path(__file__).parents[1] / "data" / "plans" / "002_2d4f0de67f49e8b7.txt")
>>> plan.slug, plan.municipality, len(plan.priorities)
('plovdiv-2022-2024', 'Пловдив', 6)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rikg.errors import PlanError
from rikg.loaders.decode import read_plan_lines
from rikg.loaders.document import read_metadata
from rikg.loaders.layout import (
    PrioritySection,
    Role,
    detect_sections,
    find_page_headers,
)
from rikg.loaders.normalise import fix_homoglyphs, parse_amounts, parse_period, policy_area_of
from rikg.loaders.records import (
    Activity,
    Indicator,
    Measure,
    Objective,
    PlanDocument,
    Priority,
    SourceSpan,
    UnparsedFragment,
)
from rikg.loaders.resolve import resolve_funding, resolve_institutions
from rikg.loaders.table import Field, HeadingEvent, Noise, Row, read_region
from rikg.loaders.text import (
    Vocabulary,
    clean_text,
    join_broken_words,
    leading_code,
    split_coded_items,
    split_list_items,
)
from rikg.slugs import slugify

__all__ = ["coverage", "indicator_items", "load_plan", "load_plans"]

_DETAIL_ROLES = (
    Role.STATUS,
    Role.INSTITUTIONS,
    Role.PERIOD,
    Role.AMOUNT,
    Role.FUNDING,
    Role.INDICATOR,
    Role.BASELINE,
    Role.TARGET,
    Role.NOTES,
)


@dataclass
class _Details:
    """The detail cells of a row (or of one item of a row), as text by role."""

    texts: dict[Role, str] = field(default_factory=dict)
    items: dict[Role, list[str]] = field(default_factory=dict)


class _Builder:
    """Builds the record tree of one plan from its sections and table events."""

    def __init__(self, file: str, lines: Sequence[str], municipality: str | None) -> None:
        self.file = file
        self.lines = lines
        self.municipality = municipality
        self.vocabulary = Vocabulary(lines)
        self._values: dict[str, str] = {}
        self.priorities: list[Priority] = []
        self.unparsed: list[UnparsedFragment] = []
        self.warnings: list[str] = []
        self.priority: Priority | None = None
        self.objective: Objective | None = None
        self.measure: Measure | None = None
        self.default_objective: Objective | None = None
        self.section: PrioritySection | None = None
        self.promoted = False  # the current measures were activities with no measure above them

    # --- spans and text -----------------------------------------------------------------------
    def span(self, first: int, last: int) -> SourceSpan:
        text = "\n".join(self.lines[first - 1 : last])
        return SourceSpan(self.file, first, last, text)

    def value(self, text: str) -> str:
        """A cell value as written: HTML removed, white space collapsed, broken words re-joined.

        Latin look-alike letters stay as written ("презvakанциите"); they are fixed only in the
        text handed to the resolvers (:meth:`resolvable`), so names still resolve.
        """
        joined = self._values.get(text)
        if joined is None:  # a row's cell is read again for each record it applies to
            joined = self._values[text] = join_broken_words(clean_text(text), self.vocabulary)
        return joined

    @staticmethod
    def resolvable(text: str) -> str:
        """The text given to the resolvers: look-alike Latin letters replaced by Cyrillic ones."""
        fixed: str = fix_homoglyphs(text)
        return fixed

    # --- sections -----------------------------------------------------------------------------
    def add_section(self, section: PrioritySection, page_headers: set[int]) -> None:
        self.section = section
        self._open_priority(section.heading_line, section.heading)
        if section.operational_goal:
            assert self.priority is not None
            self.priority.operational_goal = self.value(section.operational_goal[1])
        for first, last, code, text in section.subgoals:
            assert self.priority is not None
            self.priority.objectives.append(
                Objective(code, self.value(text), self.span(first, last), kind="Подцел")
            )
        for region in section.regions:
            previous_reason = ""
            for event in list(read_region(self.lines, region, page_headers)):
                if isinstance(event, Noise):
                    if event.reason == "table header" and previous_reason == "note":
                        self.objective = None  # a new table after a note is not under the last heading
                    previous_reason = event.reason
                    self.unparsed.append(
                        UnparsedFragment(self.span(event.line, event.last_line), event.reason)
                    )
                    continue
                previous_reason = ""
                if isinstance(event, HeadingEvent):
                    self._heading(event)
                else:
                    self._row(event)

    def _open_priority(self, line: int, heading: str) -> None:
        name = clean_text(heading)
        span = self.span(line, line) if line else SourceSpan(self.file, 0, 0, "")
        self.priority = Priority(name, policy_area_of(name) if name else None, span)
        self.priorities.append(self.priority)
        self.objective = None
        self.measure = None
        self.default_objective = None

    def _heading(self, event: HeadingEvent) -> None:
        if event.kind == "priority":
            self._open_priority(event.line, event.text)
            return
        assert self.priority is not None
        objective = Objective(
            event.code,
            self.value(event.text),
            self.span(event.line, event.last_line),
            kind=event.objective_kind,
        )
        self.priority.objectives.append(objective)
        self.objective = objective
        self.measure = None

    def _current_objective(self) -> Objective:
        if self.objective is not None:
            return self.objective
        if self.default_objective is None:
            assert self.priority is not None
            goal = self.section.operational_goal if self.section else None
            if goal is not None:
                self.default_objective = Objective(
                    None, self.value(goal[1]), self.span(goal[0], goal[0]), kind="Оперативна цел"
                )
            else:
                self.default_objective = Objective(
                    None, self.priority.name_raw, self.priority.span, kind="Приоритет"
                )
            self.priority.objectives.append(self.default_objective)
        return self.default_objective

    # --- rows ---------------------------------------------------------------------------------
    def _items(self, row: Row, role: Role) -> list[tuple[str | None, str]]:
        found = row.fields.get(role)
        if found is None or not found.text:
            return []
        text = found.text
        listed = "<ol" in self._raw(row).lower()
        pieces = split_coded_items(text)
        if len(pieces) == 1 and leading_code(pieces[0])[0] is None:
            if listed:
                pieces = split_list_items(text)
            elif _DASH_ITEM.match(text):
                pieces = [p.strip() for p in _DASH_SPLIT.split(text.lstrip()[1:]) if p.strip()]
        result: list[tuple[str | None, str]] = []
        for ordinal, piece in enumerate(pieces, 1):
            code, rest = leading_code(piece)
            if code is None and role is Role.MEASURE and listed:
                code = str(ordinal)  # the tasks of an unnumbered list, in list order
            result.append((code, self.value(rest)))
        return result

    def _raw(self, row: Row) -> str:
        return "\n".join(self.lines[n - 1] for n in sorted(row.lines))

    def _row(self, row: Row) -> None:
        named = clean_text(row.text(Role.PRIORITY) or "")
        if named and (
            self.priority is None
            or (named != self.priority.name_raw and policy_area_of(named) != self.priority.policy_area)
        ):
            self._open_priority(row.first_line, named)  # a table with a priority column
        assert self.priority is not None
        span = self.span(row.first_line, row.last_line)
        objectives = self._items(row, Role.OBJECTIVE) if Role.OBJECTIVE in row.opened_by else []
        measures = self._items(row, Role.MEASURE) if Role.MEASURE in row.opened_by else []
        activities = self._items(row, Role.ACTIVITY) if Role.ACTIVITY in row.opened_by else []
        for code, text in objectives:
            objective = Objective(code, text, span)
            self.priority.objectives.append(objective)
            self.objective = objective
            self.measure = None
        new_measures: list[Measure] = []
        if activities and not measures and (self.measure is None or objectives or self.promoted):
            measures, activities = activities, []  # activities with no measure above them are measures
            self.promoted = True
        elif measures:
            self.promoted = False
        for code, text in measures:
            if not objectives and not new_measures and _extends(code, self.measure):
                activities.insert(0, (code, text))  # "1.1.1" after "1.1" in a one-level column
                continue
            measure = Measure(code=code, text=text, span=span)
            self._current_objective().measures.append(measure)
            new_measures.append(measure)
        if new_measures:
            self.measure = new_measures[0] if activities else new_measures[-1]
        new_activities: list[Activity] = []
        paired = len(new_measures) == len(activities) > 1  # "1. ... 2. ..." tasks with as many activities
        for index, (code, text) in enumerate(activities):
            activity = Activity(code=code, text=text, span=span)
            parent = new_measures[index] if paired else self.measure
            assert parent is not None
            parent.activities.append(activity)
            new_activities.append(activity)
        if not new_measures and not new_activities:
            if objectives and any(row.text(role) for role in _DETAIL_ROLES):
                self.warnings.append(
                    f"line {row.first_line}: details of a goal with no measure kept on no record"
                )
            elif not objectives:
                self.warnings.append(f"line {row.first_line}: table row with no goal, measure or activity")
                self.unparsed.append(UnparsedFragment(span, "row without a measure"))
            return
        self._distribute(row, new_measures, new_activities)

    def _distribute(self, row: Row, measures: list[Measure], activities: list[Activity]) -> None:
        leaves: list[Activity] = list(activities) if activities else list(measures)
        parents: list[Activity] = list(measures) if measures else ([self.measure] if self.measure else [])
        for role in _DETAIL_ROLES:
            found = row.fields.get(role)
            if found is None or not found.text:
                continue
            parts = _split_for(found, role, len(leaves)) if len(leaves) > 1 else [found.text]
            if parts is not None and len(parts) == len(leaves):
                for leaf, part in zip(leaves, parts, strict=True):
                    self._set(leaf, role, part)
            else:
                targets = parents if activities else leaves
                for target in targets:
                    self._set(target, role, found.text)

    def _set(self, record: Activity, role: Role, text: str) -> None:
        value = self.value(text)
        if not value:
            return
        if role is Role.STATUS:
            record.status = _join(record.status, value)
        elif role is Role.INSTITUTIONS:
            record.institutions_raw = _join(record.institutions_raw, value)
            record.institutions = resolve_institutions(
                self.resolvable(record.institutions_raw), self.municipality
            )
        elif role is Role.PERIOD:
            raw = _join(record.period.raw if record.period else None, value)
            record.period = parse_period(raw)
        elif role is Role.AMOUNT:
            amounts = parse_amounts(value)
            if amounts or _BARE_NUMBER.match(value):
                record.amount_raw = _join(record.amount_raw, value)
                record.amounts = [*record.amounts, *amounts]
            else:  # a "Средства" cell naming a source rather than a sum
                self._set(record, Role.FUNDING, text)
        elif role is Role.FUNDING:
            record.funding_raw = _join(record.funding_raw, value)
            record.funding = resolve_funding(self.resolvable(record.funding_raw))
            if not record.amounts:
                embedded = parse_amounts(value)
                if embedded:
                    record.amounts = embedded
                    record.amount_raw = "; ".join(amount.raw for amount in embedded)
        elif role is Role.INDICATOR:
            record.indicators.extend(Indicator(item) for item in indicator_items(text, self.value))
        elif role in (Role.BASELINE, Role.TARGET):
            _attach_value(record, role, value)


_DASH_ITEM = re.compile(r"^\s*[-–•·]\s*\S.*\s[-–•·](?=\S)")
_DASH_SPLIT = re.compile(r"\s[-–•·](?=\S)")


def _extends(code: str | None, measure: Measure | None) -> bool:
    """Whether ``code`` numbers an item one level below ``measure`` ("1.1.1" under "1.1")."""
    if code is None or measure is None or measure.code is None:
        return False
    return code.startswith(measure.code + ".") and code.count(".") == measure.code.count(".") + 1


def _join(existing: str | None, value: str) -> str:
    return value if not existing else f"{existing} | {value}"


def _attach_value(record: Activity, role: Role, value: str) -> None:
    if not record.indicators:
        record.indicators.append(Indicator(""))
    first = record.indicators[0]
    if role is Role.BASELINE:
        record.indicators[0] = Indicator(first.text, value, first.target)
    else:
        record.indicators[0] = Indicator(first.text, first.baseline, value)


_BARE_NUMBER = re.compile(r"^\d[\d\s.,]*$")
_INDICATOR_SPLIT = re.compile(r"\s*;\s*|(?<=[.;])\s+(?=[А-Я])|\s+(?=(?:Брой|Бр\.|Процент|Дял)\s)")


def indicator_items(text: str, clean: object = None) -> list[str]:
    """Split an indicator cell into indicators: numbered items, ";" lists, sentences, repeated "Брой".

    >>> indicator_items("Брой проведени прегледи; Брой поставени контрацептивни средства")
    ['Брой проведени прегледи', 'Брой поставени контрацептивни средства']
    >>> indicator_items("1. Обучени учители; 2. Обучени младежки работници")
    ['Обучени учители', 'Обучени младежки работници']
    >>> indicator_items("Брой реализиран и мерки, инициативи , добри практики")
    ['Брой реализиран и мерки, инициативи , добри практики']
    """
    items: list[str] = []
    for segment in text.split(" | "):
        for piece in split_coded_items(clean_text(segment)):
            _, rest = leading_code(piece)
            for part in _INDICATOR_SPLIT.split(rest):
                part = part.strip(" ;,")
                if any(ch.isalpha() for ch in part):
                    items.append(part)
    return items


_FUNDING_STARTS = re.compile(r"(?<=\S)\s+(?=(?:В рамките на|Със средства|Не се изисква|Не са необходими)\b)")
_REPEATED_WORD = re.compile(r"\b(\w+) (?=\1\b)")


def _split_text(text: str, role: Role) -> list[str]:
    if role is Role.FUNDING:
        return [p for p in _FUNDING_STARTS.split(text) if p.strip()]
    if role is Role.INDICATOR:
        return indicator_items(text)
    if role is Role.INSTITUTIONS:
        match = _REPEATED_WORD.search(text)
        if match:
            cut = match.end()
            return [text[:cut].strip(), text[cut:].strip()]
    return [text]


def _split_for(found: Field, role: Role, count: int) -> list[str] | None:
    """Split a row's field into ``count`` parts (one per item of the row), or None if it does not split."""
    if len(found.segments) == count:
        return [" ".join(segment) for segment in found.segments]
    items: list[str] = found.items
    if len(items) == count:
        return items
    parts = [part for item in items for part in _split_text(item, role)]
    if len(parts) == count:
        return parts
    return None


def _code_parent(code: str | None) -> str | None:
    if not code or "." not in code:
        return None
    return code.rsplit(".", 1)[0]


def _repair_activity_parents(priority: Priority) -> None:
    """Move an activity to the neighbouring measure its code names ("10.1.1" under "10.1")."""
    measures = [m for o in priority.objectives for m in o.measures]
    for index, measure in enumerate(measures):
        for activity in list(measure.activities):
            parent = _code_parent(activity.code)
            if parent is None or parent == measure.code:
                continue
            before = measures[index - 1] if index > 0 else None
            after = measures[index + 1] if index + 1 < len(measures) else None
            if after is not None and after.code == parent:
                measure.activities.remove(activity)
                after.activities.insert(0, activity)
            elif before is not None and before.code == parent:
                measure.activities.remove(activity)
                before.activities.append(activity)


def load_plan(path: Path) -> PlanDocument:
    """Load one plan file into a :class:`PlanDocument`.

    Raises :class:`PlanError` (file name and reason) for empty, binary or unreadable files and for
    text with no action-plan table. A plan cut off inside a table keeps what it holds and says so
    in ``warnings``.

    >>> load_plan(Path("/nonexistent.txt"))
    Traceback (most recent call last):
    ...
    rikg.errors.PlanError: nonexistent.txt: cannot be read (No such file or directory)
    """
    decoded = read_plan_lines(path)
    lines = decoded.lines
    sections = detect_sections(lines)
    if not sections:
        raise PlanError(path.name, "no action-plan table found")
    table_lines = {
        n
        for section in sections
        for region in section.regions
        for n in range(region.start, region.end + 1)
        if lines[n - 1].strip()
    }
    first_table = sections[0].heading_line or sections[0].regions[0].start
    meta = read_metadata(lines, path.name, table_lines, first_table)
    builder = _Builder(path.name, lines, meta.municipality)
    page_headers = find_page_headers(lines, sections)
    for section in sections:
        builder.add_section(section, page_headers)
    for priority in builder.priorities:
        _repair_activity_parents(priority)
    plan = PlanDocument(
        file=path.name,
        slug=_slug(meta.municipality, meta.start_year, meta.end_year, path),
        municipality=meta.municipality,
        oblast=meta.oblast,
        title=meta.title,
        start_year=meta.start_year,
        end_year=meta.end_year,
        adoption_act=meta.adoption_act,
        encoding=decoded.encoding,
        upstream=meta.upstream,
        priorities=[p for p in builder.priorities if p.objectives or p.name_raw],
        unparsed=_merge_adjacent(sorted(builder.unparsed, key=lambda f: f.span.line_start), lines),
        warnings=builder.warnings,
        table_lines=frozenset(table_lines),
    )
    if decoded.replaced:
        plan.warnings.append(
            f"{decoded.replaced} undecodable byte sequence(s) replaced by U+FFFD ({decoded.encoding})"
        )
    _check_complete(plan, lines, sections)
    if not plan.measures():
        raise PlanError(path.name, "no action-plan table found")
    return plan


def _merge_adjacent(fragments: list[UnparsedFragment], lines: Sequence[str]) -> list[UnparsedFragment]:
    """Join notes (and page headers) on consecutive lines into one fragment each."""
    merged: list[UnparsedFragment] = []
    for fragment in fragments:
        last = merged[-1] if merged else None
        if (
            last is not None
            and fragment.reason == last.reason
            and fragment.reason in {"note", "page header"}
            and fragment.span.line_start <= last.span.line_end + 2
            and not any(lines[n - 1].strip() for n in range(last.span.line_end + 1, fragment.span.line_start))
        ):
            start, end = last.span.line_start, fragment.span.line_end
            text = "\n".join(lines[start - 1 : end])
            merged[-1] = UnparsedFragment(SourceSpan(last.span.file, start, end, text), last.reason)
            continue
        merged.append(fragment)
    return merged


def _slug(municipality: str | None, start: int | None, end: int | None, path: Path) -> str:
    base = slugify(municipality) if municipality else slugify(path.stem)
    years = f"-{start}-{end}" if start and end else ""
    return f"{base}{years}"


def _check_complete(plan: PlanDocument, lines: Sequence[str], sections: Sequence[PrioritySection]) -> None:
    """Warn when the file ends inside a table (a truncated export) or when table lines went unplaced."""
    last_text = max((n for n, line in enumerate(lines, 1) if line.strip()), default=0)
    last_region = sections[-1].regions[-1]
    if last_region.end >= last_text:
        plan.warnings.append(
            f"file ends inside the table that starts at line {last_region.start}: the plan may be truncated"
        )
    missing = coverage(plan)
    if missing:
        plan.warnings.append(f"{len(missing)} table line(s) not placed: {sorted(missing)[:10]}")
        for number in sorted(missing):
            plan.unparsed.append(
                UnparsedFragment(SourceSpan(plan.file, number, number, lines[number - 1]), "not placed")
            )
        plan.unparsed.sort(key=lambda f: f.span.line_start)


def _spans(plan: PlanDocument) -> Iterable[SourceSpan]:
    for priority in plan.priorities:
        yield priority.span
        for objective in priority.objectives:
            yield objective.span
            for measure in objective.measures:
                yield measure.span
                for activity in measure.activities:
                    yield activity.span
    for fragment in plan.unparsed:
        yield fragment.span


def coverage(plan: PlanDocument) -> set[int]:
    """The table lines of ``plan`` that no record or unparsed fragment holds (empty when nothing is lost).

    >>> plan = load_plan(Path(__file__).parents[1] / "data" / "plans" / "000_ac6471d0a6c93028.txt")
    >>> coverage(plan)
    set()
    """
    covered: set[int] = set()
    for span in _spans(plan):
        covered.update(range(span.line_start, span.line_end + 1))
    return set(plan.table_lines) - covered


def load_plans(folder: Path) -> list[PlanDocument | PlanError]:
    """Load every ``*.txt`` plan of a folder, in name order; a bad file gives its error, not an exception.

    >>> results = load_plans(Path(__file__).parents[1] / "data" / "plans")
    >>> [type(r).__name__ for r in results]
    ['PlanDocument', 'PlanDocument', 'PlanDocument', 'PlanDocument']
    """
    results: list[PlanDocument | PlanError] = []
    for path in sorted(folder.glob("*.txt")):
        try:
            results.append(load_plan(path))
        except PlanError as error:
            results.append(error)
    return results
