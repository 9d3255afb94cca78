"""Sealing keys for the student edition, and the schema rejections of ill-formed items."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from seminarkit.content.schema.quiz import QuizFile
from seminarkit.editions import module_for_edition
from seminarkit.quiz.check import check
from seminarkit.quiz.keys import derive_salt, normalise_text, seal_quiz, to_decimal
from test_quiz_helpers import BASE, demo_module, demo_student


def test_sealing_is_deterministic_and_salted_per_module() -> None:
    quiz = demo_module().quiz
    assert quiz is not None
    first, second = seal_quiz(quiz, "demo"), seal_quiz(quiz, "demo")
    assert first.model_dump_json() == second.model_dump_json()
    other = seal_quiz(quiz, "another-module")
    assert [q.key_hash for q in first.questions] != [q.key_hash for q in other.questions]
    assert derive_salt("demo", "q-single") == derive_salt("demo", "q-single")
    assert derive_salt("demo", "q-single") != derive_salt("demo", "q-multiple")


def test_student_edition_holds_hashes_and_only_allowed_explanations() -> None:
    student = demo_student()
    for question in student.quiz.questions:
        assert question.answer is None
        assert question.explanation is None
        assert json.loads(question.key_hash)["type"] == question.type
        if question.show_explanation:
            assert question.public_explanation.startswith("PUBLIC-EXPLANATION")
        else:
            assert question.public_explanation is None
    assert module_for_edition(demo_module(), "instructor").quiz.questions[0].key_hash is None


def test_sealed_quiz_survives_a_json_round_trip() -> None:
    student = demo_student()
    data = json.loads(student.quiz.model_dump_json())
    again = QuizFile.model_validate(data, context={"redacted": True})
    by_id = {q.id: q for q in again.questions}
    assert check(by_id["q-single"], "Tashkent").correct
    assert check(by_id["q-match"], {"Russia": "Talks with all sides"}).status == "partial"


def _quiz(**fields: Any) -> dict[str, Any]:
    return {"questions": [{**BASE, "id": "q1", **fields}]}


@pytest.mark.parametrize(("fields", "message"), [
    ({"type": "single", "options": ["a", "b"], "answer": "c"}, "not among the options"),
    ({"type": "single", "options": ["a", "a"], "answer": "a"}, "appears twice"),
    ({"type": "multiple", "options": ["a", "b"], "answer": []}, "lists no option"),
    ({"type": "multiple", "options": ["a", "b"], "answer": ["a", "z"]}, "not among"),
    ({"type": "numeric", "answer": 1, "tolerance": -1}, "greater than or equal to 0"),
    ({"type": "numeric", "answer": 0, "tolerance": 0.1, "tolerance_kind": "rel"},
     "relative tolerance around 0"),
    ({"type": "text", "answer": []}, "no accepted text"),
    ({"type": "ordering", "items": ["a", "a"], "answer": ["a", "a"]}, "appears twice"),
    ({"type": "ordering", "items": ["a", "b"], "answer": ["a", "c"]}, "every item exactly once"),
    ({"type": "matching", "left": ["x", "y"], "options": ["1", "2"], "answer": {"x": "1"}},
     "every left item"),
    ({"type": "matching", "left": ["x", "y"], "options": ["1", "2"],
      "answer": {"x": "1", "y": "3"}}, "not among the options"),
    ({"type": "single", "options": ["a", "b"], "answer": "a", "key_hash": "{}"},
     "filled by the build"),
    ({"type": "truefalse", "answer": True, "public_explanation": "x"}, "filled by the build"),
])
def test_schema_rejects_ill_formed_items(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        QuizFile.model_validate(_quiz(**fields), context={"redacted": False})


@pytest.mark.parametrize(("text", "folded"), [
    ("  Douchanbé ", "douchanbe"), ("SÃO\tTOMÉ", "sao tome"), ("Straße", "strasse"),
    ("ﬁle", "file"), ("a\u00a0 b", "a b")])
def test_normalise_text(text: str, folded: str) -> None:
    assert normalise_text(text) == folded


@pytest.mark.parametrize(("raw", "value"), [
    ("12,5", "12.5"), ("1,000", "1000"), ("1,000.5", "1000.5"), ("1 000", "1000"),
    ("\u22123", "-3"), (0.1, "0.1"), (3, "3"), ("1e3", "1E+3"), ("abc", None),
    ("nan", None), (True, None), (None, None), ([1], None), ("1,2,3", None)])
def test_to_decimal(raw: object, value: str | None) -> None:
    result = to_decimal(raw)
    assert (None if result is None else str(result)) == value
