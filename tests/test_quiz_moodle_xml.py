"""Moodle XML export: every question of the five banks, parsed back and checked against the bank.

The expected values come from the bank and the kit's own checker, never from the exporter:
each question is found by its ``idnumber`` (instructor edition), its type, key, tolerance and
fractions are compared with the bank, and Moodle's grading rules (fraction list, positive
fractions adding up to 100 %, clamping to [0, 1]) are applied to the parsed answers and
compared with :func:`seminarkit.quiz.check.check` on the same responses.
"""

from __future__ import annotations

import html
import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest

from seminarkit.content.materials import Module, load_course
from seminarkit.content.schema.quiz import Question
from seminarkit.quiz.check import check
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.export import export_module
from seminarkit.quiz.keys import numeric_bounds
from test_quiz_helpers import demo_module, demo_student, make

COURSE = load_course()
MODULES = sorted(COURSE.modules)
# question_bank::fraction_options_full() of Moodle, as fractions.
MOODLE_GRADES = {Decimal(v) for v in (
    "1.0", "0.9", "0.8333333", "0.8", "0.75", "0.7", "0.6666667", "0.6", "0.5", "0.4",
    "0.3333333", "0.3", "0.25", "0.2", "0.1666667", "0.1428571", "0.125", "0.1111111", "0.1",
    "0.05", "0.0")}
MOODLE_GRADES |= {-g for g in MOODLE_GRADES}
TYPES = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
         "numeric": "numerical", "text": "shortanswer", "matching": "matching",
         "ordering": "matching"}


def parse(module: Module, edition: str) -> ET.Element:
    return ET.fromstring(export_module(module, "moodle-xml", edition))


def text_of(node: ET.Element | None) -> str:
    return "" if node is None else (node.findtext("text") or "")


def plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def questions_by_id(root: ET.Element) -> dict[str, tuple[str, ET.Element]]:
    """Idnumber -> (category path in force, question element)."""
    found, category = {}, None
    for node in root:
        if node.get("type") == "category":
            category = node.findtext("category/text")
            continue
        found[node.findtext("idnumber", "").split(":", 1)[1]] = (category, node)
    return found


def fraction(answer: ET.Element) -> Decimal:
    return Decimal(answer.get("fraction", "")) / 100


def moodle_choice_grade(node: ET.Element, picks: set[str]) -> float:
    """Moodle multichoice grading: sum of picked fractions, kept in [0, 1]."""
    total = sum((fraction(a) for a in node.findall("answer") if html.unescape(text_of(a)) in picks),
                Decimal(0))
    return float(min(max(total, Decimal(0)), Decimal(1)))


def matching_rows(node: ET.Element) -> tuple[dict[str, str], list[str]]:
    rows, distractors = {}, []
    for sub in node.findall("subquestion"):
        answer = sub.findtext("answer/text", "")
        if text_of(sub):
            rows[plain(text_of(sub)).strip()] = answer
        else:
            distractors.append(answer)
    return rows, distractors


def check_question(question: Question, category: str | None, node: ET.Element,
                   module: Module) -> None:
    assert node.get("type") == TYPES[question.type], question.id
    assert Decimal(node.findtext("defaultgrade", "")) == Decimal(repr(question.points))
    blocks = {b.id: b.title for b in module.meta.blocks}
    expected_path = "$course$/top/" + module.meta.title.replace("/", "//")
    if question.block:
        expected_path += "/" + blocks[question.block].replace("/", "//")
    assert category == expected_path, question.id
    assert plain(text_of(node.find("questiontext"))).strip().startswith(question.prompt)
    answers = node.findall("answer")
    assert all(fraction(a) in MOODLE_GRADES for a in answers), question.id
    kind = question.type
    if kind in ("single", "multiple"):
        assert node.findtext("single") == ("true" if kind == "single" else "false")
        options = [html.unescape(text_of(a)) for a in answers]
        assert options == question.options
        key = [question.answer] if kind == "single" else question.answer
        assert {o for o, a in zip(options, answers, strict=True) if fraction(a) > 0} == set(key)
        positive = sum((fraction(a) for a in answers if fraction(a) > 0), Decimal(0))
        assert round(positive, 2) == 1  # Moodle: positive grades must add up to 100 %
        if kind == "multiple":
            assert all(fraction(a) == -fraction(answers[options.index(key[0])])
                       for o, a in zip(options, answers, strict=True) if o not in key)
        for size in range(len(options) + 1):
            for picks in itertools.combinations(options, size):
                response: Any = picks[0] if kind == "single" and picks else list(picks)
                if kind == "single" and len(picks) > 1:
                    continue
                kit = check(question, response).points / question.points if picks else 0.0
                assert moodle_choice_grade(node, set(picks)) == pytest.approx(kit, abs=1e-6), (
                    question.id, picks)
    elif kind == "truefalse":
        right = [text_of(a) for a in answers if fraction(a) == 1]
        assert right == ["true" if question.answer else "false"]
        assert sorted(text_of(a) for a in answers) == ["false", "true"]
    elif kind == "numeric":
        low, high = numeric_bounds(question.answer, question.tolerance, question.tolerance_kind)
        right = [a for a in answers if fraction(a) == 1]
        assert len(right) == 1 and text_of(answers[-1]) == "*" and fraction(answers[-1]) == 0
        center, tolerance = Decimal(text_of(right[0])), Decimal(right[0].findtext("tolerance", ""))
        assert (center - tolerance, center + tolerance) == (low, high), question.id
        for value, accepted in ((low, True), (high, True), (low - Decimal("0.001"), False),
                                (high + Decimal("0.001"), False)):
            assert (abs(value - center) <= tolerance) is accepted
            assert (check(question, str(value)).points > 0) is accepted
    elif kind == "text":
        assert node.findtext("usecase") == "0"
        accepted = [text_of(a).replace("\\*", "*") for a in answers if fraction(a) == 1]
        assert set(question.answer) <= set(accepted)
        assert all(check(question, a).points == question.points for a in accepted)
        assert text_of(answers[-1]) == "*" and fraction(answers[-1]) == 0
    elif kind == "matching":
        rows, distractors = matching_rows(node)
        assert rows == question.answer
        assert sorted(distractors) == sorted(o for o in question.options
                                             if o not in question.answer.values())
    else:  # ordering: matching with positions
        rows, distractors = matching_rows(node)
        assert not distractors
        assert {item: int(pos.split()[0]) for item, pos in rows.items()} == {
            item: n for n, item in enumerate(question.answer, start=1)}


@pytest.mark.parametrize("module_id", MODULES)
def test_every_question_of_every_bank_round_trips(module_id: str) -> None:
    module = COURSE.module(module_id)
    bank = module.need_quiz().questions
    assert len(bank) >= 32
    root = parse(module, "instructor")
    assert root.tag == "quiz"
    exported = questions_by_id(root)
    assert sorted(exported) == sorted(q.id for q in bank)
    for question in bank:
        category, node = exported[question.id]
        check_question(question, category, node, module)
        feedback = plain(text_of(node.find("generalfeedback")))
        assert " ".join(question.explanation.split()) in " ".join(feedback.split())


@pytest.mark.parametrize("module_id", MODULES)
def test_student_edition_withholds_instructor_only_explanations(module_id: str) -> None:
    module = COURSE.module(module_id)
    bank = module.need_quiz().questions
    raw = export_module(module, "moodle-xml", "student").decode("utf-8")
    root = ET.fromstring(raw)
    nodes = [n for n in root if n.get("type") != "category"]
    assert len(nodes) == len(bank) and all(n.find("idnumber") is None for n in nodes)
    by_title = {n.findtext("name/text"): n for n in nodes}
    visible = " ".join(" ".join(plain(t.text or "").split()) for t in root.iter("text"))
    for position, question in enumerate(bank, start=1):
        title = next(t for t in by_title if t.startswith(f"Q{position:02d} "))
        feedback = plain(text_of(by_title[title].find("generalfeedback")))
        shown = " ".join(question.explanation.split()) in " ".join(feedback.split())
        assert shown is question.show_explanation, question.id
        # no question id anywhere in the file: names are positions and prompt starts
        assert not re.search(rf"(?<![\w-]){re.escape(question.id)}(?![\w-])", raw), question.id
    assert "[[" not in visible


def test_demo_categories_fractions_and_escaping() -> None:
    root = parse(demo_module(), "instructor")
    paths = [n.findtext("category/text") for n in root if n.get("type") == "category"]
    assert paths == ["$course$/top/A demo module for quiz tests",
                     "$course$/top/A demo module for quiz tests/First block",
                     "$course$/top/A demo module for quiz tests/Second block"]
    exported = questions_by_id(root)
    multiple = exported["q-multiple"][1]
    assert [a.get("fraction") for a in multiple.findall("answer")] == [
        "33.33333", "33.33333", "-33.33333", "33.33333", "-33.33333"]
    single = exported["q-single"][1]
    prompt = text_of(single.find("questiontext"))
    assert "{in format &quot;x = y&quot;}" not in prompt  # quotes are not HTML-escaped
    assert plain(prompt).strip() == 'Which city hosted the talks {in format "x = y"} #1: A~B \\ C?'
    numeric = exported["q-rel"][1]
    right = numeric.findall("answer")[0]
    assert (text_of(right), right.findtext("tolerance")) == ("12.5", "1.25")


def test_hostile_text_is_escaped_or_refused(tmp_path: Any) -> None:
    module = demo_module()
    evil = make("single", id="q-evil", prompt="<script>alert(1)</script> & ]]> ?",
                options=["<b>bold</b>", "plain"], answer="<b>bold</b>")
    quiz = module.need_quiz().model_copy(update={"questions": [evil]})
    root = ET.fromstring(export_module(_with_quiz(module, quiz), "moodle-xml", "student"))
    node = next(n for n in root if n.get("type") == "multichoice")
    assert "<script>" not in text_of(node.find("questiontext"))
    assert "&lt;script&gt;" in text_of(node.find("questiontext"))
    assert text_of(node.find("answer")) == "&lt;b&gt;bold&lt;/b&gt;"
    control = make("truefalse", id="q-ctl", prompt="bell \x07 here", answer=True)
    quiz = module.need_quiz().model_copy(update={"questions": [control]})
    with pytest.raises(QuizError, match=r"'q-ctl'.*U\+0007"):
        export_module(_with_quiz(module, quiz), "moodle-xml")


def test_moodle_cannot_split_eleven_right_options() -> None:
    options = [f"option {n}" for n in range(12)]
    many = make("multiple", id="q-many", options=options, answer=options[:11])
    module = demo_module()
    quiz = module.need_quiz().model_copy(update={"questions": [many]})
    with pytest.raises(QuizError, match="11 right options; Moodle's grades can split a question "
                                        "only into 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20 equal parts"):
        export_module(_with_quiz(module, quiz), "moodle-xml")


def test_export_needs_the_instructor_materials_and_is_reproducible() -> None:
    with pytest.raises(QuizError, match="instructor edition"):
        export_module(demo_student(), "moodle-xml", "student")
    module = COURSE.module(MODULES[0])
    assert export_module(module, "moodle-xml", "student") == export_module(
        module, "moodle-xml", "student")


def _with_quiz(module: Module, quiz: Any) -> Module:
    import dataclasses

    return dataclasses.replace(module, quiz=quiz)
