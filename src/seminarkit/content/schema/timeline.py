"""``timeline.yaml``: dated events with categories, actors and sources."""

from __future__ import annotations

from pydantic import Field

from seminarkit.content.schema.common import Confidence, Id, Record, SourceRef, Text, sources_field
from seminarkit.dates import Date


class Category(Record):
    """A timeline category (colour group in the explorer)."""

    id: Id
    label: Text


class Event(Record):
    """One dated event; ``date`` keeps its real precision."""

    id: Id
    date: Date
    end: Date | None = None
    title: Text = Field(max_length=80)
    text: Text
    category: Id
    actors: list[Id] = Field(default_factory=list)
    sources: list[SourceRef] = sources_field()
    confidence: Confidence = "H"
    note: str | None = None


class TimelineFile(Record):
    """The whole ``timeline.yaml``."""

    categories: list[Category]
    events: list[Event]
