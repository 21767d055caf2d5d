"""Cell text clean-up: HTML remnants, item lists, numbering codes and syllable-broken words.

Plan exports carry Word debris inside table cells: ``<p>`` paragraphs, ``<ol>`` lists, entities,
Markdown bold markers and words broken into syllables at column edges. These helpers turn a cell's
raw text into clean values without inventing anything: what cannot be repaired safely stays as written.

>>> clean_text("<p>Училища; Детски градини, РУО</p>")
'Училища; Детски градини, РУО'
>>> leading_code("1.1.1. Работа с ИСРМ")
('1.1.1', 'Работа с ИСРМ')
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from collections import Counter
from collections.abc import Iterable

__all__ = [
    "Vocabulary",
    "clean_text",
    "code_depth",
    "html_items",
    "is_open_ended",
    "join_broken_words",
    "leading_code",
    "next_code",
    "split_coded_items",
    "split_list_items",
    "starts_lowercase",
]

_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^<>]*>")
_ITEM_TAGS = {"p", "li", "br", "div", "tr", "td"}
_SPACES = re.compile(r"\s+")
_BOLD = re.compile(r"\*\*")
# Characters without which html_items has no tag, entity, bold marker or item mark to handle.
_MARKUP_CHARS = ("<", "&", "*", "\x1e")
_CODE_WORDS = r"(?:Цел|Подцел|Мярка|Мерки|Задача|Дейност|Действие|Приоритет)"
# A code: 1-2 digit groups separated by dots ("1.", "1.1.", "2..2.", "2. 1.", "10.1.1.Текст"), at most
# six levels: an unbounded repeat makes "1.1. 1.1. 1.1. ..." one ever-longer candidate code to backtrack.
_CODE = re.compile(
    rf"^\s*(?:{_CODE_WORDS}\s*:?\s*(?:№\s*)?)?"
    r"(?P<code>(?:[А-Я]{1,2}\.?\s?(?=\d))?\d{1,2}(?:\s?\.{1,2}\s?\d{1,2}){0,5})"
    r"(?P<dot>\s?\.|\))?(?=\s|$|[^\d\s.,\-–/%])"
)
_UNIT_AFTER = re.compile(
    r"^\s*(?:мил|млн|хил|лв|лева|евро|EUR|BGN|г\.|год|години|месец|бр\.|броя|%|процент|души|деца\b|лица\b)",
    re.IGNORECASE,
)
_VOWELS = set("аеиоуъюяѝАЕИОУЪЮЯЀЍ")
_WORD = re.compile(r"[А-Яа-яЀ-ӿ]+")
_STANDALONE_SHORT = {
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
    "се",
    "да",
    "е",
    "а",
    "към",
    "при",
    "без",
    "или",
    "но",
    "то",
    "те",
    "ще",
    "са",
    "си",
    "ги",
    "му",
    "им",
    "ни",
    "ви",
    "я",
    "ме",
    "че",
    "как",
}
_OPEN_ENDING_WORDS = {
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
_TERMINAL = (".", ";", "!", "?", "“", '"', "”", "»", ")", ":")


def html_items(text: str) -> list[str]:
    """Split a cell on HTML paragraph/list boundaries, drop the tags and unescape entities.

    >>> html_items("<p>Брой деца</p> <p>брой деца до 3-годишна възраст</p>")
    ['Брой деца', 'брой деца до 3-годишна възраст']
    >>> html_items("a &amp; b")
    ['a & b']
    """
    if not any(mark in text for mark in _MARKUP_CHARS):  # plain text: only white space to tidy
        plain = " ".join(text.split())
        return [plain] if plain else []
    marked = _TAG.sub(
        lambda m: "\x1e" if m.group(2).lower() in _ITEM_TAGS or m.group(2).lower() == "ol" else " ", text
    )
    items = [_SPACES.sub(" ", html.unescape(part)).strip() for part in marked.split("\x1e")]
    return [_BOLD.sub("", item).strip() for item in items if item.strip(" *")]


@functools.lru_cache(maxsize=4096)
def clean_text(text: str) -> str:
    """A cell's text without HTML, entities, Markdown bold markers or runs of white space.

    >>> clean_text('<ol style="list-style-type: none"> Повишаване достъпа до училища. ')
    'Повишаване достъпа до училища.'
    >>> clean_text("**ЗАЕТОСТ**")
    'ЗАЕТОСТ'
    """
    return " ".join(html_items(text))


_WHITE_SPACE = re.compile(r"\s")


def _normalise_code(raw: str) -> str:
    return _WHITE_SPACE.sub("", raw).replace("..", ".").strip(".")


@functools.lru_cache(maxsize=8192)  # table reading asks it of the same cell at several steps
def leading_code(text: str) -> tuple[str | None, str]:
    """The numbering code a cell starts with, normalised ("2..2." → "2.2"), and the rest of the text.

    Four-digit years and amounts are not codes.

    >>> leading_code("10.1.1.Организиране на кампании")
    ('10.1.1', 'Организиране на кампании')
    >>> leading_code("2. 1. Подобряване на мерките")
    ('2.1', 'Подобряване на мерките')
    >>> leading_code("Цел 2.  Осигуряване на условия")
    ('2', 'Осигуряване на условия')
    >>> leading_code("2024–2027 г.")
    (None, '2024–2027 г.')
    >>> leading_code("          1")
    ('1', '')
    >>> leading_code("Д.1.2. Обучения")
    ('Д.1.2', 'Обучения')
    """
    match = _CODE.match(text)
    if not match:
        return None, text.strip()
    rest = text[match.end() :]
    if match.group("dot") is None and "." not in match.group("code").strip():
        # "1 Със средства" is an item number, "10 000 лева" is not: a bare number needs a letter after it.
        after = rest.lstrip()
        if (after and not (after[0].isalpha() or after[0] in '„"<(')) or (after and rest[:1] != " " and rest):
            return None, text.strip()
    if _UNIT_AFTER.match(rest) or match.group("code").strip() in {"0", "00"}:
        return None, text.strip()
    code = _normalise_code(match.group("code"))
    return code, rest.strip(" \t:–-")


def code_depth(code: str) -> int:
    """How many levels a code has: "1" → 1, "1.2" → 2, "1.2.3" → 3.

    >>> code_depth("4.2.1")
    3
    >>> code_depth("Д.1.1")
    2
    """
    return re.sub(r"^[А-Я]{1,2}\.?", "", code).count(".") + 1


def next_code(code: str) -> str:
    """The code that follows ``code`` at the same level.

    >>> next_code("4.1")
    '4.2'
    """
    parts = code.split(".")
    if parts[-1].isdigit():
        parts[-1] = str(int(parts[-1]) + 1)
    return ".".join(parts)


_EMBEDDED_CODE = re.compile(
    r"(?:(?<=^)|(?<=[\s;]))(\d{1,2}(?:\s?\.{1,2}\s?\d{1,2}){0,5})(\s?\.|\))?(?=\s?[^\d\s.,\-–/%])"
)


def split_coded_items(text: str) -> list[str]:
    """Split a cell holding several numbered items ("4.1. ... 4.2. ...") into one string per item.

    A number starts an item only when it continues the sequence (same depth, next number) or
    restarts it at 1, so "чл. 7, ал. 4" or "Модул 3" never split a sentence.

    >>> split_coded_items("1. Назначаване на медиатори. 2. Обучение на медиатори.")
    ['1. Назначаване на медиатори.', '2. Обучение на медиатори.']
    >>> split_coded_items("продължаване на образованието. 4.3. Информиране на ученици")
    ['продължаване на образованието.', '4.3. Информиране на ученици']
    >>> split_coded_items("Наредба № 1 от 19.08.2020 г. по чл. 7, ал. 4")
    ['Наредба № 1 от 19.08.2020 г. по чл. 7, ал. 4']
    >>> split_coded_items("Мярка 1.1: Обхват в градините")
    ['Мярка 1.1: Обхват в градините']
    """
    starts: list[int] = []
    previous: str | None = None
    opening = _CODE.match(text)
    opens_with_code = leading_code(text)[0] is not None
    skip_to = 0
    if opening and opens_with_code:  # "Мярка 1.1: ..." opens with its code
        starts.append(0)
        previous = _normalise_code(opening.group("code"))
        skip_to = opening.end()
    for match in _EMBEDDED_CODE.finditer(text):
        if match.start() < skip_to:
            continue
        code = _normalise_code(match.group(1))
        has_dot = match.group(2) is not None
        if "." not in code and not has_dot:
            continue
        before = _char_before(text, match.start())
        if before and not (before in '.;:!?)»“"”' or before.isalpha()):
            continue
        if previous is None:
            accepted = not before or code.endswith(".1") or code == "1" or not opens_with_code
        else:
            accepted = code == next_code(previous) or (
                code_depth(code) == code_depth(previous) and code.split(".")[-1] == "1"
            )
        if accepted:
            starts.append(match.start())
            previous = code
    if not starts:
        return [text.strip()] if text.strip() else []
    bounds = [*([0] if starts[0] > 0 else []), *starts, len(text)]
    return [text[a:b].strip() for a, b in itertools.pairwise(bounds) if text[a:b].strip()]


def _char_before(text: str, index: int) -> str:
    """The last non-space character before ``index`` ("" at the start), without copying the text."""
    index -= 1
    while index >= 0 and text[index].isspace():
        index -= 1
    return text[index] if index >= 0 else ""


# An unnumbered list item starts with a capitalised verbal noun ("Осигуряване", "Обучение").
_ITEM_START = re.compile(r"(?<=[\s.;])(?=[А-Я][а-я]{3,}(?:не|ние|ия|ие|ане|ене)\b)")


def split_list_items(text: str) -> list[str]:
    """Split an unnumbered list cell into items: at sentence ends and at capitalised verbal nouns.

    >>> split_list_items("Осигуряване интернет достъп на ученици Популяризиране на добри практики")
    ['Осигуряване интернет достъп на ученици', 'Популяризиране на добри практики']
    >>> split_list_items("Повишаване достъпа до училища. Повишаване достъп до интернет.")
    ['Повишаване достъпа до училища.', 'Повишаване достъп до интернет.']
    """
    pieces = re.split(r"(?<=[.;])\s+(?=[А-ЯA-Z„\"])", text)
    items: list[str] = []
    for piece in pieces:
        items.extend(part.strip() for part in _ITEM_START.split(piece) if part.strip())
    return items


def starts_lowercase(text: str) -> bool:
    """Whether a fragment starts with a lower-case letter (it continues a broken cell).

    >>> starts_lowercase("<p>училищна възраст чрез</p>")
    True
    >>> starts_lowercase("Община Русе")
    False
    """
    stripped = clean_text(text).lstrip(" -–„\"'(«")
    return bool(stripped) and stripped[0].isalpha() and stripped[0].islower()


def is_open_ended(text: str) -> bool:
    """Whether a cell's text stops mid-sentence (no final punctuation, or a preposition/conjunction).

    >>> is_open_ended("1. Със средства по Национална програма за")
    True
    >>> is_open_ended("Брой обучени служители.")
    False
    """
    stripped = clean_text(text).rstrip()
    if not stripped:
        return False
    last_word = stripped.split()[-1].lower()
    if last_word in _OPEN_ENDING_WORDS or stripped.endswith(("-", ",")):
        return True
    return not stripped.endswith(_TERMINAL)


class Vocabulary:
    """The words of a document, used to tell a syllable-broken word from two real words.

    >>> vocabulary = Vocabulary(["информиране на семействата", "служители"])
    >>> vocabulary.knows("служители")
    True
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self._counts: Counter[str] = Counter()
        for text in texts:
            self._counts.update(_WORD.findall(text.lower()))

    def knows(self, word: str, at_least: int = 1) -> bool:
        """Whether ``word`` (any case) occurs at least ``at_least`` times in the document."""
        return self._counts.get(word.lower(), 0) >= at_least

    def knows_lower(self, word: str) -> bool:
        """Whether ``word``, already in lower case, occurs in the document.

        >>> Vocabulary(["Служители"]).knows_lower("служители")
        True
        """
        return word in self._counts


def _has_vowel(word: str) -> bool:
    return any(ch in _VOWELS for ch in word)


_HYPHEN_END = re.compile(r"([А-Яа-яЀ-ӿ]{2,})[-‐­]")


def join_broken_words(text: str, vocabulary: Vocabulary) -> str:
    """Re-join words the export broke into syllables, only where the joined word is clearly a word.

    Two or three neighbouring pieces are joined when the joined form occurs elsewhere in the
    document; short function words ("и", "на", ...) and capitalised words are never glued to the
    word before them. "…ост та" becomes "…остта".

    >>> vocabulary = Vocabulary(["служители", "информираността", "семейства", "реализирани"])
    >>> join_broken_words("полицей ски служите ли", Vocabulary(["полицейски служители"]))
    'полицейски служители'
    >>> join_broken_words("информираност та на семейс тва", vocabulary)
    'информираността на семейства'
    >>> join_broken_words("на образова- нието", Vocabulary(["образованието"]))
    'на образованието'
    >>> join_broken_words("Брой реализиран и мерки", vocabulary)
    'Брой реализиран и мерки'
    """
    tokens = _Tokens(text)
    out: list[str] = []
    i = 0
    while i < len(tokens.raw):
        hyphenated = tokens.hyphenated_join(i, vocabulary) if tokens.raw[i][-1:] in _HYPHENS else None
        if hyphenated is not None:  # "образова- нието": a word hyphenated at a line end
            out.append(hyphenated)
            i += 2
            continue
        width = tokens.joinable_width(i, vocabulary) if tokens.whole[i] else 1
        out.append("".join(tokens.raw[i : i + width]) if width > 1 else tokens.raw[i])
        i += width
    return " ".join(out)


# A word followed only by closing punctuation ("семейс", "тва.", "ли)").
_WORD_THEN_CLOSING = re.compile(r'([А-Яа-яЀ-ӿ]+)([.,;:!?)»“"]*)')
_HYPHENS = "-‐\xad"


class _Tokens:
    """The space-separated tokens of a text and what :func:`join_broken_words` asks of each."""

    def __init__(self, text: str) -> None:
        self.raw = text.split(" ")
        facts = zip(*map(_token_facts, self.raw), strict=True)
        self.whole, self.core, self.lower, self.short, self.capital = (list(column) for column in facts)

    def hyphenated_join(self, i: int, vocabulary: Vocabulary) -> str | None:
        """Token ``i`` (ending in a hyphen) glued to the next one, if the joined word is known."""
        if i + 1 >= len(self.raw):
            return None
        hyphenated = _HYPHEN_END.fullmatch(self.raw[i])
        tail = _WORD.match(self.raw[i + 1])
        if not (hyphenated and tail and tail.group(0)[:1].islower()):
            return None
        known = vocabulary.knows(hyphenated.group(1) + tail.group(0))
        return hyphenated.group(1) + self.raw[i + 1] if known else None

    def joinable_width(self, i: int, vocabulary: Vocabulary) -> int:
        """How many tokens from bare word ``i`` on form one broken word (3 or 2), or 1 if none do.

        Every joined piece but the last is a bare word: callers skip a token ``i`` that is not one.
        """
        whole, core, short, capital = self.whole, self.core, self.short, self.capital
        for width in (3, 2):
            last = i + width - 1
            if last >= len(core) or not core[last] or (width == 3 and not whole[i + 1]):
                continue
            vowel_tail = width == 2 and core[last] in {"а", "я"} and not _has_vowel(core[i][-2:])
            if not vowel_tail and (short[i] or short[last] or (width == 3 and short[i + 1])):
                continue
            if capital[last] or (width == 3 and capital[i + 1]):
                continue
            words = self.lower[i : last + 1]
            ost_ta = width == 2 and words[0].endswith("ост") and words[1] == "та"
            if ost_ta or vocabulary.knows_lower("".join(words)):
                return width
        return 1


@functools.lru_cache(maxsize=16384)  # words repeat across the cells of a plan
def _token_facts(token: str) -> tuple[bool, str, str, bool, bool]:
    """(a bare word, the word before closing punctuation or "", its lower case, a short function
    word, capitalised) of one token."""
    shape = _WORD_THEN_CLOSING.fullmatch(token)
    if shape is None:
        return False, "", "", False, False
    core = shape.group(1)
    lower = core.lower()
    return not shape.group(2), core, lower, lower in _STANDALONE_SHORT, core[:1].isupper()
