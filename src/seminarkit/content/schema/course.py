"""``course.yaml``: the spine — notebooks, modules in order, and the course sequence."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from seminarkit.content.schema.common import Id, Record, Text
from seminarkit.editions import edition_names
from seminarkit.errors import UnknownChoiceError


def _check_edition(value: str) -> str:
    from seminarkit.editions import edition

    try:
        return edition(value).name
    except UnknownChoiceError as exc:
        raise ValueError(str(exc)) from None


EditionName = Annotated[str, AfterValidator(_check_edition)]
ParameterValue = str | int | float | bool

Requirement = Literal["timeline", "actors", "glossary", "quiz", "data", "roles", "blocks"]


class NotebookEntry(Record):
    """A notebook in ``notebooks/`` and what module content it needs."""

    id: Id
    file: Text
    title: Text
    description: Text
    requires: list[Requirement] = Field(default_factory=list)
    parameters: dict[str, ParameterValue] = Field(
        default_factory=dict,
        description="Extra parameters a batch build passes to this notebook (e.g. session_minutes: 90).")


class CourseModuleEntry(Record):
    """A module in course order and the notebooks that apply to it."""

    id: Id
    notebooks: list[Id] = Field(min_length=1)


class SessionEntry(Record):
    """One session of the suggested course sequence."""

    session: int = Field(ge=1)
    title: Text
    modules: list[Id] = Field(min_length=1)
    minutes: int = Field(gt=0)
    description: Text
    notebooks: list[Id] = Field(default_factory=list)


class CourseFile(Record):
    """The whole ``course.yaml``."""

    title: Text
    edition: EditionName = Field(default="instructor", json_schema_extra={"enum": list(edition_names())})
    subtitle: str | None = None
    summary: str | None = None
    notebooks: list[NotebookEntry] = Field(min_length=1)
    modules: list[CourseModuleEntry] = Field(min_length=1)
    sequence: list[SessionEntry] = Field(default_factory=list)
    cross_module_questions: list[Text] = Field(default_factory=list)
