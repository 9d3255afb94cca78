"""Static handout blocks, and the leak test: no key in anything a student gets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from seminarkit.handouts.leaks import KEY_MARKER, scan
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.render import render_static
from test_quiz_helpers import demo_module, demo_student, make

SECRETS = ["SECRET-EXPLANATION", "PUBLIC-EXPLANATION"]
KEY_ONLY_TEXTS = ["1979", "12.5", "Dushanbe", "Douchanb", "→", "->", "Answer key", "correct"]


def _student_html(questions: Any = None) -> str:
    student = demo_student()
    return render_static(questions if questions is not None else student.quiz.questions,
                         edition="student", sources=student.sources, title="Demo quiz")


@pytest.mark.parametrize("source", ["sealed", "instructor"])
def test_student_handout_leaks_no_key(source: str) -> None:
    questions = (demo_student() if source == "sealed" else demo_module()).quiz.questions
    page = _student_html(questions)
    assert KEY_MARKER not in page
    for text in SECRETS + KEY_ONLY_TEXTS:
        assert text not in page, text
    # the right single-choice option appears once, as an option, marked like the others
    single = re.search(r'id="quiz-q-single".*?</li>\s*(?=<li class="seminarkit-question")',
                       page, re.S)
    assert single is not None
    options = re.findall(r"<li>(.*?)</li>", single.group(0))
    assert options == ["○ Moscow", "○ Kabul", "○ Tashkent", "○ Doha"]
    assert page.count("Tashkent") == 1
    # ordering items are not shown in their right order
    shown = re.findall(r"Event (one|two|three|four)", page)
    assert shown != ["one", "two", "three", "four"]
    assert sorted(shown) == sorted(["one", "two", "three", "four"])


def test_student_handout_passes_the_leak_gate(tmp_path: Path) -> None:
    artifact = tmp_path / "handout.html"
    artifact.write_text(_student_html(), encoding="utf-8")
    assert scan([artifact], [demo_module()]) == []


def test_serialized_sealed_quiz_holds_only_hashes() -> None:
    instructor = {q.id: q for q in demo_module().quiz.questions}
    data = json.loads(demo_student().quiz.model_dump_json())
    dumped = json.dumps(data, ensure_ascii=False)
    assert "SECRET-EXPLANATION" not in dumped
    for question in data["questions"]:
        assert question["answer"] is None
        assert question["explanation"] is None
        key = json.loads(question["key_hash"])
        for name, value in key.items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                assert re.fullmatch(r"[0-9a-f]+|-?\d+|[a-z]+", str(item)), (name, item)
        answer = instructor[question["id"]].answer
        answers = answer if isinstance(answer, list) else [answer]
        if question["type"] in ("text", "numeric"):
            # (a public explanation may state the answer: the author allowed it)
            visible = {k: v for k, v in question.items()
                       if k not in ("key_hash", "public_explanation")}
            for text in answers:
                assert str(text) not in json.dumps(visible, ensure_ascii=False)


def test_serialized_sealed_quiz_passes_the_leak_gate(tmp_path: Path) -> None:
    artifact = tmp_path / "quiz.json"
    artifact.write_text(demo_student().quiz.model_dump_json(), encoding="utf-8")
    assert "PUBLIC-EXPLANATION-TF" in artifact.read_text(encoding="utf-8")  # allowed
    assert scan([artifact], [demo_module()]) == []


def test_instructor_handout_has_the_marked_key(tmp_path: Path) -> None:
    module = demo_module()
    page = render_static(module.quiz.questions, edition="instructor", sources=module.sources)
    key = page[page.index(KEY_MARKER):]
    for text in ["Tashkent", "Iran; Tajikistan; Uzbekistan", "False", "1979 ± 1 year",
                 "12.5 ± 10 % million", "Dushanbe / Douchanbé", "1. Event one; 2. Event two",
                 "Russia → Talks with all sides", "SECRET-EXPLANATION-MATCH",
                 'href="https://example.org/b"']:
        assert text in key, text
    artifact = tmp_path / "instructor.html"
    artifact.write_text(page, encoding="utf-8")
    assert any(leak.field == "quiz answer key" for leak in scan([artifact], [module]))


def test_static_html_is_escaped_and_self_contained() -> None:
    nasty = make("single", prompt="<script>alert('x')</script> & co", options=["<b>", "a&b"],
                 answer="<b>")
    for edition in ("student", "instructor"):
        page = render_static([nasty], edition=edition, sources={})
        assert "<script" not in page
        assert "&lt;script&gt;" in page
        assert "<b>" not in page.replace("<b>1.</b>", "")
        assert "src=" not in page


def test_blanks_for_numeric_and_text_and_a_matching_table() -> None:
    page = _student_html()
    assert page.count('class="seminarkit-blank"') == 3  # two numeric, one text
    assert "year" in page
    assert '<table class="seminarkit-matching">' in page
    assert "Write the letter of the matching option." in page


def test_render_errors() -> None:
    with pytest.raises(QuizError, match="unknown edition"):
        render_static([], edition="teacher", sources={})
    with pytest.raises(QuizError, match="instructor edition"):
        render_static(demo_student().quiz.questions, edition="instructor", sources={})
