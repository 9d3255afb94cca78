"""CSV cells a spreadsheet cannot run: the kit's defence against formula injection.

A cell that starts with ``= + - @`` (or a tab or carriage return) is a formula to Excel,
LibreOffice and Google Sheets; a roster or an exercise name can carry one
(``=HYPERLINK(...)``). Display cells (names, sections, column titles) are neutralised the way
OWASP recommends, with a leading apostrophe, which spreadsheets show as text. Identifier cells
cannot be changed (the platform matches them exactly), so one that looks like a formula is
refused with a clear message instead. Grades are written by the kit as plain decimals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from seminarkit.lms.errors import GradeExportError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CENTS = Decimal("0.01")


def text_cell(value: str | None) -> str:
    """Return a display cell a spreadsheet shows as text (``'`` before a formula start)."""
    text = (value or "").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return "'" + text if text.startswith(FORMULA_START) else text


def id_cell(value: str | None, what: str, who: str) -> str:
    """Return an identifier cell unchanged; refuse one a spreadsheet would run as a formula."""
    text = value or ""
    if text.startswith(FORMULA_START) or "\n" in text or "\r" in text:
        raise GradeExportError(f"{who}: the {what} {text[:40]!r} would run as a spreadsheet "
                               "formula or break the row; fix it in the roster")
    return text


def points_cell(value: Decimal | None) -> str:
    """Return points rounded half-up to 2 decimals, without trailing zeros ('' for None)."""
    if value is None:
        return ""
    text = format(value.quantize(CENTS, rounding=ROUND_HALF_UP).normalize(), "f")
    return "0" if text in ("-0", "") else text


def rounded(value: Decimal) -> Decimal:
    """Return ``value`` rounded half-up to 2 decimals (what the export writes)."""
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    """Return rows as CSV text (comma, minimal quoting, CRLF line ends as RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()
