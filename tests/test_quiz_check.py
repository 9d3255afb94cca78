"""Every checker, table-driven, with the real key and with the sealed (student) key."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seminarkit.editions import redact
from seminarkit.quiz.check import (
    FEEDBACK_CORRECT,
    FEEDBACK_EMPTY,
    FEEDBACK_PARTIAL,
    FEEDBACK_WRONG,
    check,
    check_multiple,
    check_numeric,
    check_sealed,
    check_single,
)
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.keys import MAX_GRID, numeric_bounds, numeric_grid, seal_question
from test_quiz_helpers import make

SINGLE = {"options": ["Moscow", "Kabul", "Tashkent", "Doha"], "answer": "Tashkent"}
MULTIPLE = {"options": ["a", "b", "c", "d", "e"], "answer": ["a", "b", "c"]}
TF = {"answer": False}
NUM = {"answer": 10, "tolerance": 0.1}
EXACT = {"answer": 0.3, "tolerance": 0}
REL = {"answer": 200, "tolerance": 0.05, "tolerance_kind": "rel"}
NEG = {"answer": -5, "tolerance": 0.5}
BIG = {"answer": 1500000, "tolerance": 0}
TEXT = {"answer": ["Dushanbe", "Douchanbé"]}
ACCENTS = {"answer": ["São Tomé"]}
ORDER = {"items": ["a", "b", "c", "d"], "answer": ["a", "b", "c", "d"]}
MATCH = {"left": ["R", "I", "P"], "options": ["x", "y", "z", "w"],
         "answer": {"R": "x", "I": "y", "P": "z"}}

CASES: list[tuple[str, dict[str, Any], object, float, str]] = [
    # single
    ("single", SINGLE, "Tashkent", 1, "correct"),
    ("single", SINGLE, "  Tashkent ", 1, "correct"),
    ("single", SINGLE, "Kabul", 0, "wrong"),
    ("single", SINGLE, "tashkent", 0, "wrong"),
    ("single", SINGLE, 2, 0, "wrong"),
    ("single", SINGLE, None, 0, "unanswered"),
    ("single", SINGLE, "   ", 0, "unanswered"),
    # multiple: (right - wrong) / right, floor 0
    ("multiple", MULTIPLE, ["a", "b", "c"], 1, "correct"),
    ("multiple", MULTIPLE, ["c", "a", "b"], 1, "correct"),
    ("multiple", MULTIPLE, ["a", "b"], 2 / 3, "partial"),
    ("multiple", MULTIPLE, ["a", "b", "d"], 1 / 3, "partial"),
    ("multiple", MULTIPLE, ["a", "b", "c", "d"], 2 / 3, "partial"),
    ("multiple", MULTIPLE, ["a", "d", "e"], 0, "wrong"),
    ("multiple", MULTIPLE, ["d", "e"], 0, "wrong"),
    ("multiple", MULTIPLE, ["a", "a"], 1 / 3, "partial"),
    ("multiple", MULTIPLE, "a", 1 / 3, "partial"),
    ("multiple", MULTIPLE, ["a", "b", "c", "not an option"], 2 / 3, "partial"),
    ("multiple", MULTIPLE, [], 0, "unanswered"),
    ("multiple", MULTIPLE, None, 0, "unanswered"),
    # true/false
    ("truefalse", TF, False, 1, "correct"),
    ("truefalse", TF, True, 0, "wrong"),
    ("truefalse", TF, "FALSE", 1, "correct"),
    ("truefalse", TF, "maybe", 0, "wrong"),
    ("truefalse", TF, 0, 0, "wrong"),
    ("truefalse", TF, None, 0, "unanswered"),
    # numeric, absolute tolerance, bounds inclusive and exact
    ("numeric", NUM, 10, 1, "correct"),
    ("numeric", NUM, 10.1, 1, "correct"),
    ("numeric", NUM, 9.9, 1, "correct"),
    ("numeric", NUM, "10.1", 1, "correct"),
    ("numeric", NUM, "10,05", 1, "correct"),
    ("numeric", NUM, " 10 ", 1, "correct"),
    ("numeric", NUM, 10.100001, 0, "wrong"),
    ("numeric", NUM, 9.89999, 0, "wrong"),
    ("numeric", NUM, "ten", 0, "wrong"),
    ("numeric", NUM, math.nan, 0, "wrong"),
    ("numeric", NUM, math.inf, 0, "wrong"),
    ("numeric", NUM, True, 0, "wrong"),
    ("numeric", NUM, "", 0, "unanswered"),
    ("numeric", EXACT, 0.3, 1, "correct"),
    ("numeric", EXACT, "0.30", 1, "correct"),
    ("numeric", EXACT, 0.1 + 0.2, 0, "wrong"),
    ("numeric", REL, 210, 1, "correct"),
    ("numeric", REL, 190, 1, "correct"),
    ("numeric", REL, 210.01, 0, "wrong"),
    ("numeric", REL, 189.99, 0, "wrong"),
    ("numeric", NEG, -5.5, 1, "correct"),
    ("numeric", NEG, "\u22125.5", 1, "correct"),
    ("numeric", NEG, -5.51, 0, "wrong"),
    ("numeric", NEG, 5, 0, "wrong"),
    ("numeric", BIG, "1,500,000", 1, "correct"),
    ("numeric", BIG, "1 500 000", 1, "correct"),
    ("numeric", BIG, 1.5e6, 1, "correct"),
    ("numeric", BIG, 1500001, 0, "wrong"),
    # text: case, whitespace and diacritics ignored
    ("text", TEXT, "dushanbe", 1, "correct"),
    ("text", TEXT, "  DUSHANBE \u00a0", 1, "correct"),
    ("text", TEXT, "Douchanbe", 1, "correct"),
    ("text", TEXT, "DOUCHANBÉ", 1, "correct"),
    ("text", TEXT, "Douchanbe\u0301", 1, "correct"),
    ("text", TEXT, "Dush anbe", 0, "wrong"),
    ("text", TEXT, "Kabul", 0, "wrong"),
    ("text", TEXT, "", 0, "unanswered"),
    ("text", ACCENTS, "sao tome", 1, "correct"),
    ("text", ACCENTS, "SÃO   TOMÉ", 1, "correct"),
    ("text", ACCENTS, "ｓａｏ ｔｏｍｅ", 1, "correct"),
    # ordering: fraction of pairs in the right relative order
    ("ordering", ORDER, ["a", "b", "c", "d"], 1, "correct"),
    ("ordering", ORDER, ["d", "c", "b", "a"], 0, "wrong"),
    ("ordering", ORDER, ["b", "a", "c", "d"], 5 / 6, "partial"),
    ("ordering", ORDER, ["a", "b", "c"], 3 / 6, "partial"),
    ("ordering", ORDER, ["a", None, "c", "d"], 3 / 6, "partial"),
    ("ordering", ORDER, ["a", "a", "b", "c", "d"], 1, "correct"),
    ("ordering", ORDER, [None, None, None, None], 0, "unanswered"),
    ("ordering", ORDER, [], 0, "unanswered"),
    ("ordering", ORDER, "abcd", 0, "wrong"),
    # matching: fraction of left items matched right
    ("matching", MATCH, {"R": "x", "I": "y", "P": "z"}, 1, "correct"),
    ("matching", MATCH, {"R": "x", "I": "y", "P": "w"}, 2 / 3, "partial"),
    ("matching", MATCH, {"R": "x"}, 1 / 3, "partial"),
    ("matching", MATCH, {"R": "x", "Q": "x"}, 1 / 3, "partial"),
    ("matching", MATCH, {"R": "y", "I": "x", "P": "w"}, 0, "wrong"),
    ("matching", MATCH, {"R": None, "I": None, "P": None}, 0, "unanswered"),
    ("matching", MATCH, {}, 0, "unanswered"),
]


def sealed(question: Any) -> Any:
    """Return the question as a student edition holds it."""
    return redact(seal_question(question, "test-module"))


@pytest.mark.parametrize(("kind", "fields", "response", "fraction", "status"), CASES)
def test_checker_with_real_and_sealed_key(kind: str, fields: dict[str, Any], response: object,
                                          fraction: float, status: str) -> None:
    question = make(kind, points=2, **fields)
    student = sealed(question)
    assert student.answer is None
    assert student.explanation is None
    for result in (check(question, response), check(student, response)):
        assert result.fraction == pytest.approx(fraction)
        assert result.points == pytest.approx(2 * fraction)
        assert result.max_points == 2
        assert result.status == status
        assert result.correct is (status == "correct")


@pytest.mark.parametrize(("status", "prefix"), [
    ("correct", FEEDBACK_CORRECT), ("partial", FEEDBACK_PARTIAL), ("wrong", FEEDBACK_WRONG),
    ("unanswered", FEEDBACK_EMPTY)])
def test_feedback_texts_are_distinct_and_never_show_the_key(status: str, prefix: str) -> None:
    cases = [c for c in CASES if c[4] == status and c[0] == "multiple"]
    kind, fields, response, _f, _s = cases[0]
    result = check(make(kind, **fields), response)
    assert result.feedback.startswith(prefix)
    others = {FEEDBACK_CORRECT, FEEDBACK_PARTIAL, FEEDBACK_WRONG, FEEDBACK_EMPTY} - {prefix}
    assert not any(result.feedback.startswith(o) for o in others)


def test_partial_feedback_counts_without_naming_options() -> None:
    result = check(make("multiple", **MULTIPLE), ["a", "d"])
    assert result.feedback == "Not quite (1 of 3 right options picked, 1 wrong)."
    result = check(make("ordering", **ORDER), ["b", "a", "c", "d"])
    assert result.feedback == "Partly right (5 of 6 pairs in order)."


def test_per_type_checkers_treat_blank_as_unanswered() -> None:
    assert check_single(make("single", **SINGLE), None).status == "unanswered"
    assert check_multiple(make("multiple", **MULTIPLE), []).status == "unanswered"
    assert check_numeric(make("numeric", **NUM), "  ").status == "unanswered"
    assert check_numeric(make("numeric", **NUM), "x").feedback == "Not quite (not a number)."


def test_question_without_key_is_a_clear_error() -> None:
    bare = redact(make("single", **SINGLE))
    with pytest.raises(QuizError, match="neither an answer nor a sealed key"):
        check(bare, "Kabul")


@pytest.mark.parametrize(("key_hash", "message"), [
    ("not json", "not valid JSON"),
    (json.dumps({"v": 99, "type": "single", "salt": "s"}), "unknown format"),
    (json.dumps({"v": 1, "type": "multiple", "salt": "s"}), "does not fit"),
    (json.dumps({"v": 1, "type": "single", "salt": "s"}), "incomplete"),
])
def test_broken_sealed_key_is_a_clear_error(key_hash: str, message: str) -> None:
    bare = redact(make("single", **SINGLE)).model_copy(update={"key_hash": key_hash})
    with pytest.raises(QuizError, match=message):
        check_sealed(bare, "Kabul")


def test_sealed_numeric_with_coarse_grid_never_accepts_a_wrong_answer() -> None:
    # bounds 2.64159 .. 3.64159 need 100001 grid points at 1e-5: the grid coarsens to 0.001
    question = make("numeric", answer=3.14159, tolerance=0.5)
    student = sealed(question)
    assert check(student, 2.65).correct
    assert check(student, 3.64).correct
    assert not check(student, 2.6416).correct  # inside the tolerance, lost to the grid
    assert check(question, 2.6416).correct  # the real key is exact
    assert not check(student, 3.65).correct
    assert not check(question, 3.65).correct


@settings(max_examples=150, deadline=None)
@given(answer=st.decimals(min_value=-10_000, max_value=10_000, places=3),
       tolerance=st.decimals(min_value=0, max_value=100, places=2),
       offset=st.decimals(min_value=-200, max_value=200, places=4))
def test_sealed_numeric_agrees_with_real_key(answer: Any, tolerance: Any, offset: Any) -> None:
    question = make("numeric", answer=float(answer), tolerance=float(tolerance))
    response = str(answer + offset)
    real, student = check(question, response), check(sealed(question), response)
    assert not student.correct or real.correct  # sealed is never more lenient
    low, high = numeric_bounds(float(answer), float(tolerance), "abs")
    exp, first, last = numeric_grid(low, high)
    if Decimal(first).scaleb(exp) == low and Decimal(last).scaleb(exp) == high:
        assert student.correct == real.correct  # grid holds the bounds: exact agreement
    for edge in (low, high):
        assert check(question, str(edge)).correct  # inclusive bounds


def test_numeric_grid_keeps_bounds_when_small_and_caps_its_size() -> None:
    exp, first, last = numeric_grid(Decimal("1978"), Decimal("1980"))
    assert (exp, first, last) == (0, 1978, 1980)
    exp, first, last = numeric_grid(Decimal("2.64159"), Decimal("3.64159"))
    assert (exp, first, last) == (-3, 2642, 3641)  # bounds rounded inwards
    assert last - first + 1 <= MAX_GRID
