"""The session's two versions of the bundled plans (``reliability_helpers.prepare_versions``)."""

from __future__ import annotations

import pytest
from reliability_helpers import PlanVersions, prepare_versions


@pytest.fixture(scope="session")
def plan_versions(tmp_path_factory: pytest.TempPathFactory) -> PlanVersions:
    """Plans A and B, each built once cleanly, with every graph's fingerprint in both."""
    return prepare_versions(tmp_path_factory.mktemp("versions"))
