"""Typed records that loaders produce from plan files.

Records are plain data: they carry every value twice, as written in the plan
(``*_raw`` / ``raw``) and resolved (canonical keys, numbers, years), plus the
:class:`SourceSpan` they came from. Loaders never touch an RDF store; the graph
mapping (``rikg.mapping``) turns these records into triples.

>>> span = SourceSpan("plan.txt", 3, 4, "1.1. Мярка")
>>> Measure(code="1.1", text="Мярка", span=span).code
'1.1'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "Activity",
    "Amount",
    "EntityRef",
    "Indicator",
    "Measure",
    "Objective",
    "Period",
    "PlanDocument",
    "Priority",
    "SourceSpan",
    "UnparsedFragment",
    "UpstreamRef",
]


@dataclass(frozen=True)
class SourceSpan:
    """Where a record came from: file name (no directory), 1-based inclusive lines, original text."""

    file: str
    line_start: int
    line_end: int
    text: str


@dataclass(frozen=True)
class EntityRef:
    """A responsible institution or a funding source, as written and as resolved.

    ``key`` is the registry slug below ``https://w3id.org/rikg/id/`` (for example
    ``"institution/ruo-ruse"`` or ``"programme/prchr-2021-2027"``). For a name the
    registry does not know, ``key`` is a slug made from the text and ``resolved``
    is False: the graph keeps it as a new node flagged as unresolved.
    ``parent_key`` is set for a regional unit created on the fly ("РУО-Русе" is
    the Русе unit of ``institution/ruo``).
    """

    raw: str
    label: str
    key: str
    resolved: bool
    parent_key: str | None = None


@dataclass(frozen=True)
class Amount:
    """A planned amount in BGN as written ("10 000 лева", "2 мил. лв.", "100 лева годишно")."""

    raw: str
    bgn: Decimal
    per_year: bool = False


@dataclass(frozen=True)
class Period:
    """A period or deadline as written; years where the text gives them, else a status word."""

    raw: str
    start_year: int | None = None
    end_year: int | None = None
    status: str | None = None


@dataclass(frozen=True)
class Indicator:
    """An indicator with baseline (current) and target values as written."""

    text: str
    baseline: str | None = None
    target: str | None = None


@dataclass
class Activity:
    """"Дейност" / "Действие": one row of a plan's table under a measure."""

    code: str | None
    text: str
    span: SourceSpan
    status: str | None = None
    institutions_raw: str | None = None
    institutions: list[EntityRef] = field(default_factory=list)
    period: Period | None = None
    amounts: list[Amount] = field(default_factory=list)
    amount_raw: str | None = None
    funding_raw: str | None = None
    funding: list[EntityRef] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class Measure(Activity):
    """"Мярка" / "Задача": institutions, funding and period may be on the measure or its activities."""

    activities: list[Activity] = field(default_factory=list)


@dataclass
class Objective:
    """A plan's goal: "Цел", "Подцел", "Специфична цел", "Оперативна цел"."""

    code: str | None
    text: str
    span: SourceSpan
    kind: str = "Цел"
    measures: list[Measure] = field(default_factory=list)


@dataclass
class Priority:
    """A priority section of the plan, mapped to one of the six policy areas.

    ``policy_area`` is one of ``education``, ``health``, ``employment``,
    ``housing``, ``rule-of-law``, ``culture`` (or None when it cannot be told).
    """

    name_raw: str
    policy_area: str | None
    span: SourceSpan
    operational_goal: str | None = None
    objectives: list[Objective] = field(default_factory=list)


@dataclass(frozen=True)
class UpstreamRef:
    """A document the plan says it implements; ``key`` is e.g. ``"document/nap-2024-2027"``."""

    key: str
    raw: str
    span: SourceSpan


@dataclass(frozen=True)
class UnparsedFragment:
    """Table text the loader could not place, kept so nothing is lost."""

    span: SourceSpan
    reason: str


@dataclass
class PlanDocument:
    """Everything read from one municipal plan file."""

    file: str
    slug: str
    municipality: str | None
    oblast: str | None
    title: str | None
    start_year: int | None
    end_year: int | None
    adoption_act: str | None = None
    encoding: str = "utf-8"
    upstream: list[UpstreamRef] = field(default_factory=list)
    priorities: list[Priority] = field(default_factory=list)
    unparsed: list[UnparsedFragment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    table_lines: frozenset[int] = frozenset()

    def measures(self) -> list[Measure]:
        """All measures of the plan, in document order."""
        return [m for p in self.priorities for o in p.objectives for m in o.measures]

    def activities(self) -> list[Activity]:
        """All activities of the plan, in document order."""
        return [a for m in self.measures() for a in m.activities]
