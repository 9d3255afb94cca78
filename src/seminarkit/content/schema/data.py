"""Provenance records for the CSV data sets under ``data/``."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from seminarkit.content.schema.common import Record, SourceRef, Text, field_error, sources_field

ColumnType = Literal["int", "float", "str", "date", "bool"]
NUMERIC = ("int", "float")
_COLUMN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.%-]*", re.ASCII)


def _check_column(value: str) -> str:
    if not _COLUMN.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid column name (ASCII letters, digits, '_', "
                         "'.', '%' or '-'; no spaces)")
    return value


ColumnName = Annotated[str, AfterValidator(_check_column)]


class ColumnSpec(Record):
    """One CSV column: its name, type, (optionally) unit, and the range its values keep to.

    Numeric columns hold counts, shares and years, so ``minimum`` defaults to 0 and, for a
    ``%`` unit, ``maximum`` to 100; declare a negative minimum (a change, a balance) or a
    larger maximum where the data really goes there. :meth:`bounds` gives the range in force.
    """

    name: ColumnName
    type: ColumnType
    unit: str | None = None
    description: str | None = None
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None

    @model_validator(mode="after")
    def _range_fits_type(self) -> ColumnSpec:
        declared = self.minimum is not None or self.maximum is not None
        if declared and self.type not in NUMERIC:
            raise field_error("minimum" if self.minimum is not None else "maximum",
                              f"a range applies to int and float columns, not {self.type}")
        low, high = self.bounds()
        if low is not None and high is not None and low > high:
            raise field_error("maximum", f"maximum {high:g} is below minimum {low:g}")
        return self

    def bounds(self) -> tuple[float | None, float | None]:
        """Return the (minimum, maximum) this column keeps to (None: unbounded)."""
        if self.type not in NUMERIC:
            return None, None
        low = self.minimum if self.minimum is not None else 0.0
        high = self.maximum
        if high is None and (self.unit or "").strip() == "%":
            high = max(100.0, low)
        return low, high


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
