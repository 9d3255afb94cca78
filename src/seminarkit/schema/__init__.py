"""The materials model: pydantic models for every file under ``materials/``.

Fields only instructors may see are declared with :func:`instructor_only`; editions use that
marker to strip them (see :mod:`seminarkit.redact`).
"""

from seminarkit.schema.actors import Actor, ActorsFile, Relation, Stance
from seminarkit.schema.common import Record, SourceRef, instructor_only
from seminarkit.schema.course import CourseFile, CourseModuleEntry, NotebookEntry, SessionEntry
from seminarkit.schema.data import ColumnSpec, DatasetProvenance
from seminarkit.schema.glossary import GlossaryFile, Term
from seminarkit.schema.module import Block, ModuleFile, SessionPlan, Thesis
from seminarkit.schema.quiz import Question, QuizFile
from seminarkit.schema.roles import Role, RolesFile
from seminarkit.schema.sources import Source, SourcesFile
from seminarkit.schema.timeline import Event, TimelineFile

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
