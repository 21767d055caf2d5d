"""The build's quality report: what each plan yielded and what could not be read.

The same report is printed by ``rikg build`` (a table on standard output) and
written as JSON beside the store, so a reviewer can see per plan and priority
how many objectives, measures and activities were found, which institutions and
funding sources no registry entry matched, and which fragments the loader could
not place, with their lines.

>>> from rikg.loaders.records import Objective, PlanDocument, Priority, SourceSpan
>>> span = SourceSpan("p.txt", 5, 5, "Цел 1")
>>> doc = PlanDocument(file="p.txt", slug="ruse-2024-2027", municipality="Русе", oblast="Русе",
...     title="План", start_year=2024, end_year=2027,
...     priorities=[Priority("Образование", "education", span, objectives=[Objective("1", "Цел", span)])])
>>> quality = PlanQuality.from_plan(doc, triples=42)
>>> quality.totals()
{'objectives': 1, 'measures': 0, 'activities': 0}
>>> report = BuildReport(store="var/store", plans_dir="data/plans", plans=[quality])
>>> report.ok, report.to_json()["plans"][0]["slug"]
(True, 'ruse-2024-2027')
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rikg.loaders.records import EntityRef, PlanDocument
from rikg.mapping import plan_graph_iri
from rikg.output import format_table, visible

__all__ = ["BuildReport", "FileError", "PlanQuality", "PriorityCounts", "UnparsedEntry"]


@dataclass(frozen=True)
class PriorityCounts:
    """How many objectives, measures and activities one priority of a plan yielded."""

    name: str
    policy_area: str | None
    line: int
    objectives: int
    measures: int
    activities: int


@dataclass(frozen=True)
class UnparsedEntry:
    """A fragment the loader could not place: its lines, the reason and the text as written."""

    line_start: int
    line_end: int
    reason: str
    text: str


@dataclass(frozen=True)
class FileError:
    """A plan file that could not be loaded, and why."""

    file: str
    reason: str


def _distinct_unresolved(refs: list[EntityRef]) -> list[str]:
    return sorted({ref.label for ref in refs if not ref.resolved})


@dataclass
class PlanQuality:
    """The quality figures of one loaded plan."""

    file: str
    slug: str
    graph: str
    triples: int
    priorities: list[PriorityCounts]
    unresolved_institutions: list[str]
    unresolved_funding: list[str]
    unparsed: list[UnparsedEntry]
    warnings: list[str]

    @classmethod
    def from_plan(cls, doc: PlanDocument, triples: int) -> PlanQuality:
        """The figures of a plan's records (``triples`` is the size of its mapped graph)."""
        priorities = [
            PriorityCounts(
                name=priority.name_raw,
                policy_area=priority.policy_area,
                line=priority.span.line_start,
                objectives=len(priority.objectives),
                measures=sum(len(o.measures) for o in priority.objectives),
                activities=sum(len(m.activities) for o in priority.objectives for m in o.measures),
            )
            for priority in doc.priorities
        ]
        items = [*doc.measures(), *doc.activities()]
        return cls(
            file=doc.file,
            slug=doc.slug,
            graph=plan_graph_iri(doc.slug),
            triples=triples,
            priorities=priorities,
            unresolved_institutions=_distinct_unresolved([r for item in items for r in item.institutions]),
            unresolved_funding=_distinct_unresolved([r for item in items for r in item.funding]),
            unparsed=[
                UnparsedEntry(f.span.line_start, f.span.line_end, f.reason, f.span.text) for f in doc.unparsed
            ],
            warnings=list(doc.warnings),
        )

    def totals(self) -> dict[str, int]:
        """Objectives, measures and activities of the whole plan."""
        return {
            "objectives": sum(p.objectives for p in self.priorities),
            "measures": sum(p.measures for p in self.priorities),
            "activities": sum(p.activities for p in self.priorities),
        }


@dataclass
class BuildReport:
    """Everything one build did: plans loaded, files that failed, graphs written and graphs kept."""

    store: str
    plans_dir: str
    plans: list[PlanQuality] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)
    kept_plan_graphs: list[str] = field(default_factory=list)
    report_path: str | None = None

    @property
    def ok(self) -> bool:
        """True when every plan file in the folder was loaded."""
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (the format of the quality report file)."""
        data = asdict(self)
        data["ok"] = self.ok
        for plan, quality in zip(data["plans"], self.plans, strict=True):
            plan["totals"] = quality.totals()
        return data

    def write(self, path: Path) -> None:
        """Write the JSON quality report (UTF-8, Bulgarian text unescaped)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        self.report_path = str(path)

    def summary_table(self) -> str:
        """Per plan and priority: objectives, measures, activities; per plan: what could not be resolved.

        >>> print(BuildReport(store="s", plans_dir="d").summary_table().splitlines()[0])
        plan  priority  line  objectives  measures  activities  unresolved institutions  ...  unparsed
        """
        columns = [
            "plan", "priority", "line", "objectives", "measures", "activities",
            "unresolved institutions", "unresolved funding", "unparsed",
        ]
        rows: list[list[str]] = []
        for plan in self.plans:
            for priority in plan.priorities:
                area = priority.policy_area or f"? {priority.name}"
                rows.append([
                    plan.slug, area, str(priority.line), str(priority.objectives),
                    str(priority.measures), str(priority.activities), "", "", "",
                ])
            totals = plan.totals()
            rows.append([
                plan.slug, "(total)", "", str(totals["objectives"]), str(totals["measures"]),
                str(totals["activities"]), str(len(plan.unresolved_institutions)),
                str(len(plan.unresolved_funding)), str(len(plan.unparsed)),
            ])
        return format_table(columns, rows)

    def problem_lines(self) -> list[str]:
        """One line per thing that could not be parsed or resolved, for the command's output.

        Plan text in them cannot drive the terminal: controls and bidi characters show as escapes.
        """
        lines: list[str] = []
        for plan in self.plans:
            for entry in plan.unparsed:
                excerpt = _excerpt(entry.text)
                lines.append(f"{plan.file}:{entry.line_start}: unparsed ({entry.reason}): {excerpt}")
            lines += [f"{plan.file}: unresolved institution: {name}" for name in plan.unresolved_institutions]
            lines += [f"{plan.file}: unresolved funding source: {name}" for name in plan.unresolved_funding]
            lines += [f"{plan.file}: warning: {warning}" for warning in plan.warnings]
        return [visible(line) for line in lines]


def _excerpt(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
