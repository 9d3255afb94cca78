"""Errors of roster reading and grade export: each problem is one line naming file and row."""

from __future__ import annotations

from collections.abc import Sequence

from seminarkit.errors import SeminarkitError


class RosterError(SeminarkitError):
    """A roster cannot be used as it stands; ``problems`` holds one line per problem found."""

    def __init__(self, problems: str | Sequence[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class GradeExportError(SeminarkitError):
    """The gradebook cannot be exported as asked; ``problems`` holds one line per problem."""

    def __init__(self, problems: str | Sequence[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
