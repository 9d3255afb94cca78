"""QTI 1.2 items in Canvas's dialect (what Canvas's own "QTI" quiz export writes).

The layout follows Canvas's exporter (``lib/cc/qti/qti_items.rb`` in canvas-lms), which its
"QTI .zip file" importer reads back: an ``<item>`` carries ``question_type``,
``points_possible`` and ``original_answer_ids`` in its metadata, a ``<presentation>`` and a
``<resprocessing>`` that sets ``SCORE`` (0-100). Mapping, per type:

* ``single`` → ``multiple_choice_question``: ``response_lid`` (Single); the right option sets
  SCORE 100.
* ``multiple`` → ``multiple_answers_question``: ``response_lid`` (Multiple); SCORE 100 when
  every right option and no wrong one is ticked. Canvas marks each option right or wrong from
  this condition and grades with partial credit: each right tick earns points/k, each wrong
  tick costs as much, floor 0: the kit's rule.
* ``truefalse`` → ``true_false_question`` (options ``True`` / ``False``).
* ``numeric`` → ``numerical_question``, an exact answer with margin: ``varequal`` the centre,
  or ``vargte``/``varlte`` the bounds (a relative tolerance becomes absolute).
* ``text`` → ``short_answer_question``: one ``varequal`` per accepted answer (plus its
  accent-free form); Canvas ignores case.
* ``matching`` → ``matching_question``: one ``response_lid`` per left item listing every
  option (unused options are distractors); each right row adds ``100/n`` (two decimals, as
  Canvas writes it) to SCORE, so Canvas gives credit per right row.
* ``ordering`` → ``matching_question`` with positions, as in the Moodle export (Canvas has no
  ordering question in classic quizzes).

Identifiers are derived from the module and question ids through SHA-256 (``g`` + 32 hex
digits, like Canvas's own), so they are stable across exports and show no id. Feedback:
``general_fb`` (the edition's general feedback), ``<answer id>_fb`` per answer, and
``general_incorrect_fb`` for wrong numbers and texts.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Sequence
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
from seminarkit.editions import INSTRUCTOR, Edition
from seminarkit.quiz.common import answer_text, key_of
from seminarkit.quiz.export.common import (
    accepted_texts,
    check_xml_texts,
    choice_feedback,
    decimal_text,
    general_feedback,
    interval,
    numeric_feedback,
    pair_feedback,
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

CANVAS_TYPES = {"single": "multiple_choice_question", "multiple": "multiple_answers_question",
                "truefalse": "true_false_question", "numeric": "numerical_question",
                "text": "short_answer_question", "matching": "matching_question",
                "ordering": "matching_question"}


def ident(*parts: str) -> str:
    """Return a Canvas-style identifier: ``g`` + 32 hex digits of SHA-256 over ``parts``."""
    return "g" + hashlib.sha256("\0".join(("seminarkit-qti", *parts)).encode()).hexdigest()[:32]


def answer_ids(module_id: str, question_id: str, count: int, kind: str = "answer") -> list[str]:
    """Numeric answer identifiers (Canvas reads them as integers), unique within the item."""
    seed = int(hashlib.sha256(f"{kind}\0{module_id}\0{question_id}".encode()).hexdigest()[:8], 16)
    base = (seed % 9000 + 1000) * 100
    return [str(base + i) for i in range(count)]


def _meta(parent: ET.Element, label: str, entry: str) -> None:
    field = ET.SubElement(parent, "qtimetadatafield")
    ET.SubElement(field, "fieldlabel").text = label
    ET.SubElement(field, "fieldentry").text = entry


def _mattext(parent: ET.Element, text: str, html: bool = False) -> None:
    ET.SubElement(ET.SubElement(parent, "material"), "mattext",
                  texttype="text/html" if html else "text/plain").text = text


def _var(parent: ET.Element, tag: str, value: str, respident: str = "response1") -> None:
    ET.SubElement(parent, tag, respident=respident).text = value


def _condition(res: ET.Element, continue_: str = "No") -> tuple[ET.Element, ET.Element]:
    cond = ET.SubElement(res, "respcondition", {"continue": continue_})
    return cond, ET.SubElement(cond, "conditionvar")


def _score(cond: ET.Element, value: str = "100", action: str = "Set") -> None:
    ET.SubElement(cond, "setvar", action=action, varname="SCORE").text = value


def _show(cond: ET.Element, feedback_id: str) -> None:
    ET.SubElement(cond, "displayfeedback", feedbacktype="Response", linkrefid=feedback_id)


class _Item:
    """One ``<item>`` under construction: presentation, resprocessing and feedback texts."""

    def __init__(self, question: Question, answers: int, module_id: str) -> None:
        self.ids = answer_ids(module_id, question.id, answers)
        self.feedback: list[tuple[str, str]] = []  # (feedback id, plain text)
        self.presentation = ET.Element("presentation")
        self.resprocessing = ET.Element("resprocessing")
        outcomes = ET.SubElement(self.resprocessing, "outcomes")
        ET.SubElement(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE",
                      vartype="Decimal")

    def choices(self, options: Sequence[str], cardinality: str = "Single") -> None:
        lid = ET.SubElement(self.presentation, "response_lid", ident="response1",
                            rcardinality=cardinality)
        render = ET.SubElement(lid, "render_choice")
        for answer_id, option in zip(self.ids, options, strict=True):
            _mattext(ET.SubElement(render, "response_label", ident=answer_id), option)

    def answer_feedback(self, texts: Sequence[str]) -> None:
        for answer_id, text in zip(self.ids, texts, strict=True):
            cond, var = _condition(self.resprocessing, "Yes")
            _var(var, "varequal", answer_id)
            _show(cond, f"{answer_id}_fb")
            self.feedback.append((f"{answer_id}_fb", text))

    def blank(self, fibtype: str | None = None) -> None:
        response = ET.SubElement(self.presentation, "response_str", ident="response1",
                                 rcardinality="Single")
        render = ET.SubElement(response, "render_fib", {"fibtype": fibtype} if fibtype else {})
        ET.SubElement(render, "response_label", {"ident": "answer1"}
                      | ({} if fibtype else {"rshuffle": "No"}))

    def otherwise(self, feedback_id: str, text: str) -> None:
        cond, var = _condition(self.resprocessing, "Yes")
        ET.SubElement(var, "other")
        _show(cond, feedback_id)
        self.feedback.append((feedback_id, text))

    def rows(self, rows: Sequence[tuple[str, str]], options: Sequence[str],
             module_id: str, question_id: str) -> None:
        match_ids = dict(zip(options, answer_ids(module_id, question_id, len(options), "match"),
                             strict=True))
        share = f"{100 / len(rows):.2f}"
        for answer_id, (left, option) in zip(self.ids, rows, strict=True):
            lid = ET.SubElement(self.presentation, "response_lid", ident=f"response_{answer_id}")
            _mattext(lid, left)
            render = ET.SubElement(lid, "render_choice")
            for text, match_id in match_ids.items():
                _mattext(ET.SubElement(render, "response_label", ident=match_id), text)
            # Canvas writes these without ``continue``; QTI's default ("No") would stop at
            # the first right row, so the kit says "Yes" and every row is scored.
            cond, var = _condition(self.resprocessing, "Yes")
            _var(var, "varequal", match_ids[option], f"response_{answer_id}")
            _score(cond, share, "Add")
            wrong, var = _condition(self.resprocessing, "Yes")
            _var(ET.SubElement(var, "not"), "varequal", match_ids[option], f"response_{answer_id}")
            _show(wrong, f"{answer_id}_fb")
            self.feedback.append((f"{answer_id}_fb", pair_feedback(left, option)))


def _fill(item: _Item, question: Question, module_id: str) -> None:
    """Presentation, scoring and per-answer feedback of one question, by type."""
    if isinstance(question, SingleChoice | MultipleChoice | TrueFalse):
        if isinstance(question, TrueFalse):
            key = key_of(question.answer, question.id)
            options, right = ["True", "False"], {"True" if key else "False"}
            texts = [truefalse_feedback(key, True), truefalse_feedback(key, False)]
        else:
            several = isinstance(question, MultipleChoice)
            options = list(question.options)
            right = set(key_of(question.answer, question.id)) if isinstance(
                question, MultipleChoice) else {key_of(question.answer, question.id)}
            texts = [choice_feedback(o in right, several=several) for o in options]
        item.choices(options, "Multiple" if isinstance(question, MultipleChoice) else "Single")
        item.answer_feedback(texts)
        cond, var = _condition(item.resprocessing)
        if isinstance(question, MultipleChoice):
            both = ET.SubElement(var, "and")
            for answer_id, option in zip(item.ids, options, strict=True):
                _var(both if option in right else ET.SubElement(both, "not"), "varequal",
                     answer_id)
        else:
            _var(var, "varequal", item.ids[options.index(next(iter(right)))])
        _score(cond)
    elif isinstance(question, Numeric):
        accepted = interval(question)
        item.blank("Decimal")
        cond, var = _condition(item.resprocessing)
        either = ET.SubElement(var, "or")
        _var(either, "varequal", decimal_text(accepted.center))
        both = ET.SubElement(either, "and")
        _var(both, "vargte", decimal_text(accepted.low))
        _var(both, "varlte", decimal_text(accepted.high))
        _score(cond)
        _show(cond, f"{item.ids[0]}_fb")
        item.feedback.append((f"{item.ids[0]}_fb", numeric_feedback(question, True)))
        item.otherwise("general_incorrect_fb", numeric_feedback(question, False))
    elif isinstance(question, ShortText):
        item.blank()
        cond, var = _condition(item.resprocessing)
        for text in accepted_texts(question):
            _var(var, "varequal", text)
        _score(cond)
        item.otherwise("general_incorrect_fb", text_feedback(question, False))
    elif isinstance(question, Matching):
        pairs = key_of(question.answer, question.id)
        item.rows([(left, pairs[left]) for left in question.left], question.options,
                  module_id, question.id)
    elif isinstance(question, Ordering):
        order = key_of(question.answer, question.id)
        labels = position_labels(len(order))
        item.rows([(i, labels[order.index(i)]) for i in question.items], labels,
                  module_id, question.id)


def _answer_count(question: Question) -> int:
    if isinstance(question, TrueFalse):
        return 2
    if isinstance(question, SingleChoice | MultipleChoice):
        return len(question.options)
    if isinstance(question, Matching):
        return len(question.left)
    if isinstance(question, Ordering):
        return len(question.items)
    if isinstance(question, ShortText):
        return len(accepted_texts(question))
    return 1


def qti_item(question: Question, position: int, module: Module,
             edition: Edition = INSTRUCTOR) -> ET.Element:
    """Build one Canvas QTI ``<item>`` (needs the instructor edition of the materials)."""
    answer_text(question)  # a clear error when the key is missing
    check_xml_texts(question, [question.prompt, question.explanation or "",
                               *getattr(question, "options", []), *getattr(question, "items", []),
                               *getattr(question, "left", [])])
    item = _Item(question, _answer_count(question), module.id)
    general = general_feedback(question, module.sources, edition).html()
    if general:
        item.otherwise("general_fb", "")
    _fill(item, question, module.id)
    node = ET.Element("item", ident=ident(module.id, question.id),
                      title=question_title(position, question))
    meta = ET.SubElement(ET.SubElement(node, "itemmetadata"), "qtimetadata")
    _meta(meta, "question_type", CANVAS_TYPES[question.type])
    _meta(meta, "points_possible", points_text(question.points))
    _meta(meta, "original_answer_ids", ",".join(item.ids))
    _meta(meta, "assessment_question_identifierref", ident("bank", module.id, question.id))
    presentation = ET.SubElement(node, "presentation")
    _mattext(presentation, f"<div>{paragraphs(prompt_text(question))}</div>", html=True)
    presentation.extend(list(item.presentation))
    node.append(item.resprocessing)
    for feedback_id, text in item.feedback:
        flow = ET.SubElement(ET.SubElement(node, "itemfeedback", ident=feedback_id), "flow_mat")
        _mattext(flow, general if feedback_id == "general_fb" else paragraphs(text), html=True)
    return node
