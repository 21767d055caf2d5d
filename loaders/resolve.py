"""Entity resolution: the institutions and funding sources a plan cell names, matched to the registry.

Cells list names with commas, semicolons, " и ", slashes, line breaks, HTML paragraphs, or with no
separator at all ("Община Кюстендил РУО Училища Детски градини"). Resolution therefore does not split
first: it scans the cell's words for registry labels (:mod:`rikg.ontology.registry`), leftmost and
longest first; a label never spans a list break (",", ";", "|", a line break, a numbered item) unless
the break sits inside a „quoted“ name. Then it looks at what lies between the matches:

* a town right after a body with regional units makes a unit on the fly ("РУО-Русе" →
  ``institution/ruo-ruse``, parent ``institution/ruo``); "Община" with a town is that municipality,
  "община" / "общината" alone is the plan's own municipality;
* text that follows a match in the same run (no list break) and starts in lower case, or is a town, a
  quoted name or a company form ("Бюро по труда в сътрудничество с ...", "КОЦ-Русе ЕООД") qualifies
  that match: it joins the entity's ``raw``;
* any other leftover is a candidate name: matched when its letters equal a registry label once spaces
  are dropped ("Училищните настоятелств а") or when rapidfuzz finds a label close enough ("здравни
  медикатори"), else kept as an unresolved entity (``institution/unresolved/<slug>``), never dropped.
  Pure noise (punctuation, "и", "в сътрудничество с", "Договор между") gives nothing.

Entities keep their order of appearance and are de-duplicated by key.

Funding cells follow the same scan, with these rules:

* a generic source ("Външно финансиране", "Проекти", "Европейски фондове") directly followed by a
  programme, with no list break between, is dropped for it ("Външно финансиране /НПВУ/" → НПВУ,
  "Проекти по ОП РЧР" → ОП РЧР); a budget followed in the same item by a narrower one is dropped
  for it ("държавния бюджет ... делегираните от държавата дейности" → Делегиран бюджет); a generic
  source in an item of its own is kept ("В рамките на утвърдените бюджети и/или проекти" → both);
* a municipality names the municipal budget, a public body its budget (``funding/<slug>-budget``,
  "Бюджет на МОН"), a generic actor its own money (``funding/<slug>-funds``, "Средства на НПО"),
  unless the name is written in lower case or sits inside a phrase ("приети от МС стандарти",
  "родителите на ..."): then it is just part of the text;
* text after a source in the same item describes it (modules, procedures, purposes) and joins its
  ``raw``; text leading into the next source ("Бюджет на" ДАЗД) joins that one's; a leftover becomes
  an unresolved source only when it reads like a name (a capital, quotes or an acronym, and not a
  verbal noun such as "Създаване на ...", which is activity text the export pushed into the cell);
* a cell saying no money is needed ("Не се изисква допълнително финансиране", "Не са необходими")
  names no source and gives no entity (the cell text stays on the measure as written).

>>> [r.key for r in resolve_institutions('РУО, Община Благоевград, Д"СП" Бюро по труда')]
['institution/ruo', 'institution/municipality-blagoevgrad', 'institution/dsp', 'institution/dbt']
>>> unit = resolve_institutions("РУО-Русе")[0]
>>> unit.raw, unit.label, unit.key, unit.parent_key
('РУО-Русе', 'РУО – Русе', 'institution/ruo-ruse', 'institution/ruo')
>>> [r.label for r in resolve_funding("Общински бюджет; Външно финансиране /НПВУ/")]
['Общински бюджет', 'Национален план за възстановяване и устойчивост']
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from rikg.loaders.normalise import fix_homoglyphs
from rikg.loaders.records import EntityRef
from rikg.ontology.registry import Kind, Registry, get_registry, is_case_sensitive, normalise_name
from rikg.slugs import slugify

__all__ = ["resolve_funding", "resolve_institutions"]

_TAG = re.compile(r"<[^>]*>")
_TOKEN = re.compile(r"\w+(?:[\"„“”']\w+)*")
_NUMBERED = r"(?:^|(?<=\s))\d{1,2}[.)](?=\s|[А-Яа-я])"
# A list break: a label never spans one (outside quotes).
_BREAK = re.compile(rf"[,;|\n•·]|{_NUMBERED}")
# An item break: a sentence or numbered item, not a comma (the funding rules look within items).
_ITEM_BREAK = re.compile(rf"[;|\n•·]|{_NUMBERED}")
# Leftovers split at list marks and at " и " / " или " before a capital ("Общината и НПО"), not before
# a word in lower case ("Център за личностно и творческо развитие").
_LIST_SPLIT = re.compile(rf"[,;|\n•·/]|\s+(?:и|или)\s+(?=[А-ЯA-Z\"„«])|{_NUMBERED}")
#: Words that open a part of a programme ("Модул 1 ...", "процедура BG05...", "приоритетна ос 2").
_QUALIFIER = re.compile(
    r"(?:модул|компонент|процедура|приоритет|приоритетна|ос|мярка|схема|операция)\b", re.I
)
_COMPANY_FORM = re.compile(r"(?:Е?[ЕО]ОД|Е?АД|ЕТ|СД|КД)")  # "ЕЕОД" is a typo seen in plans
_VERBAL_NOUN = re.compile(r"(?:ане|яне|ене)$")
_LIST_MARKS = " \t\n-–—:.,;()/\\'"
_QUOTE_MARKS = '"„“”«»'
_EDGE_PUNCTUATION = _LIST_MARKS + _QUOTE_MARKS
_OPENING_QUOTES = frozenset('„«"“')
_MAX_LABEL_TOKENS = 30
_MAX_QUOTED = 200
_FUZZY_MIN = 88
_FUZZY_MIN_LENGTH = 6

#: Words that name nothing in a responsibility or funding cell.
_NOISE_WORDS = frozenset(
    re.findall(
        r"\S+",
        "и или в във с със на към от чрез по за при до др други както съвместно сътрудничество партньорство "
        "участието участие партньори кмет кметът зам заместник г т ч вкл договор договори сключен сключени "
        "между",
    )
)
_FUNDING_NOISE_WORDS = _NOISE_WORDS | frozenset(
    re.findall(r"\S+", "средства средствата финансиране финансира финансирани източник източници")
)
_BUDGET_WORDS = frozenset({"бюджет", "бюджета", "бюджетът", "бюджетите", "рамките"})
_CONNECTIVES = _FUNDING_NOISE_WORDS | _BUDGET_WORDS
#: Words a funding phrase leads into the next name with ("Бюджет на ДАЗД", "процедури по ...").
_LINKING_WORDS = frozenset({"на", "по", "от", "към", "чрез"})
_NO_SOURCE = re.compile(
    r"^(?:не\s+(?:се\s+)?(?:изисква|изискват|е\s+необходим|са\s+необходим|е\s+нужн|са\s+нужн)"
    r"|без\s+(?:допълнително\s+)?финансиране|няма|не\s+е\s+приложимо|не\s+са\s+предвидени)",
)
_MUNICIPALITY_WORDS = frozenset({"община", "общината", "общини", "общините"})
_TOWN_FILLERS = frozenset({"гр", "град", "област", "структура", "в"})


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str
    norm: str


@dataclass
class _Match:
    """A registry label found in the text: tokens ``first..last``; ``start..end`` is the entity's raw text."""

    first: int
    last: int
    ref: EntityRef
    start: int
    end: int

    def cover(self, text: str, start: int, end: int) -> None:
        """Let the entity's raw text reach from ``start`` to ``end`` (qualifying words join it)."""
        self.start, self.end = min(self.start, start), max(self.end, end)
        raw = _raw_span(text, self.start, self.end) or self.ref.raw
        old = self.ref
        self.ref = EntityRef(raw, old.label, old.key, old.resolved, old.parent_key)


def resolve_institutions(text: str, municipality: str | None = None) -> list[EntityRef]:
    """The institutions a responsibility cell names, in order, de-duplicated.

    ``municipality`` is the plan's own municipality ("Русе"): "Община" / "общината" alone means it.

    >>> [r.label for r in resolve_institutions("МЗ, РЗИ и община", "Русе")]
    ['Министерство на здравеопазването', 'Регионална здравна инспекция', 'Община Русе']
    >>> [(r.label, r.resolved) for r in resolve_institutions("РЗИ здравни медикатори ЦПТРДБ")]
    [('Регионална здравна инспекция', True), ('Здравни медиатори', True), ('ЦПТРДБ', False)]
    """
    return list(_resolved(get_registry(), "institution", municipality, text))


def resolve_funding(text: str) -> list[EntityRef]:
    """The funding sources a funding cell names, in order, de-duplicated (see the module rules).

    >>> cell = ("1. Със средства от държавния бюджет, изчислени на базата на приети от МС стандарти"
    ...         " за финансиране на делегираните от държавата дейности и броя на децата;"
    ...         " 2. Със средства по ОП НОИР")
    >>> [r.key for r in resolve_funding(cell)]
    ['funding/delegated-budget', 'programme/op-noir-2014-2020']
    >>> [r.label for r in resolve_funding("Бюджет на ДАЗД")], resolve_funding("Не са необходими")
    (['Бюджет на ДАЗД'], [])
    """
    return list(_resolved(get_registry(), "funding", None, text))


@functools.lru_cache(maxsize=4096)
def _resolved(registry: Registry, kind: Kind, municipality: str | None, text: str) -> tuple[EntityRef, ...]:
    """One resolution per distinct cell: a plan repeats a row's cell on each of its activities."""
    return tuple(_Resolver(registry, kind, municipality).resolve(text))


class _Resolver:
    """One resolution of one cell: tokens, list breaks, matches, leftovers."""

    def __init__(self, registry: Registry, kind: Kind, municipality: str | None) -> None:
        self.registry = registry
        self.kind = kind
        self.municipality = municipality
        self.noise = _FUNDING_NOISE_WORDS if kind == "funding" else _NOISE_WORDS

    def resolve(self, text: str) -> list[EntityRef]:
        self.text = _clean(text)
        self.tokens = [
            _Token(m.start(), m.end(), m.group(), normalise_name(m.group()))
            for m in _TOKEN.finditer(self.text)
        ]
        self.quoted = _quoted_mask(self.text)
        self.breaks = [self._has_break(*self._gap(i)) for i in range(len(self.tokens) + 1)]
        self.break_at_or_before: list[int] = list(
            itertools.accumulate((i if found else 0 for i, found in enumerate(self.breaks)), max)
        )
        matches = [match for match in self._scan() if match.ref.key]
        refs = self._with_leftovers(matches)
        if self.kind == "funding":
            refs = self._drop_introducers(refs)
        return _unique(refs)

    def _gap(self, index: int) -> tuple[int, int]:
        """Where the text between token ``index - 1`` and token ``index`` lies."""
        start = self.tokens[index - 1].end if index > 0 else 0
        end = self.tokens[index].start if index < len(self.tokens) else len(self.text)
        return start, end

    def _has_break(self, start: int, end: int, pattern: re.Pattern[str] = _BREAK) -> bool:
        """Whether a list break lies between two offsets, outside „quoted“ names."""
        return any(not self.quoted[found.start()] for found in pattern.finditer(self.text, start, end))

    # -- scanning for known labels ----------------------------------------------------------------

    def _scan(self) -> list[_Match]:
        matches: list[_Match] = []
        index = 0
        while index < len(self.tokens):
            match = self._match_at(index)
            if match is None:
                index += 1
                continue
            matches.append(match)
            index = match.last + 1
        return matches

    def _match_at(self, index: int) -> _Match | None:
        prefixes = _label_prefixes(self.registry)
        limit = index
        words = self.tokens[index].norm
        while (
            limit + 1 < len(self.tokens)
            and limit - index < _MAX_LABEL_TOKENS
            and not self.breaks[limit + 1]
            and words in prefixes  # no label starts with these words: no longer window can match
        ):
            limit += 1
            words = f"{words} {self.tokens[limit].norm}"
        for last in range(limit, index - 1, -1):
            found = self._lookup(index, last)
            if found is not None:
                return self._make_match(index, last, *found)
        return self._municipality_at(index)

    def _lookup(self, first: int, last: int) -> tuple[Kind, str] | None:
        words = " ".join(token.norm for token in self.tokens[first : last + 1])
        if not words:
            return None
        kinds: tuple[Kind, ...] = ("funding", "institution") if self.kind == "funding" else ("institution",)
        for kind in kinds:
            key = self.registry.index(kind).get(words)
            if key is not None:
                # checked only for a known label: normalising every candidate window is what made
                # long cells slow (tens of windows per word)
                if is_case_sensitive(words) and not self.tokens[first].text.isupper():
                    return None
                return kind, key
        return None

    def _make_match(self, first: int, last: int, kind: Kind, key: str) -> _Match:
        start, end = _mention_bounds(self.text, self.tokens[first].start, self.tokens[last].end)
        entry = self.registry.entry(key)
        raw = _raw_span(self.text, start, end)
        ref = EntityRef(raw, self.registry.label_of(key) or raw, key, True)
        if kind == "institution" and entry is not None and self._has_units(key):
            town = self._town_after(last)
            if town is not None:
                name, last = town
                end = self.tokens[last].end
                label = f"{entry.acronym or entry.label} – {name}"
                ref = EntityRef(_raw_span(self.text, start, end), label, f"{key}-{slugify(name)}", True, key)
        if kind == "institution" and self.kind == "funding":
            ref = self._institution_as_funding(ref, first)
        return _Match(first, last, ref, start, end)

    def _has_units(self, key: str) -> bool:
        """Bodies with a unit per town: regional bodies, and bodies with an acronym (КЗД, ДБТ), except
        national ones whose units are separate bodies already (МОН has РУО, so "МОН Русе" is МОН)."""
        entry = self.registry.entry(key)
        if entry is None or not (entry.acronym or entry.level == "Regional"):
            return False
        return not (entry.level == "National" and self.registry.has_sub_bodies(key))

    def _town_after(self, last: int) -> tuple[str, int] | None:
        """A town right after token ``last`` ("РУО-Русе", "РЗИ гр. Благоевград"), and its last token."""
        index = last + 1
        while (
            index < len(self.tokens) and not self.breaks[index] and self.tokens[index].norm in _TOWN_FILLERS
        ):
            index += 1
        for width in (2, 1):
            end = index + width - 1
            if end >= len(self.tokens) or any(self.breaks[i] for i in range(last + 1, end + 1)):
                continue
            words = self.tokens[index : end + 1]
            name = self.registry.town(" ".join(token.text for token in words))
            if name is not None and words[0].text[:1].isupper():
                return name, end
        return None

    def _municipality_at(self, index: int) -> _Match | None:
        """ "Община X" for a town X the registry has no municipality for, or "община" alone."""
        token = self.tokens[index]
        if token.norm not in _MUNICIPALITY_WORDS:
            return None
        town = self._town_after(index)
        if town is not None:
            name, last = town
        elif self.municipality:
            name, last = self.municipality, index
        else:
            return None
        start, end = token.start, self.tokens[last].end
        key = self.registry.lookup(f"Община {name}", "institution")
        ref = EntityRef(
            self.text[start:end], f"Община {name}", key or f"institution/municipality-{slugify(name)}", True
        )
        if self.kind == "funding":
            ref = self._institution_as_funding(ref, index)
        return _Match(index, last, ref, start, end)

    def _institution_as_funding(self, ref: EntityRef, first: int) -> EntityRef:
        """An institution named in a funding cell: the municipal budget, or the institution's own budget."""
        if ref.key.startswith("institution/municipality-"):
            key = "funding/municipal-budget"
            return EntityRef(ref.raw, self.registry.label_of(key) or "Общински бюджет", key, True)
        if not ref.raw[:1].isupper() or _has_content_word(self._phrase_before(first)):
            return EntityRef(ref.raw, "", "", False)  # in running text: left to the leftovers
        slug = ref.key.removeprefix("institution/")
        acronym = self.registry.acronym_of(ref.key)
        if acronym:  # a public body: its budget
            return EntityRef(ref.raw, f"Бюджет на {acronym}", f"funding/{slug}-budget", True)
        return EntityRef(ref.raw, f"Средства на {ref.label}", f"funding/{slug}-funds", True)

    def _phrase_before(self, first: int) -> str:
        """The text between the previous list break and token ``first`` (its last
        ``_PHRASE_REACH`` characters: enough to tell running text, linear in a cell with no breaks)."""
        index = self.break_at_or_before[first]
        start = max(self._gap(index)[1], self.tokens[first].start - _PHRASE_REACH)
        return self.text[start : self.tokens[first].start]

    # -- leftovers between matches ----------------------------------------------------------------

    def _with_leftovers(self, matches: list[_Match]) -> list[EntityRef]:
        found: list[_Match | EntityRef] = []
        previous: _Match | None = None
        position = 0
        for match in [*matches, None]:
            end = match.start if match is not None else len(self.text)
            for piece_start, piece_end in self._pieces(position, end):
                piece = self.text[piece_start:piece_end]
                chunk = piece.strip(_EDGE_PUNCTUATION)
                if not chunk or self._is_noise(chunk):
                    continue
                if previous is not None and self._qualifies(previous, piece_start, piece):
                    previous.cover(self.text, previous.start, piece_end)
                elif match is not None and self._leads_into(piece_end, match, chunk):
                    match.cover(self.text, piece_start, match.end)
                else:
                    found.extend(self._candidate(piece))
            if match is not None:
                found.append(match)
                previous, position = match, match.end
        return [item.ref if isinstance(item, _Match) else item for item in found]

    def _pieces(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The list items of a leftover span (split outside quotes), as offsets."""
        position = start
        for separator in _LIST_SPLIT.finditer(self.text, start, end):
            if self.quoted[separator.start()]:
                continue
            if position < separator.start():
                yield position, separator.start()
            position = max(position, separator.end())
        if position < end:
            yield position, end

    def _qualifies(self, previous: _Match, piece_start: int, piece: str) -> bool:
        """Whether a leftover qualifies the match before it rather than naming something of its own.

        In the same run (no list break since the match): words in lower case, a town, a quoted name or
        a company form; in a funding cell anything. Further on in the same item of a funding cell: parts
        of a programme ("Модул 3 ...") and words in lower case.
        """
        chunk = _strip_noise_edges(piece, self.noise) or piece.strip(_EDGE_PUNCTUATION)
        if not self._has_break(previous.end, piece_start):
            return (
                self.kind == "funding"
                or chunk[:1].islower()
                or piece.lstrip(" -–—:")[:1] in _OPENING_QUOTES
                or self.registry.town(chunk) is not None
                or _COMPANY_FORM.fullmatch(chunk) is not None
            )
        describes = _QUALIFIER.match(chunk) is not None or chunk[:1].islower()
        return (
            self.kind == "funding"
            and describes
            and not self._has_break(previous.end, piece_start, _ITEM_BREAK)
        )

    def _leads_into(self, piece_end: int, following: _Match, chunk: str) -> bool:
        """A funding leftover that leads into the next source ("Бюджет на" ДАЗД, "процедури по" ...)."""
        if self.kind != "funding" or self._has_break(piece_end, following.start):
            return False
        last_word = normalise_name(chunk).split()[-1:]
        return bool(last_word) and last_word[0] in _LINKING_WORDS

    def _is_noise(self, chunk: str) -> bool:
        words = normalise_name(chunk).split()
        if not words or all(word in self.noise or word.isdigit() for word in words):
            return True
        return self.kind == "funding" and _NO_SOURCE.match(" ".join(words)) is not None

    def _candidate(self, chunk: str) -> list[EntityRef]:
        """A leftover name: a registry entry when it is close enough to one, else an unresolved entity."""
        chunk = _strip_noise_edges(chunk, self.noise)
        if not chunk or (self.kind == "funding" and not _looks_like_name(chunk)):
            return []
        key = self._fuzzy(chunk)
        if key is None and self.kind == "funding":  # "Държавен, общински бюджет": "бюджет" elided
            key = self.registry.lookup(f"{chunk} бюджет", "funding")
        if key is not None:
            return [EntityRef(chunk, self.registry.label_of(key) or chunk, key, True)]
        label = " ".join(chunk.split())
        return [EntityRef(chunk, label, f"{self.kind}/unresolved/{slugify(label)}", False)]

    def _fuzzy(self, chunk: str) -> str | None:
        words = normalise_name(chunk)
        if len(words) < _FUZZY_MIN_LENGTH:
            return None
        index: dict[str, str] = self.registry.index(self.kind)
        squeezed = words.replace(" ", "")
        for label, key in index.items():
            if label.replace(" ", "") == squeezed:
                return key
        best = process.extractOne(words, list(index), scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN)
        return index[str(best[0])] if best else None

    # -- funding: generic sources introducing a specific one --------------------------------------

    def _drop_introducers(self, refs: list[EntityRef]) -> list[EntityRef]:
        return [
            ref
            for position, ref in enumerate(refs)
            if position + 1 == len(refs) or not self._introduces(ref, refs[position + 1])
        ]

    def _introduces(self, ref: EntityRef, following: EntityRef) -> bool:
        entry, next_entry = self.registry.entry(ref.key), self.registry.entry(following.key)
        if entry is None or next_entry is None:
            return False
        if next_entry.broader == entry.key:
            return not self._apart(ref, following, _ITEM_BREAK)
        return bool(entry.is_generic_source and next_entry.is_programme) and not self._apart(
            ref, following, _BREAK
        )

    def _apart(self, ref: EntityRef, following: EntityRef, pattern: re.Pattern[str]) -> bool:
        """Whether a break of that kind separates two mentions."""
        start = self.text.find(ref.raw)
        end = self.text.find(following.raw, start + len(ref.raw)) if start >= 0 else -1
        return start < 0 or end < 0 or self._has_break(start + len(ref.raw), end, pattern)


def _clean(text: str) -> str:
    """Markup replaced by line breaks, entities decoded, Latin look-alikes in Cyrillic words fixed."""
    text = html.unescape(_TAG.sub("\n", text))
    cleaned: str = fix_homoglyphs(unicodedata.normalize("NFC", text))
    return cleaned


def _raw_span(text: str, start: int, end: int) -> str:
    """The text of a mention without list marks around it; quotes are kept where they pair up."""
    return _tidy_mention(text[start:end])


def _tidy_mention(raw: str) -> str:
    """A mention without list marks around it; quotes are kept where they pair up."""
    raw = raw.strip(_LIST_MARKS)
    while raw and raw[0] in _QUOTE_MARKS and not _quotes_balanced(raw):
        raw = raw[1:].strip(_LIST_MARKS)
    while raw and raw[-1] in _QUOTE_MARKS and not _quotes_balanced(raw):
        raw = raw[:-1].strip(_LIST_MARKS)
    return raw


def _mention_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The mention's offsets, taking in the quote marks around a quoted name („Успех за теб“)."""
    following = text[end : end + 1]
    if following and following in _QUOTE_MARKS:
        if not _quotes_balanced(text[start:end]) and _quotes_balanced(text[start : end + 1]):
            return start, end + 1
        if start > 0 and text[start - 1] in _QUOTE_MARKS and _quotes_balanced(text[start - 1 : end + 1]):
            return start - 1, end + 1
    return start, end


def _quotes_balanced(text: str) -> bool:
    openers = sum(text.count(char) for char in "„«")
    closers = sum(text.count(char) for char in "“”»")
    return openers == closers and text.count('"') % 2 == 0


def _quoted_mask(text: str) -> list[bool]:
    """For each offset: whether it lies inside „...“ or «...» (list marks there belong to a name).

    Nesting is not counted: plans often close „A „B“ with one mark. A quote left open ends at the
    line's end or after ``_MAX_QUOTED`` characters, so one stray mark cannot join a whole cell.
    """
    mask: list[bool] = []
    opened: int | None = None
    for offset, char in enumerate(text):
        if opened is not None and (char == "\n" or offset - opened > _MAX_QUOTED):
            opened = None
        if char in "„«" and opened is None:
            opened = offset
        mask.append(opened is not None)
        if char in "“”»":
            opened = None
    mask.append(False)
    return mask


def _strip_noise_edges(chunk: str, noise: frozenset[str]) -> str:
    """The chunk without noise words at either end, otherwise as written."""
    words = [word for word in re.finditer(r"\S+", chunk) if normalise_name(word.group()) not in noise]
    if not words:
        return ""
    return _tidy_mention(chunk[words[0].start() : words[-1].end()])


def _looks_like_name(chunk: str) -> bool:
    """A funding leftover that names something: a capital, quotes or an acronym, and not an action."""
    first = normalise_name(chunk).split()[:1]
    if first and _VERBAL_NOUN.search(first[0]):
        return False
    return chunk[:1].isupper() or "„" in chunk or re.search(r"\b[А-ЯA-Z]{2,}\b", chunk) is not None


_PHRASE_REACH = 400
_PREFIXES: dict[int, tuple[Registry, frozenset[str]]] = {}


def _label_prefixes(registry: Registry) -> frozenset[str]:
    """Every leading run of words of every normalised label of ``registry`` ("бюджет", "бюджет на", ...)."""
    cached = _PREFIXES.get(id(registry))
    if cached is None or cached[0] is not registry:
        labels = [label for kind in ("institution", "funding") for label in registry.index(kind)]
        prefixes = frozenset(
            " ".join(words[:count]) for words in map(str.split, labels) for count in range(1, len(words) + 1)
        )
        cached = _PREFIXES[id(registry)] = (registry, prefixes)
    return cached[1]


def _has_content_word(text: str) -> bool:
    """Whether text holds a word in lower case other than funding connectives ("със средства от")."""
    words: list[str] = re.findall(r"[А-Яа-яA-Za-z]{2,}", text)
    return any(word[:1].islower() and word.casefold() not in _CONNECTIVES for word in words)


def _unique(refs: list[EntityRef]) -> list[EntityRef]:
    seen: set[str] = set()
    unique: list[EntityRef] = []
    for ref in refs:
        if ref.key not in seen:
            seen.add(ref.key)
            unique.append(ref)
    return unique
