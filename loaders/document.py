"""Document metadata: municipality, oblast, title, period, adoption act and the documents a plan implements.

Everything is read from the plan's own text (title lines, the narrative before and around the
tables) and kept as written; keys for upstream documents follow the IRI scheme of
``docs/architecture.md`` (``document/nap-2024-2027``, ``document/oblast-strategy/ruse-2021-2030``...).

>>> lines = ["ОБЩИНА РУСЕ", "ПЛАН ЗА ДЕЙСТВИЕ", "НА ОБЩИНА РУСЕ (2024-2027 г.)"]
>>> meta = read_metadata(lines, "plan.txt", set())
>>> meta.municipality, meta.oblast, meta.start_year, meta.end_year
('Русе', 'Русе', 2024, 2027)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from rikg.loaders.records import SourceSpan, UpstreamRef
from rikg.loaders.text import clean_text
from rikg.slugs import slugify

__all__ = ["OBLASTS", "DocumentMetadata", "find_upstream", "read_metadata"]

#: The 28 oblasts (NUTS 3) of Bulgaria, named after their centres.
OBLASTS = (
    "Благоевград",
    "Бургас",
    "Варна",
    "Велико Търново",
    "Видин",
    "Враца",
    "Габрово",
    "Добрич",
    "Кърджали",
    "Кюстендил",
    "Ловеч",
    "Монтана",
    "Пазарджик",
    "Перник",
    "Плевен",
    "Пловдив",
    "Разград",
    "Русе",
    "Силистра",
    "Сливен",
    "Смолян",
    "София",
    "Стара Загора",
    "Търговище",
    "Хасково",
    "Шумен",
    "Ямбол",
    "София (столица)",
)
_OBLAST_BY_KEY = {re.sub(r"\W+", "", name.lower()): name for name in OBLASTS}
_NAME = r"[А-ЯЁ][а-яё]+(?:[ -][А-ЯЁ][а-яё]+)?"
_MUNICIPALITY_MIXED = re.compile(rf"\b[Оо]бщина\s+({_NAME})")
_MUNICIPALITY_UPPER = re.compile(r"\bОБЩИНА\s+([А-Я]{3,}(?:[ -][А-Я]{3,})?)\b")
_OBLAST_MENTION = re.compile(rf"\b[Оо]бласт\s+({_NAME})")
_OBLAST_UPPER = re.compile(r"\bОБЛАСТ\s+([А-Я]{3,}(?:\s[А-Я]{3,})?)\b")
_STOP_WORDS = {"ЗА", "НА", "ПО", "ОТ", "ПРИ", "КЪМ", "СЪС", "И"}
# possessive white space: a line of blanks fails at once (it was quadratic)
_TITLE_START = re.compile(
    r"^\s*+(?:\*+\s*+)?(?:ПЛАН ЗА ДЕЙСТВИЕ|План за действие|ОБЩИНСКИ ПЛАН ЗА ДЕЙСТВИЕ)\b"
)
_TITLE_STOP = re.compile(
    r"^\s*(?:В ИЗПЪЛНЕНИЕ|И В ИЗПЪЛНЕНИЕ|Приет|Решение|гр\.|Необходими|[IVXІ]+\.)", re.IGNORECASE
)
_YEARS = re.compile(r"((?:19|20)\d{2})\s*(?:г\.?\s*)?[-–—/]\s*((?:19|20)\d{2})")
_ADOPTION = re.compile(
    r"(?:^|[.;]\s*)((?:Приет[а-я]*|Одобрен[а-я]*|Утвърден[а-я]*)\s+(?:с|със)\s+Решение\s*№.*|"
    r"Решение\s*№.{0,60}?\b(?:прието|приет)\s+с\s+Протокол.*)",
    re.IGNORECASE,
)


@dataclass
class DocumentMetadata:
    """What a plan says about itself."""

    municipality: str | None
    oblast: str | None
    title: str | None
    title_span: tuple[int, int] | None
    start_year: int | None
    end_year: int | None
    adoption_act: str | None
    upstream: list[UpstreamRef] = field(default_factory=list)


def _title_case(name: str) -> str:
    return "-".join(" ".join(word.capitalize() for word in part.split(" ")) for part in name.split("-"))


def _municipality(lines: Sequence[str]) -> str | None:
    counts: Counter[str] = Counter()
    mixed_names = set()
    for line in lines:
        for match in _MUNICIPALITY_MIXED.finditer(line):
            name = match.group(1)
            if name.split(" ")[-1].lower() in {"за", "на"}:
                name = name.split(" ")[0]
            mixed_names.add(name)
            counts[name] += 1
    for line in lines:
        for match in _MUNICIPALITY_UPPER.finditer(line):
            words = [w for w in re.split(r"[ ]", match.group(1))]
            two = _title_case(" ".join(words[:2]))
            one = _title_case(words[0])
            if len(words) > 1 and words[1] not in _STOP_WORDS and two in mixed_names:
                counts[two] += 2
            else:
                counts[one] += 2
    if not counts:
        return None
    # Two-word names ("Стара Загора") also count their first word; prefer the full name when both fit.
    best, _ = counts.most_common(1)[0]
    return best


def _oblast(lines: Sequence[str], municipality: str | None) -> str | None:
    counts: Counter[str] = Counter()
    for line in lines:
        for match in _OBLAST_MENTION.finditer(line):
            counts[match.group(1)] += 1
        for match in _OBLAST_UPPER.finditer(line):
            counts[_title_case(match.group(1).split(" ")[0])] += 1
    for name, _ in counts.most_common():
        for candidate in (name, name.split(" ")[0]):
            known = _OBLAST_BY_KEY.get(re.sub(r"\W+", "", candidate.lower()))
            if known:
                return known
    if municipality:
        return _OBLAST_BY_KEY.get(re.sub(r"\W+", "", municipality.lower()))
    return None


def _title(lines: Sequence[str], before: int) -> tuple[str | None, tuple[int, int] | None]:
    for index in range(min(before, len(lines))):
        if not _TITLE_START.match(lines[index]):
            continue
        parts = [clean_text(lines[index])]
        last = index
        for nxt in range(index + 1, min(index + 8, len(lines))):
            text = clean_text(lines[nxt])
            if not text:
                continue
            if _TITLE_STOP.match(text) or len(parts) >= 4:
                break
            if text.isupper() or text[0].islower() or (_YEARS.search(text) and len(text) < 40):
                parts.append(text)
                last = nxt
                continue
            break
        return " ".join(parts), (index + 1, last + 1)
    return None, None


def _period(title: str | None, lines: Sequence[str], before: int) -> tuple[int | None, int | None]:
    sources = [title] if title else []
    sources.extend(lines[: min(before, len(lines))])
    for text in sources:
        match = _YEARS.search(text or "")
        if match:
            start, end = int(match.group(1)), int(match.group(2))
            if start <= end <= start + 15:
                return start, end
    return None, None


def _adoption_act(lines: Sequence[str], before: int) -> str | None:
    for line in lines[: min(before, len(lines))]:
        match = _ADOPTION.search(clean_text(line))
        if match:
            return match.group(1).strip()
    return None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[А-ЯA-Z„\"])")
_UPSTREAM_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"(?:Национал\w*\s+план\w*(?:\s+за\s+действие)?[^.]{0,200}?|\bНПД\s*(?:за\s+периода\s*)?)"
            r"(20\d{2})\s*[-–]\s*(20\d{2})",
            re.IGNORECASE,
        ),
        "nap",
    ),
    (
        re.compile(
            r"Национал\w*\s+стратеги\w*(?:\s+/НС\s*/)?[^.]{0,220}?(20\d{2})\s*[-–]\s*(20\d{2})", re.IGNORECASE
        ),
        "ns",
    ),
    (re.compile(r"Решение\s*№\s*278\b", re.IGNORECASE), "ns-278"),
    (
        re.compile(
            r"(?:Стратеги\w*\s+на\s+област\s+\w+|Областна\w*\s+(?:и\s+Национал\w*\s+)?стратеги\w*|"
            r"Областна\w*\s+стратеги\w*)[^.]{0,260}?(20\d{2})\s*[-–/]\s*(20\d{2})",
            re.IGNORECASE,
        ),
        "oblast",
    ),
    (
        re.compile(
            r"Рамка(?:та)?\s+(?:на\s+ЕС|на\s+Европейския\s+съюз|за\s+създаване\s+на\s+Национална)|"
            r"Европейск\w+\s+рамка",
            re.IGNORECASE,
        ),
        "eu-framework",
    ),
    (re.compile(r"Препоръка(?:та)?\s+на\s+Съвета", re.IGNORECASE), "council-recommendation"),
)

# A word every upstream rule needs: a line without one cannot match any rule (one scan instead of seven).
_UPSTREAM_HINT = re.compile(r"национал|нпд|решение|стратеги|областна|рамка|препоръка", re.IGNORECASE)


def _sentence_at(text: str, position: int) -> str:
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() <= position:
            start = match.end()
        else:
            return text[start : match.start()].strip()
    return text[start:].strip()


def _named_oblast(text: str) -> str | None:
    """The oblast a text names after "област" ("област Велико Търново"), if it is one of the 28."""
    for match in re.finditer(r"област\s+([А-Я][а-я]+)(?:\s+([А-Я][а-я]+))?", text, re.IGNORECASE):
        words = [w for w in match.groups() if w]
        for count in (2, 1):
            name = " ".join(word.capitalize() for word in words[:count])
            known = _OBLAST_BY_KEY.get(re.sub(r"\W+", "", name.lower()))
            if known and len(words) >= count:
                return known
    return None


def _upstream_key(
    kind: str, match: re.Match[str], sentence: str, oblast: str | None, plan_start: int | None
) -> str | None:
    if kind == "nap":
        years = (match.group(1), match.group(2))
        if years == ("2024", "2027"):
            return "document/nap-2024-2027"
        if years in {("2022", "2023"), ("2021", "2023")}:
            return "document/nap-2022-2023"
        return None
    if kind == "ns":
        years = (match.group(1), match.group(2))
        if years == ("2021", "2030"):
            return "document/ns-2021-2030"
        if years == ("2012", "2020"):
            return "document/ns-2012-2020"
        return None
    if kind == "ns-278":
        return "document/ns-2021-2030"
    if kind == "oblast":
        place = _named_oblast(match.group(0)) or _named_oblast(sentence) or oblast
        if not place:
            return None
        return f"document/oblast-strategy/{slugify(place)}-{match.group(1)}-{match.group(2)}"
    if kind == "eu-framework":
        if re.search(r"2020\s*[-–]\s*2030|2030", sentence):
            return "document/eu-framework-2020-2030"
        if re.search(r"2011|до 2020|интегриране на ромите|интеграция на ромите", sentence) or (
            plan_start is not None and plan_start < 2021
        ):
            return "document/eu-framework-2011"
        return "document/eu-framework-2020-2030"
    if kind == "council-recommendation":
        return (
            "document/council-recommendation-2013"
            if "2013" in sentence
            else "document/council-recommendation-2021"
        )
    return None


def find_upstream(
    lines: Sequence[str], file: str, skip: set[int], oblast: str | None = None, plan_start: int | None = None
) -> list[UpstreamRef]:
    """The documents a plan says it implements, one reference per document (its first mention).

    ``skip`` holds line numbers not to read (the tables).

    >>> refs = find_upstream(["В изпълнение на Националния план за действие за 2024-2027 г."], "p.txt", set())
    >>> [(r.key, r.span.line_start) for r in refs]
    [('document/nap-2024-2027', 1)]
    """
    found: dict[str, UpstreamRef] = {}
    for number, line in enumerate(lines, 1):
        if number in skip or not line.strip():
            continue
        text = clean_text(line)
        if not _UPSTREAM_HINT.search(text):
            continue
        for pattern, kind in _UPSTREAM_RULES:
            for match in pattern.finditer(text):
                sentence = _sentence_at(text, match.start())
                key = _upstream_key(kind, match, sentence, oblast, plan_start)
                if key and key not in found:
                    found[key] = UpstreamRef(key, sentence, SourceSpan(file, number, number, line))
    return sorted(found.values(), key=lambda ref: (ref.span.line_start, ref.key))


def read_metadata(
    lines: Sequence[str], file: str, table_lines: set[int], first_table: int | None = None
) -> DocumentMetadata:
    """Read a plan's metadata from the text before its first table; upstream documents from all narrative."""
    before = first_table if first_table is not None else len(lines)
    head = lines[:before]
    municipality = _municipality(head) or _municipality(lines)
    oblast = _oblast(head, municipality)
    title, title_span = _title(lines, before)
    start, end = _period(title, lines, before)
    return DocumentMetadata(
        municipality=municipality,
        oblast=oblast,
        title=title,
        title_span=title_span,
        start_year=start,
        end_year=end,
        adoption_act=_adoption_act(lines, before),
        upstream=find_upstream(lines, file, table_lines, oblast, start),
    )
