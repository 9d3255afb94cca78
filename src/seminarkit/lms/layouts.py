"""The roster layouts the kit reads, recognised from the header row.

* **Canvas** — the gradebook export (Grades > Export), the one roster file an instructor can
  download: ``Student, ID, SIS User ID, SIS Login ID, [Integration ID], [Root Account],
  Section``, then custom columns, assignments and totals; a ``Points Possible`` row (and, when
  grades are posted manually, a ``Manual Posting`` row) follows the header. Canvas may write
  ``LastName, FirstName`` instead of ``Student``.
* **Moodle** — the grade export as plain text (Grades > Export > Plain text file:
  ``First name, Last name, ID number, Institution, Department, Email address``, then grade
  items) and the Participants page download (``First name, Last name`` and the site's
  identity fields, e.g. ``Email address``, ``ID number``, ``Username``).
* **Kit** — the kit's own roster: ``id`` (or ``student_id``), ``name``, and optionally
  ``email``, ``username``, ``sis_id``, ``section``.

The key (``--key``) says which column holds the kit's student ids: ``id`` (kit roster only),
``email`` (Moodle ``Email address``, kit ``email``), ``sis`` (Canvas ``SIS User ID``, Moodle
``ID number``, kit ``sis_id``) or ``username`` (Canvas ``SIS Login ID``, Moodle ``Username``,
kit ``username``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

KEYS = ("id", "email", "sis", "username")
KEY_FIELDS = {"id": "kit_id", "email": "email", "sis": "sis_id", "username": "username"}

CANVAS_FIELDS = {"student": "sortable_name", "lastname": "last_name", "firstname": "first_name",
                 "id": "lms_id", "sis user id": "sis_id", "sis login id": "username",
                 "section": "section"}
MOODLE_FIELDS = {"first name": "first_name", "last name": "last_name", "surname": "last_name",
                 "email address": "email", "id number": "sis_id", "username": "username"}
KIT_FIELDS = {"id": "kit_id", "student_id": "kit_id", "name": "name", "email": "email",
              "username": "username", "sis_id": "sis_id", "section": "section"}
CANVAS_IGNORED = {"integration id", "root account"}
_HIDDEN_ROW = re.compile(r"^\s*(muted|manual posting.*)?\s*$", re.IGNORECASE)

EXPECTED = ("a Canvas gradebook export (Student, ID, SIS User ID, SIS Login ID, Section, ...), "
            "a Moodle export (First name, Last name, Email address, ...) or the kit's roster "
            "(id, name)")


def norm(header: str) -> str:
    """Return a header as compared: spaces collapsed, case folded."""
    return " ".join(header.split()).casefold()


@dataclass(frozen=True)
class Layout:
    """A recognised roster layout: which column holds which field."""

    platform: str  # canvas | moodle | kit
    label: str
    columns: dict[str, int] = field(default_factory=dict)  # field -> column index
    headers: tuple[str, ...] = ()

    def key_column(self, key: str) -> int | None:
        """Return the column of ``key`` in this layout (None when the file has none)."""
        return self.columns.get(KEY_FIELDS[key])

    def available_keys(self) -> list[str]:
        """Return the keys this file can use."""
        return [k for k in KEYS if self.key_column(k) is not None]

    def skips(self, cells: Sequence[str]) -> bool:
        """Tell rows that are not students (Canvas's points-possible and posting rows)."""
        if self.platform != "canvas" or not cells:
            return False
        if "points possible" in norm(cells[0]):
            return True
        return all(_HIDDEN_ROW.match(c) for c in cells) and any(c.strip() for c in cells)


def _map(headers: Sequence[str], fields: dict[str, str], stop: int | None = None,
         ) -> tuple[dict[str, int], list[str]]:
    """Map known headers to fields; report a field given by two columns."""
    columns: dict[str, int] = {}
    problems: list[str] = []
    for index, header in enumerate(headers[:stop]):
        name = fields.get(norm(header))
        if name is None:
            continue
        if name in columns:
            first = columns[name]
            problems.append(f"columns {first + 1} ({headers[first]!r}) and {index + 1} "
                            f"({header!r}) both give the {name.replace('_', ' ')}; keep one")
        else:
            columns[name] = index
    return columns, problems


def detect(headers: Sequence[str]) -> tuple[Layout | None, list[str]]:
    """Recognise the layout of a header row; (None, problems) when it is none of them."""
    names = [norm(h) for h in headers]
    if (names[:2] == ["student", "id"] or names[:3] == ["lastname", "firstname", "id"]):
        if "section" in names:
            stop = names.index("section") + 1
            columns, problems = _map(headers, CANVAS_FIELDS, stop)
            return Layout("canvas", "a Canvas gradebook export", columns, tuple(headers)), problems
        return None, ["row 1: this looks like a Canvas gradebook export but has no 'Section' "
                      "column (Canvas writes Student, ID, SIS User ID, SIS Login ID, Section); "
                      "export the gradebook again instead of editing its columns"]
    if "first name" in names and ("last name" in names or "surname" in names):
        columns, problems = _map(headers, MOODLE_FIELDS)
        return Layout("moodle", "a Moodle export", columns, tuple(headers)), problems
    known = [n for n in names if n in KIT_FIELDS]
    if known:
        columns, problems = _map(headers, KIT_FIELDS)
        unknown = [h for h, n in zip(headers, names, strict=True) if n not in KIT_FIELDS]
        if unknown:
            listed = ", ".join(repr(h) for h in unknown)
            problems.append(f"row 1: unknown column{'s' if len(unknown) > 1 else ''} {listed} "
                            f"(the kit's roster has: {', '.join(sorted(set(KIT_FIELDS)))}; a "
                            "Canvas or Moodle export can be used as it is)")
        return Layout("kit", "the kit's roster", columns, tuple(headers)), problems
    found = ", ".join(h.strip() for h in headers) or "nothing"
    return None, [f"row 1: not a roster the kit reads (found columns: {found}); expected "
                  f"{EXPECTED}"]


def display_name(values: dict[str, str]) -> str | None:
    """Return a readable name from the fields of one row ('Ada Lovelace')."""
    first, last = values.get("first_name", ""), values.get("last_name", "")
    if first or last:
        return " ".join(p for p in (first, last) if p)
    if values.get("name"):
        return values["name"]
    sortable = values.get("sortable_name", "")
    if sortable.count(",") == 1:
        last, first = (p.strip() for p in sortable.split(","))
        return f"{first} {last}".strip()
    return sortable or None
