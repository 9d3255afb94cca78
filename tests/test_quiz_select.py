"""Deterministic selection and shuffling."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.select import select_questions, shuffled_options
from test_quiz_helpers import demo_module, make


def _quiz() -> Any:
    quiz = demo_module().quiz
    assert quiz is not None
    return quiz


def _ids(questions: list[Any]) -> list[str]:
    return [q.id for q in questions]


def test_no_filter_keeps_the_bank_in_order() -> None:
    assert _ids(select_questions(_quiz())) == [q.id for q in _quiz().questions]


def test_subset_is_deterministic_and_in_bank_order() -> None:
    bank = [q.id for q in _quiz().questions]
    picks = {tuple(_ids(select_questions(_quiz(), n=3, seed=s))) for s in range(8)}
    assert len(picks) > 1  # seeds matter
    for seed in range(8):
        chosen = _ids(select_questions(_quiz(), n=3, seed=seed))
        assert chosen == _ids(select_questions(_quiz(), n=3, seed=seed))
        assert chosen == sorted(chosen, key=bank.index)
        assert len(set(chosen)) == 3


def test_shuffle_changes_order_not_content() -> None:
    plain = _ids(select_questions(_quiz(), n=5, seed=3))
    shuffled = _ids(select_questions(_quiz(), n=5, seed=3, shuffle=True))
    assert sorted(plain) == sorted(shuffled)


@pytest.mark.parametrize(("filters", "expected"), [
    ({"blocks": ["block-two"]}, ["q-tf", "q-numeric", "q-rel"]),
    ({"difficulties": ["hard"]}, ["q-rel", "q-order"]),
    ({"objectives": ["obj-actors"], "difficulties": ["easy"]}, ["q-text"]),
    ({"blocks": ["block-one", "block-two"], "difficulties": ("easy",)}, ["q-single", "q-tf"]),
])
def test_filters(filters: dict[str, Any], expected: list[str]) -> None:
    assert _ids(select_questions(_quiz(), **filters)) == expected


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": 0}, "at least 1"),
    ({"n": 9}, "only 8 match"),
    ({"blocks": ["nope"]}, "no question matches"),
    ({"difficulties": ["hard"], "n": 3}, "only 2 match"),
])
def test_selection_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(QuizError, match=message):
        select_questions(_quiz(), **kwargs)


option_lists = st.lists(st.text(min_size=1, max_size=12).filter(lambda s: s.strip() == s and s),
                        min_size=2, max_size=8, unique=True)


@settings(max_examples=100, deadline=None)
@given(options=option_lists, seed=st.integers(min_value=0, max_value=2**31))
def test_shuffled_options_is_a_deterministic_permutation(options: list[str], seed: int) -> None:
    for question in (make("single", options=options, answer=options[0]),
                     make("ordering", items=options, answer=options),
                     make("matching", left=["l1", "l2"], options=options,
                          answer={"l1": options[0], "l2": options[1]})):
        first = shuffled_options(question, seed)
        assert first == shuffled_options(question, seed)
        assert sorted(first) == sorted(options)
        if question.type == "ordering":
            assert first != options  # never hands out the authored order


def test_types_without_options_shuffle_to_nothing() -> None:
    assert shuffled_options(make("truefalse", answer=True), 1) == []
    assert shuffled_options(make("numeric", answer=1), 1) == []
