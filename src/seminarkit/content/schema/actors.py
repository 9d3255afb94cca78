"""``actors.yaml``: actors with interests and stances, and the relations between them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from seminarkit.content.schema.common import Id, Record, SourceRef, Text, sources_field
from seminarkit.dates import Date

ActorKind = Literal["state", "organisation", "movement", "person", "institution", "group"]
RelationType = Literal["cooperation", "rivalry", "channel", "mediation", "support", "opposition"]


class Stance(Record):
    """An actor's stance on one argument block of the module."""

    block: Id
    stance: Text
    sources: list[SourceRef] = sources_field()


class Actor(Record):
    """A state, organisation, movement or named official."""

    id: Id
    name: Text
    kind: ActorKind
    description: Text
    interests: list[Text] = Field(default_factory=list)
    concerns: list[Text] = Field(default_factory=list)
    stances: list[Stance] = Field(default_factory=list)
    sources: list[SourceRef] = sources_field()


class Relation(Record):
    """A directed relation between two actors."""

    id: Id
    source: Id
    target: Id
    type: RelationType
    description: Text
    since: Date | None = None
    sources: list[SourceRef] = sources_field()


class ActorsFile(Record):
    """The whole ``actors.yaml``."""

    actors: list[Actor]
    relations: list[Relation] = Field(default_factory=list)
