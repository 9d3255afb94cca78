"""The room's one error type: a message for the user and the HTTP status it maps to."""

from __future__ import annotations

from seminarkit.errors import SeminarkitError


class RoomError(SeminarkitError):
    """A request the room refuses; ``status`` is the HTTP status (4xx) it answers with.

    ``strike`` marks refusals that look like guessing (wrong token, unknown join code, forged
    student id): the room counts them per client address and slows down an address that
    collects too many.
    """

    def __init__(self, status: int, message: str, *, retry_after: float | None = None, strike: bool = False):
        self.status, self.message, self.retry_after, self.strike = status, message, retry_after, strike
        super().__init__(message)
