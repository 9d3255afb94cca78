"""``quiz.yaml``: the question bank. One model per question type, discriminated by ``type``.

Keys (``answer``) and explanations are instructor-only. Checking answers lives in
:mod:`seminarkit.quiz`; this module only says what a well-formed question is.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, model_validator

from seminarkit.content.schema.common import (
    Id,
    Record,
    SourceRef,
    Text,
    field_error,
    instructor_only,
    redacted,
    sources_field,
)

Difficulty = Literal["easy", "medium", "hard"]


class QuestionBase(Record):
    """What every question carries."""

    id: Id
    prompt: Text
    difficulty: Difficulty
    objective: Id
    block: Id | None = None
    points: float = Field(default=1.0, gt=0)
    sources: list[SourceRef] = sources_field()
    explanation: str | None = instructor_only(required=True)
    show_explanation: bool = False
    # Reserved for graded exams: never offered for practice, and its key never reaches a
    # student edition, not even as a salted hash (exam mode draws from these questions).
    exam_only: bool = False
    # Filled by the build (seminarkit.quiz.keys.seal_quiz) in the student edition only:
    # the salted key for practice checking, and the explanation where show_explanation is on.
    key_hash: str | None = None
    public_explanation: str | None = None

    @model_validator(mode="after")
    def _no_build_fields_in_materials(self, info: ValidationInfo) -> QuestionBase:
        if not redacted(info):
            for name in ("key_hash", "public_explanation"):
                if getattr(self, name) is not None:
                    raise field_error(name, f"{name} is filled by the build; remove it from "
                                            "quiz.yaml (write the key in 'answer', the text in "
                                            "'explanation')")
        return self


def _unique(values: list[str], field: str, what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise field_error(field, f"{what} {value!r} appears twice (expected unique {what}s)")
        seen.add(value)


class SingleChoice(QuestionBase):
    """Exactly one option is right."""

    type: Literal["single"]
    options: list[Text] = Field(min_length=2)
    answer: str | None = instructor_only(required=True)

    @model_validator(mode="after")
    def _answer_among_options(self) -> SingleChoice:
        _unique(self.options, "options", "option")
        if self.answer is not None and self.answer not in self.options:
            raise field_error("answer", f"answer {self.answer!r} is not among the options")
        return self


class MultipleChoice(QuestionBase):
    """Several options are right; partial credit (right picks minus wrong picks, floor 0)."""

    type: Literal["multiple"]
    options: list[Text] = Field(min_length=2)
    answer: list[Text] | None = instructor_only(required=True)

    @model_validator(mode="after")
    def _answers_among_options(self) -> MultipleChoice:
        _unique(self.options, "options", "option")
        if self.answer is not None:
            if not self.answer:
                raise field_error("answer", "answer lists no option (expected at least one)")
            _unique(self.answer, "answer", "answer")
            missing = [a for a in self.answer if a not in self.options]
            if missing:
                raise field_error("answer", f"answer {missing[0]!r} is not among the options")
        return self


class TrueFalse(QuestionBase):
    """A statement that is true or false."""

    type: Literal["truefalse"]
    answer: bool | None = instructor_only(required=True)


class Numeric(QuestionBase):
    """A number, accepted within an absolute or relative tolerance."""

    type: Literal["numeric"]
    answer: float | None = instructor_only(required=True)
    tolerance: float = Field(default=0.0, ge=0)
    tolerance_kind: Literal["abs", "rel"] = "abs"
    unit: str | None = None

    @model_validator(mode="after")
    def _relative_tolerance_needs_nonzero(self) -> Numeric:
        if self.tolerance_kind == "rel" and self.answer == 0 and self.tolerance > 0:
            raise field_error("tolerance_kind", "a relative tolerance around 0 accepts only 0 "
                                                "(use tolerance_kind: abs)")
        return self


class ShortText(QuestionBase):
    """A short text answer; accepted answers compare without case, spacing or accents."""

    type: Literal["text"]
    answer: list[Text] | None = instructor_only(required=True)

    @model_validator(mode="after")
    def _some_answer(self) -> ShortText:
        if self.answer is not None and not self.answer:
            raise field_error("answer", "answer lists no accepted text (expected at least one)")
        return self


class Ordering(QuestionBase):
    """Put items in order; partial credit by pairs in the right relative order."""

    type: Literal["ordering"]
    items: list[Text] = Field(min_length=2)
    answer: list[Text] | None = instructor_only(required=True)

    @model_validator(mode="after")
    def _answer_is_permutation(self) -> Ordering:
        _unique(self.items, "items", "item")
        if self.answer is not None:
            _unique(self.answer, "answer", "answer item")
            if sorted(self.answer) != sorted(self.items):
                raise field_error("answer", "answer must list every item exactly once")
        return self


class Matching(QuestionBase):
    """Match each left-hand prompt to one option; partial credit per correct match."""

    type: Literal["matching"]
    left: list[Text] = Field(min_length=2)
    options: list[Text] = Field(min_length=2)
    answer: dict[str, str] | None = instructor_only(required=True)

    @model_validator(mode="after")
    def _answer_matches(self) -> Matching:
        _unique(self.left, "left", "left item")
        _unique(self.options, "options", "option")
        if self.answer is not None:
            if set(self.answer) != set(self.left):
                raise field_error("answer", "answer must give exactly one match for every left item")
            bad = [v for v in self.answer.values() if v not in self.options]
            if bad:
                raise field_error("answer", f"answer {bad[0]!r} is not among the options")
        return self


Question = Annotated[
    SingleChoice | MultipleChoice | TrueFalse | Numeric | ShortText | Ordering | Matching,
    Field(discriminator="type"),
]
QUESTION_TYPES = ("single", "multiple", "truefalse", "numeric", "text", "ordering", "matching")


class QuizFile(Record):
    """The whole ``quiz.yaml``."""

    questions: list[Question]
