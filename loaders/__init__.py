"""rikg.loaders: municipal action plans (text exports of Word/PDF tables) read into typed records.

>>> from pathlib import Path
>>> plans = load_plans(Path(__file__).parents[1] / "data" / "plans")
>>> [plan.slug for plan in plans if isinstance(plan, PlanDocument)]
['blagoevgrad-2024-2027', 'kyustendil-2022-2024', 'plovdiv-2022-2024', 'ruse-2024-2027']
"""

from rikg.loaders.plan import coverage, load_plan, load_plans
from rikg.loaders.records import PlanDocument

__all__ = ["PlanDocument", "coverage", "load_plan", "load_plans"]
