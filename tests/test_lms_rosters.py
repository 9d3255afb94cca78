"""Rosters in: Canvas and Moodle exports in their real column layouts, the kit's own, hostile ones.

The fixtures in ``fixtures/lms`` are written in the layouts the platforms' exporters produce
(docs/lms.md cites them): Canvas's gradebook export (with its Points Possible row and test
student), Moodle's plain-text grade export and its Participants download.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest

from seminarkit.lms.errors import RosterError
from seminarkit.lms.rosters import read_roster

FIXTURES = Path(__file__).parent / "fixtures" / "lms"
CANVAS = FIXTURES / "canvas_gradebook_export.csv"
MOODLE_GRADES = FIXTURES / "moodle_grades_export.csv"
MOODLE_PEOPLE = FIXTURES / "moodle_participants.csv"


def lines(exc: pytest.ExceptionInfo[RosterError]) -> list[str]:
    return str(exc.value).splitlines()


def test_canvas_gradebook_export_by_sis_id() -> None:
    roster = read_roster(CANVAS, key="sis")
    assert roster.platform == "canvas"
    assert [(s.id, s.name, s.row, s.lms_id, s.username, s.section) for s in roster.students] == [
        ("S1001", "Ada Lovelace", 3, "4501", "ada@uni.example", "Seminar A"),
        ("S1002", "Jakob Bernoulli", 4, "4502", "jakob@uni.example", "Seminar A"),
        ("S1003", "Émilie du Châtelet", 5, "4503", "emilie@uni.example", "Seminar B")]
    # the Points Possible row is not a student; the test student has no SIS id: reported
    assert roster.skipped_lines() == [
        f"{CANVAS}: row 6 (Test Student): no SIS User ID (empty cell); not matched to any "
        "student"]


def test_canvas_by_login_and_its_one_clear_line_for_email() -> None:
    roster = read_roster(CANVAS, key="username")
    assert [s.id for s in roster.students][:3] == ["ada@uni.example", "jakob@uni.example",
                                                   "emilie@uni.example"]
    with pytest.raises(RosterError) as exc:
        read_roster(CANVAS, key="email")
    assert lines(exc) == [f"{CANVAS}: a Canvas gradebook export has no column for --key email "
                          "(it has no email column; its SIS Login ID is often the email: --key "
                          "username); this file has --key sis|username"]


def test_moodle_grade_export_and_participants() -> None:
    grades = read_roster(MOODLE_GRADES, key="email")
    assert grades.platform == "moodle"
    assert [(s.id, s.first_name, s.last_name, s.sis_id) for s in grades.students] == [
        ("ada@uni.example", "Ada", "Lovelace", "S1001"),
        ("Jakob@Uni.Example", "Jakob", "Bernoulli", "S1002"),
        ("emilie@uni.example", "Émilie", "du Châtelet", "S1003")]
    assert grades.find("jakob@uni.example") == grades.students[1]  # emails ignore case
    by_sis = read_roster(MOODLE_GRADES, key="sis")
    assert by_sis.find("s1001") is None and by_sis.find("S1001") is not None  # ids do not
    people = read_roster(MOODLE_PEOPLE, key="email")
    assert [s.name for s in people.students] == ["Ada Lovelace", "Jakob Bernoulli",
                                                 "Émilie du Châtelet"]
    with pytest.raises(RosterError) as exc:
        read_roster(MOODLE_PEOPLE)
    assert lines(exc) == [f"{MOODLE_PEOPLE}: a Moodle export: say which column holds the kit's "
                          "student ids with --key (this file has: email)"]


def test_match_reports_both_directions() -> None:
    roster = read_roster(MOODLE_GRADES, key="email")
    match = roster.match(["ADA@uni.example", "zoe@uni.example", "ada@uni.example"])
    assert list(match.found) == ["ADA@uni.example", "ada@uni.example"]
    assert match.not_on_roster == ("zoe@uni.example",)
    assert [s.id for s in match.without_submission] == ["Jakob@Uni.Example", "emilie@uni.example"]


def separated(path: Path, delimiter: str) -> str:
    """Return the same rows with another separator (as a spreadsheet saves them)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(
        csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "options"), [
    (codecs.BOM_UTF8 + CANVAS.read_bytes(), {}),  # Canvas's "include byte-order mark" setting
    (separated(CANVAS, ";").encode(), {}),  # Canvas in decimal-comma locales
    (separated(CANVAS, "\t").encode("utf-16"), {}),  # Excel's "Unicode text"
    (CANVAS.read_text(encoding="utf-8").encode("latin-1"), {"encoding": "latin-1"}),
])
def test_platform_variants_read_the_same(tmp_path: Path, data: bytes,
                                         options: dict[str, str]) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(data)
    roster = read_roster(path, key="sis", **options)
    assert [s.id for s in roster.students] == ["S1001", "S1002", "S1003"]
    assert roster.students[2].name == "Émilie du Châtelet"
    assert roster.students[0].row == 3


def test_latin1_without_encoding_is_one_line_with_row_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes(MOODLE_GRADES.read_text(encoding="utf-8").encode("latin-1"))
    with pytest.raises(RosterError) as exc:
        read_roster(path, key="email")
    assert lines(exc) == [f"{path}: row 4: byte 0xc9 is not valid utf-8; re-export it as UTF-8, "
                          "or give the encoding it uses, e.g. --encoding latin-1 (older Moodle "
                          "and Excel exports) or cp1252"]


HOSTILE = [
    ("id,name\nada,Ada\nbob,Bob\nada,Ada again\nbob,B\n", {},
     ["row 4: duplicate id 'ada' (first on row 2)", "row 5: duplicate id 'bob' (first on row 3)"]),
    ("First name,Last name,Email address\nA,B,a@x.org\nC,D,A@X.ORG\n", {"key": "email"},
     ["row 3: duplicate Email address 'A@X.ORG' (first on row 2)"]),
    ("id,name,emial\nada,Ada,a@x\n", {},
     ["row 1: unknown column 'emial' (the kit's roster has: email, id, name, section, sis_id, "
      "student_id, username; a Canvas or Moodle export can be used as it is)"]),
    ("id|name\nada|Ada\n", {},
     ["row 1: the header 'id|name' is one column; the file seems separated by '|', which the "
      "kit does not read (save it as CSV separated by commas, semicolons or tabs)"]),
    ("Nom,Prénom\nX,Y\n", {},
     ["row 1: not a roster the kit reads (found columns: Nom, Prénom); expected a Canvas "
      "gradebook export (Student, ID, SIS User ID, SIS Login ID, Section, ...), a Moodle export "
      "(First name, Last name, Email address, ...) or the kit's roster (id, name)"]),
    ("id,name\nada,Ada\nbob,Bob,extra\n", {},
     ["row 3: 3 cells but the header has 2 (a separator inside an unquoted value?)"]),
    ('id,name\nada,"Ada\nbob,Bob\n', {}, None),  # unclosed quote: one line, whatever the row
    ("id,name\n=HYPERLINK(\"http://x\"),Eve\n", {},
     ["row 2: 'id' '=HYPERLINK(\"http://x\")' starts with '=', which spreadsheets run as a "
      "formula; no real id starts so: fix the roster"]),
    ("Student,ID,SIS User ID,SIS Login ID\n\"A, B\",1,S1,a\n", {"key": "sis"},
     ["row 1: this looks like a Canvas gradebook export but has no 'Section' column (Canvas "
      "writes Student, ID, SIS User ID, SIS Login ID, Section); export the gradebook again "
      "instead of editing its columns"]),
    ("First name,Last name,Email address,Email address\nA,B,a@x,b@x\n", {"key": "email"},
     ["columns 3 ('Email address') and 4 ('Email address') both give the email; keep one"]),
    ("", {}, None),
    ("id,name\n", {}, None),
    ("id,name\nada,Ada\x00\n", {}, ["row 2: NUL character; this is not a CSV text file (save "
                                     "the roster as CSV)"]),
]


@pytest.mark.parametrize(("text", "options", "expected"), HOSTILE)
def test_hostile_rosters_give_one_line_per_problem(tmp_path: Path, text: str,
                                                   options: dict[str, str],
                                                   expected: list[str] | None) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError) as exc:
        read_roster(path, **options)
    got = lines(exc)
    assert all(line.startswith(f"{path}: ") for line in got)
    if expected is None:
        assert len(got) == 1
    else:
        assert got == [f"{path}: {line}" for line in expected]


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("id,name\nada,Ada\nada,Twice\nbob,Bob,x\n+cmd,Plus\n", encoding="utf-8")
    with pytest.raises(RosterError) as exc:
        read_roster(path)
    assert [line.split(": ")[1] for line in lines(exc)] == ["row 3", "row 4", "row 5"]


def test_unreadable_and_oversized(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="cannot read roster"):
        read_roster(tmp_path / "missing.csv")
    with pytest.raises(RosterError, match="unknown encoding 'klingon'"):
        read_roster(CANVAS, key="sis", encoding="klingon")
    with pytest.raises(RosterError, match="unknown roster key 'phone'"):
        read_roster(CANVAS, key="phone")
