"""Errors that reach the user as one readable line.

>>> str(PlanError("plan.txt", "empty file"))
'plan.txt: empty file'
"""

from __future__ import annotations


class RikgError(Exception):
    """An error the command line prints as one line (no traceback)."""


class PlanError(RikgError):
    """A plan file that cannot be loaded: names the file and the reason."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason

    def __reduce__(self) -> tuple[type[PlanError], tuple[str, str]]:
        # Exceptions pickle their args, not our two fields: build workers send errors back.
        return (PlanError, (self.file, self.reason))


class StoreError(RikgError):
    """A store that cannot be opened, reached or written."""


class QueryError(RikgError):
    """A query that cannot be found, parsed or run."""
