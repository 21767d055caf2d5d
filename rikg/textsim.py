"""Similarity of Bulgarian policy texts that survives inflection and export damage.

Plans quote national goals, but rarely verbatim: words change their endings
("ромите" / "роми"), the Word/PDF export splits words ("предприемачест вото"),
mixes Latin look-alike letters into Cyrillic words ("oбразование" with a Latin
``o``) and cuts long cells short. :class:`TextIndex` compares texts with three
views that each survive part of that damage, all weighted by how informative a
feature is in the compared corpus (so "уязвими групи, включително роми", which
every goal repeats, counts little):

* character n-grams (3 to 5 characters, spaces removed: word splits and joins
  do not change them) compared by TF-IDF cosine;
* word stems (common inflection endings stripped) compared by weighted Dice;
* rapidfuzz ``token_set_ratio`` over the stems (word order and repeats ignored).

The combined ``score`` is their mean. ``containment`` (rapidfuzz
``partial_ratio`` of the shorter text inside the longer) tells a cell that was
cut short from a text that says something else; it is the slowest view, so
callers ranking many pairs may leave it out and ask for it on the best ones.

>>> index = TextIndex(["Развитие на концепцията за здравна медиация.",
...                    "Намаляване на стигмата и дискриминацията на хора от уязвими групи."])
>>> goal = "Развитие на концепцията за здравна медиация."
>>> round(index.similarity("4. Развитие на концепцията за здравна медиация", goal).score, 2)
1.0
>>> other = "Намаляване на стигмата и дискриминацията на хора от уязвими групи."
>>> index.similarity(goal, other).score < 0.2
True
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

__all__ = ["Similarity", "TextIndex", "normalise", "stem", "stems", "words"]

_TAG = re.compile(r"<[^>]*>")
_LEADING_NUMBER = re.compile(
    r"^\s*(?:(?:цел|подцел|мярка|задача|дейност)\s*[:.]?\s*)?(?:(?:\d+(?:\.\d+)*[.):]?|[IVXІ]+[.)])\s*)+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[0-9a-zа-я]+")
_CYRILLIC = re.compile(r"[а-я]")
_LOOK_ALIKE = re.compile(r"[aceopxykmthb]")

#: Latin letters that look like Cyrillic ones, as they appear inside Cyrillic words of exported plans.
_HOMOGLYPHS = str.maketrans("aceopxykmthb", "асеорхукмтнв")

#: Function words that carry no meaning of their own in goal texts.
_STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        "на и в във за от с със по до към чрез или при като както а но че се да не са е т ч вкл др "
        "други тези този това които която който което им техните тяхното",
    )
)

#: Inflection endings (definite articles first, then plural and adjective endings), longest first.
_ARTICLES = ("ите", "ата", "ото", "ият", "ия", "ът", "ят", "та", "то", "те")
_ENDINGS = ("ове", "еве", "ни", "на", "но", "ен", "и", "а", "о", "е", "я", "у")
_MIN_STEM = 3


def normalise(text: str) -> str:
    """Lower-case words of the text: markup, numbering and punctuation removed, look-alike letters fixed.

    >>> normalise("<p>3. Осигуряване на условия за ромите;</p>")
    'осигуряване на условия за ромите'
    >>> normalise("oбразование")  # a Latin 'o' inside a Cyrillic word
    'образование'
    >>> normalise("Цел 4. Ефективно взаимодействие"), normalise("ISO стандарт")
    ('ефективно взаимодействие', 'iso стандарт')
    >>> normalise("здравно-социални")
    'здравно социални'
    """
    text = unicodedata.normalize("NFKC", text).replace("ѝ", "и").replace("ё", "е")
    text = _TAG.sub(" ", text)
    text = _LEADING_NUMBER.sub("", text)
    found = " ".join(_WORD.findall(text.lower()))
    if not _LOOK_ALIKE.search(found):
        return found  # the common case: no Latin letter that could hide in a Cyrillic word
    return " ".join(_fix_homoglyphs(word) for word in found.split())


def _fix_homoglyphs(word: str) -> str:
    return word.translate(_HOMOGLYPHS) if _CYRILLIC.search(word) else word


@lru_cache(maxsize=1 << 16)  # plans repeat their vocabulary: each word is stemmed once
def stem(word: str) -> str:
    """The word without its article and one inflection ending (at least three letters stay).

    >>> [stem(w) for w in ("ромите", "роми", "образованието", "образование", "групи", "групите")]
    ['ром', 'ром', 'образовани', 'образовани', 'груп', 'груп']
    """
    for suffixes in (_ARTICLES, _ENDINGS):
        for suffix in suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
                word = word[: -len(suffix)]
                break
    return word


def words(text: str) -> list[str]:
    """The normalised words of a text, without function words.

    >>> words("Развитие на концепцията за здравна медиация")
    ['развитие', 'концепцията', 'здравна', 'медиация']
    """
    return _meaningful(normalise(text))


def _meaningful(normalised: str) -> list[str]:
    return [w for w in normalised.split() if w not in _STOPWORDS and not w.isdigit()]


def stems(text: str, vocabulary: frozenset[str] = frozenset()) -> list[str]:
    """Stems of the meaningful words; pieces of a word split by the export are joined back
    when the joined stem is in ``vocabulary`` and the pieces are not.

    >>> stems("Насърчаване на предприемачест вото", frozenset({"предприемачеств"}))
    ['насърчаван', 'предприемачеств']
    """
    meaningful = words(text)
    return _join_split_words([stem(w) for w in meaningful], meaningful, vocabulary)


def _join_split_words(stemmed: list[str], raw: list[str], vocabulary: frozenset[str]) -> list[str]:
    if not vocabulary:
        return stemmed
    joined: list[str] = []
    i = 0
    while i < len(stemmed):
        for width in (3, 2):
            if i + width <= len(raw) and stemmed[i] not in vocabulary:
                candidate = stem("".join(raw[i : i + width]))
                if candidate in vocabulary:
                    joined.append(candidate)
                    i += width
                    break
        else:
            joined.append(stemmed[i])
            i += 1
    return joined


def _char_ngrams(normalised: str, sizes: Sequence[int] = (3, 4, 5)) -> Counter[str]:
    squeezed = normalised.replace(" ", "")
    return Counter(squeezed[i : i + n] for n in sizes for i in range(len(squeezed) - n + 1))


@dataclass(frozen=True)
class Similarity:
    """How alike two texts are, per view and combined (all 0..1)."""

    ngram_cosine: float
    stem_dice: float
    token_set: float
    containment: float | None
    shared_stems: tuple[str, ...]

    @property
    def score(self) -> float:
        """The mean of the three views: the figure thresholds are set on."""
        return (self.ngram_cosine + self.stem_dice + self.token_set) / 3


@dataclass(frozen=True)
class _Features:
    """What a text is compared by, computed once per text."""

    normalised: str
    stems: tuple[str, ...]
    stem_set: frozenset[str]
    stem_text: str
    stem_weight: float
    ngrams: dict[str, float]
    ngram_norm: float


class TextIndex:
    """Feature weights (inverse document frequency) learnt from the texts that will be compared.

    Each text's features are computed once and kept, so comparing many plan items with the same
    goals costs little more than the comparisons themselves.

    >>> index = TextIndex(["роми и деца", "роми и жилища", "роми и заетост"])
    >>> index.stem_weight("ром") < index.stem_weight("дец")
    True
    """

    def __init__(self, corpus: Iterable[str]) -> None:
        texts = list(corpus)
        self._vocabulary = frozenset(s for text in texts for s in stems(text))
        self._ngram_idf = _idf([set(_char_ngrams(normalise(text))) for text in texts])
        self._stem_idf = _idf([set(self.stems(text)) for text in texts])
        self._default_idf = math.log(1 + len(texts))
        self._features: dict[str, _Features] = {}
        self._groups: dict[tuple[str, ...], _Group] = {}

    def stems(self, text: str) -> list[str]:
        """Stems of a text, with export-split words joined against the corpus vocabulary."""
        return stems(text, self._vocabulary)

    def stem_weight(self, stem_: str) -> float:
        """How informative a stem is (rare in the corpus: high)."""
        return self._stem_idf.get(stem_, self._default_idf)

    def similarity(self, a: str, b: str, containment: bool = True) -> Similarity:
        """Compare two texts (symmetric); ``containment=False`` leaves out the slowest view (None)."""
        fa, fb = self._featurise(a), self._featurise(b)
        return self._similarity(fa, fb, _cosine(fa, fb), _containment(fa, fb) if containment else None)

    def similarities(self, text: str, others: Sequence[str]) -> list[Similarity]:
        """``similarity(text, other, containment=False)`` for each of ``others``, the same figures for
        less: the n-grams of ``text`` that none of ``others`` has are set aside once for all of them.

        >>> index = TextIndex(["роми и деца", "роми и жилища"])
        >>> goals = ["роми и деца", "роми и жилища"]
        >>> index.similarities("децата на ромите", goals) == [
        ...     index.similarity("децата на ромите", goal, containment=False) for goal in goals]
        True
        """
        features = self._featurise(text)
        group = self._group(others)
        in_group = group.ngrams_in_group(features)
        return [self._similarity(features, other, _cosine(features, other, in_group), None)
                for other in group.features]

    def containment(self, a: str, b: str) -> float:
        """The containment view alone: how nearly the shorter text lies, verbatim, inside the longer.

        >>> TextIndex([]).containment("здравна медиация", "3. Развитие на здравна медиация")
        1.0
        """
        return _containment(self._featurise(a), self._featurise(b))

    def stem_dice(self, a: str, b: str) -> float:
        """The cheapest view alone (weighted Dice of the stems), to rule pairs out before comparing fully.

        >>> TextIndex(["роми и деца"]).stem_dice("децата на ромите", "роми и деца")
        1.0
        """
        fa, fb = self._featurise(a), self._featurise(b)
        return self._dice(fa, fb, fa.stem_set & fb.stem_set)

    def reaching_stem_dice(self, text: str, others: Sequence[str], minimum: float) -> list[int]:
        """The positions of the ``others`` whose :meth:`stem_dice` with ``text`` is at least ``minimum``
        (> 0), found without comparing the texts that share no stem with it.

        >>> TextIndex(["роми и деца"]).reaching_stem_dice("деца", ["роми и деца", "деца", "жилища"], 0.5)
        [0, 1]
        """
        features = self._featurise(text)
        group = self._group(others)
        shared_weights = group.shared_stem_weights(features, self.stem_weight)
        # Those weights are summed in another order than _dice sums them: the exact Dice decides
        # whenever the estimate is near the minimum.
        return [
            position
            for position, (other, shared) in enumerate(zip(group.features, shared_weights, strict=True))
            if shared and 2 * shared / (features.stem_weight + other.stem_weight) >= minimum - 1e-9
            and self._dice(features, other, features.stem_set & other.stem_set) >= minimum
        ]

    def _similarity(self, a: _Features, b: _Features, cosine: float, containment: float | None) -> Similarity:
        shared = a.stem_set & b.stem_set
        return Similarity(
            ngram_cosine=cosine,
            stem_dice=self._dice(a, b, shared),
            token_set=fuzz.token_set_ratio(a.stem_text, b.stem_text) / 100,
            containment=containment,
            shared_stems=tuple(sorted(shared, key=lambda s: (-self.stem_weight(s), s))),
        )

    def _dice(self, a: _Features, b: _Features, shared: frozenset[str]) -> float:
        total = a.stem_weight + b.stem_weight
        return 2 * sum(self.stem_weight(s) for s in shared) / total if total else 0.0

    def _group(self, texts: Sequence[str]) -> _Group:
        key = tuple(texts)
        group = self._groups.get(key)
        if group is None:
            if len(self._groups) >= _MAX_GROUPS:
                self._groups.clear()
            group = self._groups[key] = _Group([self._featurise(text) for text in key])
        return group

    def _featurise(self, text: str) -> _Features:
        known = self._features.get(text)
        if known is not None:
            return known
        normalised = normalise(text)
        meaningful = _meaningful(normalised)
        text_stems = tuple(_join_split_words([stem(w) for w in meaningful], meaningful, self._vocabulary))
        stem_set = frozenset(text_stems)
        idf, default = self._ngram_idf, self._default_idf
        ngrams = {g: c * idf.get(g, default) for g, c in _char_ngrams(normalised).items()}
        features = _Features(
            normalised=normalised,
            stems=text_stems,
            stem_set=stem_set,
            stem_text=" ".join(text_stems),
            stem_weight=sum(self.stem_weight(s) for s in stem_set),
            ngrams=ngrams,
            ngram_norm=math.sqrt(sum(w * w for w in ngrams.values())),
        )
        self._features[text] = features
        return features


#: How many sequences of texts :class:`TextIndex` keeps indexed for one-to-many comparisons.
_MAX_GROUPS = 16


class _Group:
    """Texts that are compared with many others: their n-grams, and which of them have each stem."""

    def __init__(self, features: list[_Features]) -> None:
        self.features = features
        self._ngrams = frozenset(gram for text in features for gram in text.ngrams)
        self._stem_rows: dict[str, list[int]] = defaultdict(list)
        for row, text in enumerate(features):
            for stem_ in text.stem_set:
                self._stem_rows[stem_].append(row)

    def ngrams_in_group(self, text: _Features) -> dict[str, float]:
        """The weighted n-grams of ``text`` that some text of the group has, in their order."""
        known = self._ngrams
        return {gram: weight for gram, weight in text.ngrams.items() if gram in known}

    def shared_stem_weights(self, text: _Features, weight_of: Callable[[str], float]) -> list[float]:
        """The summed weight of the stems ``text`` shares with each text of the group."""
        shared = [0.0] * len(self.features)
        for stem_ in text.stem_set:
            weight = weight_of(stem_)
            for row in self._stem_rows.get(stem_, ()):
                shared[row] += weight
        return shared


def _cosine(a: _Features, b: _Features, a_ngrams: dict[str, float] | None = None) -> float:
    """TF-IDF cosine of the n-grams, the products summed in the smaller text's n-gram order;
    ``a_ngrams``: those of ``a`` that ``b`` may have (the others add nothing), when known.
    """
    if len(a.ngrams) > len(b.ngrams):
        small, large = b.ngrams, a.ngrams
    else:
        small, large = a.ngrams if a_ngrams is None else a_ngrams, b.ngrams
    dot = sum(weight * large[gram] for gram, weight in small.items() if gram in large)
    norm = a.ngram_norm * b.ngram_norm
    return dot / norm if norm else 0.0


def _containment(a: _Features, b: _Features) -> float:
    short, long_ = sorted((a.normalised, b.normalised), key=len)
    return fuzz.partial_ratio(short, long_) / 100 if short else 0.0


def _idf(documents: list[set[str]]) -> dict[str, float]:
    frequency: Counter[str] = Counter(feature for features in documents for feature in features)
    n = len(documents)
    return {feature: math.log((1 + n) / (1 + count)) + 1 for feature, count in frequency.items()}
