"""``glossary.yaml``: key terms with short definitions and sources."""

from __future__ import annotations

from pydantic import Field

from seminarkit.content.schema.common import Id, Record, SourceRef, Text, sources_field


class Term(Record):
    """One glossary entry."""

    id: Id
    term: Text
    definition: Text
    see_also: list[Id] = Field(default_factory=list)
    sources: list[SourceRef] = sources_field()


class GlossaryFile(Record):
    """The whole ``glossary.yaml``."""

    terms: list[Term]
