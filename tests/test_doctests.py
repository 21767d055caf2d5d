"""Runs the doctest examples of every rikg module (the documentation must stay runnable)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import rikg

PACKAGES = ("rikg", "rikg.ontology", "rikg.loaders", "rikg.graph_store", "rikg.queries")
SKIP = {"rikg.__main__"}


def _modules() -> list[str]:
    names: set[str] = set()
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        names.add(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            names.add(info.name)
    return sorted(names - SKIP)


def test_every_package_is_walked() -> None:
    assert "rikg.cli" in _modules() and rikg.__version__


@pytest.mark.parametrize("module_name", _modules())
def test_doctests(module_name: str) -> None:
    module: ModuleType = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {module_name}"
