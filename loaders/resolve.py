"""Entity resolution: the institutions and funding sources a plan cell names, matched to the registry.

Cells list names with commas, semicolons, " и ", slashes, line breaks, HTML paragraphs, or with no
separator at all ("Община Кюстендил РУО Училища Детски градини"). Resolution therefore does not split
first: it scans the cell's words for registry labels, leftmost and longest first (a label never spans
",", ";", "|" or a line break), then looks at what lies between the matches:

* a town right after a body with regional units makes a unit on the fly ("РУО-Русе" →
  ``institution/ruo-ruse``, parent ``institution/ruo``); "Община" with a town is that municipality,
  alone it is the plan's own municipality;
* words between matches that start in lower case and follow a match in the same list item qualify it
  ("Бюро по труда в сътрудничество с ...", "Модул 1 ..." after a programme): they join its ``raw``;
* any other leftover is a candidate name: fuzzy-matched (rapidfuzz) against the registry labels, else
  kept as an unresolved entity (``institution/unresolved/<slug>``), never dropped. Pure noise (empty,
  punctuation, "и", "в сътрудничество с") is dropped.

Entities keep their order of appearance and are de-duplicated by key.

Funding cells follow the same scan, plus three rules:

* a generic source ("Външно финансиране", "Проекти", "Европейски фондове") followed in the same list
  item by a programme it introduces is dropped for that programme ("Външно финансиране /НПВУ/" → НПВУ);
  a budget followed by a narrower one is dropped for it ("държавния бюджет ... делегираните от
  държавата дейности" → Делегиран бюджет); a generic source standing in its own item is kept
  ("В рамките на утвърдените бюджети и/или проекти" → both);
* a municipality names the municipal budget, another institution the budget of that institution
  (``funding/<institution-slug>-budget``), unless it sits inside a phrase ("приети от МС стандарти");
* a cell saying no money is needed ("Не се изисква допълнително финансиране", "Не са необходими")
  names no source: it gives no entity (the text stays on the measure as the funding cell as written).

>>> [r.key for r in resolve_institutions('РУО, Община Благоевград, Д"СП" Бюро по труда')]
['institution/ruo', 'institution/municipality-blagoevgrad', 'institution/dsp', 'institution/dbt']
>>> unit = resolve_institutions("РУО-Русе")[0]
>>> unit.raw, unit.label, unit.key, unit.parent_key
('РУО-Русе', 'РУО – Русе', 'institution/ruo-ruse', 'institution/ruo')
>>> [r.label for r in resolve_funding("Общински бюджет; Външно финансиране /НПВУ/")]
['Общински бюджет', 'Национален план за възстановяване и устойчивост']
"""

from __future__ import annotations

import html
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
_TOKEN = re.compile(r"\w+(?:[\"„“”']\w+)*", re.UNICODE)
# A list break: a label never spans it. Numbered items ("1. ", "2) ") break lists too.
_BREAK = re.compile(r"[,;|\n•·]|(?:^|\s)\d{1,2}[.)](?=\s|[А-Яа-я])")
# An item break for the funding rules: a sentence or numbered item, not a comma.
_ITEM_BREAK = re.compile(r"[;|\n•·]|(?:^|\s)\d{1,2}[.)](?=\s|[А-Яа-я])")
_LIST_SPLIT = re.compile(r"[,;|\n•·/]|\s+(?:и|или|и/или)\s+|(?:^|\s)\d{1,2}[.)](?=\s|[А-Яа-я])")
#: Words that open a part of a programme ("Модул 1 ...", "процедура BG05...", "приоритетна ос 2").
_QUALIFIER = re.compile(
    r"(?:модул|компонент|процедура|приоритет|приоритетна|ос|мярка|схема|дейност|операция)\b", re.I
)
_MAX_LABEL_TOKENS = 30
_FUZZY_MIN = 88
_FUZZY_MIN_LENGTH = 6

#: Words that carry no name of their own in a responsibility or funding cell.
_NOISE_WORDS = frozenset(
    [
        "и",
        "или",
        "в",
        "във",
        "с",
        "със",
        "на",
        "към",
        "от",
        "чрез",
        "по",
        "за",
        "при",
        "до",
        "др",
        "други",
        "както",
        "съвместно",
        "сътрудничество",
        "партньорство",
        "участието",
        "участие",
        "партньори",
        "кмет",
        "кметът",
        "зам",
        "заместник",
        "г",
        "т",
        "ч",
        "вкл",
    ]
)
_FUNDING_NOISE_WORDS = _NOISE_WORDS | frozenset(
    ["средства", "средствата", "финансиране", "финансира", "финансирани", "източник", "източници"]
)
_NO_SOURCE = re.compile(
    r"^(?:не\s+(?:се\s+)?(?:изисква|изискват|е\s+необходим|са\s+необходим|е\s+нужн|са\s+нужн)"
    r"|без\s+(?:допълнително\s+)?финансиране|няма|не\s+е\s+приложимо|не\s+са\s+предвидени)",
)
_MUNICIPALITY_WORDS = frozenset({"община", "общината", "общинска администрация", "общинската администрация"})
_TOWN_FILLERS = frozenset({"гр", "град", "област", "структура", "в"})


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str
    norm: str


@dataclass
class _Match:
    first: int  # token index
    last: int  # token index, inclusive
    ref: EntityRef
    start: int  # character offsets of raw in the cleaned text
    end: int


def resolve_institutions(text: str, municipality: str | None = None) -> list[EntityRef]:
    """The institutions a responsibility cell names, in order, de-duplicated.

    ``municipality`` is the plan's own municipality ("Русе"): "Община" / "общината" alone means it.

    >>> [r.label for r in resolve_institutions("МЗ, РЗИ и община", "Русе")]
    ['Министерство на здравеопазването', 'Регионална здравна инспекция', 'Община Русе']
    >>> [(r.label, r.resolved) for r in resolve_institutions("РЗИ здравни медикатори ЦПТРДБ")]
    [('Регионална здравна инспекция', True), ('Здравни медиатори', True), ('ЦПТРДБ', False)]
    """
    return _Resolver(get_registry(), "institution", municipality).resolve(text)


def resolve_funding(text: str) -> list[EntityRef]:
    """The funding sources a funding cell names, in order, de-duplicated (see the module rules).

    >>> cell = ("1. Със средства от държавния бюджет, изчислени на базата на приети от МС стандарти"
    ...         " за финансиране на делегираните от държавата дейности и броя на децата;"
    ...         " 2. Със средства по ОП НОИР")
    >>> [r.key for r in resolve_funding(cell)]
    ['funding/delegated-budget', 'programme/op-noir-2014-2020']
    >>> resolve_funding("Не се изисква допълнително финансиране")
    []
    """
    return _Resolver(get_registry(), "funding", None).resolve(text)


class _Resolver:
    def __init__(self, registry: Registry, kind: Kind, municipality: str | None) -> None:
        self.registry = registry
        self.kind = kind
        self.municipality = municipality
        self.noise = _FUNDING_NOISE_WORDS if kind == "funding" else _NOISE_WORDS

    # -- pipeline ---------------------------------------------------------------------------------

    def resolve(self, text: str) -> list[EntityRef]:
        self.text = _clean(text)
        self.tokens = [
            _Token(m.start(), m.end(), m.group(), normalise_name(m.group()))
            for m in _TOKEN.finditer(self.text)
        ]
        self.breaks = [bool(_BREAK.search(self._gap(i))) for i in range(len(self.tokens) + 1)]
        matches = self._scan()
        refs = self._with_leftovers(matches)
        if self.kind == "funding":
            refs = self._drop_introducers(refs)
        return _unique(refs)

    def _gap(self, index: int) -> str:
        """The text between token ``index - 1`` and token ``index``."""
        start = self.tokens[index - 1].end if index > 0 else 0
        end = self.tokens[index].start if index < len(self.tokens) else len(self.text)
        return self.text[start:end]

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
        limit = index
        while (
            limit + 1 < len(self.tokens) and limit - index < _MAX_LABEL_TOKENS and not self.breaks[limit + 1]
        ):
            limit += 1
        for last in range(limit, index - 1, -1):
            found = self._lookup(index, last)
            if found is not None:
                kind, key = found
                return self._make_match(index, last, kind, key)
        return self._municipality_at(index)

    def _lookup(self, first: int, last: int) -> tuple[Kind, str] | None:
        words = " ".join(token.norm for token in self.tokens[first : last + 1])
        if not words or (is_case_sensitive(words) and not self.tokens[first].text.isupper()):
            return None
        kinds: tuple[Kind, ...] = ("funding", "institution") if self.kind == "funding" else ("institution",)
        for kind in kinds:
            key = self.registry.index(kind).get(words)
            if key is not None:
                return kind, key
        return None

    def _make_match(self, first: int, last: int, kind: Kind, key: str) -> _Match:
        start, end = self.tokens[first].start, self.tokens[last].end
        entry = self.registry.entry(key)
        label = self.registry.label_of(key) or self.text[start:end]
        ref = EntityRef(self.text[start:end], label, key, True)
        if kind == "institution" and entry is not None and self._has_units(key):
            town = self._town_after(last)
            if town is not None:
                name, town_last = town
                end = self.tokens[town_last].end
                unit_label = f"{entry.acronym or entry.label} – {name}"
                ref = EntityRef(self.text[start:end], unit_label, f"{key}-{slugify(name)}", True, key)
                last = town_last
        if kind == "institution" and self.kind == "funding":
            ref = self._institution_as_funding(ref, first)
        return _Match(first, last, ref, start, end)

    def _has_units(self, key: str) -> bool:
        """Bodies with regional units: those with an acronym, except national bodies that have sub-bodies."""
        entry = self.registry.entry(key)
        if entry is None or not entry.acronym:
            return False
        has_children = any(other.parent == key for other in self.registry.entries.values())
        return not (entry.level == "National" and has_children)

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
            if not words[0].text[:1].isupper():
                continue
            name = self.registry.town(" ".join(token.text for token in words))
            if name is not None:
                return name, end
        return None

    def _municipality_at(self, index: int) -> _Match | None:
        """ "Община X" for a town X not in the registry, or "община" alone (the plan's municipality)."""
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
        key = (
            self.registry.lookup(f"Община {name}", "institution")
            or f"institution/municipality-{slugify(name)}"
        )
        ref = EntityRef(self.text[start:end], f"Община {name}", key, True)
        if self.kind == "funding":
            ref = self._institution_as_funding(ref, index)
        return _Match(index, last, ref, start, end)

    def _institution_as_funding(self, ref: EntityRef, first: int) -> EntityRef:
        """An institution named in a funding cell: the municipal budget, or the institution's own budget."""
        if ref.key.startswith("institution/municipality-"):
            key = "funding/municipal-budget"
            return EntityRef(ref.raw, self.registry.label_of(key) or "Общински бюджет", key, True)
        if _has_lowercase_word(self._phrase_before(first)):
            return EntityRef(ref.raw, "", "", False)  # inside a phrase: dropped by the caller
        acronym = self.registry.acronym_of(ref.key) or ref.label
        slug = ref.key.removeprefix("institution/")
        return EntityRef(ref.raw, f"Бюджет на {acronym}", f"funding/{slug}-budget", True)

    def _phrase_before(self, first: int) -> str:
        """The words between the previous list break and token ``first``."""
        index = first
        while index > 0 and not self.breaks[index]:
            index -= 1
        start = self.tokens[index].start if index < len(self.tokens) else 0
        return self.text[start : self.tokens[first].start]

    # -- leftovers between matches ----------------------------------------------------------------

    def _with_leftovers(self, matches: list[_Match]) -> list[EntityRef]:
        refs: list[EntityRef] = []
        previous: _Match | None = None
        position = 0
        for match in [*matches, None]:
            end = match.start if match is not None else len(self.text)
            refs.extend(self._leftover_refs(position, end, previous, refs))
            if match is not None:
                if match.ref.key:
                    refs.append(match.ref)
                previous, position = match, match.end
        return refs

    def _leftover_refs(
        self, start: int, end: int, previous: _Match | None, refs: list[EntityRef]
    ) -> Iterator[EntityRef]:
        segment = self.text[start:end]
        same_item = previous is not None and not _BREAK.search(segment)
        offset = start
        for piece in _pieces(segment):
            chunk = piece.strip(" \t-–—:.()/\\\"'„“”«»")
            piece_start = offset + segment.find(piece)
            if not chunk or self._is_noise(chunk):
                continue
            if self._qualifies(previous, piece_start, chunk, same_item):
                assert previous is not None  # _qualifies says so
                _extend_raw(refs, previous, self.text[previous.start : piece_start + len(piece)].strip())
                continue
            ref = self._candidate(chunk)
            if ref is not None:
                yield ref

    def _qualifies(self, previous: _Match | None, piece_start: int, chunk: str, same_run: bool) -> bool:
        """Whether a leftover qualifies the match before it rather than naming something of its own."""
        if previous is None or not previous.ref.key:
            return False
        between = self.text[previous.end : piece_start]
        lower = chunk[:1].islower() or bool(self.registry.town(chunk))
        if same_run or not _BREAK.search(between):
            return lower or self.kind == "funding"
        qualifier = bool(_QUALIFIER.match(chunk)) or chunk[:1].islower()
        return self.kind == "funding" and qualifier and not _ITEM_BREAK.search(between)

    def _is_noise(self, chunk: str) -> bool:
        words = normalise_name(chunk).split()
        if not words or all(word in self.noise or word.isdigit() for word in words):
            return True
        return self.kind == "funding" and bool(_NO_SOURCE.match(normalise_name(chunk)))

    def _candidate(self, chunk: str) -> EntityRef | None:
        """A leftover name: a registry entry when it is close enough to one, else an unresolved entity."""
        chunk = _strip_noise_edges(chunk, self.noise)
        if not chunk:
            return None
        if self.kind == "funding" and not _looks_like_name(chunk):
            return None
        key = self._fuzzy(chunk)
        if key is not None:
            return EntityRef(chunk, self.registry.label_of(key) or chunk, key, True)
        if self.registry.town(chunk) and self.municipality is None and self.kind == "institution":
            name = self.registry.town(chunk) or chunk
            return EntityRef(chunk, f"Община {name}", f"institution/municipality-{slugify(name)}", True)
        label = " ".join(chunk.split())
        role = "funding" if self.kind == "funding" else "institution"
        return EntityRef(chunk, label, f"{role}/unresolved/{slugify(label)}", False)

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
        kept: list[EntityRef] = []
        for position, ref in enumerate(refs):
            following = refs[position + 1 : position + 2]
            if following and self._introduces(ref, following[0]):
                continue
            kept.append(ref)
        return kept

    def _introduces(self, ref: EntityRef, following: EntityRef) -> bool:
        entry, next_entry = self.registry.entry(ref.key), self.registry.entry(following.key)
        if entry is None or next_entry is None or self._breaks_between(ref, following):
            return False
        if next_entry.broader == entry.key:
            return True
        return bool(entry.is_generic_source and next_entry.is_programme)

    def _breaks_between(self, ref: EntityRef, following: EntityRef) -> bool:
        start = self.text.find(ref.raw)
        end = self.text.find(following.raw, start + len(ref.raw)) if start >= 0 else -1
        if start < 0 or end < 0:
            return True
        return bool(_ITEM_BREAK.search(self.text[start + len(ref.raw) : end]))


def _clean(text: str) -> str:
    text = html.unescape(_TAG.sub("\n", text))
    cleaned: str = fix_homoglyphs(unicodedata.normalize("NFC", text))
    return cleaned


def _pieces(segment: str) -> list[str]:
    return [piece for piece in _LIST_SPLIT.split(segment) if piece and piece.strip()]


def _extend_raw(refs: list[EntityRef], match: _Match, raw: str) -> None:
    """Let a match's entity cover qualifying words after it (its ``raw`` grows to include them)."""
    for position in range(len(refs) - 1, -1, -1):
        if refs[position] is match.ref or refs[position].raw == match.ref.raw:
            old = refs[position]
            updated = EntityRef(raw, old.label, old.key, old.resolved, old.parent_key)
            refs[position] = updated
            match.ref = updated
            return


def _strip_noise_edges(chunk: str, noise: frozenset[str]) -> str:
    words = chunk.split()
    while words and normalise_name(words[0]) in noise:
        words.pop(0)
    while words and normalise_name(words[-1]) in noise:
        words.pop()
    return " ".join(words).strip(" \t-–—:.,;()/\"'„“”")


def _looks_like_name(chunk: str) -> bool:
    """A funding leftover that names something: starts with a capital, or is quoted, or has an acronym."""
    return chunk[:1].isupper() or "„" in chunk or bool(re.search(r"\b[А-ЯA-Z]{2,}\b", chunk))


def _has_lowercase_word(text: str) -> bool:
    words: list[str] = re.findall(r"[А-Яа-яA-Za-z]{2,}", text)
    return any(word[:1].islower() for word in words)


def _unique(refs: list[EntityRef]) -> list[EntityRef]:
    seen: set[str] = set()
    unique: list[EntityRef] = []
    for ref in refs:
        if ref.key and ref.key not in seen:
            seen.add(ref.key)
            unique.append(ref)
    return unique
