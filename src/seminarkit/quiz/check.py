"""Checking answers: pure functions, one per question type, plus the sealed-key variant.

Every checker returns a :class:`CheckResult`: the fraction earned (0..1), the points
(fraction × the question's points), whether the answer is fully correct, a status and a
short feedback line that never reveals the key.

Responses, by type: ``single`` an option text; ``multiple`` a collection of option texts;
``truefalse`` a bool (or "true"/"false"); ``numeric`` a number or numeric string; ``text``
a string; ``ordering`` the items as a list, first to last; ``matching`` a dict from each
left-hand item to the chosen option. ``None``, blanks and empty collections are unanswered.

Partial credit:

* multiple — (right picks − wrong picks) / number of right options, floored at 0;
* ordering — fraction of the n·(n−1)/2 item pairs put in the right relative order (a pair
  with a missing item counts as wrong);
* matching — fraction of left-hand items matched correctly;
* every other type is all or nothing.

Text answers compare after :func:`~seminarkit.quiz.keys.normalise_text` (case, whitespace
and diacritics ignored). Numeric answers are accepted inside ``[answer − t, answer + t]``
with inclusive bounds, in exact decimal arithmetic (``t`` is ``tolerance`` or, for a relative
tolerance, ``tolerance × |answer|``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeVar

from seminarkit.content.schema.quiz import (
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from seminarkit.quiz.common import key_of
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.keys import (
    digest,
    grid_cells,
    normalise_text,
    numeric_bounds,
    read_key,
    to_decimal,
)

Q = TypeVar("Q", bound=Question)

Status = Literal["correct", "partial", "wrong", "unanswered"]

FEEDBACK_CORRECT = "Correct"
FEEDBACK_PARTIAL = "Partly right"
FEEDBACK_WRONG = "Not quite"
FEEDBACK_EMPTY = "No answer yet"
FEEDBACK_NOT_A_NUMBER = "Not a number"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one response to one question."""

    question_id: str
    fraction: float
    max_points: float
    status: Status
    feedback: str

    @property
    def points(self) -> float:
        """Points earned: fraction × the question's points."""
        return self.fraction * self.max_points

    @property
    def correct(self) -> bool:
        """True when the answer earns full credit."""
        return self.status == "correct"


def _result(question: Question, fraction: float, detail: str = "") -> CheckResult:
    fraction = max(0.0, min(1.0, fraction))
    if fraction >= 1.0:
        status: Status = "correct"
        text = FEEDBACK_CORRECT
    elif fraction > 0:
        status, text = "partial", FEEDBACK_PARTIAL
    else:
        status, text = "wrong", FEEDBACK_WRONG
    if detail and status != "correct":
        text = f"{text} ({detail})"
    return CheckResult(question.id, fraction, float(question.points), status, text + ".")


def _unanswered(question: Question) -> CheckResult:
    return CheckResult(question.id, 0.0, float(question.points), "unanswered",
                       FEEDBACK_EMPTY + ".")


def is_blank(response: object) -> bool:
    """Return True for ``None``, blank strings, and collections with no chosen value."""
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    if isinstance(response, Mapping):
        return all(is_blank(v) for v in response.values())
    if isinstance(response, (list, tuple, set, frozenset)):
        return all(is_blank(v) for v in response)
    return False


def _as_bool(response: object) -> bool | None:
    if isinstance(response, bool):
        return response
    if isinstance(response, str):
        return {"true": True, "t": True, "yes": True, "false": False, "f": False,
                "no": False}.get(response.strip().lower())
    return None


def _picks(response: object) -> set[str]:
    if isinstance(response, str):
        return {response.strip()}
    if isinstance(response, Iterable) and not isinstance(response, Mapping):
        return {str(v).strip() for v in response if not is_blank(v)}
    return set()


def _order(response: object) -> list[str]:
    if not isinstance(response, (list, tuple)):
        return []
    seen: list[str] = []
    for value in response:
        if isinstance(value, str) and value.strip() and value.strip() not in seen:
            seen.append(value.strip())
    return seen


# -- shared partial-credit rules (used with the real key and with the sealed key) ----------

def multiple_fraction(picks: set[str], is_right: Callable[[str], bool], n_right: int) -> float:
    """(right picks − wrong picks) / number of right options, floored at 0."""
    right = sum(1 for p in picks if is_right(p))
    return max(0.0, (right - (len(picks) - right)) / n_right)


def ordering_fraction(order: list[str], position: Callable[[str], int | None], n: int) -> float:
    """Fraction of the n·(n−1)/2 pairs in the right relative order (missing items: wrong)."""
    placed = [p for p in (position(item) for item in order) if p is not None]
    pairs = n * (n - 1) // 2
    good = sum(1 for i in range(len(placed)) for j in range(i + 1, len(placed))
               if placed[i] < placed[j])
    return good / pairs if pairs else 1.0


def matching_fraction(response: Mapping[str, object], left: list[str],
                      is_right: Callable[[str, str], bool]) -> float:
    """Fraction of left-hand items matched to the right option."""
    picked = {item: response.get(item) for item in left}
    good = sum(1 for item, value in picked.items() if isinstance(value, str) and is_right(item, value.strip()))
    return good / len(left)


def _numeric(question: Numeric, response: object,
             accept: Callable[[Decimal], bool]) -> CheckResult:
    value = to_decimal(response)
    if value is None:
        return _result(question, 0.0, FEEDBACK_NOT_A_NUMBER.lower())
    return _result(question, 1.0 if accept(value) else 0.0)


# -- checking with the real key ------------------------------------------------------------

def _answered(check_one: Callable[[Q, object], CheckResult]) -> Callable[[Q, object], CheckResult]:
    """Wrap a checker so that a blank response is 'unanswered' (0 points), not 'wrong'."""

    def wrapped(question: Q, response: object) -> CheckResult:
        return _unanswered(question) if is_blank(response) else check_one(question, response)

    wrapped.__name__, wrapped.__doc__ = check_one.__name__, check_one.__doc__
    return wrapped


@_answered
def check_single(question: SingleChoice, response: object) -> CheckResult:
    """Single choice: the response is the right option's text."""
    return _result(question, float(isinstance(response, str)
                                   and response.strip() == key_of(question.answer, question.id)))


@_answered
def check_multiple(question: MultipleChoice, response: object) -> CheckResult:
    """Multiple choice with partial credit (right picks − wrong picks) / right, floor 0."""
    right = set(key_of(question.answer, question.id))
    picks = _picks(response)
    fraction = multiple_fraction(picks, right.__contains__, len(right))
    hits = len(picks & right)
    return _result(question, fraction, f"{hits} of {len(right)} right options picked, "
                                       f"{len(picks - right)} wrong")


@_answered
def check_truefalse(question: TrueFalse, response: object) -> CheckResult:
    """True/false: the response is a bool or 'true'/'false'."""
    return _result(question, float(_as_bool(response) is key_of(question.answer, question.id)))


@_answered
def check_numeric(question: Numeric, response: object) -> CheckResult:
    """Numeric: accepted inside the tolerance, bounds inclusive, exact decimal arithmetic."""
    low, high = numeric_bounds(key_of(question.answer, question.id), question.tolerance, question.tolerance_kind)
    return _numeric(question, response, lambda x: low <= x <= high)


@_answered
def check_text(question: ShortText, response: object) -> CheckResult:
    """Short text: equal to an accepted answer after case/whitespace/diacritics folding."""
    accepted = {normalise_text(a) for a in key_of(question.answer, question.id)}
    return _result(question, float(isinstance(response, str)
                                   and normalise_text(response) in accepted))


@_answered
def check_ordering(question: Ordering, response: object) -> CheckResult:
    """Ordering: fraction of item pairs in the right relative order."""
    answer = key_of(question.answer, question.id)
    where = {item: i for i, item in enumerate(answer)}
    n = len(answer)
    fraction = ordering_fraction(_order(response), where.get, n)
    return _result(question, fraction, f"{round(fraction * n * (n - 1) / 2)} of "
                                       f"{n * (n - 1) // 2} pairs in order")


@_answered
def check_matching(question: Matching, response: object) -> CheckResult:
    """Check a matching answer: fraction of left-hand items matched correctly."""
    answer = key_of(question.answer, question.id)
    mapping = response if isinstance(response, Mapping) else {}
    fraction = matching_fraction(mapping, question.left, lambda k, v: answer[k] == v)
    good = round(fraction * len(question.left))
    return _result(question, fraction, f"{good} of {len(question.left)} matches right")


def _check_with_key(question: Question, response: object) -> CheckResult:
    if isinstance(question, SingleChoice):
        return check_single(question, response)
    if isinstance(question, MultipleChoice):
        return check_multiple(question, response)
    if isinstance(question, TrueFalse):
        return check_truefalse(question, response)
    if isinstance(question, Numeric):
        return check_numeric(question, response)
    if isinstance(question, ShortText):
        return check_text(question, response)
    if isinstance(question, Ordering):
        return check_ordering(question, response)
    return check_matching(question, response)


# -- checking with the sealed key ----------------------------------------------------------

def check_sealed(question: Question, response: object) -> CheckResult:
    """Check against the salted hashes in ``key_hash`` (student edition, answer is None)."""
    key = read_key(question)
    if is_blank(response):
        return _unanswered(question)
    salt: str = key["salt"]
    try:
        if isinstance(question, (SingleChoice, TrueFalse)):
            if isinstance(question, TrueFalse):
                value = _as_bool(response)
                text = None if value is None else ("true" if value else "false")
            else:
                text = response.strip() if isinstance(response, str) else None
            return _result(question, float(text is not None and digest(salt, text) == key["h"]))
        if isinstance(question, MultipleChoice):
            right = set(key["right"])
            picks = _picks(response)
            fraction = multiple_fraction(picks, lambda p: digest(salt, p) in right, len(right))
            hits = sum(1 for p in picks if digest(salt, p) in right)
            return _result(question, fraction, f"{hits} of {len(right)} right options picked, "
                                               f"{len(picks) - hits} wrong")
        if isinstance(question, ShortText):
            ok = isinstance(response, str) and digest(salt, normalise_text(response)) in set(
                key["accept"])
            return _result(question, float(ok))
        if isinstance(question, Numeric):
            grid, exp = set(key["grid"]), int(key["exp"])
            return _numeric(question, response, lambda x: all(
                digest(salt, str(k)) in grid for k in grid_cells(x, exp)))
        if isinstance(question, Ordering):
            pos, n = set(key["pos"]), len(question.items)

            def position(item: str) -> int | None:
                return next((i for i in range(n) if digest(salt, str(i), item) in pos), None)

            fraction = ordering_fraction(_order(response), position, n)
            return _result(question, fraction, f"{round(fraction * n * (n - 1) / 2)} of "
                                               f"{n * (n - 1) // 2} pairs in order")
        pairs = set(key["pairs"])
        mapping = response if isinstance(response, Mapping) else {}
        fraction = matching_fraction(mapping, question.left,
                                     lambda k, v: digest(salt, k, v) in pairs)
        good = round(fraction * len(question.left))
        return _result(question, fraction, f"{good} of {len(question.left)} matches right")
    except (KeyError, TypeError, ValueError):
        raise QuizError(f"question {question.id!r}: sealed key is incomplete "
                        "(rebuild the student edition)") from None


def check(question: Question, response: object) -> CheckResult:
    """Check ``response`` with the real key if present, else with the sealed key."""
    if question.answer is None:
        return check_sealed(question, response)
    return _check_with_key(question, response)
