"""The faster paths of the aligner give the figures of the plain pairwise comparison.

``TextIndex.similarities`` (one text against the goal texts of an area), ``reaching_stem_dice``
(which goal texts of other areas are worth comparing) and the containment view asked for lazily
must give exactly what ``TextIndex.similarity`` / ``stem_dice`` give pair by pair: the same
floats, so the same links, scores and evidence. Items are the objectives and measures of the
bundled plans; the goals are the shipped reference goals.
"""

from __future__ import annotations

import pytest

from rikg.align import _CROSS_AREA_DICE, NationalGoal, PlanItem, _rank, load_national_goals, plan_items
from rikg.config import bundled_plans_dir
from rikg.loaders.plan import load_plan
from rikg.textsim import TextIndex


@pytest.fixture(scope="module")
def goals() -> list[NationalGoal]:
    return load_national_goals()


@pytest.fixture(scope="module")
def items() -> list[PlanItem]:
    paths = sorted(bundled_plans_dir().glob("*.txt"))
    return [item for path in paths for item in plan_items(load_plan(path))]


def area_texts(goals: list[NationalGoal], area: str | None) -> list[str]:
    return [text for goal in goals if goal.area == area for text in goal.texts]


def test_similarities_are_the_pairwise_similarities(goals: list[NationalGoal], items: list[PlanItem]) -> None:
    index = TextIndex(goal.text for goal in goals)
    compared = 0
    for item in items:
        texts = area_texts(goals, item.area)
        pairwise = [index.similarity(item.text, text, containment=False) for text in texts]
        assert index.similarities(item.text, texts) == pairwise
        compared += len(texts)
    assert compared > 1000


def test_similarities_of_texts_unknown_to_the_index() -> None:
    index = TextIndex(["Развитие на здравна медиация"])
    others = ["Здравна медиация в общините", "", "Образование и заетост"]
    for text in ("Медиация", "", "Развитие на здравна медиация и образование в общините на областта"):
        pairwise = [index.similarity(text, other, containment=False) for other in others]
        assert index.similarities(text, others) == pairwise


def test_reaching_stem_dice_finds_what_every_stem_dice_finds(
    goals: list[NationalGoal], items: list[PlanItem]
) -> None:
    index = TextIndex(goal.text for goal in goals)
    texts = [text for goal in goals for text in goal.texts]
    for minimum in (_CROSS_AREA_DICE, 0.3, 0.05):
        found = 0
        for item in items:
            expected = [n for n, text in enumerate(texts) if index.stem_dice(item.text, text) >= minimum]
            assert index.reaching_stem_dice(item.text, texts, minimum) == expected
            found += len(expected)
        assert found > 0


def test_the_top_ranks_carry_the_containment_view(goals: list[NationalGoal], items: list[PlanItem]) -> None:
    index = TextIndex(goal.text for goal in goals)
    for item in items[::5]:
        ranked = _rank(item, goals, index)
        for n, scored in enumerate(ranked[:3]):
            full = index.similarity(item.text, scored.text)
            expected = full if n < 2 else index.similarity(item.text, scored.text, containment=False)
            assert scored.similarity == expected
