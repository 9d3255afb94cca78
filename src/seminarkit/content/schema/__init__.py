"""The materials model: pydantic models for every file under ``materials/``.

Fields only instructors may see are declared with :func:`instructor_only`; editions use that
marker to strip them (see :mod:`seminarkit.redact`).
"""

from seminarkit.content.schema.actors import Actor, ActorsFile, Relation, Stance
from seminarkit.content.schema.common import Record, SourceRef, instructor_only
from seminarkit.content.schema.course import CourseFile, CourseModuleEntry, NotebookEntry, SessionEntry
from seminarkit.content.schema.data import ColumnSpec, DatasetProvenance
from seminarkit.content.schema.glossary import GlossaryFile, Term
from seminarkit.content.schema.module import Block, ModuleFile, SessionPlan, Thesis
from seminarkit.content.schema.quiz import Question, QuizFile
from seminarkit.content.schema.roles import Role, RolesFile
from seminarkit.content.schema.sources import Source, SourcesFile
from seminarkit.content.schema.timeline import Event, TimelineFile

__all__ = [
    "Actor",
    "ActorsFile",
    "Block",
    "ColumnSpec",
    "CourseFile",
    "CourseModuleEntry",
    "DatasetProvenance",
    "Event",
    "GlossaryFile",
    "ModuleFile",
    "NotebookEntry",
    "Question",
    "QuizFile",
    "Record",
    "Relation",
    "Role",
    "RolesFile",
    "SessionEntry",
    "SessionPlan",
    "Source",
    "SourceRef",
    "SourcesFile",
    "Stance",
    "Term",
    "Thesis",
    "TimelineFile",
    "instructor_only",
]
