"""Reading a roster (Canvas, Moodle or the kit's own) and mapping it to the kit's student ids.

:func:`read_roster` is the one entry point: ``read_roster(path, key="email")`` returns a
:class:`Roster` whose students carry the kit's id (the value of the key column) and every
platform identifier the file has (Canvas ID, SIS ids, login, email, section). Consumers then
call :meth:`Roster.match` with the ids they hold (gradebook reports, responses files) and get
who matched, who is not on the roster, and who has no submission.

Reading is strict about what would give a wrong mapping and lenient about what platforms
really write:

* encodings: UTF-8, with or without BOM (Excel and Moodle write one), and UTF-16 with BOM
  (Excel's "Unicode text"); anything else is one line naming the row and the byte, with the
  fix (re-export as UTF-8, or ``encoding="latin-1"`` / ``--encoding latin-1``);
* separators: comma, semicolon (Canvas and Moodle in decimal-comma locales) or tab, taken
  from the header row; another separator is one clear line;
* each of these is a problem, reported one line per problem, all at once: a key cell shared
  by two rows (duplicate ids), a row with more cells than the header, a column given twice, an
  unknown column in the kit's roster, malformed quoting, a key cell with a line break or
  starting like a spreadsheet formula (``= + - @``);
* rows whose key cell is empty (Canvas's test student, a teacher without an ID number) are
  not errors: they are kept in :attr:`Roster.skipped` for the caller to report.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from seminarkit.lms.errors import RosterError
from seminarkit.lms.layouts import KEY_FIELDS, KEYS, Layout, detect, display_name

MAX_BYTES = 20 * 1024 * 1024
DELIMITERS = (",", ";", "\t")
FORMULA_START = ("=", "+", "-", "@")
_FOLDED = ("email", "username")  # compared without case; ids and SIS ids as written


@dataclass(frozen=True)
class RosterStudent:
    """One student of a roster: the kit's id and whatever the platform file says about them."""

    id: str
    row: int
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    sortable_name: str | None = None
    email: str | None = None
    sis_id: str | None = None
    username: str | None = None
    lms_id: str | None = None
    section: str | None = None


@dataclass(frozen=True)
class SkippedRow:
    """A roster row that maps to no kit id (its key cell is empty)."""

    row: int
    name: str | None
    reason: str


@dataclass(frozen=True)
class RosterMatch:
    """The roster against the ids a consumer holds (reports, responses files)."""

    found: dict[str, RosterStudent]
    not_on_roster: tuple[str, ...]
    without_submission: tuple[RosterStudent, ...]


@dataclass(frozen=True)
class Roster:
    """A read roster: its students in file order, and the rows that map to no id."""

    path: Path
    platform: str
    key: str
    students: tuple[RosterStudent, ...]
    skipped: tuple[SkippedRow, ...] = ()
    delimiter: str = ","
    encoding: str = "utf-8"

    def find(self, student_id: str) -> RosterStudent | None:
        """Return the student with kit id ``student_id`` (email and username ignore case)."""
        wanted = normalise(self.key, student_id)
        return next((s for s in self.students if normalise(self.key, s.id) == wanted), None)

    def match(self, ids: Iterable[str]) -> RosterMatch:
        """Match the kit ids a consumer holds against the roster, both ways."""
        by_key = {normalise(self.key, s.id): s for s in self.students}
        found: dict[str, RosterStudent] = {}
        missing: list[str] = []
        for student_id in dict.fromkeys(ids):
            student = by_key.get(normalise(self.key, student_id))
            if student is None:
                missing.append(student_id)
            else:
                found[student_id] = student
        matched = {s.row for s in found.values()}
        return RosterMatch(found, tuple(missing),
                           tuple(s for s in self.students if s.row not in matched))

    def skipped_lines(self) -> list[str]:
        """One line per skipped row, for the caller to print."""
        return [f"{self.path}: row {r.row}" + (f" ({r.name})" if r.name else "") + f": {r.reason}"
                for r in self.skipped]


def normalise(key: str, value: str) -> str:
    """Return the form in which ``key`` values are compared."""
    value = value.strip()
    return value.casefold() if KEY_FIELDS[key] in _FOLDED else value


def decode(data: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    """Decode roster bytes; (text, encoding used). Problems raise one-line RosterErrors."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise RosterError(f"{path}: unknown encoding {encoding!r} (try utf-8, latin-1 "
                              "or cp1252)") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not encoding:
        encoding = "utf-16"
    used = encoding or ("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8")
    try:
        text = data.decode(used)
    except UnicodeDecodeError as exc:
        row = data[:exc.start].count(b"\n") + 1
        byte = data[exc.start]
        hint = ("re-export it as UTF-8, or give the encoding it uses, e.g. --encoding latin-1 "
                "(older Moodle and Excel exports) or cp1252" if not encoding else
                "check the --encoding you gave")
        raise RosterError(f"{path}: row {row}: byte 0x{byte:02x} is not valid {used}; {hint}"
                          ) from None
    if "\x00" in text:
        row = text[:text.index("\x00")].count("\n") + 1
        raise RosterError(f"{path}: row {row}: NUL character; this is not a CSV text file "
                          "(save the roster as CSV)")
    return text.removeprefix("\ufeff"), used


def sniff(header_line: str, path: Path) -> str:
    """Return the separator of a header line: the most frequent of comma, semicolon, tab."""
    counts = {d: len(next(csv.reader([header_line], delimiter=d), [])) - 1 for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    if counts[best] > 0:
        return best
    odd = next((c for c in "|:^~#" if c in header_line), None)
    if odd:
        raise RosterError(f"{path}: row 1: the header {header_line.strip()[:60]!r} is one column; "
                          f"the file seems separated by {odd!r}, which the kit does not read "
                          "(save it as CSV separated by commas, semicolons or tabs)")
    return ","


def _rows(text: str, delimiter: str, path: Path) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RosterError(f"{path}: row {start}: malformed CSV ({exc}); check the quotes on "
                          "this row") from None
    return rows


def _check_key(value: str, column: str, row: int, path: Path) -> str | None:
    if "\n" in value or "\r" in value:
        return f"{path}: row {row}: the {column!r} cell holds a line break; fix the roster"
    if value.startswith(FORMULA_START):
        return (f"{path}: row {row}: {column!r} {value[:40]!r} starts with {value[0]!r}, which "
                "spreadsheets run as a formula; no real id starts so: fix the roster")
    return None


def _key_column(layout: Layout, key: str | None, path: Path) -> tuple[str, int]:
    chosen = key or ("id" if layout.platform == "kit" else None)
    if chosen is not None and chosen not in KEYS:
        raise RosterError(f"unknown roster key {chosen!r}; choose one of: {', '.join(KEYS)}")
    available = layout.available_keys()
    if chosen is None:
        has = ", ".join(available) or "none of email, sis, username"
        raise RosterError(f"{path}: {layout.label}: say which column holds the kit's student ids "
                          f"with --key (this file has: {has})")
    column = layout.key_column(chosen)
    if column is None:
        if layout.platform == "kit" and chosen == "id":
            found = ", ".join(h.strip() for h in layout.headers)
            other = f", or choose --key {'|'.join(available)}" if available else ""
            raise RosterError(f"{path}: no 'id' column (found: {found}; add a column 'id' with "
                              f"one student id per row{other})")
        choices = f"; this file has --key {'|'.join(available)}" if available else ""
        hint = (" (it has no email column; its SIS Login ID is often the email: --key "
                "username)" if layout.platform == "canvas" and chosen == "email" else "")
        raise RosterError(f"{path}: {layout.label} has no column for --key {chosen}{hint}"
                          f"{choices}")
    return chosen, column


def read_roster(path: Path, key: str | None = None, encoding: str | None = None) -> Roster:
    """Read a Canvas, Moodle or kit roster; ``key`` names the column of the kit's ids.

    ``key`` is one of ``id`` (default, kit roster only), ``email``, ``sis``, ``username``.
    Raises :class:`RosterError` with one line per problem; rows without a key value are
    returned in :attr:`Roster.skipped`, not raised.
    """
    path = Path(path)
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
    except OSError as exc:
        raise RosterError(f"{path}: cannot read roster ({exc.strerror or exc})") from None
    if data is None:
        raise RosterError(f"{path}: larger than {MAX_BYTES // 2**20} MB; not a roster")
    text, used = decode(data, path, encoding)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise RosterError(f"{path}: empty roster (expected a header row, then one row per "
                          "student)")
    delimiter = sniff(lines[0], path)
    rows = [(n, cells) for n, cells in _rows(text, delimiter, path) if any(c.strip() for c in cells)]
    (_, headers), body = rows[0], rows[1:]
    layout, problems = detect(headers)
    if layout is None or problems:
        raise RosterError([f"{path}: {p}" for p in problems])
    chosen, key_at = _key_column(layout, key, path)
    column = layout.headers[key_at].strip()
    students: list[RosterStudent] = []
    skipped: list[SkippedRow] = []
    seen: dict[str, int] = {}
    for row, cells in body:
        if layout.skips(cells):
            continue
        if len(cells) > len(headers):
            problems.append(f"{path}: row {row}: {len(cells)} cells but the header has "
                            f"{len(headers)} (a separator inside an unquoted value?)")
            continue
        cells = cells + [""] * (len(headers) - len(cells))
        values = {name: cells[i].strip() for name, i in layout.columns.items()}
        name = display_name(values)
        ident = values[KEY_FIELDS[chosen]]
        if not ident:
            skipped.append(SkippedRow(row, name, f"no {column} (empty cell); not matched to "
                                                 "any student"))
            continue
        bad = _check_key(ident, column, row, path)
        if bad:
            problems.append(bad)
            continue
        folded = normalise(chosen, ident)
        if folded in seen:
            what = "id" if chosen == "id" else column
            problems.append(f"{path}: row {row}: duplicate {what} {ident!r} (first on row "
                            f"{seen[folded]})")
            continue
        seen[folded] = row
        students.append(RosterStudent(
            id=ident, row=row, name=name, first_name=values.get("first_name") or None,
            last_name=values.get("last_name") or None,
            sortable_name=values.get("sortable_name") or None, email=values.get("email") or None,
            sis_id=values.get("sis_id") or None, username=values.get("username") or None,
            lms_id=values.get("lms_id") or None, section=values.get("section") or None))
    if problems:
        raise RosterError(problems)
    if not students and not skipped:
        raise RosterError(f"{path}: no students (expected one row per student under the "
                          "header)")
    return Roster(path, layout.platform, chosen, tuple(students), tuple(skipped), delimiter,
                  used.removesuffix("-sig"))

