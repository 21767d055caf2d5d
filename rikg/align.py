"""Alignment of plan objectives and measures to the national goals they follow, with evidence.

A municipal plan that follows the National Strategy 2021-2030 quotes or
paraphrases its sub-goals, and a plan written to the National Action Plan
numbers its measures after them ("6.1" is the first measure of sub-goal 6).
:func:`align_plans` finds those links and keeps, for each one, how sure it is
and why:

``text-similarity``
    the plan text quotes or paraphrases a national goal of the same policy area
    (:mod:`rikg.textsim`: character n-grams, stems and token sets, weighted by
    how informative a feature is among the national goals); goals of another
    area count only when the text is near-identical.
``code+text``
    the plan follows the national numbering and its code names the goal the
    text also points to (high confidence).
``code``
    the plan follows the national numbering, its code names a goal and the text
    agrees reasonably without singling that goal out (medium confidence).
``manual``
    a reviewed row of ``ontology/reference/alignment-overrides.csv``
    (confidence 1); a ``reject`` row removes an automatic link.

A plan "follows the national numbering" when it says it implements a National
Action Plan *and* its codes agree with its text links: in the Русе plan the
measures under "Цел 4" of education are numbered 6.1, as is the national
sub-goal 6 its text quotes, while Благоевград's education goals 1..11 are its
own numbering (its goals 3, 5, 7 quote sub-goals 2, 3, 4). Codes are never
used alone in a plan with its own numbering, and a goal with no convincing
counterpart stays unaligned: a wrong link is worse than none.

Measures inherit their objective's alignment through the graph (measure
``servesObjective`` objective ``alignedWith`` sub-goal; ``contributesTo`` is
transitive). A measure gets a link of its own only when its own text quotes a
national goal, or when its code names a sub-goal its objective is not aligned
with.

>>> goals = [NationalGoal(f"{ID_NS}objective/ns-2021-2030/health/4", "health", 4,
...                       "Развитие на концепцията за здравна медиация."),
...          NationalGoal(f"{ID_NS}objective/ns-2021-2030/health/3", "health", 3,
...                       "Намаляване на стигмата и дискриминацията на хора от уязвими групи.")]
>>> item = PlanItem(f"{ID_NS}plan/x-2024-2027/health/objective/3", "x-2024-2027", "objective",
...                 "health", "3", "3. Развитие на концепцията за здравна медиация")
>>> [link] = align_items([item], goals, follows_national_plan=False)
>>> link.target.endswith("health/4"), link.method, link.confidence
(True, 'text-similarity', 1.0)
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache, partial
from importlib.resources import files
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import Protocol

from pyoxigraph import Literal, NamedNode, Triple
from rdflib import Graph

from rikg.errors import RikgError
from rikg.loaders.records import Measure, Objective, PlanDocument, SourceSpan
from rikg.ontology.vocab import ID_NS, RIKG, graph_iri
from rikg.textsim import Similarity, TextIndex, normalise, words

__all__ = [
    "ALIGNMENTS_GRAPH",
    "AlignmentLink",
    "BuildContextLike",
    "Candidate",
    "NationalGoal",
    "Override",
    "PlanAlignment",
    "PlanCoverage",
    "PlanItem",
    "align_items",
    "align_plan",
    "align_plans",
    "align_step",
    "alignment_iri",
    "alignment_triples",
    "apply_overrides",
    "build_alignment_graph",
    "build_links",
    "combine_alignments",
    "coverage_by_plan",
    "default_overrides_path",
    "load_national_goals",
    "load_overrides",
    "plan_items",
    "review_lines",
]

log = logging.getLogger(__name__)

#: The named graph holding every alignment.
ALIGNMENTS_GRAPH = str(graph_iri("alignments"))

Method = TypingLiteral["code", "text-similarity", "code+text", "manual"]

# Thresholds on TextIndex scores, set by reading the best and runner-up goal of every objective and
# measure of the bundled plans (docs/alignment.md shows the figures).
#: A text this close to one goal, and clearly closer to it than to any other, quotes or paraphrases it
#: (bundled plans: objectives that quote score 0.63 and more, the others 0.43 at most).
STRONG = 0.55
#: The best goal must beat the runner-up by this much for a text-only link.
MARGIN = 0.12
#: A measure links on its own text only when it quotes: the words of one text are (nearly) all in the
#: other (rapidfuzz token-set view); measures that share a phrase with a goal but say more do not.
QUOTED_TOKEN_SET = 0.85
#: A goal of another policy area counts only when the text is near-identical.
CROSS_AREA = 0.88
_CROSS_AREA_DICE = 3 * CROSS_AREA - 2
#: Text agreement that lets a national code stand (it does not single the goal out on its own).
REASONABLE = 0.30
#: A cell cut short by the export: the shorter text lies inside the longer one almost verbatim ...
CONTAINED = 0.95
#: ... and carries at least this many stems of its own (so a generic phrase is not a quote).
CONTAINED_MIN_STEMS = 5
#: Confidence of a link that rests on the national numbering, with text that merely agrees.
CODE_CONFIDENCE = 0.6
#: How many runner-up goals an alignment keeps.
CANDIDATES = 3

_GOAL_IRI = re.compile(r"/objective/(?P<document>[^/]+)/(?P<area>[a-z-]+)(?:/(?P<number>\d+))?$")
_NATIONAL_PLAN_KEY = "document/nap-"
_OVERRIDE_COLUMNS = ("source_iri", "target_iri", "action", "reviewer", "date", "note")


@dataclass(frozen=True)
class NationalGoal:
    """A national goal a plan item can align with: a sub-goal (``number``) or an operational goal (None)."""

    iri: str
    area: str
    number: int | None
    text: str
    variants: tuple[str, ...] = ()

    @cached_property
    def texts(self) -> tuple[str, ...]:
        """The wordings a plan may quote: the label, then the variants plans use (``skos:altLabel``)
        that are goal texts rather than short headings (at least five meaningful words).

        >>> NationalGoal("x", "employment", None, "Равнопоставен достъп ...",
        ...              ("Подобряване достъпа до заетост",)).texts
        ('Равнопоставен достъп ...',)
        """
        return (self.text, *(v for v in self.variants if len(words(v)) >= CONTAINED_MIN_STEMS))

    @property
    def name(self) -> str:
        """A short name for messages: ``education/6`` or ``education`` (the operational goal).

        >>> NationalGoal("x", "education", 6, "...").name
        'education/6'
        """
        return self.area if self.number is None else f"{self.area}/{self.number}"

    @property
    def kind(self) -> str:
        """``sub-goal`` or ``operational goal``."""
        return "operational goal" if self.number is None else "sub-goal"


@dataclass(frozen=True)
class PlanItem:
    """A plan objective or measure as the aligner sees it.

    ``code_numbers`` are the sub-goal numbers its code names under the national
    numbering: a measure "6.1" names 6; an objective names the number most of its
    measures start with (else its own code).
    """

    iri: str
    plan: str
    kind: TypingLiteral["objective", "measure"]
    area: str | None
    code: str | None
    text: str
    code_numbers: tuple[int, ...] = ()
    objective: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A runner-up goal of an alignment, with its score."""

    target: str
    confidence: float


@dataclass(frozen=True)
class AlignmentLink:
    """An evidenced link from a plan item to a national goal."""

    source: str
    target: str
    confidence: float
    method: Method
    source_text: str
    target_text: str
    evidence: str
    candidates: tuple[Candidate, ...] = ()

    @property
    def iri(self) -> str:
        """The IRI of the link's ``rikg:Alignment`` node."""
        return alignment_iri(self.source, self.target)


@dataclass(frozen=True)
class Override:
    """A reviewed row of the overrides file: ``link`` adds a manual link, ``reject`` removes automatic ones.

    An empty ``target`` in a ``reject`` row removes every automatic link of the source.
    """

    source: str
    target: str | None
    action: TypingLiteral["link", "reject"]
    reviewer: str
    date: date
    note: str
    where: str = ""


@dataclass
class PlanCoverage:
    """How much of a plan is aligned: objectives with a link, measures with a link of their own or
    through their objective."""

    objectives: int = 0
    objectives_aligned: int = 0
    measures: int = 0
    measures_aligned_directly: int = 0
    measures_aligned: int = 0
    methods: Counter[str] = field(default_factory=Counter)

    @property
    def objective_share(self) -> float:
        """Share of objectives aligned (0 when the plan has none)."""
        return self.objectives_aligned / self.objectives if self.objectives else 0.0

    @property
    def measure_share(self) -> float:
        """Share of measures aligned directly or through their objective."""
        return self.measures_aligned / self.measures if self.measures else 0.0

    def __str__(self) -> str:
        """One line for ``rikg build``.

        >>> print(PlanCoverage(4, 3, 10, 1, 8))
        objectives 3/4 (75%), measures 8/10 (80%, 1 directly)
        """
        return (
            f"objectives {self.objectives_aligned}/{self.objectives} ({self.objective_share:.0%}), "
            f"measures {self.measures_aligned}/{self.measures} ({self.measure_share:.0%}, "
            f"{self.measures_aligned_directly} directly)"
        )


# -- the national goals -----------------------------------------------------------------------------


def load_national_goals(source: Graph | str | Path | None = None) -> list[NationalGoal]:
    """The national sub-goals and operational goals with their Bulgarian text, sorted by IRI.

    ``source`` is an rdflib graph, a Turtle file, or None for the reference data
    shipped with rikg (``rikg.ontology.resources.reference_graph``).

    >>> ttl = '''@prefix rikg: <https://w3id.org/rikg/ontology#> .
    ... @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    ... <https://w3id.org/rikg/id/objective/ns-2021-2030/health/4> a rikg:SubGoal ;
    ...     skos:prefLabel "Развитие на концепцията за здравна медиация."@bg , "Health mediation"@en .'''
    >>> [goal.name for goal in load_national_goals(Graph().parse(data=ttl, format="turtle"))]
    ['health/4']
    """
    if source is None:
        return list(_shipped_goals())
    return _goals_in(_reference_graph(source))


@lru_cache(maxsize=1)
def _shipped_goals() -> tuple[NationalGoal, ...]:
    """The goals of the shipped reference data, read once per process (a build needs them twice)."""
    return tuple(_goals_in(_reference_graph(None)))


def _goals_in(graph: Graph) -> list[NationalGoal]:
    rows = graph.query(
        """
        PREFIX rikg: <https://w3id.org/rikg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?goal ?label ?area ?code (GROUP_CONCAT(?variant; separator="\\n") AS ?variants) WHERE {
            VALUES ?class { rikg:SubGoal rikg:OperationalGoal }
            ?goal a ?class ; skos:prefLabel ?label .
            FILTER (langMatches(lang(?label), "bg"))
            OPTIONAL { ?goal rikg:policyArea ?area }
            OPTIONAL { ?goal rikg:code ?code }
            OPTIONAL { ?goal skos:altLabel ?variant . FILTER (langMatches(lang(?variant), "bg")) }
        }
        GROUP BY ?goal ?label ?area ?code
        """
    )
    goals: dict[str, NationalGoal] = {}
    for row in rows:
        values = [str(value) if value is not None else None for value in row]  # type: ignore[union-attr]
        goal = _national_goal(*values)
        if goal is not None:
            goals.setdefault(goal.iri, goal)
    return [goals[iri] for iri in sorted(goals)]


def _reference_graph(source: Graph | str | Path | None) -> Graph:
    if isinstance(source, Graph):
        return source
    if source is None:
        from rikg.ontology.resources import reference_graph

        shipped: Graph = reference_graph()
        return shipped
    try:
        graph = Graph()
        graph.parse(str(source), format="turtle")
        return graph
    except Exception as error:  # rdflib raises many parser error types
        raise RikgError(f"{source}: cannot read national goals: {error}") from None


def _national_goal(
    iri: str | None, label: str | None, area_iri: str | None, code: str | None, variants: str | None
) -> NationalGoal | None:
    match = _GOAL_IRI.search(iri or "")
    area = area_iri.rsplit("/", 1)[-1] if area_iri else match["area"] if match else None
    if iri is None or label is None or area is None:
        return None
    number_text = code if code and code.strip().isdigit() else match["number"] if match else None
    others = tuple(sorted({v for v in (variants or "").split("\n") if v.strip() and v != label}))
    return NationalGoal(iri, area, int(number_text) if number_text else None, label, others)


# -- plan items -----------------------------------------------------------------------------------


def plan_items(doc: PlanDocument, triples: Iterable[Triple] | None = None) -> list[PlanItem]:
    """The objectives and measures of a plan with the IRIs the graph mapping gives them.

    The IRIs come from :func:`rikg.mapping.map_plan` itself (objective and
    measure nodes in document order), so alignments never point at a node the
    plan graph does not have; ``triples``: the plan's graph as ``map_plan`` gave
    it, when the caller has it (spares mapping the plan again).

    >>> from rikg.loaders.records import Priority, SourceSpan
    >>> span = SourceSpan("p.txt", 5, 5, "...")
    >>> objective = Objective("4", "Ефективно взаимодействие", span,
    ...                       measures=[Measure("6.1", "Приобщаване на родители", span)])
    >>> doc = PlanDocument("p.txt", "ruse-2024-2027", "Русе", "Русе", None, 2024, 2027,
    ...                    priorities=[Priority("Образование", "education", span, objectives=[objective])])
    >>> [(item.kind, item.iri.rsplit("/", 3)[-3:], item.code_numbers) for item in plan_items(doc)]
    [('objective', ['education', 'objective', '4'], (6,)), ('measure', ['education', 'measure', '6.1'], (6,))]
    """
    from rikg.mapping import RDF_TYPE, map_plan

    objective_type, measure_type = NamedNode(str(RIKG.Objective)), NamedNode(str(RIKG.Measure))
    nodes = [
        str(triple.subject.value)
        for triple in (map_plan(doc) if triples is None else triples)
        if triple.predicate == RDF_TYPE and triple.object in (objective_type, measure_type)
        and isinstance(triple.subject, NamedNode)
    ]
    records = [
        (priority.policy_area, record, objective)
        for priority in doc.priorities
        for objective in priority.objectives
        for record in (objective, *objective.measures)
    ]
    if len(nodes) != len(records):
        raise RikgError(f"{doc.file}: the graph mapping gave {len(nodes)} goal and measure nodes for "
                        f"{len(records)} records; alignment cannot tell which is which")
    iri_of = {id(record): iri for (_, record, _), iri in zip(records, nodes, strict=True)}
    return [
        PlanItem(
            iri=iri_of[id(record)],
            plan=doc.slug,
            kind="measure" if isinstance(record, Measure) else "objective",
            area=area,
            code=record.code,
            text=record.text,
            code_numbers=_code_numbers(record),
            objective=iri_of[id(objective)] if isinstance(record, Measure) else None,
        )
        for area, record, objective in records
    ]


def _code_numbers(record: Objective | Measure) -> tuple[int, ...]:
    """The sub-goal number a code names under the national numbering ``<sub-goal>.<measure>``."""
    if isinstance(record, Measure):
        prefix = _measure_prefix(record.code)
        return (prefix,) if prefix is not None else ()
    prefixes = Counter(p for m in record.measures if (p := _measure_prefix(m.code)) is not None)
    if prefixes:
        number, count = prefixes.most_common(1)[0]
        if 2 * count >= sum(prefixes.values()):
            return (number,)
    own = (record.code or "").strip().rstrip(".")
    return (int(own),) if own.isdigit() else ()


def _measure_prefix(code: str | None) -> int | None:
    parts = (code or "").strip().rstrip(".").split(".")
    return int(parts[0]) if len(parts) == 2 and all(p.isdigit() for p in parts) else None


def _follows_national_plan(doc: PlanDocument) -> bool:
    return any(upstream.key.startswith(_NATIONAL_PLAN_KEY) for upstream in doc.upstream)


# -- alignment --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scored:
    goal: NationalGoal
    views: Similarity  # without containment
    same_area: bool
    text: str  # the wording of the goal that matched best
    containment: Callable[[], float] | None = None  # the top ranks' containment view, when asked

    @property
    def score(self) -> float:
        return self.views.score

    @cached_property
    def similarity(self) -> Similarity:
        """Every view: containment, the slowest by far, is computed only when a decision or the
        evidence needs it."""
        return self.views if self.containment is None else replace(self.views, containment=self.containment())


@dataclass(frozen=True)
class PlanAlignment:
    """One plan's objectives and measures as the aligner sees them, and the links found for them
    (before the reviewed overrides, which :func:`combine_alignments` applies to a whole build)."""

    items: tuple[PlanItem, ...]
    links: tuple[AlignmentLink, ...]


def align_plans(
    plans: Sequence[PlanDocument],
    reference: Sequence[NationalGoal],
    overrides: Sequence[Override] = (),
    pool: Executor | None = None,
) -> list[AlignmentLink]:
    """Align every objective and measure of the plans with the national goals; overrides win.

    Links come in plan order, objectives before their measures. With a process ``pool`` the plans
    are aligned in its processes (each plan on its own: the same links).
    """
    return combine_alignments(_aligned(plans, reference, pool), reference, overrides)


def _aligned(
    plans: Sequence[PlanDocument], reference: Sequence[NationalGoal], pool: Executor | None
) -> list[PlanAlignment]:
    """Each plan's alignment, in the pool's processes when there is one and plans to align."""
    work = partial(align_plan, reference=tuple(reference))
    if pool is None or not plans:
        return [work(doc) for doc in plans]
    return list(pool.map(work, plans, chunksize=4))


def combine_alignments(
    alignments: Sequence[PlanAlignment], reference: Sequence[NationalGoal], overrides: Sequence[Override] = ()
) -> list[AlignmentLink]:
    """The links of several plans' alignments, in their order, with the overrides applied."""
    links = [link for alignment in alignments for link in alignment.links]
    if not overrides:
        return links
    items = [item for alignment in alignments for item in alignment.items]
    return apply_overrides(links, overrides, items, reference)


_INDEXES: dict[tuple[NationalGoal, ...], TextIndex] = {}


def align_plan(
    doc: PlanDocument, reference: Sequence[NationalGoal], triples: Iterable[Triple] | None = None
) -> PlanAlignment:
    """One plan's items and links (a build's worker process runs it as it parses the plan; the text
    index of the goals is made once per process). ``triples``: the plan's graph, if mapped already.

    >>> from rikg.config import bundled_plans_dir
    >>> from rikg.loaders.plan import load_plan
    >>> doc = load_plan(bundled_plans_dir() / "004_1a91cfd4f2bbbb4c.txt")
    >>> alignment = align_plan(doc, load_national_goals())
    >>> doc.slug, len(alignment.items), len(alignment.links), alignment.links[0].method
    ('ruse-2024-2027', 59, 22, 'code+text')
    """
    goals = tuple(reference)
    index = _INDEXES.get(goals)
    if index is None:
        _INDEXES.clear()
        index = _INDEXES[goals] = TextIndex(goal.text for goal in goals)
    items = plan_items(doc, triples)
    return PlanAlignment(tuple(items), tuple(align_items(items, goals, _follows_national_plan(doc), index)))


def align_items(
    items: Sequence[PlanItem],
    reference: Sequence[NationalGoal],
    follows_national_plan: bool,
    index: TextIndex | None = None,
) -> list[AlignmentLink]:
    """Align the items of one plan (see the module documentation for the rules)."""
    index = index or TextIndex(goal.text for goal in reference)
    ranked = {item.iri: _rank(item, reference, index) for item in items}
    national = _national_numbering(items, ranked, follows_national_plan)
    links: dict[str, AlignmentLink] = {}
    for item in items:
        if item.kind == "objective":
            link = _decide(item, ranked[item.iri], reference, national(item.area))
        else:
            objective_link = links.get(item.objective or "")
            link = _decide_measure(item, ranked, reference, national(item.area), objective_link)
        if link is not None:
            links[item.iri] = link
    return list(links.values())


def _rank(item: PlanItem, reference: Sequence[NationalGoal], index: TextIndex) -> list[_Scored]:
    """Every goal the item may align with, best first; other areas only when near-identical."""
    # The score is a mean of three views of at most 1: a goal of another area cannot reach CROSS_AREA
    # unless the stem Dice with one of its texts reaches this.
    all_texts = [text for goal in reference for text in goal.texts]
    near = {all_texts[n] for n in index.reaching_stem_dice(item.text, all_texts, _CROSS_AREA_DICE)}
    area_texts = [text for goal in reference if goal.area == item.area for text in goal.texts]
    similar = dict(zip(area_texts, index.similarities(item.text, area_texts), strict=True))
    scored = []
    for goal in reference:
        same_area = item.area is not None and goal.area == item.area
        if not same_area and near.isdisjoint(goal.texts):
            continue
        similarity, text = max(
            (
                (similar[text] if same_area else index.similarity(item.text, text, containment=False), text)
                for text in goal.texts
            ),
            key=lambda pair: pair[0].score,
        )
        if same_area or similarity.score >= CROSS_AREA:
            scored.append(_Scored(goal, similarity, same_area, text))
    ranked = sorted(scored, key=lambda s: (-s.score, s.goal.number is None, s.goal.iri))
    return [_with_containment(s, item, index) if n < _CONTAINMENT_RANKS else s for n, s in enumerate(ranked)]


_CONTAINMENT_RANKS = 2  # containment is looked at for the best goal and the code's choice among the top


def _with_containment(scored: _Scored, item: PlanItem, index: TextIndex) -> _Scored:
    return replace(scored, containment=partial(index.containment, item.text, scored.text))


def _strong(ranked: Sequence[_Scored]) -> bool:
    """True when the best goal is singled out by the text alone: it is quoted, and no rival comes
    close (a sub-goal's own operational goal, which repeats its words, is on the same chain, not a rival)."""
    if not ranked:
        return False
    best = ranked[0]
    rival = next((s.score for s in ranked[1:] if not _same_chain(best.goal, s.goal)), 0.0)
    return best.score - rival >= MARGIN and (best.score >= STRONG or _cut_short_quote(best))


def _same_chain(a: NationalGoal, b: NationalGoal) -> bool:
    """A sub-goal and the operational goal of its area."""
    return a.area == b.area and (a.number is None) != (b.number is None)


def _cut_short_quote(scored: _Scored) -> bool:
    if len(scored.views.shared_stems) < CONTAINED_MIN_STEMS or scored.score < REASONABLE:
        return False  # decided without the containment view
    containment = scored.similarity.containment
    return containment is not None and containment >= CONTAINED


def _national_numbering(
    items: Sequence[PlanItem], ranked: Mapping[str, Sequence[_Scored]], follows_national_plan: bool
) -> _NumberingCheck:
    """Whether codes follow the national numbering, per policy area, judged on the text links."""
    agree: dict[str | None, list[bool]] = defaultdict(list)
    for item in items:
        scored = ranked[item.iri]
        if item.kind == "objective" and item.code_numbers and _strong(scored) and scored[0].goal.number:
            agree[item.area].append(scored[0].goal.number in item.code_numbers)
    return _NumberingCheck(follows_national_plan, dict(agree))


@dataclass(frozen=True)
class _NumberingCheck:
    declared: bool
    agreement: dict[str | None, list[bool]]

    def __call__(self, area: str | None) -> bool:
        if not self.declared:
            return False
        votes = self.agreement.get(area, [])
        if len(votes) < 2:
            votes = [vote for area_votes in self.agreement.values() for vote in area_votes]
        return len(votes) < 2 or 2 * sum(votes) > len(votes)


def _code_goal(item: PlanItem, reference: Sequence[NationalGoal]) -> NationalGoal | None:
    for goal in reference:
        if goal.area == item.area and goal.number is not None and goal.number in item.code_numbers:
            return goal
    return None


def _decide(
    item: PlanItem, ranked: Sequence[_Scored], reference: Sequence[NationalGoal], national: bool
) -> AlignmentLink | None:
    code_goal = _code_goal(item, reference) if national else None
    if code_goal is not None:
        link = _code_link(item, ranked, code_goal)
        if link is not None:
            return link
    if _strong(ranked):
        return _link(item, ranked, ranked[0], "text-similarity", ranked[0].score)
    return None


def _code_link(item: PlanItem, ranked: Sequence[_Scored], goal: NationalGoal) -> AlignmentLink | None:
    """A link the national numbering names, if the text agrees (and no other goal is clearly quoted)."""
    scored = next((s for s in ranked if s.goal.iri == goal.iri), None)
    if scored is None or scored.score < REASONABLE:
        return None
    if _strong(ranked) and ranked[0].goal.iri != goal.iri:
        return None  # the text quotes another goal: it wins over the number
    if _strong(ranked):
        return _link(item, ranked, scored, "code+text", max(scored.score, 0.9))
    if ranked[0].score - scored.score >= MARGIN:
        return None  # the text leans clearly towards another goal
    return _link(item, ranked, scored, "code", CODE_CONFIDENCE)


def _decide_measure(
    item: PlanItem,
    ranked: Mapping[str, Sequence[_Scored]],
    reference: Sequence[NationalGoal],
    national: bool,
    objective_link: AlignmentLink | None,
) -> AlignmentLink | None:
    own = ranked[item.iri]
    if _strong(own) and own[0].views.token_set >= QUOTED_TOKEN_SET:
        return _decide(item, own, reference, national)
    code_goal = _code_goal(item, reference) if national else None
    if code_goal is None or (objective_link is not None and objective_link.target == code_goal.iri):
        return None  # nothing of its own, or the objective's link already says it
    own_score = next((s for s in own if s.goal.iri == code_goal.iri), None)
    objective_ranked = ranked.get(item.objective or "", ())
    objective_score = next((s for s in objective_ranked if s.goal.iri == code_goal.iri), None)
    if own_score is not None and own_score.score >= REASONABLE:
        return _link(item, own, own_score, "code", CODE_CONFIDENCE)
    if objective_score is not None and objective_score.score >= REASONABLE:
        return _link(item, own, objective_score, "code", CODE_CONFIDENCE, compared="objective")
    return None


def _link(
    item: PlanItem,
    ranked: Sequence[_Scored],
    chosen: _Scored,
    method: Method,
    confidence: float,
    compared: TypingLiteral["own", "objective"] = "own",
) -> AlignmentLink:
    runners = [s for s in ranked if s.goal.iri != chosen.goal.iri][:CANDIDATES]
    return AlignmentLink(
        source=item.iri,
        target=chosen.goal.iri,
        confidence=round(min(1.0, confidence), 3),
        method=method,
        source_text=normalise(item.text),
        target_text=normalise(chosen.text),
        evidence=_evidence(item, chosen, runners, method, compared),
        candidates=tuple(Candidate(s.goal.iri, round(s.score, 3)) for s in runners),
    )


def _evidence(
    item: PlanItem, chosen: _Scored, runners: Sequence[_Scored], method: Method, compared: str
) -> str:
    s = chosen.similarity
    what = f"{item.kind} {item.code or '(no code)'}"
    whose = f"The {what} text" if compared == "own" else f"The text of the objective of {what}"
    sentence = (
        f"{whose} scores {s.score:.2f} against national {chosen.goal.kind} {chosen.goal.name} "
        f"(character n-grams {s.ngram_cosine:.2f}, stems {s.stem_dice:.2f}, token set {s.token_set:.2f}"
        + (f", containment {s.containment:.2f}" if s.containment is not None else "")
        + f"); shared stems: {', '.join(s.shared_stems[:8]) or 'none'}."
    )
    if method in ("code", "code+text"):
        sentence += (
            f" The plan implements the National Action Plan and numbers this {item.kind} after "
            f"sub-goal {chosen.goal.number} (code {item.code})."
        )
    if not chosen.same_area:
        sentence += " The goal is in another policy area; the text is near-identical."
    if runners:
        sentence += f" Runner-up: {runners[0].goal.name} at {runners[0].score:.2f}."
    return sentence


# -- review ---------------------------------------------------------------------------------------


def review_lines(plans: Sequence[PlanDocument], reference: Sequence[NationalGoal]) -> list[str]:
    """One tab-separated line per objective and measure: IRI, file:line, kind, code, the best and the
    runner-up goal with their scores, the link made (method, and target when it is not the best text
    match) and the text; for calibrating thresholds and for reviewers writing overrides.

    >>> from rikg.loaders.records import Priority, SourceSpan
    >>> goals = [NationalGoal(f"{ID_NS}objective/ns-2021-2030/health/4", "health", 4,
    ...                       "Развитие на концепцията за здравна медиация")]
    >>> span = SourceSpan("p.txt", 7, 7, "...")
    >>> objective = Objective("3", "Развитие на здравната медиация", span)
    >>> doc = PlanDocument("p.txt", "x-2024-2027", None, None, None, 2024, 2027,
    ...                    priorities=[Priority("Здраве", "health", span, objectives=[objective])])
    >>> review_lines([doc], goals)[0].split(chr(9))[1:9]
    ['p.txt:7', 'objective', '3', 'health/4', '0.70', '-', '0.00', 'text-similarity']
    """
    index = TextIndex(goal.text for goal in reference)
    lines: list[str] = []
    for doc in plans:
        items = plan_items(doc)
        made = align_items(items, reference, _follows_national_plan(doc), index)
        links = {link.source: link for link in made}
        records = [record for p in doc.priorities for o in p.objectives for record in (o, *o.measures)]
        for plan_item, record in zip(items, records, strict=True):
            ranked = _rank(plan_item, reference, index)
            lines.append(_review_line(plan_item, record.span, ranked, links.get(plan_item.iri)))
    return lines


def _review_line(
    item: PlanItem, span: SourceSpan, ranked: Sequence[_Scored], link: AlignmentLink | None
) -> str:
    def scored(n: int) -> tuple[str, str]:
        return (ranked[n].goal.name, f"{ranked[n].score:.2f}") if len(ranked) > n else ("-", "0.00")

    decision: str = link.method if link else "-"
    if link and ranked and link.target != ranked[0].goal.iri:
        decision += " -> " + next((s.goal.name for s in ranked if s.goal.iri == link.target), link.target)
    where = f"{span.file}:{span.line_start}"
    text = " ".join(item.text.split())[:120]
    fields = (item.iri, where, item.kind, item.code or "-", *scored(0), *scored(1), decision, text)
    return "\t".join(fields)


# -- reviewed overrides -----------------------------------------------------------------------------


def default_overrides_path() -> Path:
    """The reviewed overrides shipped with rikg (``ontology/reference/alignment-overrides.csv``)."""
    return Path(str(files("rikg.ontology") / "reference" / "alignment-overrides.csv"))


def load_overrides(path: str | Path) -> list[Override]:
    """Read reviewed overrides; a malformed row is a one-line error naming the file and line.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
    ...     _ = f.write("source_iri,target_iri,action,reviewer,date,note\\n"
    ...                 "id:plan/x/health/objective/3,,reject,A. Reviewer,2024-07-01,local goal\\n")
    >>> [(o.source, o.target, o.action) for o in load_overrides(f.name)]
    [('https://w3id.org/rikg/id/plan/x/health/objective/3', None, 'reject')]
    >>> os.unlink(f.name)
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != _OVERRIDE_COLUMNS:
                raise RikgError(f"{path}: expected the columns {','.join(_OVERRIDE_COLUMNS)}")
            return [_override(row, f"{path}:{reader.line_num}") for row in reader if any(row.values())]
    except OSError as error:
        raise RikgError(f"{path}: cannot read overrides: {error.strerror}") from None


def _override(row: Mapping[str, str | None], where: str) -> Override:
    value = {key: (row.get(key) or "").strip() for key in _OVERRIDE_COLUMNS}
    action = value["action"]
    if action not in ("link", "reject"):
        raise RikgError(f"{where}: action must be 'link' or 'reject', not {action!r}")
    source, target = _expand(value["source_iri"], where), value["target_iri"]
    if not target and action == "link":
        raise RikgError(f"{where}: a 'link' row needs a target_iri")
    if not value["reviewer"]:
        raise RikgError(f"{where}: every override names its reviewer")
    try:
        reviewed = date.fromisoformat(value["date"])
    except ValueError:
        raise RikgError(f"{where}: date must be YYYY-MM-DD, not {value['date']!r}") from None
    return Override(
        source, _expand(target, where) if target else None, action,  # type: ignore[arg-type]
        value["reviewer"], reviewed, value["note"], where,
    )


def _expand(iri: str, where: str) -> str:
    if iri.startswith("id:"):
        return f"{ID_NS}{iri[3:]}"
    if not iri.startswith(("http://", "https://")):
        raise RikgError(f"{where}: {iri!r} is not an IRI (write it in full or as id:...)")
    return iri


def apply_overrides(
    links: Sequence[AlignmentLink],
    overrides: Sequence[Override],
    items: Sequence[PlanItem],
    reference: Sequence[NationalGoal],
) -> list[AlignmentLink]:
    """Automatic links with the reviewed overrides applied.

    A ``link`` row replaces every automatic link of its source with a manual
    one (confidence 1); a ``reject`` row removes the automatic link to its
    target (every automatic link of the source when the target is empty).
    Rows about items that are not in ``items`` are skipped with a warning.
    """
    known = {item.iri: item for item in items}
    goal_text = {goal.iri: goal.text for goal in reference}
    relevant = [o for o in overrides if o.source in known]
    for skipped in (o for o in overrides if o.source not in known):
        log.warning(
            "%s: override skipped: %s is not an objective or measure of the plans built",
            skipped.where, skipped.source,
        )
    linked = {o.source for o in relevant if o.action == "link"}
    rejected = {(o.source, o.target) for o in relevant if o.action == "reject"}
    kept = [
        link for link in links
        if link.source not in linked and (link.source, link.target) not in rejected
        and (link.source, None) not in rejected
    ]
    manual = [
        AlignmentLink(
            source=o.source,
            target=o.target or "",
            confidence=1.0,
            method="manual",
            source_text=normalise(known[o.source].text),
            target_text=normalise(goal_text.get(o.target or "", "")),
            evidence=f"Reviewed by {o.reviewer} on {o.date.isoformat()}: {o.note or 'no note'}",
        )
        for o in relevant if o.action == "link"
    ]
    return kept + list({(m.source, m.target): m for m in manual}.values())


# -- triples ----------------------------------------------------------------------------------------


def alignment_iri(source: str, target: str) -> str:
    """``id:alignment/<first 16 hex digits of sha1(source IRI + target IRI)>``.

    >>> alignment_iri("https://w3id.org/rikg/id/a", "https://w3id.org/rikg/id/b")
    'https://w3id.org/rikg/id/alignment/51f107369af31c1e'
    >>> len(alignment_iri("a", "b").rsplit("/", 1)[1])
    16
    """
    digest = hashlib.sha1((source + target).encode("utf-8")).hexdigest()[:16]
    return f"{ID_NS}alignment/{digest}"


def _node(term: str) -> NamedNode:
    return NamedNode(str(term))


_XSD_DECIMAL = NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _decimal(value: float) -> Literal:
    return Literal(format(Decimal(str(round(value, 3))).normalize(), "f"), datatype=_XSD_DECIMAL)


def alignment_triples(links: Iterable[AlignmentLink]) -> list[Triple]:
    """The triples of the alignments graph: an ``rikg:Alignment`` node per link, its runner-up
    candidates, and the shortcut ``source rikg:alignedWith target``.

    >>> link = AlignmentLink("https://w3id.org/rikg/id/s", "https://w3id.org/rikg/id/t", 0.875,
    ...     "text-similarity", "a", "a", "The text matches.", (Candidate("https://w3id.org/rikg/id/u", 0.2),))
    >>> triples = alignment_triples([link])
    >>> len(triples)
    13
    >>> [str(t.object) for t in triples if t.predicate.value.endswith("#confidence")]
    ['"0.875"^^<http://www.w3.org/2001/XMLSchema#decimal>', '"0.2"^^<http://www.w3.org/2001/XMLSchema#decimal>']
    """
    triples: list[Triple] = []
    for link in links:
        node, source, target = NamedNode(link.iri), NamedNode(link.source), NamedNode(link.target)
        triples += [
            Triple(node, _RDF_TYPE, _node(RIKG.Alignment)),
            Triple(node, _node(RIKG.alignmentSource), source),
            Triple(node, _node(RIKG.alignmentTarget), target),
            Triple(node, _node(RIKG.confidence), _decimal(link.confidence)),
            Triple(node, _node(RIKG.method), Literal(link.method)),
            Triple(node, _node(RIKG.comparedSourceText), Literal(link.source_text)),
            Triple(node, _node(RIKG.comparedTargetText), Literal(link.target_text)),
            Triple(node, _node(RIKG.evidence), Literal(link.evidence, language="en")),
            Triple(source, _node(RIKG.alignedWith), target),
        ]
        for n, candidate in enumerate(link.candidates, start=1):
            candidate_node = NamedNode(f"{link.iri}/candidate/{n}")
            triples += [
                Triple(node, _node(RIKG.candidate), candidate_node),
                Triple(candidate_node, _RDF_TYPE, _node(RIKG.AlignmentCandidate)),
                Triple(candidate_node, _node(RIKG.alignmentTarget), NamedNode(candidate.target)),
                Triple(candidate_node, _node(RIKG.confidence), _decimal(candidate.confidence)),
            ]
    return triples


def build_alignment_graph(
    plans: Sequence[PlanDocument],
    reference: Sequence[NationalGoal] | None = None,
    overrides: str | Path | None = None,
) -> dict[str, list[Triple]]:
    """The alignments named graph for ``GraphStore.replace_graphs``: national goals from the shipped
    reference data and the shipped overrides unless given."""
    return {ALIGNMENTS_GRAPH: alignment_triples(build_links(plans, reference, overrides))}


def build_links(
    plans: Sequence[PlanDocument],
    reference: Sequence[NationalGoal] | None = None,
    overrides: str | Path | None = None,
    pool: Executor | None = None,
) -> list[AlignmentLink]:
    """The links of a build (what :func:`build_alignment_graph` turns into triples), with the shipped
    reference goals and overrides unless given; a missing overrides file means no overrides.
    ``pool``: processes to align the plans in (see :func:`align_plans`)."""
    goals, rows = _goals_and_overrides(reference, overrides)
    return align_plans(plans, goals, rows, pool)


def _goals_and_overrides(
    reference: Sequence[NationalGoal] | None, overrides: str | Path | None
) -> tuple[list[NationalGoal], list[Override]]:
    goals = list(reference) if reference is not None else load_national_goals()
    if not goals:
        raise RikgError("no national sub-goals or operational goals in the reference data: cannot align")
    path = Path(overrides) if overrides is not None else default_overrides_path()
    return goals, load_overrides(path) if path.exists() else []


class BuildContextLike(Protocol):
    """What :func:`align_step` needs of ``rikg.build.BuildContext``."""

    plans: list[PlanDocument]
    progress: Callable[[str], None]

    def write(self, graph_iri: str, triples: Sequence[Triple]) -> None:
        """Replace one named graph."""


def align_step(context: BuildContextLike) -> None:
    """A build step: align the plans the build loaded, write ``id:graph/alignments`` and report the
    coverage of each plan through ``context.progress``.

    Use as ``build(..., steps=(*DEFAULT_STEPS, align_step))``. A context may carry the plans'
    alignments already (``alignments``: slug -> :class:`PlanAlignment`, as ``rikg.build`` makes
    them where it parses each plan); the others are aligned here, in the processes of its
    ``pool`` when it has one (a :class:`concurrent.futures.Executor`).
    """
    goals, rows = _goals_and_overrides(None, None)
    prepared: Mapping[str, PlanAlignment] = getattr(context, "alignments", {})
    missing = [doc for doc in context.plans if doc.slug not in prepared]
    pool: Executor | None = getattr(context, "pool", None)
    aligned = dict(zip((doc.slug for doc in missing), _aligned(missing, goals, pool), strict=True))
    alignments = [prepared.get(doc.slug) or aligned[doc.slug] for doc in context.plans]
    links = combine_alignments(alignments, goals, rows)
    context.write(ALIGNMENTS_GRAPH, alignment_triples(links))
    items = {doc.slug: alignment.items for doc, alignment in zip(context.plans, alignments, strict=True)}
    for slug, coverage in coverage_by_plan(links, context.plans, items).items():
        context.progress(f"{slug}: alignment {coverage}")


def coverage_by_plan(
    links: Sequence[AlignmentLink],
    plans: Sequence[PlanDocument],
    items: Mapping[str, Sequence[PlanItem]] | None = None,
) -> dict[str, PlanCoverage]:
    """Alignment coverage per plan slug (objectives aligned; measures aligned directly or through
    their objective), for ``rikg build`` to print; ``items``: each plan's items by slug, when known."""
    by_source = defaultdict(list)
    for link in links:
        by_source[link.source].append(link)
    coverage: dict[str, PlanCoverage] = {}
    for doc in plans:
        plan = coverage[doc.slug] = PlanCoverage()
        for item in items[doc.slug] if items is not None else plan_items(doc):
            own = by_source.get(item.iri, [])
            plan.methods.update(link.method for link in own)
            if item.kind == "objective":
                plan.objectives += 1
                plan.objectives_aligned += bool(own)
            else:
                plan.measures += 1
                plan.measures_aligned_directly += bool(own)
                plan.measures_aligned += bool(own) or bool(by_source.get(item.objective or ""))
    return coverage
