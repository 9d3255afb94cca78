"""The live quiz driven headless: set widget values, click buttons, read the feedback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest

from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.notebook import exam_quiz, practice_quiz
from seminarkit.quiz.widget import QuizWidget
from test_quiz_helpers import FIXTURE_MATERIALS, demo_module, demo_student


def right_answer(question: Any) -> Any:
    """Return a fully correct response to an instructor-edition question."""
    return question.answer[0] if question.type == "text" else question.answer


def find(root: Any, css: str) -> list[Any]:
    """Every widget under ``root`` (inclusive) carrying the CSS class ``css``."""
    found = [root] if css in getattr(root, "_dom_classes", ()) else []
    for child in getattr(root, "children", ()):
        found += find(child, css)
    return found


def question_box(qw: QuizWidget, qid: str) -> Any:
    (box,) = find(qw.widget, "seminarkit-q-" + qid)
    return box


def practice(**kwargs: Any) -> QuizWidget:
    student = demo_student()
    return QuizWidget(student.quiz.questions, quiz_id="demo-quiz", sources=student.sources,
                      module="demo", **kwargs)


def test_practice_all_right_through_the_api_gives_full_score() -> None:
    qw = practice(seed=4)
    for question in demo_module().quiz.questions:
        qw.answer(question.id, right_answer(question))
        result = qw.check(question.id)
        assert result.correct, question.id
    assert qw.score == qw.max_score == 8
    assert "Score: 8 / 8" in qw.summary()


def test_practice_click_check_shows_feedback_explanation_and_source() -> None:
    qw = practice()
    box = question_box(qw, "q-tf")
    (radio,) = find(box, "seminarkit-input")
    (button,) = find(box, "seminarkit-check")
    (feedback,) = find(box, "seminarkit-feedback")
    radio.value = True
    button.click()
    assert "Not quite" in feedback.value
    assert "seminarkit-result-wrong" in feedback.value
    assert "PUBLIC-EXPLANATION-TF" in feedback.value  # show_explanation: true
    assert 'href="https://example.org/b"' in feedback.value
    assert "Score: 0 / 8" in qw.score_html.value
    radio.value = False  # retry
    button.click()
    assert "Correct" in feedback.value
    assert "Score: 1 / 8" in qw.score_html.value
    assert "(1 of 8 checked)" in qw.score_html.value


def test_practice_hides_explanation_unless_allowed() -> None:
    qw = practice()
    qw.answer("q-single", "Kabul")
    qw.check("q-single")
    html = qw.feedback_html("q-single")
    assert "Not quite" in html
    assert "SECRET-EXPLANATION" not in html
    assert "Source A title" in html


def test_practice_partial_credit_in_widgets() -> None:
    qw = practice()
    box = question_box(qw, "q-multiple")
    boxes = {b.description: b for b in find(box, "seminarkit-option")}
    boxes["Iran"].value = boxes["Tajikistan"].value = True
    find(box, "seminarkit-check")[0].click()
    assert "Partly right" in qw.feedback_html("q-multiple")
    assert qw.score == pytest.approx(2 / 3)
    match = question_box(qw, "q-match")
    drops = find(match, "seminarkit-match")
    drops[0].value = "Talks with all sides"  # Russia
    find(match, "seminarkit-check")[0].click()
    assert "1 of 3 matches right" in qw.feedback_html("q-match")
    order = question_box(qw, "q-order")
    for drop, item in zip(find(order, "seminarkit-position"),
                          ["Event two", "Event one", "Event three", "Event four"], strict=True):
        drop.value = item
    find(order, "seminarkit-check")[0].click()
    assert "5 of 6 pairs in order" in qw.feedback_html("q-order")


def test_practice_numeric_and_text_inputs() -> None:
    qw = practice()
    (num,) = find(question_box(qw, "q-numeric"), "seminarkit-input")
    num.value = "1980"  # the edge of the tolerance
    assert qw.check("q-numeric").correct
    num.value = "about 1979"
    assert "not a number" in qw.check("q-numeric").feedback
    (text,) = find(question_box(qw, "q-text"), "seminarkit-input")
    text.value = "  DOUCHANBE "
    assert qw.check("q-text").correct
    assert qw.check("q-rel").status == "unanswered"
    assert "No answer yet" in qw.feedback_html("q-rel")


def test_finish_button_summarises_every_question() -> None:
    qw = practice()
    qw.answer("q-single", "Tashkent")
    qw.finish_button.click()
    assert "Score: 1 / 8" in qw.summary_html.value
    assert qw.summary_html.value.count("<tr") == 8
    assert "unanswered" in qw.summary()


@pytest.mark.parametrize(("qid", "value"), [
    ("q-single", "Paris"), ("q-tf", "yes"), ("q-multiple", ["Iran", "Peru"]),
    ("q-order", ["Event one", "Event nine"]), ("q-match", {"Nobody": "Stays out"}),
    ("q-missing", "x")])
def test_impossible_answers_are_clear_errors(qid: str, value: Any) -> None:
    with pytest.raises(QuizError):
        practice().answer(qid, value)


def test_exam_mode_gives_no_feedback_and_saves_atomically(tmp_path: Path) -> None:
    qw = exam_quiz("demo", seed=7, student="alice", n_questions=4, responses_dir=tmp_path,
                   materials_dir=FIXTURE_MATERIALS)
    assert qw.quiz_id == "demo-quiz-alice"
    assert all(q.key_hash is None and q.answer is None for q in qw.questions)
    assert find(qw.widget, "seminarkit-check") == []
    assert find(qw.widget, "seminarkit-feedback") == []
    with pytest.raises(QuizError, match="exam mode"):
        qw.check(qw.questions[0].id)
    with pytest.raises(QuizError, match="exam mode"):
        _ = qw.score
    first = qw.questions[0]
    (save,) = find(qw.widget, "seminarkit-save")
    save.click()
    path = tmp_path / "demo-quiz-alice.responses.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["quiz_id"] == "demo-quiz-alice"
    assert data["module"] == "demo"
    assert data["seed"] == 7
    assert data["student"] == "alice"
    assert data["selection"] == {"n": 4, "pool": "exam"}  # the pool replays the draw (exam_only)
    assert data["saved_at"].endswith("+00:00")
    assert list(data["answers"]) == [q.id for q in qw.questions] == data["questions"]
    assert "Saved 0 of 4 answers" in qw.status_html.value
    key = {q.id: q for q in demo_module().quiz.questions}
    for question in qw.questions:
        qw.answer(question.id, right_answer(key[question.id]))
    save.click()  # overwrite
    again = json.loads(path.read_text(encoding="utf-8"))
    assert again["answers"][first.id] == qw.response(first.id) is not None
    assert "Saved 4 of 4 answers" in qw.status_html.value
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temp files left


def test_exam_widget_drops_sealed_keys_it_is_given() -> None:
    qw = QuizWidget(demo_student().quiz.questions, quiz_id="q", mode="exam")
    assert all(q.key_hash is None and q.public_explanation is None for q in qw.questions)


def test_exam_save_failure_is_shown_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    qw = QuizWidget(demo_student().quiz.questions, quiz_id="q", mode="exam",
                    responses_dir=blocker / "sub")
    qw.save_button.click()
    assert "Not saved" in qw.status_html.value


def test_practice_quiz_helper_and_display() -> None:
    qw = practice_quiz("demo", n_questions=3, seed=2, materials_dir=FIXTURE_MATERIALS)
    assert len(qw.questions) == 3
    assert all(q.key_hash for q in qw.questions)
    bundle = qw._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert isinstance(qw.widget, widgets.VBox)
    assert "seminarkit-quiz" in qw.widget._dom_classes


def test_bad_mode_and_empty_quiz_are_errors() -> None:
    with pytest.raises(QuizError, match="unknown quiz mode"):
        QuizWidget(demo_student().quiz.questions, quiz_id="q", mode="test")  # type: ignore[arg-type]
    with pytest.raises(QuizError, match="no questions"):
        QuizWidget([], quiz_id="q")


def test_real_bank_in_practice_and_exam_mode(tmp_path: Path) -> None:
    from seminarkit.content.materials import load_course
    from seminarkit.quiz.common import fmt_points
    from seminarkit.quiz.scoring import score_responses

    module = load_course().module("afghanistan-2018")
    assert module.quiz is not None
    assert module.quiz.questions
    key = {q.id: q for q in module.quiz.questions}
    qw = practice_quiz("afghanistan-2018", seed=11)
    for question in qw.questions:
        qw.answer(question.id, right_answer(key[question.id]))
        assert qw.check(question.id).correct, question.id
    practice = [q for q in key.values() if not q.exam_only]
    assert {q.id for q in qw.questions} == {q.id for q in practice}  # no exam question in practice
    assert qw.score == qw.max_score == sum(q.points for q in practice)
    assert qw.summary().startswith(f"Score: {fmt_points(qw.max_score)} / ")
    exam = exam_quiz("afghanistan-2018", seed=5, student="s1", n_questions=10,
                     responses_dir=tmp_path)
    assert all(key[q.id].exam_only for q in exam.questions)  # exams draw from the reserved ones
    for question in exam.questions[:5]:
        exam.answer(question.id, right_answer(key[question.id]))
    data = json.loads(exam.save().read_text(encoding="utf-8"))
    items = score_responses(module, data)
    assert [i.status for i in items] == ["correct"] * 5 + ["unanswered"] * 5
