"""Provenance records for the CSV data sets under ``data/``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from seminarkit.content.schema.common import Record, SourceRef, Text, sources_field

ColumnType = Literal["int", "float", "str", "date", "bool"]


class ColumnSpec(Record):
    """One CSV column: its name, type and (optionally) unit."""

    name: Text
    type: ColumnType
    unit: str | None = None
    description: str | None = None
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None


class DatasetProvenance(Record):
    """``data/<name>.yaml`` beside ``data/<name>.csv``: what the numbers are and where from."""

    title: Text
    unit: Text
    sources: list[SourceRef] = sources_field()
    notes: str | None = None
    columns: list[ColumnSpec] = Field(min_length=1)
    x: str | None = None
    series: list[str] = Field(default_factory=list)
    label: str | None = None
    confidence_column: str | None = None
    sources_column: str | None = None
    chart: Literal["line", "bar", "dot"] = "line"
