"""Moodle XML export of a module's question bank (Moodle's "Moodle XML format" import).

Mapping, per type (Moodle core question types only, so any Moodle site imports it):

* ``single`` → ``multichoice`` with ``<single>true</single>``: the right option 100 %, the
  others 0 %.
* ``multiple`` → ``multichoice`` with ``<single>false</single>``: each right option
  ``100/k`` %, each wrong option ``-100/k`` % (k = number of right options). Moodle adds the
  fractions of the ticked options and keeps the grade between 0 and 1, which is exactly the
  kit's rule (right picks minus wrong picks, over k, floor 0). Moodle accepts only fractions
  from its fixed list (:data:`MOODLE_FRACTIONS`: 1/k for k = 1..10 and 20) and requires the
  positive ones to add up to 100 % (rounded to two decimals); another k is a clear error.
* ``truefalse`` → ``truefalse`` (answers ``true`` / ``false``).
* ``numeric`` → ``numerical``: the centre of the accepted interval with its half-width as
  tolerance (a relative tolerance becomes absolute); units are not asked for (the unit is in
  the question text), and a catch-all ``*`` answer at 0 % carries the feedback for wrong
  numbers.
* ``text`` → ``shortanswer``, case-insensitive, each accepted answer plus its accent-free form
  (``*``, Moodle's wildcard, is escaped), then a ``*`` answer at 0 % for the wrong-answer
  feedback.
* ``matching`` → ``matching``: one sub-question per left item; options no item uses become
  distractors (a sub-question without text). Moodle gives credit per right row, as the kit
  does.
* ``ordering`` → ``matching`` *with positions* (one row per item, answers ``1 (first)`` …
  ``n (last)``). Chosen over ``ddwtos`` because the items are full sentences (drag boxes are
  short plain-text tokens), because the GIFT and Canvas exports use the same mapping, so a
  question scores alike on every platform, and because it needs no text with gaps. Moodle
  then gives credit per item in the right position; the kit gives credit per pair of items
  in the right relative order (docs/lms.md compares the two).

Every question carries per-answer feedback where Moodle has it (choices, true/false, numeric,
short answer) and the combined right / partly right / wrong feedback where it has that
instead (multiple choice, matching). The general feedback follows the edition's policy
(:mod:`seminarkit.quiz.export.common`). Categories: ``$course$/top/<module>/<block title>``,
questions without a block in the module's category. No question of the kit uses a figure, so
no images are embedded.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from seminarkit.content.schema.quiz import (
    Matching,
    MultipleChoice,
    Numeric,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from seminarkit.editions import INSTRUCTOR, Edition
from seminarkit.quiz.common import answer_text, key_of
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.export.common import (
    CORRECT,
    INCORRECT,
    PARTIAL,
    accepted_texts,
    check_xml_texts,
    choice_feedback,
    decimal_text,
    general_feedback,
    interval,
    numeric_feedback,
    paragraphs,
    points_text,
    position_labels,
    prompt_text,
    question_title,
    text_feedback,
    truefalse_feedback,
)

if TYPE_CHECKING:
    from seminarkit.content.materials import Module

# Moodle's grade list (question_bank::fraction_options), as percentages, for 1/k.
MOODLE_FRACTIONS = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20", 6: "16.66667",
                    7: "14.28571", 8: "12.5", 9: "11.11111", 10: "10", 20: "5"}
PENALTY = "0.3333333"  # Moodle's default penalty for a wrong try in interactive mode


def category_path(*names: str) -> str:
    """Return a Moodle category path: ``/`` in a name doubled, edge slashes padded."""
    escaped = []
    for name in names:
        part = name.replace("/", "//")
        if part.startswith("/"):
            part = " " + part
        if part.endswith("/"):
            part += " "
        escaped.append(part)
    return "$course$/top/" + "/".join(escaped)


def fraction_for(question: MultipleChoice) -> str:
    """Return the percentage of one right option (``100/k``), from Moodle's allowed list."""
    k = len(key_of(question.answer, question.id))
    if k not in MOODLE_FRACTIONS:
        allowed = ", ".join(str(n) for n in MOODLE_FRACTIONS)
        raise QuizError(f"question {question.id!r}: {k} right options; Moodle's grades can "
                        f"split a question only into {allowed} equal parts (change the number "
                        "of right options)")
    return MOODLE_FRACTIONS[k]


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    node = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(node, "text").text = text
    return node


def _answer(parent: ET.Element, fraction: str, text: str, feedback: str,
            fmt: str = "moodle_auto_format") -> ET.Element:
    node = _text(parent, "answer", text, fmt)
    node.set("fraction", fraction)
    _text(node, "feedback", paragraphs(feedback))
    return node


def _combined(node: ET.Element) -> None:
    for tag, text in (("correctfeedback", CORRECT), ("partiallycorrectfeedback", PARTIAL),
                      ("incorrectfeedback", INCORRECT)):
        _text(node, tag, paragraphs(text))
    ET.SubElement(node, "shownumcorrect")


def _choices(node: ET.Element, question: SingleChoice | MultipleChoice) -> None:
    several = isinstance(question, MultipleChoice)
    ET.SubElement(node, "single").text = "false" if several else "true"
    ET.SubElement(node, "shuffleanswers").text = "false"  # keep the authored order
    ET.SubElement(node, "answernumbering").text = "abc"
    ET.SubElement(node, "showstandardinstruction").text = "1"
    _combined(node)
    if isinstance(question, MultipleChoice):
        right, share = set(key_of(question.answer, question.id)), fraction_for(question)
        fractions = {o: share if o in right else f"-{share}" for o in question.options}
    else:
        key = key_of(question.answer, question.id)
        fractions = {o: "100" if o == key else "0" for o in question.options}
    for option in question.options:
        ok = not fractions[option].startswith(("-", "0"))
        _answer(node, fractions[option], html.escape(option, quote=False),
                choice_feedback(ok, several=several), fmt="html")


def _rows(node: ET.Element, rows: Sequence[tuple[str, str]]) -> None:
    ET.SubElement(node, "shuffleanswers").text = "true"
    _combined(node)
    for left, option in rows:
        sub = _text(node, "subquestion", html.escape(left, quote=False))
        ET.SubElement(ET.SubElement(sub, "answer"), "text").text = option


def _body(node: ET.Element, question: Question) -> None:
    """Append the type-specific part of ``question`` to its ``<question>`` element."""
    if isinstance(question, SingleChoice | MultipleChoice):
        _choices(node, question)
    elif isinstance(question, TrueFalse):
        key = key_of(question.answer, question.id)
        for value in (True, False):
            _answer(node, "100" if value is key else "0", "true" if value else "false",
                    truefalse_feedback(key, value))
    elif isinstance(question, Numeric):
        accepted = interval(question)
        right = _answer(node, "100", decimal_text(accepted.center),
                        numeric_feedback(question, True))
        ET.SubElement(right, "tolerance").text = decimal_text(accepted.width)
        wrong = _answer(node, "0", "*", numeric_feedback(question, False))
        ET.SubElement(wrong, "tolerance").text = "0"
        for tag, setting in (("unitgradingtype", "0"), ("unitpenalty", "0.1000000"),
                             ("showunits", "3"), ("unitsleft", "0")):
            ET.SubElement(node, tag).text = setting
    elif isinstance(question, ShortText):
        ET.SubElement(node, "usecase").text = "0"
        for text in accepted_texts(question):
            _answer(node, "100", text.replace("*", "\\*"), text_feedback(question, True))
        _answer(node, "0", "*", text_feedback(question, False))
    elif isinstance(question, Matching):
        pairs = key_of(question.answer, question.id)
        used = set(pairs.values())
        _rows(node, [(left, pairs[left]) for left in question.left]
              + [("", o) for o in question.options if o not in used])
    else:
        order = key_of(question.answer, question.id)
        labels = position_labels(len(order))
        _rows(node, [(item, labels[order.index(item)]) for item in question.items])


MOODLE_TYPES = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
                "numeric": "numerical", "text": "shortanswer", "matching": "matching",
                "ordering": "matching"}


def moodle_question(question: Question, position: int, module: Module,
                    edition: Edition = INSTRUCTOR) -> ET.Element:
    """Build one ``<question>`` element (needs the instructor edition of the materials)."""
    answer_text(question)  # a clear error when the key is missing
    texts = [question.prompt, question.explanation or "",
             *getattr(question, "options", []), *getattr(question, "items", []),
             *getattr(question, "left", [])]
    check_xml_texts(question, texts)
    node = ET.Element("question", type=MOODLE_TYPES[question.type])
    ET.SubElement(ET.SubElement(node, "name"), "text").text = question_title(position, question)
    _text(node, "questiontext", paragraphs(prompt_text(question)))
    _text(node, "generalfeedback", general_feedback(question, module.sources, edition).html())
    ET.SubElement(node, "defaultgrade").text = points_text(question.points)
    ET.SubElement(node, "penalty").text = "1" if isinstance(question, TrueFalse) else PENALTY
    ET.SubElement(node, "hidden").text = "0"
    if edition.instructor_material:  # teachers only: lets them trace a question to quiz.yaml
        ET.SubElement(node, "idnumber").text = f"{module.id}:{question.id}"
    _body(node, question)
    return node


def _groups(module: Module) -> Iterator[tuple[str, list[tuple[int, Question]]]]:
    """(category path, [(bank position, question)]) in module order: no block first."""
    questions = list(enumerate(module.need_quiz().questions, start=1))
    titles = {b.id: b.title for b in module.meta.blocks}
    unknown = sorted({q.block for _, q in questions if q.block and q.block not in titles})
    if unknown:
        raise QuizError(f"module {module.id!r}: question block {unknown[0]!r} is not a block "
                        "of module.yaml")
    top = [(n, q) for n, q in questions if not q.block]
    if top:
        yield category_path(module.meta.title), top
    for block in module.meta.blocks:
        members = [(n, q) for n, q in questions if q.block == block.id]
        if members:
            yield category_path(module.meta.title, block.title), members


def export_moodle_xml(module: Module, edition: Edition = INSTRUCTOR) -> str:
    """Render ``module``'s question bank as a Moodle XML file (categories, then questions)."""
    if module.quiz is None or not module.quiz.questions:
        raise QuizError(f"module {module.id!r} has no quiz questions to export")
    root = ET.Element("quiz")
    for path, members in _groups(module):
        category = ET.SubElement(root, "question", type="category")
        ET.SubElement(ET.SubElement(category, "category"), "text").text = path
        _text(category, "info", "")
        for position, question in members:
            root.append(moodle_question(question, position, module, edition))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
