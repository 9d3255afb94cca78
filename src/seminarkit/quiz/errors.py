"""Errors of the quiz engine (all :class:`~seminarkit.errors.SeminarkitError` subclasses)."""

from __future__ import annotations

from seminarkit.errors import SeminarkitError
from seminarkit.lms.errors import RosterError

__all__ = ["QuizError", "ResponsesError", "RosterError"]


class QuizError(SeminarkitError):
    """A quiz cannot be checked, selected, rendered, exported or scored as asked."""


class ResponsesError(QuizError):
    """A responses file cannot be read or does not belong to this quiz."""
