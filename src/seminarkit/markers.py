"""Cell tags, metadata keys and region markers: the public contract, defined once.

Region markers are read the way nbgrader's own ``ClearSolutions``, ``ClearHiddenTests`` and
``ClearMarkScheme`` preprocessors read them: a line *containing* the delimiter text
(``BEGIN SOLUTION``, ``END HIDDEN TESTS``...), case-sensitive, anywhere in the line, with any
comment prefix (``### BEGIN SOLUTION``, ``# BEGIN SOLUTION``, ``// BEGIN SOLUTION``,
``<!-- BEGIN SOLUTION -->`` are all markers). The marker line itself never ships.

Unlike nbgrader, :func:`parse_regions` fails closed: a line that *looks like* a marker but
is not one (``# begin solution``, ``### BEGIN HIDDEN TEST``, ``BEGIN_SOLUTION``, a
non-breaking space, a zero-width or soft hyphen inside, Cyrillic look-alike letters, an
otter-grader ``# SOLUTION`` line marker...) raises :class:`MarkerError` naming the line, as
do two markers on one line, nested or unclosed regions and an end without a begin. Nothing
ambiguous is ever shipped as plain text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Cell tags (hyphenated, as Jupyter tools spell them).
TAG_PARAMETERS = "parameters"
TAG_INJECTED_PARAMETERS = "injected-parameters"
TAG_INSTRUCTOR_ONLY = "instructor-only"
TAG_STUDENT_ONLY = "student-only"
TAG_REMOVE_INPUT = "remove-input"
TAG_SHOW_INPUT = "show-input"
TAG_RAISES_EXCEPTION = "raises-exception"

# Kit-specific metadata lives under one key, in cells and in notebooks.
METADATA_KEY = "seminarkit"

# Solution and hidden-test regions, in the spelling the docs recommend (nbgrader's).
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "### END HIDDEN TESTS"

# Cell roles in exercise notebooks (metadata.seminarkit.role).
ROLE_ANSWER = "answer"
ROLE_TEST = "test"
ROLE_LOCKED = "locked"
ROLE_MANUAL = "manual"
ROLES = (ROLE_ANSWER, ROLE_TEST, ROLE_LOCKED, ROLE_MANUAL)

# Marker a pydantic field carries in json_schema_extra when only instructors may see it.
INSTRUCTOR_ONLY_FIELD = "instructor_only"


@dataclass(frozen=True)
class RegionKind:
    """A kind of instructor-only region and its two delimiters (nbgrader's texts)."""

    name: str
    begin: str
    end: str

    @property
    def spelled(self) -> tuple[str, str]:
        """The recommended spelling of the begin and end lines."""
        return f"### {self.begin}", f"### {self.end}"


SOLUTION = RegionKind("solution", "BEGIN SOLUTION", "END SOLUTION")
HIDDEN_TESTS = RegionKind("hidden tests", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
MARK_SCHEME = RegionKind("mark scheme", "BEGIN MARK SCHEME", "END MARK SCHEME")
REGION_KINDS = (SOLUTION, HIDDEN_TESTS, MARK_SCHEME)


@dataclass(frozen=True)
class Region:
    """One region: its kind and the 0-based indexes of its begin and end marker lines."""

    kind: RegionKind
    begin: int
    end: int


class MarkerError(ValueError):
    """A region marker that does not parse; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's own source line breaks, nothing else

# Letters that look like Latin ones in marker words (Cyrillic, Greek) and digits read as letters.
_CONFUSABLES = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "І": "I", "Ѕ": "S", "Ј": "J", "Ԁ": "D", "Ԍ": "G",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ѕ": "s",
    "ј": "j", "ԁ": "d", "һ": "h", "ԍ": "g", "ӏ": "l",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ι": "i", "ν": "v",
    "0": "o", "1": "l",
})
_PHRASE = (r"(?:hidden\s?tests?|hidden|solutions?|mark(?:ing)?\s?schemes?)")
# A marker word followed by a region word anywhere in the line ("# begin solution", "BEGIN_SOLUTION").
_LOOSE = re.compile(rf"\b(?:begin|end)\s?{_PHRASE}\b")
# Whole-line variants: other verbs, reversed order ("### SOLUTION END", "# start hidden tests").
_WHOLE = re.compile(rf"^(?:(?:begin|end|start|stop|finish)\s?{_PHRASE}"
                    rf"|{_PHRASE}\s?(?:begins?|ends?|starts?|stops?))$")
# otter-grader's line markers, which seminarkit does not implement.
_OTTER_LINE = re.compile(r"#\s*SOLUTION(?:\s+NO\s+PROMPT)?\s*$", re.IGNORECASE)
_OTTER_HIDDEN = re.compile(r"^\s*#\s*HIDDEN\s*$", re.IGNORECASE)


def split_lines(source: str) -> list[str]:
    """Split a cell source into lines exactly as Python numbers them (LF, CRLF or CR breaks)."""
    return _LINE_BREAK.split(source)


def fold_marker_text(line: str) -> str:
    """Fold a line to lower-case Latin words: NFKC, no format characters, look-alikes mapped."""
    text = unicodedata.normalize("NFKC", line)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.translate(_CONFUSABLES).casefold()
    return " ".join(re.findall(r"[a-z]+", text))


def suspect_marker(line: str, *, first_line: bool = False, code: bool = True) -> str | None:
    """Describe why ``line`` looks like a region marker without being one, or return None.

    Call it only on lines that hold no real marker.
    """
    folded = fold_marker_text(line)
    if _LOOSE.search(folded) or _WHOLE.match(folded):
        return "looks like a region marker but is not one"
    if code and _OTTER_LINE.search(line):
        return "is an otter-grader '# SOLUTION' line marker, which seminarkit does not read"
    if code and first_line and _OTTER_HIDDEN.match(line):
        return "is an otter-grader '# HIDDEN' marker, which seminarkit does not read"
    return None


def _markers_in(line: str) -> list[tuple[RegionKind, bool]]:
    """Every delimiter ``line`` contains, as (kind, is_begin)."""
    found: list[tuple[RegionKind, bool]] = []
    for kind in REGION_KINDS:
        if kind.begin in line:
            found.append((kind, True))
        if kind.end in line:
            found.append((kind, False))
    return found


def _hint() -> str:
    spelled = ", ".join(f"'{k.spelled[0]}' / '{k.spelled[1]}'" for k in REGION_KINDS)
    return f"write it exactly as one of {spelled} (upper case, single spaces), or reword the line"


def parse_regions(source: str, *, code: bool = True) -> list[Region]:
    """Find every marked region of ``source``; raise :class:`MarkerError` on anything ambiguous."""
    regions: list[Region] = []
    open_kind: RegionKind | None = None
    start = 0
    for index, line in enumerate(split_lines(source)):
        number = index + 1
        found = _markers_in(line)
        if len(found) > 1:
            raise MarkerError(number, f"line {number} holds more than one region marker "
                                      "(put each marker on a line of its own)")
        if not found:
            why = suspect_marker(line, first_line=index == 0, code=code)
            if why:
                shown = line.strip()[:60]
                raise MarkerError(number, f"line {number} ({shown!r}) {why}; {_hint()}")
            continue
        kind, is_begin = found[0]
        if is_begin:
            if open_kind is not None:
                raise MarkerError(number, f"'{kind.spelled[0]}' on line {number} inside a "
                                          f"region opened on line {start + 1} (regions "
                                          "cannot nest)")
            open_kind, start = kind, index
        elif open_kind is None:
            raise MarkerError(number, f"'{kind.spelled[1]}' on line {number} without a matching "
                                      f"'{kind.spelled[0]}'")
        elif open_kind is not kind:
            raise MarkerError(number, f"'{kind.spelled[1]}' on line {number} closes the "
                                      f"{open_kind.name} region opened on line {start + 1}")
        else:
            regions.append(Region(kind, start, index))
            open_kind = None
    if open_kind is not None:
        raise MarkerError(start + 1, f"unclosed region: '{open_kind.spelled[0]}' on line "
                                     f"{start + 1} has no '{open_kind.spelled[1]}'")
    return regions


def replace_regions(source: str, regions: list[Region],
                    stub: Callable[[RegionKind], tuple[str, ...] | None]) -> str:
    """Replace each region, marker lines included, by ``stub(kind)`` indented like its marker.

    ``stub`` returning None removes the region entirely.
    """
    lines = split_lines(source)
    out: list[str] = []
    cursor = 0
    for region in regions:
        out.extend(lines[cursor:region.begin])
        replacement = stub(region.kind)
        if replacement is not None:
            marker = lines[region.begin]
            indent = marker[: len(marker) - len(marker.lstrip())]
            out.extend(indent + s for s in replacement)
        cursor = region.end + 1
    out.extend(lines[cursor:])
    return "\n".join(out)


def region_lines(source: str, kind: RegionKind) -> set[int]:
    """Return the 1-based numbers of the lines inside ``kind`` regions, markers included."""
    return {number + 1 for region in parse_regions(source) if region.kind is kind
            for number in range(region.begin, region.end + 1)}
