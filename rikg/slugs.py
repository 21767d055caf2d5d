"""Stable, readable ASCII slugs for IRIs, transliterating Bulgarian Cyrillic.

>>> slugify("Русе")
'ruse'
>>> slugify("Община Благоевград")
'obshtina-blagoevgrad'
>>> slugify("РУО – Кюстендил")
'ruo-kyustendil'
>>> slugify("Съвет")
'savet'
>>> slugify("ОП НОИР 2014-2020")
'op-noir-2014-2020'
"""

from __future__ import annotations

import re
import unicodedata

import cyrtranslit

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case ASCII words joined by ``-`` (Bulgarian transliterated), at most ``max_length`` chars."""
    latin = cyrtranslit.to_latin(text, "bg").lower()
    latin = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode("ascii")
    slug = _NON_ALNUM.sub("-", latin).strip("-")
    return slug[:max_length].rstrip("-") or "x"
