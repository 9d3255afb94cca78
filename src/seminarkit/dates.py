"""Partial dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) that keep their precision."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import total_ordering
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)  # fullmatch; ASCII digits only


@total_ordering
@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day; ordering sorts by what is known.

    A less precise date sorts before a more precise one in the same period
    (``2017`` < ``2017-04`` < ``2017-04-14``).
    """

    year: int
    month: int | None = None
    day: int | None = None

    def sort_key(self) -> tuple[int, int, int]:
        """Sortable tuple; unknown parts count as 0."""
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Parse ``2017``, ``"2017-12"`` or ``"2017-12-01"``; raise ValueError otherwise."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValueError("expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
        match = _DATE.fullmatch(str(value).strip())
        if not match:
            raise ValueError(f"{value!r} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
        year = int(match.group(1))
        if year == 0:
            raise ValueError(f"{value!r} has year 0000, which does not exist (years start at "
                             "0001)")
        month = int(match.group(2)) if match.group(2) else None
        day = int(match.group(3)) if match.group(3) else None
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"{value!r} has month {month} (expected 01-12)")
        if day is not None and month is not None:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise ValueError(f"{value!r} has day {day} (expected 01-{last:02d})")
        return cls(year, month, day)

    @property
    def precision(self) -> str:
        """``year``, ``month`` or ``day``."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def as_float(self) -> float:
        """Decimal year for plotting, placing an unknown month or day mid-period."""
        if self.month is None:
            return self.year + 0.5
        days = calendar.monthrange(self.year, self.month)[1]
        day = self.day if self.day is not None else (days + 1) / 2
        return self.year + (self.month - 1) / 12 + (day - 1) / days / 12

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def display(self) -> str:
        """Human form: ``14 April 2017``, ``December 2017`` or ``2017``."""
        if self.month is None:
            return str(self.year)
        name = calendar.month_name[self.month]
        return f"{self.day} {name} {self.year}" if self.day else f"{name} {self.year}"


def _coerce(value: Any) -> PartialDate:
    return PartialDate.parse(value)


DATE_JSON_SCHEMA = {
    "anyOf": [{"type": "string", "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"},
              {"type": "integer", "minimum": 1, "maximum": 9999}],
    "description": "A date at its real precision: YYYY, YYYY-MM or YYYY-MM-DD.",
    "examples": ["2018-05", "2021-08-15", 2025],
}
Date = Annotated[PartialDate, BeforeValidator(_coerce), PlainSerializer(str, return_type=str),
                 WithJsonSchema(DATE_JSON_SCHEMA)]
