"""Pins what the loaders' speed-ups return: the expected values come from the slower code they replaced."""

from __future__ import annotations

import pytest

from rikg.loaders.layout import Role, header_role
from rikg.loaders.text import Vocabulary, html_items, join_broken_words

_VOCABULARY = Vocabulary(
    ["служители", "информираността", "семейства", "образованието", "полицейски", "възможността"]
)


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("полицей ски служите ли.", "полицейски служители."),
        ("информираност та на семейс тва", "информираността на семейства"),
        ("на образова- нието", "на образованието"),
        ("образова‐ нието", "образованието"),
        ("образова\xad нието", "образованието"),
        ("на образова- Нието", "на образова- Нието"),  # a capitalised tail is a new word
        ("образова- 12", "образова- 12"),
        ("Брой реализиран и мерки", "Брой реализиран и мерки"),  # "и" is a word of its own
        ("служите ли) и", "служители) и"),  # closing punctuation after the last piece stays
        ("служ ите ли", "служители"),
        ("служ и тели", "служ и тели"),
        ("възможност та", "възможността"),
        ("Служите Ли", "Служите Ли"),
        ("сем ейства;", "семейства;"),
        ("се мейства", "се мейства"),
        ("", ""),
        (" ", " "),
        ("a  b", "a  b"),
    ],
)
def test_join_broken_words(text: str, joined: str) -> None:
    assert join_broken_words(text, _VOCABULARY) == joined


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Марка", Role.MEASURE),
        ("общa цел", Role.OBJECTIVE),  # a Latin "a": the fuzzy match still finds it
        ("цели и мерки", Role.OBJECTIVE),  # starts with a term: score 100
        ("Срок срок", Role.PERIOD),
        ("Отговорни институции/партньори", Role.INSTITUTIONS),
        ("Изпълнител (отговорна институция)", Role.INSTITUTIONS),
        ("Финансиране източник 2024-2027 г.", Role.FUNDING),
        ("Индикатори за изпълнение (мерна единица)", Role.INDICATOR),
        ("Очаквани резултати и индикатори", Role.INDICATOR),
        ("Цел 4: Образование", None),
        ("x" * 301, None),
    ],
)
def test_header_role(text: str, role: Role | None) -> None:
    assert header_role(text) is role


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("  Община\u00a0Русе \t РУО ", ["Община Русе РУО"]),
        ("a\x1cb", ["a b"]),  # str.split and \s agree on what white space is
        (" \n ", []),
        ("<p>a</p><p>b &amp; c</p>", ["a", "b & c"]),
        ("**ЗАЕТОСТ**", ["ЗАЕТОСТ"]),
    ],
)
def test_html_items(text: str, items: list[str]) -> None:
    assert html_items(text) == items
