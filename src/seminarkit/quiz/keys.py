"""Answer keys: canonical forms, salted hashes, and sealing a quiz for the student edition.

A sealed question keeps its answer only as salted SHA-256 digests in ``key_hash`` (a JSON
string, see :func:`seal_question`); :func:`seminarkit.editions.redact` then drops the plain
``answer`` and ``explanation``. Salts are derived from the module id and question id, so a
build is reproducible; they only stop precomputed tables, not brute force: a student can hash
each of four options and find the right one. That is accepted for *practice* checking; graded
quizzes are scored with the real key by the instructor (see docs/quiz.md).

Sealed payload (``key_hash``), version 1, by question type::

    {"v": 1, "type": "single",    "salt": S, "h": H(option)}
    {"v": 1, "type": "truefalse", "salt": S, "h": H("true" | "false")}
    {"v": 1, "type": "multiple",  "salt": S, "right": [H(option) for each right option]}
    {"v": 1, "type": "text",      "salt": S, "accept": [H(normalise_text(a)) ...]}
    {"v": 1, "type": "ordering",  "salt": S, "pos": [H(str(index), item) ...]}
    {"v": 1, "type": "matching",  "salt": S, "pairs": [H(left, option) ...]}
    {"v": 1, "type": "numeric",   "salt": S, "exp": E, "grid": [H(str(k)) ...]}

Lists are sorted so their order says nothing. Numeric answers are sealed as a grid: with
step ``10**E``, ``grid`` holds every integer ``k`` with ``k * step`` in the accepted interval
``[low, high]``; a response ``x`` is accepted when both ``floor(x / step)`` and
``ceil(x / step)`` are in the grid, which is exactly ``low <= x <= high`` whenever the bounds
are multiples of the step. The step is the finest power of ten that holds both bounds, made
coarser (bounds rounded inwards) only when the grid would exceed :data:`MAX_GRID` points; then
practice checking may reject a response within one step of a bound (never accept a wrong
one). Scoring with the real key is always exact.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from seminarkit.content.schema.quiz import (
    Matching,
    MultipleChoice,
    Ordering,
    Question,
    QuizFile,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from seminarkit.quiz.common import key_of
from seminarkit.quiz.errors import QuizError

KEY_VERSION = 1
HASH_HEX = 20  # 80-bit digests: collisions are negligible for a quiz
MAX_GRID = 1000
_SPACES = re.compile(r"\s+")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")


def normalise_text(text: str) -> str:
    """Fold a short text answer: NFKD, drop diacritics, case-fold, collapse whitespace."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def to_decimal(value: object) -> Decimal | None:
    """Parse a numeric response exactly; ``None`` when it is not a finite number.

    Accepts ints, floats (via their shortest ``repr``, so ``0.1`` is ``Decimal('0.1')``) and
    strings. In strings, spaces and ``_`` are ignored; ``1,000,000`` reads as thousands, any
    other lone comma as a decimal comma (``12,5`` is 12.5).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = _SPACES.sub("", value).replace("_", "").replace("\u2212", "-")
    if "," in text:
        if "." in text or _THOUSANDS.match(text):
            text = text.replace(",", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def numeric_bounds(answer: float, tolerance: float, kind: str) -> tuple[Decimal, Decimal]:
    """Return the accepted interval ``[low, high]`` (inclusive; ``rel`` is of ``|answer|``)."""
    center = Decimal(repr(float(answer)))
    width = Decimal(repr(float(tolerance)))
    if kind == "rel":
        width = abs(center) * width
    return center - width, center + width


def derive_salt(module_id: str, question_id: str) -> str:
    """Return the deterministic, public salt of one question (it separates, not hides)."""
    seed = f"seminarkit-quiz-salt\0{module_id}\0{question_id}".encode()
    return hashlib.sha256(seed).hexdigest()[:16]


def digest(salt: str, *parts: str) -> str:
    """Salted SHA-256 of ``parts`` (joined by NUL), truncated to :data:`HASH_HEX` hex digits."""
    data = "\0".join((salt, *parts)).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:HASH_HEX]


def _exponent(value: Decimal) -> int:
    if value == 0:
        return 0
    exp = value.normalize().as_tuple().exponent
    assert isinstance(exp, int)
    return exp


def numeric_grid(low: Decimal, high: Decimal) -> tuple[int, int, int]:
    """Return ``(exp, first, last)``: grid step ``10**exp`` and the integer range inside."""
    exp = min(_exponent(low), _exponent(high))
    while True:
        first = int(low.scaleb(-exp).to_integral_value(rounding=ROUND_CEILING))
        last = int(high.scaleb(-exp).to_integral_value(rounding=ROUND_FLOOR))
        if last - first + 1 <= MAX_GRID:
            return exp, first, last
        exp += 1


def grid_cells(value: Decimal, exp: int) -> tuple[int, int]:
    """Return the grid indices just below and above ``value`` (equal when on the grid)."""
    scaled = value.scaleb(-exp)
    return (int(scaled.to_integral_value(rounding=ROUND_FLOOR)),
            int(scaled.to_integral_value(rounding=ROUND_CEILING)))


def _sealed_key(question: Question, salt: str) -> dict[str, object]:
    if isinstance(question, SingleChoice):
        return {"h": digest(salt, key_of(question.answer, question.id))}
    if isinstance(question, TrueFalse):
        return {"h": digest(salt, "true" if key_of(question.answer, question.id) else "false")}
    if isinstance(question, MultipleChoice):
        return {"right": sorted(digest(salt, a) for a in key_of(question.answer, question.id))}
    if isinstance(question, ShortText):
        return {"accept": sorted({digest(salt, normalise_text(a)) for a in key_of(question.answer, question.id)})}
    if isinstance(question, Ordering):
        order = key_of(question.answer, question.id)
        return {"pos": sorted(digest(salt, str(i), item) for i, item in enumerate(order))}
    if isinstance(question, Matching):
        pairs = key_of(question.answer, question.id)
        return {"pairs": sorted(digest(salt, left, opt) for left, opt in pairs.items())}
    low, high = numeric_bounds(key_of(question.answer, question.id), question.tolerance, question.tolerance_kind)
    exp, first, last = numeric_grid(low, high)
    return {"exp": exp, "grid": sorted(digest(salt, str(k)) for k in range(first, last + 1))}


def seal_question(question: Question, module_id: str) -> Question:
    """Return ``question`` with ``key_hash`` (and ``public_explanation`` if allowed) filled.

    The plain ``answer``/``explanation`` stay; :func:`seminarkit.editions.redact` removes them.
    A question without an answer (already sealed) is returned unchanged, and so is an
    ``exam_only`` one: its key is not sealed but withheld (redaction then removes it).
    """
    if question.answer is None or question.exam_only:
        return question
    salt = derive_salt(module_id, question.id)
    payload = {"v": KEY_VERSION, "type": question.type, "salt": salt,
               **_sealed_key(question, salt)}
    updates: dict[str, Any] = {"key_hash": json.dumps(payload, sort_keys=True,
                                                      separators=(",", ":"))}
    if question.show_explanation and question.explanation:
        updates["public_explanation"] = question.explanation
    return question.model_copy(update=updates)


def seal_quiz(quiz: QuizFile, module_id: str) -> QuizFile:
    """Seal every question of ``quiz`` for the student edition (deterministic)."""
    return quiz.model_copy(update={"questions": [seal_question(q, module_id)
                                                 for q in quiz.questions]})


def read_key(question: Question) -> dict[str, Any]:
    """Parse and sanity-check a question's ``key_hash``; a clear error when it is unusable."""
    if not question.key_hash:
        raise QuizError(f"question {question.id!r} has neither an answer nor a sealed key "
                        "(load the module through seminarkit.editions.module_for_edition)")
    try:
        payload = json.loads(question.key_hash)
    except ValueError:
        raise QuizError(f"question {question.id!r}: sealed key is not valid JSON") from None
    if not isinstance(payload, dict) or payload.get("v") != KEY_VERSION:
        raise QuizError(f"question {question.id!r}: sealed key has an unknown format "
                        f"(expected version {KEY_VERSION}; rebuild the student edition)")
    if payload.get("type") != question.type or not isinstance(payload.get("salt"), str):
        raise QuizError(f"question {question.id!r}: sealed key does not fit a "
                        f"{question.type!r} question (rebuild the student edition)")
    return payload


def strip_keys(question: Question) -> Question:
    """Return ``question`` without sealed key or public explanation (for exam mode)."""
    if question.key_hash is None and question.public_explanation is None:
        return question
    return question.model_copy(update={"key_hash": None, "public_explanation": None})
