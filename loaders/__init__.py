"""rikg.loaders: municipal action plans (text exports of Word/PDF tables) read into typed records.

The loader functions are imported on first use, so that importing a light submodule
(``rikg.loaders.records``) never pulls in the whole pipeline and its registries.

>>> from pathlib import Path
>>> from rikg.loaders import load_plans
>>> plans = load_plans(Path(__file__).parents[1] / "data" / "plans")
>>> [plan.slug for plan in plans if not isinstance(plan, Exception)]
['blagoevgrad-2024-2027', 'kyustendil-2022-2024', 'plovdiv-2022-2024', 'ruse-2024-2027']
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["coverage", "load_plan", "load_plans"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("rikg.loaders.plan"), name)
    raise AttributeError(f"module 'rikg.loaders' has no attribute {name!r}")
