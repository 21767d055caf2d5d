"""The build's problem lines show plan text as text: a plan cannot drive the terminal through them."""

from __future__ import annotations

from rikg.quality import BuildReport, PlanQuality, UnparsedEntry

ESC = "\x1b"


def test_problem_lines_escape_control_and_bidi_characters_from_plan_text() -> None:
    plan = PlanQuality(
        file="plan.txt",
        slug="ruse-2024-2027",
        graph="https://w3id.org/rikg/id/graph/plan/ruse-2024-2027",
        triples=1,
        priorities=[],
        unresolved_institutions=[f"РУО{ESC}[2J"],
        unresolved_funding=["Община\u202eРусе"],
        unparsed=[UnparsedEntry(line_start=7, line_end=7, reason="note", text=f"Бележка {ESC}]0;title\x07")],
        warnings=["line 9: \rcut"],
    )
    lines = BuildReport(store="var/store", plans_dir="data/plans", plans=[plan]).problem_lines()
    assert lines == [
        "plan.txt:7: unparsed (note): Бележка \\x1b]0;title\\x07",
        "plan.txt: unresolved institution: РУО\\x1b[2J",
        "plan.txt: unresolved funding source: Община\\u202eРусе",
        "plan.txt: warning: line 9: \\rcut",
    ]
    assert not any(ESC in line or "\u202e" in line or "\r" in line for line in lines)
