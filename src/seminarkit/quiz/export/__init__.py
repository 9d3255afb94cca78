"""Exports of a question bank, one module per format.

* :mod:`~seminarkit.quiz.export.gift` — Moodle GIFT (text);
* :mod:`~seminarkit.quiz.export.moodle` — Moodle XML (every type, categories per block);
* :mod:`~seminarkit.quiz.export.qti` / :mod:`~seminarkit.quiz.export.qti_package` — a QTI 1.2
  package for Canvas's "QTI .zip file" import;
* :mod:`~seminarkit.quiz.export.tables` — CSV and JSON tables for the instructor;
* :mod:`~seminarkit.quiz.export.common` — what a student or an instructor export may carry.

:func:`export_module` is the entry point of ``seminarkit quiz export``; :func:`export_quiz`
keeps the text formats callable on a plain list of questions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from seminarkit.content.schema.quiz import Question
from seminarkit.editions import INSTRUCTOR, Edition, edition
from seminarkit.errors import UnknownChoiceError
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.export.gift import export_gift, gift_escape, gift_question
from seminarkit.quiz.export.tables import CSV_COLUMNS, export_csv, export_json

if TYPE_CHECKING:
    from seminarkit.content.materials import Module
    from seminarkit.content.schema.sources import Source

__all__ = ["CSV_COLUMNS", "FORMATS", "LMS_FORMATS", "SUFFIXES", "export_csv", "export_gift",
           "export_json", "export_module", "export_quiz", "gift_escape", "gift_question"]

FORMATS = ("gift", "csv", "json")  # text formats of a plain list of questions
LMS_FORMATS = ("gift", "moodle-xml", "qti")  # what a learning platform imports
SUFFIXES = {"gift": ".gift.txt", "csv": ".csv", "json": ".json", "moodle-xml": ".xml",
            "qti": ".zip"}


def export_quiz(questions: Sequence[Question], fmt: str, *, module_id: str,
                sources: Mapping[str, Source] | None = None,
                edition: Edition = INSTRUCTOR) -> str:
    """Export ``questions`` in ``fmt`` (one of :data:`FORMATS`)."""
    if not questions:
        raise QuizError(f"module {module_id!r} has no quiz questions to export")
    if fmt == "gift":
        return export_gift(questions, sources, edition)
    if fmt == "csv":
        return export_csv(questions)
    if fmt == "json":
        return export_json(questions, module_id)
    raise QuizError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def export_module(module: Module, fmt: str, edition_name: str | Edition = INSTRUCTOR) -> bytes:
    """Export ``module``'s question bank in ``fmt`` as file bytes (UTF-8 text or a zip).

    ``edition_name`` decides the general feedback of the platform formats (gift, moodle-xml,
    qti); csv and json are instructor tables and refuse the student edition.
    """
    chosen = edition(edition_name)
    choices = (*FORMATS, *(f for f in LMS_FORMATS if f not in FORMATS))
    if fmt not in choices:
        raise UnknownChoiceError("format", fmt, choices)
    if fmt in ("csv", "json") and not chosen.instructor_material:
        raise QuizError(f"the {fmt} export is an instructor table (keys and every explanation); "
                        "--edition student applies to gift, moodle-xml and qti")
    questions = module.quiz.questions if module.quiz is not None else []
    if not questions:
        raise QuizError(f"module {module.id!r} has no quiz questions to export")
    if fmt == "moodle-xml":
        from seminarkit.quiz.export.moodle import export_moodle_xml

        return export_moodle_xml(module, chosen).encode("utf-8")
    if fmt == "qti":
        from seminarkit.quiz.export.qti_package import export_qti

        return export_qti(module, chosen)
    return export_quiz(questions, fmt, module_id=module.id, sources=module.sources,
                       edition=chosen).encode("utf-8")
