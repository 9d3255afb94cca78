"""Secrets and limits of the live room: instructor token, join codes, signed student ids, rate limits.

* The **instructor token** opens the control and projector pages. It travels only in the
  ``Authorization: Bearer`` header (never a cookie, so a cross-site form cannot ride on it) and
  is compared in constant time.
* A **join code** is six characters from an alphabet without look-alikes (no I, O, 0, 1): about
  10^9 codes, and wrong guesses are rate-limited per client.
* A **student credential** is ``<random id>.<HMAC>`` issued by the server when a notebook joins
  a session. The HMAC binds the id to that session with the room's secret (kept in the
  database, so credentials survive a restart); a student cannot post for an id they were not
  given, nor reuse a credential in another session.
* :class:`RateLimiter` is a token bucket per key, in memory, with a bounded number of keys.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOIN_LENGTH = 6
_JOIN_RE = re.compile(f"^[{JOIN_ALPHABET}]{{{JOIN_LENGTH}}}$")
_ID_HEX = 16
_MAC_HEX = 32
_CREDENTIAL_RE = re.compile(f"^([0-9a-f]{{{_ID_HEX}}})\\.([0-9a-f]{{{_MAC_HEX}}})$")
MIN_TOKEN_LENGTH = 16


def new_token() -> str:
    """Return a fresh instructor token (32 URL-safe characters, 192 random bits)."""
    return secrets.token_urlsafe(24)


def token_matches(given: str | None, expected: str) -> bool:
    """Compare a presented token with the real one in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def bearer_token(header: str | None) -> str | None:
    """Return the token of an ``Authorization: Bearer <token>`` header, else ``None``."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def new_join_code() -> str:
    """Return a random join code, e.g. ``K7QX2M``."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))


def normalise_join_code(text: object) -> str | None:
    """Return the join code in canonical form (upper case, no spaces or dashes), or ``None``."""
    if not isinstance(text, str) or len(text) > 32:
        return None
    code = text.strip().upper().replace("-", "").replace(" ", "")
    return code if _JOIN_RE.match(code) else None


class StudentSigner:
    """Issue and verify anonymous student credentials bound to one session."""

    def __init__(self, secret: bytes):
        if len(secret) < 16:
            raise ValueError("the room secret must be at least 16 bytes")
        self._secret = secret

    def _mac(self, session_id: int, student_id: str) -> str:
        message = f"seminarkit-room-student\0{session_id}\0{student_id}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:_MAC_HEX]

    def issue(self, session_id: int) -> tuple[str, str]:
        """Return ``(student_id, credential)`` for a new anonymous student of a session."""
        student_id = secrets.token_hex(_ID_HEX // 2)
        return student_id, f"{student_id}.{self._mac(session_id, student_id)}"

    def verify(self, credential: object, session_id: int) -> str | None:
        """Return the student id a credential carries for ``session_id``, or ``None`` if forged."""
        if not isinstance(credential, str):
            return None
        match = _CREDENTIAL_RE.match(credential)
        if match is None:
            return None
        student_id, mac = match.groups()
        return student_id if hmac.compare_digest(mac, self._mac(session_id, student_id)) else None


@dataclass(frozen=True)
class Rate:
    """A token-bucket rate: ``burst`` requests at once, refilled at ``per_second``."""

    burst: float
    per_second: float


class RateLimiter:
    """Token buckets keyed by client (or student), at most ``max_keys`` remembered."""

    def __init__(self, rate: Rate, max_keys: int = 10_000):
        self.rate, self.max_keys = rate, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def hit(self, key: str, now: float | None = None) -> float | None:
        """Take one token for ``key``: ``None`` when allowed, else seconds until one is free."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(key, (self.rate.burst, now))
        tokens = min(self.rate.burst, tokens + (now - last) * self.rate.per_second)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if allowed:
            return None
        return self._wait(tokens)

    def blocked(self, key: str, now: float | None = None) -> float | None:
        """Without taking a token: ``None`` when ``key`` has one left, else seconds until it has."""
        if key not in self._buckets:
            return None
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets[key]
        tokens = min(self.rate.burst, tokens + (now - last) * self.rate.per_second)
        return None if tokens >= 1.0 else self._wait(tokens)

    def _wait(self, tokens: float) -> float:
        return (1.0 - tokens) / self.rate.per_second if self.rate.per_second > 0 else 60.0
