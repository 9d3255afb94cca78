"""``roles.yaml``: a role-play simulation (delegations, the chair's agenda, debrief)."""

from __future__ import annotations

from pydantic import Field

from seminarkit.content.schema.common import Id, Record, SourceRef, Text, instructor_only, sources_field
from seminarkit.dates import Date


class RoleFact(Record):
    """A sourced fact a delegation can use."""

    text: Text
    sources: list[SourceRef] = sources_field()


class Role(Record):
    """One delegation. ``priority`` 1 roles are filled first in small classes."""

    id: Id
    name: Text
    actor: Id | None = None
    priority: int = Field(default=2, ge=1, le=3)
    max_delegates: int = Field(default=3, ge=1)
    public_position: Text
    private_interests: list[Text] = Field(min_length=1)
    red_lines: list[Text] = Field(min_length=1)
    facts: list[RoleFact] = Field(min_length=1)


class AgendaItem(Record):
    """A timed item on the chair's agenda."""

    minutes: int = Field(gt=0)
    item: Text


class RolesFile(Record):
    """The whole ``roles.yaml``."""

    title: Text
    setting: Text
    date: Date
    sources: list[SourceRef] = sources_field()
    chair_agenda: list[AgendaItem] = Field(min_length=1)
    roles: list[Role] = Field(min_length=2)
    debrief: list[Text] = Field(min_length=1)
    debrief_notes: str | None = instructor_only(required=True)
