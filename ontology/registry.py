"""The registry of institutions, funding sources and towns the loaders resolve plan text against.

It reads the reference Turtle shipped in ``rikg.ontology`` (``reference/institutions.ttl``,
``reference/funding.ttl`` and, when present, ``reference/territories.ttl``) and indexes every
``skos:prefLabel``, ``skos:altLabel``, ``rikg:acronym`` and ``skos:notation`` under its normalised form
(:func:`normalise_name`: case-folded, quotes dropped, dashes and white space unified, Latin
look-alike letters fixed). Keys are IRIs below ``https://w3id.org/rikg/id/``
(``"institution/ruo"``, ``"programme/prchr-2021-2027"``, ``"funding/municipal-budget"``).

>>> registry = get_registry()
>>> registry.lookup("Руо", "institution"), registry.lookup("ИРЧР 2021-2027", "funding")
('institution/ruo', 'programme/prchr-2021-2027')
>>> registry.label_of("institution/ruo"), registry.parent_of("institution/ruo")
('Регионално управление на образованието', 'institution/mon')
>>> registry.lookup("по", "funding") is None  # "ПО" (Програма „Образование“) only in capitals
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.resources import files
from typing import Literal

import pyoxigraph

from rikg.errors import RikgError

__all__ = [
    "OBLAST_NAMES",
    "Entry",
    "Kind",
    "Registry",
    "fix_homoglyphs",
    "get_registry",
    "is_case_sensitive",
    "normalise_name",
]

Kind = Literal["institution", "funding", "territory"]

ID_NS = "https://w3id.org/rikg/id/"
_RIKG = "https://w3id.org/rikg/ontology#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_PREF_LABEL = pyoxigraph.NamedNode(_SKOS + "prefLabel")
_ALT_LABEL = pyoxigraph.NamedNode(_SKOS + "altLabel")
_BROADER = pyoxigraph.NamedNode(_SKOS + "broader")
_NOTATION = pyoxigraph.NamedNode(_SKOS + "notation")
_ACRONYM = pyoxigraph.NamedNode(_RIKG + "acronym")
_LEVEL = pyoxigraph.NamedNode(_RIKG + "level")
_SUB_ORGANIZATION_OF = pyoxigraph.NamedNode("http://www.w3.org/ns/org#subOrganizationOf")
_IS_PART_OF = pyoxigraph.NamedNode("http://purl.org/dc/terms/isPartOf")

_REFERENCE_FILES: dict[str, bool] = {  # file name -> required
    "institutions.ttl": True,
    "funding.ttl": True,
    "territories.ttl": False,
}
_KIND_OF_CLASS: dict[str, Kind] = {
    _RIKG + "Institution": "institution",
    _RIKG + "FundingSource": "funding",
    _RIKG + "FundingProgramme": "funding",
    _RIKG + "BudgetType": "funding",
    _RIKG + "Region": "territory",
    _RIKG + "Municipality": "territory",
}

#: The 28 oblasts (NUTS 3), facts §11: towns the resolver recognises even without territories.ttl.
OBLAST_NAMES = (
    "Видин", "Монтана", "Враца", "Плевен", "Ловеч", "Велико Търново", "Габрово", "Русе", "Разград",
    "Силистра", "Варна", "Добрич", "Шумен", "Търговище", "Бургас", "Сливен", "Ямбол", "Стара Загора",
    "София", "Благоевград", "Перник", "Кюстендил", "Пловдив", "Хасково", "Пазарджик", "Смолян",
    "Кърджали",
)  # fmt: skip

#: Short words that are also acronyms ("ПО" is Програма „Образование“, "АЗ" Агенция по заетостта):
#: such labels match only when the text writes them in capitals.
_COMMON_WORDS = frozenset({"по", "аз", "на", "за", "от", "до", "ос", "се", "си", "ни", "те", "то", "та"})

_QUOTES = re.compile(r"[„“”\"«»‘’‚'`]")
_WORD = re.compile(r"[0-9a-zа-яѐ-ӿ]+")


#: Latin letters found inside Cyrillic words of exported plans, and the Cyrillic letter each stands for:
#: look-alikes first (a, c, e, o, p, x, y, B, H, M, T, ...), then letters typed on a Latin keyboard
#: layout ("Кюстендиl", "граждansкия", "презvakанциите").
_LATIN_TO_CYRILLIC = str.maketrans(
    "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ",
    "аАбВсСдДеЕфФгГнНиИйЙкКлЛмМнНоОрРяЯрРсСтТуУвВвВхХуУзЗ",
)
_LETTERS = re.compile(r"[A-Za-zА-Яа-яЀ-ӿ]+")
_CYRILLIC = re.compile(r"[А-Яа-яЀ-ӿ]")
_LATIN = re.compile(r"[A-Za-z]")


def fix_homoglyphs(text: str) -> str:
    """Latin letters inside Cyrillic words replaced by the Cyrillic letters they stand for.

    Words written wholly in Latin letters (codes, acronyms, English words) stay as they are. Plan
    loaders use it through :func:`rikg.loaders.normalise.fix_homoglyphs`; names are normalised with it.

    >>> fix_homoglyphs("Община Кюстендиl, презvakанциите")
    'Община Кюстендил, презваканциите'
    >>> fix_homoglyphs("превенция на HIV, код BG05M9OP001-2.004")
    'превенция на HIV, код BG05M9OP001-2.004'
    """
    if not (_LATIN.search(text) and _CYRILLIC.search(text)):
        return text  # no word can mix the two alphabets
    return _LETTERS.sub(_fix_word, text)


def _fix_word(match: re.Match[str]) -> str:
    word = match.group()
    if _CYRILLIC.search(word) and _LATIN.search(word):
        return word.translate(_LATIN_TO_CYRILLIC)
    return word


@lru_cache(maxsize=16384)  # called per word of every cell the resolvers scan; words repeat
def normalise_name(text: str) -> str:
    """A name reduced for matching: look-alikes fixed, case folded, quotes dropped, words joined by one space.

    >>> normalise_name('Д"СП"'), normalise_name("РУО – Благоевград"), normalise_name("Кюстендиl")
    ('дсп', 'руо благоевград', 'кюстендил')
    >>> normalise_name("Програма „Образование“  2021-2027 г.")
    'програма образование 2021 2027 г'
    """
    text = fix_homoglyphs(unicodedata.normalize("NFKC", text)).replace("ѝ", "и").replace("Ѝ", "И")
    return " ".join(_WORD.findall(_QUOTES.sub("", text).casefold()))


def is_case_sensitive(label: str) -> bool:
    """Whether a label may match only as written in capitals (an acronym that is also a common word).

    >>> is_case_sensitive("ПО"), is_case_sensitive("РУО")
    (True, False)
    """
    return normalise_name(label) in _COMMON_WORDS


@dataclass
class Entry:
    """One registry node: its key, kind, Bulgarian labels and the links the resolver needs."""

    key: str
    kind: Kind
    label: str = ""
    acronym: str | None = None
    alt_labels: list[str] = field(default_factory=list)
    notations: list[str] = field(default_factory=list)
    parent: str | None = None
    broader: str | None = None
    part_of: list[str] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)
    level: str | None = None

    @property
    def is_programme(self) -> bool:
        """An EU or national programme or a project (``rikg:FundingProgramme``)."""
        return _RIKG + "FundingProgramme" in self.classes

    @property
    def is_generic_source(self) -> bool:
        """A generic funding source ("Проекти", "Външно финансиране"): no programme, no budget type."""
        return self.kind == "funding" and self.classes == {_RIKG + "FundingSource"}

    def labels(self) -> Iterator[str]:
        """Every label: preferred, acronym, alternatives, codes ("BG05M9OP001")."""
        yield self.label
        if self.acronym:
            yield self.acronym
        yield from self.alt_labels
        yield from self.notations


class Registry:
    """Institutions, funding sources and towns, indexed by normalised label.

    >>> registry = get_registry()
    >>> registry.lookup("Д\\"СП\\"", "institution"), registry.lookup("Републиканск и бюджет", "funding")
    ('institution/dsp', 'funding/state-budget')
    >>> registry.town("гр. Русе") is None, registry.town("Русе")
    (True, 'Русе')
    """

    def __init__(self, entries: dict[str, Entry]) -> None:
        self.entries = entries
        self._index: dict[Kind, dict[str, str]] = {"institution": {}, "funding": {}, "territory": {}}
        self._towns: dict[str, str] = {normalise_name(name): name for name in OBLAST_NAMES}
        self._parents = {entry.parent for entry in entries.values() if entry.parent}
        for entry in entries.values():
            for label in entry.labels():
                self._index[entry.kind].setdefault(normalise_name(label), entry.key)
            if entry.kind == "territory":
                self._add_town(entry.label)
                for alt in entry.alt_labels:
                    self._add_town(alt)

    def _add_town(self, label: str) -> None:
        name = re.sub(r"^(?:Община|Област)\s+|\s*\(.*\)$", "", label).strip()
        if name:
            self._towns.setdefault(normalise_name(name), name)

    def lookup(self, name: str, kind: Kind) -> str | None:
        """The key of the entry of that kind with this label, acronym or variant spelling, if any.

        For ``"territory"`` a town that is both an oblast and a municipality gives the oblast.
        """
        normalised = normalise_name(name)
        if normalised in _COMMON_WORDS and name.strip() != name.strip().upper():
            return None
        return self._index[kind].get(normalised)

    def index(self, kind: Kind) -> dict[str, str]:
        """Normalised label → key, for every label of every entry of that kind."""
        return self._index[kind]

    def entry(self, key: str) -> Entry | None:
        """The entry of a key, if the registry holds it."""
        return self.entries.get(key)

    def label_of(self, key: str) -> str | None:
        """The Bulgarian preferred label of a key."""
        entry = self.entries.get(key)
        return entry.label if entry else None

    def acronym_of(self, key: str) -> str | None:
        """The acronym of a key, if it has one ("РУО")."""
        entry = self.entries.get(key)
        return entry.acronym if entry else None

    def parent_of(self, key: str) -> str | None:
        """The parent body (``org:subOrganizationOf``) of an institution key."""
        entry = self.entries.get(key)
        return entry.parent if entry else None

    def has_sub_bodies(self, key: str) -> bool:
        """Whether some institution is ``org:subOrganizationOf`` this one (МОН has РУО)."""
        return key in self._parents

    def all_labels(self, kind: Kind) -> list[tuple[str, str]]:
        """Every (label as written, key) pair of that kind, in file order."""
        return [(label, e.key) for e in self.entries.values() if e.kind == kind for label in e.labels()]

    def town(self, name: str) -> str | None:
        """The town (oblast centre or plan municipality) a name is, as usually written ("Русе")."""
        return self._towns.get(normalise_name(name))

    def towns(self) -> dict[str, str]:
        """Normalised town name → the name as usually written."""
        return self._towns


def _read_reference(name: str, required: bool) -> bytes | None:
    entry = files("rikg.ontology") / "reference" / name
    if not entry.is_file():
        if required:
            raise RikgError(f"reference/{name}: missing from the rikg.ontology package data")
        return None
    return entry.read_bytes()


def _key(term: object) -> str | None:
    if isinstance(term, pyoxigraph.NamedNode) and term.value.startswith(ID_NS):
        return term.value[len(ID_NS) :]
    return None


def _bulgarian(literal: pyoxigraph.Literal) -> bool:
    return literal.language in (None, "bg")


def _load_entries() -> dict[str, Entry]:
    quads: list[pyoxigraph.Quad] = []
    for name, required in _REFERENCE_FILES.items():
        data = _read_reference(name, required)
        if data is None:
            continue
        try:
            quads += pyoxigraph.parse(data, pyoxigraph.RdfFormat.TURTLE, without_named_graphs=True)
        except SyntaxError as error:
            raise RikgError(f"reference/{name}: not valid Turtle: {error}") from None
    entries: dict[str, Entry] = {}
    for quad in quads:
        key, kind = _key(quad.subject), quad.object
        is_kind = isinstance(kind, pyoxigraph.NamedNode) and kind.value in _KIND_OF_CLASS
        if key and quad.predicate == _RDF_TYPE and is_kind:
            assert isinstance(kind, pyoxigraph.NamedNode)
            entries.setdefault(key, Entry(key, _KIND_OF_CLASS[kind.value])).classes.add(kind.value)
    for quad in quads:
        found = entries.get(_key(quad.subject) or "")
        if found is not None:
            _add_property(found, quad.predicate, quad.object)
    return entries


def _add_property(entry: Entry, predicate: pyoxigraph.NamedNode, value: object) -> None:
    if isinstance(value, pyoxigraph.Literal) and _bulgarian(value):
        if predicate == _PREF_LABEL:
            entry.label = value.value
        elif predicate == _ALT_LABEL:
            entry.alt_labels.append(value.value)
        elif predicate == _ACRONYM:
            entry.acronym = value.value
        elif predicate == _NOTATION:
            entry.notations.append(value.value)
        return
    target = _key(value)
    if predicate == _SUB_ORGANIZATION_OF:
        entry.parent = target
    elif predicate == _BROADER:
        entry.broader = target
    elif predicate == _IS_PART_OF and target:
        entry.part_of.append(target)
    elif predicate == _LEVEL and isinstance(value, pyoxigraph.NamedNode):
        entry.level = value.value.removeprefix(_RIKG)


@cache
def get_registry() -> Registry:
    """The registry built from the shipped reference files (read once per process)."""
    return Registry(_load_entries())
