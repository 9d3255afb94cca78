"""A session's questions as the room sees them: validate, check and bucket answers; the bars.

The room holds the instructor edition of each question (the real key), so answers are checked
on the server with :func:`seminarkit.quiz.check.check`, never trusted from the notebook.

Each question has histogram *bars*:

* single choice: one bar per option; true/false: ``True`` and ``False``;
* multiple choice: one bar per option, counting the students who picked it;
* numeric and short text: ``Correct`` / ``Not quite`` (free text never reaches the projector);
* ordering and matching: ``Correct`` / ``Partly right`` / ``Not quite``.

Options keep the bank's order (each student sees them shuffled), so bars do not hint at the key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
from seminarkit.quiz.check import check, is_blank
from seminarkit.quiz.common import answer_text
from seminarkit.quiz.keys import to_decimal
from seminarkit.room.errors import RoomError

if TYPE_CHECKING:
    from seminarkit.content.materials import Module

MAX_TEXT = 500
MAX_NUMBER_TEXT = 64
STATUS_BARS = ("Correct", "Partly right", "Not quite")
ALL_OR_NOTHING_BARS = ("Correct", "Not quite")


def _unprocessable(question: Question, expected: str) -> RoomError:
    return RoomError(422, f"question {question.id}: the answer must be {expected}")


@dataclass(frozen=True)
class PollQuestion:
    """One question of a session: its public face, its bars, and (instructor-only) its key."""

    question: Question
    number: int

    @property
    def id(self) -> str:
        """The question id from quiz.yaml."""
        return self.question.id

    @property
    def bars(self) -> tuple[str, ...]:
        """The histogram's bar labels, in bank order."""
        q = self.question
        if isinstance(q, (SingleChoice, MultipleChoice)):
            return tuple(q.options)
        if isinstance(q, TrueFalse):
            return ("True", "False")
        if isinstance(q, (Numeric, ShortText)):
            return ALL_OR_NOTHING_BARS
        return STATUS_BARS

    @property
    def counts_picks(self) -> bool:
        """True for multiple choice: a student adds one to every option they picked."""
        return isinstance(self.question, MultipleChoice)

    def key_bars(self) -> tuple[int, ...]:
        """Return the bars that show the right answer (for the reveal and the export)."""
        q = self.question
        if isinstance(q, SingleChoice):
            return (q.options.index(str(q.answer)),)
        if isinstance(q, MultipleChoice):
            return tuple(q.options.index(a) for a in q.answer or [])
        if isinstance(q, TrueFalse):
            return (0 if q.answer else 1,)
        return (0,)

    def key_text(self) -> str:
        """Return the key as one line (instructor material: shown on reveal only)."""
        return answer_text(self.question)

    def explanation(self) -> str:
        """Return the instructor explanation (shown on reveal only)."""
        return self.question.explanation or ""

    def validate(self, response: object) -> object:
        """Return the response in canonical JSON form, or raise a 422 :class:`RoomError`."""
        q = self.question
        if is_blank(response):
            raise RoomError(422, f"question {q.id}: the answer is blank (check an answer first)")
        if isinstance(q, SingleChoice):
            if not isinstance(response, str) or response.strip() not in q.options:
                raise _unprocessable(q, "the text of one of its options")
            return response.strip()
        if isinstance(q, TrueFalse):
            if not isinstance(response, bool):
                raise _unprocessable(q, "true or false")
            return response
        if isinstance(q, MultipleChoice):
            return _picks(q, response)
        if isinstance(q, Numeric):
            return _number(q, response)
        if isinstance(q, ShortText):
            if not isinstance(response, str) or len(response) > MAX_TEXT:
                raise _unprocessable(q, f"a text of at most {MAX_TEXT} characters")
            return response
        if isinstance(q, Ordering):
            return _order(q, response)
        return _matches(q, response)

    def bucket(self, response: object) -> tuple[tuple[int, ...], str]:
        """Check a validated response with the real key; return its bars and its status."""
        q = self.question
        result = check(q, response)
        if isinstance(q, SingleChoice):
            assert isinstance(response, str)
            return (q.options.index(response),), result.status
        if isinstance(q, TrueFalse):
            return ((0 if response else 1),), result.status
        if isinstance(q, MultipleChoice):
            assert isinstance(response, list)
            return tuple(sorted(q.options.index(p) for p in response)), result.status
        bars = self.bars
        label = {"correct": "Correct", "partial": "Partly right"}.get(result.status, "Not quite")
        return (bars.index(label),), result.status


def _picks(q: MultipleChoice, response: object) -> list[str]:
    if not isinstance(response, list) or len(response) > len(q.options) or \
            not all(isinstance(p, str) and p in q.options for p in response) or \
            len(set(response)) != len(response):
        raise _unprocessable(q, "a list of distinct options of this question")
    return list(response)


def _number(q: Numeric, response: object) -> object:
    if isinstance(response, bool) or not isinstance(response, (int, float, str)):
        raise _unprocessable(q, "a number")
    if isinstance(response, str) and len(response) > MAX_NUMBER_TEXT:
        raise _unprocessable(q, f"a number written in at most {MAX_NUMBER_TEXT} characters")
    if isinstance(response, float) and not math.isfinite(response):
        raise _unprocessable(q, "a finite number")
    if isinstance(response, int) and abs(response) > 10**30:
        raise _unprocessable(q, "a number of at most 30 digits")
    if to_decimal(response) is None:
        raise _unprocessable(q, "a number")
    return response


def _order(q: Ordering, response: object) -> list[str | None]:
    if not isinstance(response, list) or len(response) > len(q.items) or \
            not all(v is None or (isinstance(v, str) and v in q.items) for v in response):
        raise _unprocessable(q, "a list of this question's items, first to last")
    return list(response)


def _matches(q: Matching, response: object) -> dict[str, str | None]:
    if not isinstance(response, Mapping) or not all(k in q.left for k in response) or \
            not all(v is None or (isinstance(v, str) and v in q.options) for v in response.values()):
        raise _unprocessable(q, "an object from this question's left items to its options")
    return {str(k): v for k, v in response.items()}


def session_questions(module: Module, question_ids: Sequence[str]) -> list[PollQuestion]:
    """Return the poll questions of a session, in session order, from the instructor module."""
    bank = {q.id: q for q in module.need_quiz().questions}
    missing = [qid for qid in question_ids if qid not in bank]
    if missing:
        raise RoomError(409, f"module {module.id} no longer has question {missing[0]} "
                             "(the materials changed since the session was opened)")
    return [PollQuestion(bank[qid], number) for number, qid in enumerate(question_ids, start=1)]
