"""``module.yaml``: the bibliographic record, summary, objectives, argument and plans."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from seminarkit.content.schema.common import (
    Confidence,
    Id,
    Record,
    SourceRef,
    Text,
    field_error,
    instructor_only,
    sources_field,
)
from seminarkit.dates import Date

Provenance = Literal[
    "report-summary",  # the report's (or analysis's) own published summary
    "author-2013",  # the author's related 2013 Ifri paper
    "author-2017",  # the author's related 2017 IMEMO article
    "analysis-summary",  # a related analysis's own published summary
    "context",  # sourced context, not the analysis's own words
]

PROVENANCE_LABELS: dict[str, str] = {
    "report-summary": "the report's published summary",
    "author-2013": "the author's related 2013 Ifri paper",
    "author-2017": "the author's related 2017 IMEMO article",
    "analysis-summary": "the analysis's published summary",
    "context": "sourced context (not the analysis's own text)",
}


class Person(Record):
    """An author with an optional affiliation."""

    name: Text
    affiliation: str | None = None


class BibRecord(Record):
    """The analysis's bibliographic record: only what is sourced; unknowns stay ``None``."""

    title: Text
    authors: list[Person] = Field(default_factory=list)
    series: str | None = None
    number: str | None = None
    publisher: Text
    date: Date | None = None
    isbn: str | None = None
    url: str | None = None
    language: str | None = None
    sources: list[SourceRef] = sources_field()


class Objective(Record):
    """A measurable learning objective."""

    id: Id
    text: Text


class Thesis(Record):
    """One claim of the argument, with where it comes from."""

    id: Id
    text: Text
    provenance: Provenance
    confidence: Confidence = "H"
    sources: list[SourceRef] = sources_field()


class DiscussionQuestion(Record):
    """A discussion question; notes and a model answer for the instructor."""

    id: Id
    question: Text
    notes: str | None = instructor_only()
    model_answer: str | None = instructor_only()


class FigureSpec(Record):
    """Which figure illustrates a block in the walkthrough."""

    kind: Literal["timeline", "data", "actors"]
    dataset: str | None = None
    categories: list[Id] = Field(default_factory=list)
    actors: list[Id] = Field(default_factory=list)
    start: int | None = None
    end: int | None = None
    caption: str | None = None


class Block(Record):
    """One block of the argument: theses, reading guide, discussion, facilitation."""

    id: Id
    title: Text
    summary: Text
    theses: list[Thesis] = Field(min_length=1)
    reading_guide: list[Text] = Field(default_factory=list)
    discussion: list[DiscussionQuestion] = Field(default_factory=list)
    figure: FigureSpec | None = None
    facilitation: str | None = instructor_only()


class Development(Record):
    """A development after the analysis was published, paired with the thesis it tests."""

    id: Id
    date: Date
    title: Text
    text: Text
    tests: Id
    prompt: Text
    assessment: str | None = instructor_only()
    sources: list[SourceRef] = sources_field()


class Activity(Record):
    """A timed activity in a session plan."""

    minutes: int = Field(gt=0)
    title: Text
    description: Text
    notebook: Id | None = None
    notes: str | None = instructor_only()


class SessionPlan(Record):
    """A timed session plan whose activities add up to its length."""

    id: Id
    title: Text
    minutes: int = Field(gt=0)
    activities: list[Activity] = Field(min_length=1)

    @model_validator(mode="after")
    def _minutes_add_up(self) -> SessionPlan:
        total = sum(a.minutes for a in self.activities)
        if total != self.minutes:
            raise field_error(
                "activities", f"activities add up to {total} minutes (expected {self.minutes})"
            )
        return self


class Sequence(Record):
    """Several session plans taught in order."""

    id: Id
    title: Text
    sessions: list[Id] = Field(min_length=2)


class Link(Record):
    """A link from this module to another one through a shared theme."""

    module: Id
    theme: Text
    text: Text


class ExerciseIdea(Record):
    """An idea for an exercise, for the exercises issue."""

    id: Id
    title: Text
    text: Text


class ModuleFile(Record):
    """The whole ``module.yaml``."""

    id: Id
    title: Text
    short_title: Text = Field(max_length=40)
    record: BibRecord
    citation: Text
    summary: Text
    based_on: Text
    objectives: list[Objective] = Field(default_factory=list)
    blocks: list[Block] = Field(default_factory=list)
    after_report: list[Development] = Field(default_factory=list)
    session_plans: list[SessionPlan] = Field(default_factory=list)
    sequences: list[Sequence] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    exercise_ideas: list[ExerciseIdea] = Field(default_factory=list)
    instructor_notes: str | None = instructor_only()
    status: Literal["complete", "stub"] = "complete"
