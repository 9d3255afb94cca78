"""Deterministic selection of questions and shuffling of options.

Randomness always comes from :class:`random.Random` seeded with a *string* built from the
seed and (for options) the question id; string seeds hash the same way in every process,
so the same seed gives the same quiz on every machine and Python run.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from seminarkit.content.schema.quiz import (
    Matching,
    MultipleChoice,
    Ordering,
    Question,
    QuizFile,
    SingleChoice,
)
from seminarkit.quiz.errors import QuizError


def _allowed(values: Iterable[str] | None) -> set[str] | None:
    return None if values is None else set(values)


POOLS = ("practice", "exam")


def pool_of(quiz: QuizFile, pool: str | None) -> list[Any]:
    """Return the questions one use may draw from: all (``None``), ``practice`` or ``exam``.

    Practice never shows an ``exam_only`` question (its key is withheld from students); an
    exam draws only from ``exam_only`` questions when the bank reserves any, else from all.
    """
    if pool is None:
        return list(quiz.questions)
    if pool not in POOLS:
        raise QuizError(f"unknown question pool {pool!r}; choose one of: {', '.join(POOLS)}")
    reserved = [q for q in quiz.questions if q.exam_only]
    if pool == "exam":
        return reserved or list(quiz.questions)
    return [q for q in quiz.questions if not q.exam_only]


def select_questions(
    quiz: QuizFile,
    *,
    n: int | None = None,
    seed: int = 0,
    blocks: Iterable[str] | None = None,
    difficulties: Iterable[str] | None = None,
    objectives: Iterable[str] | None = None,
    shuffle: bool = False,
    pool: str | None = None,
) -> list[Any]:
    """Return a deterministic subset of ``quiz.questions``.

    ``pool`` first picks the questions a use may draw from (:func:`pool_of`: ``practice``
    leaves out ``exam_only`` questions; ``exam`` keeps only them when the bank has any).
    Filters keep the questions whose block, difficulty and objective are among the given
    values (``None`` means no filter). Then, if ``n`` is given, ``n`` questions are drawn
    with ``seed``; the result keeps the bank order unless ``shuffle`` is true. A filter that
    matches nothing, or ``n`` larger than what matches, is a :class:`QuizError`.
    """
    wanted_blocks, wanted_diff, wanted_obj = (_allowed(blocks), _allowed(difficulties),
                                              _allowed(objectives))
    chosen_pool = [q for q in pool_of(quiz, pool)
                   if (wanted_blocks is None or q.block in wanted_blocks)
                   and (wanted_diff is None or q.difficulty in wanted_diff)
                   and (wanted_obj is None or q.objective in wanted_obj)]
    filters = {"blocks": wanted_blocks, "difficulties": wanted_diff, "objectives": wanted_obj}
    described = ", ".join(f"{k}={sorted(v)}" for k, v in filters.items() if v is not None)
    if not chosen_pool:
        raise QuizError(f"no question matches the filters ({described or 'no filters'}); "
                        "check the block, difficulty and objective ids in quiz.yaml")
    if n is not None:
        if n < 1:
            raise QuizError(f"n_questions must be at least 1 (got {n})")
        if n > len(chosen_pool):
            raise QuizError(f"asked for {n} questions but only {len(chosen_pool)} match "
                            f"({described or 'whole bank'}); ask for at most {len(chosen_pool)}")
        rng = random.Random(f"seminarkit-select:{seed}")
        chosen = set(rng.sample(range(len(chosen_pool)), n))
        chosen_pool = [q for i, q in enumerate(chosen_pool) if i in chosen]
    if shuffle:
        random.Random(f"seminarkit-order:{seed}").shuffle(chosen_pool)
    return chosen_pool


def choices_of(question: Question) -> list[str]:
    """Return the values a student arranges or picks from: options, or ordering items."""
    if isinstance(question, Ordering):
        return list(question.items)
    if isinstance(question, (SingleChoice, MultipleChoice, Matching)):
        return list(question.options)
    return []


def shuffled_options(question: Question, seed: int) -> list[str]:
    """Return a deterministic permutation of the question's options (or ordering items).

    Types without options (true/false, numeric, text) give an empty list. For ordering, a
    permutation equal to the authored order is rotated by one, so an author who listed the
    items in their right order does not hand out the key.
    """
    values = choices_of(question)
    rng = random.Random(f"seminarkit-shuffle:{seed}:{question.id}")
    shuffled = values[:]
    rng.shuffle(shuffled)
    if isinstance(question, Ordering) and len(shuffled) > 1 and shuffled == values:
        shuffled = shuffled[1:] + shuffled[:1]
    return shuffled
