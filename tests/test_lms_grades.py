"""Grades out: Canvas's and Moodle's grade-import CSV from a real gradebook and real rosters.

The gradebook is written through its public surface (``Gradebook.save``), so these tests keep
working whatever file names the gradebook uses. Canvas's header rules are ported from its
importer (``GradebookImporter#row_has_student_headers`` / ``update_column_count`` in
canvas-lms) to check that the file we write is one Canvas accepts.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from seminarkit.cli import main
from seminarkit.grading.gradebook import Gradebook
from seminarkit.lms.errors import GradeExportError
from seminarkit.lms.grades import export_grades
from seminarkit.lms.rosters import read_roster

FIXTURES = Path(__file__).parent / "fixtures" / "lms"
CANVAS = FIXTURES / "canvas_gradebook_export.csv"
MOODLE_GRADES = FIXTURES / "moodle_grades_export.csv"


def item(name: str, points: float, maximum: float, status: str = "ok") -> dict[str, Any]:
    return {"item": name, "kind": "test", "points": points, "max": maximum, "status": status,
            "detail": "", "checks": []}


def report(student: str, exercise: str, *items: dict[str, Any]) -> Any:
    return {"student": student, "exercise": exercise, "module": "afghanistan-2018",
            "submission": f"{student}.ipynb", "hash": student, "status": "ok", "detail": "",
            "graded_at": "2026-11-29T10:00:00", "items": list(items)}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """S1001 did both exercises, S1002 one and an essay still to mark, S1003 nothing."""
    out = tmp_path / "gradebook"
    with Gradebook.open(out) as gradebook:  # the grader's way in: locked, flushed on close
        gradebook.save(report("S1001", "death-toll", item("q1", 2, 2), item("q2", 0.125, 1)))
        gradebook.save(report("S1001", "essay", item("m1", 4, 5)))
        gradebook.save(report("S1002", "death-toll", item("q1", 1, 2), item("q2", 2 / 3, 1)))
        gradebook.save(report("S1002", "essay", item("m1", 0, 5, "needs-manual")))
    return out


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def canvas_accepts_header(header: list[str]) -> bool:
    """Canvas's importer header check (ported from GradebookImporter, canvas-lms)."""
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        return False
    columns = 3
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        columns += 1
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        extra = 1 if re.search(r"Integration\s+ID", header[4]) else 0
        columns += 2 + extra
    return "Section" in header[columns - 1]


def test_canvas_layout_points_possible_and_missing(book: Path) -> None:
    roster = read_roster(CANVAS, key="sis")
    result = export_grades(roster, [book], "canvas")
    table = rows(result.text)
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "death-toll",
                        "essay"]
    assert canvas_accepts_header(table[0])
    assert not canvas_accepts_header(["Student", "ID", "SIS User ID", "Section", "death-toll"])
    assert table[1] == ["    Points Possible", "", "", "", "", "3", "5"]
    assert table[2:] == [
        ["Lovelace, Ada", "4501", "S1001", "ada@uni.example", "Seminar A", "2.13", "4"],
        ["Bernoulli, Jakob", "4502", "S1002", "jakob@uni.example", "Seminar A", "1.67", ""],
        ["Châtelet, Émilie du", "4503", "S1003", "emilie@uni.example", "Seminar B", "", ""]]
    assert result.without_submission == 1
    assert result.notes == [
        f"{CANVAS}: row 6 (Test Student): no SIS User ID (empty cell); not matched to any "
        "student",
        "S1002: essay has 1 answer(s) still to mark by hand; grade left empty (seminarkit grade "
        "--import-manual)"]
    zero = rows(export_grades(roster, [book], "canvas", missing_as_zero=True).text)
    assert [r[5:] for r in zero[2:]] == [["2.13", "4"], ["1.67", ""], ["0", "0"]]


def test_moodle_layout_keeps_the_identifier_as_spelt(book: Path, tmp_path: Path) -> None:
    roster = read_roster(MOODLE_GRADES, key="sis")
    table = rows(export_grades(roster, [book], "moodle", titles={"essay": "Essay (Real)"}).text)
    assert table == [["First name", "Last name", "ID number", "death-toll", "Essay (Real)"],
                     ["Ada", "Lovelace", "S1001", "2.13", "4"],
                     ["Jakob", "Bernoulli", "S1002", "1.67", ""],
                     ["Émilie", "du Châtelet", "S1003", "", ""]]
    kit = tmp_path / "kit.csv"
    kit.write_text("id,name,email\nS1001,Ada Lovelace,Ada@Uni.Example\nS1002,J B,j@u.example\n",
                   encoding="utf-8")
    by_email = read_roster(kit, key="email")
    with pytest.raises(GradeExportError, match="S1001: graded in the gradebook but not on the "
                                               "roster"):
        export_grades(by_email, [book], "moodle")
    with pytest.raises(GradeExportError, match="Moodle finds users by email address, ID number "
                                               "or username"):
        export_grades(read_roster(kit), [book], "moodle")


def test_hostile_cells_are_neutralised_or_refused(book: Path, tmp_path: Path) -> None:
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text('id,name,section,sis_id\n'
                           'S1001,"=HYPERLINK(""http://evil"",""x"")",@SUM(A1),S1001\n'
                           "S1002,-2+3,+SUM(1),S1002\n", encoding="utf-8")
    roster = read_roster(roster_file)
    table = rows(export_grades(roster, [book], "canvas",
                               titles={"essay": "=1+1", "death-toll": "+cmd"}).text)
    assert table[0][5:] == ["'+cmd", "'=1+1"]
    assert table[2][0] == "'=HYPERLINK(\"http://evil\",\"x\")" and table[2][4] == "'@SUM(A1)"
    assert table[3][0] == "'-2+3" and table[3][4] == "'+SUM(1)"
    for row in table[2:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_gradebook_problems(book: Path, tmp_path: Path) -> None:
    roster = read_roster(CANVAS, key="sis")
    with pytest.raises(GradeExportError, match="no such gradebook folder"):
        export_grades(roster, [tmp_path / "nope"], "canvas")
    (tmp_path / "empty").mkdir()
    with pytest.raises(GradeExportError, match="no graded reports"):
        export_grades(roster, [tmp_path / "empty"], "canvas")
    other = tmp_path / "other"
    with Gradebook.open(other) as gradebook:
        gradebook.save(report("S1003", "death-toll", item("q1", 1, 4)))
    with pytest.raises(GradeExportError) as exc:
        export_grades(roster, [book, other], "canvas")
    assert str(exc.value) == (f"{other}: exercise 'death-toll' is out of 4 for S1003 but out "
                              "of 3 for S1001; regrade with one version")
    with pytest.raises(GradeExportError, match=r"--title quiz=\.\.\.: no exercise 'quiz'"):
        export_grades(roster, [book], "canvas", titles={"quiz": "Quiz"})


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_cli_grade_export_writes_and_states_maxima(book: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out" / "canvas.csv"
    code, out, err = run(capsys, "grade", "export", str(book), "--lms", "canvas", "--roster",
                         str(CANVAS), "--key", "sis", "--out", str(target))
    assert code == 0
    assert out.splitlines() == [
        f"wrote 3 student(s) x 2 column(s) for canvas to {target}",
        "points rounded half-up to 2 decimals; maxima: death-toll out of 3, essay out of 5",
        "1 roster student(s) without a submission: an empty cell (no grade)"]
    assert err.count("seminarkit: note: ") == 2
    assert rows(target.read_text(encoding="utf-8"))[2][5] == "2.13"


@pytest.mark.parametrize(("extra", "message"), [
    (["--roster", str(MOODLE_GRADES), "--key", "email"],
     "seminarkit: error: S1001: graded in the gradebook but not on the roster"),
    (["--roster", "missing.csv"], "seminarkit: error: missing.csv: cannot read roster"),
    (["--roster", str(CANVAS), "--key", "email"],
     f"seminarkit: error: {CANVAS}: a Canvas gradebook export has no column for --key email"),
])
def test_cli_errors_write_nothing(book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], extra: list[str],
                                  message: str) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "grades.csv"
    code, _out, err = run(capsys, "grade", "export", str(book), "--lms", "moodle", *extra,
                          "--out", str(target))
    assert code == 1
    assert err.startswith(message)
    assert all(line.startswith("seminarkit: error: ") for line in err.splitlines())
    assert not target.exists()


def test_cli_skip_unmatched_leaves_them_out_with_a_note(book: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("First name,Last name,ID number\nAda,Lovelace,S1001\n", encoding="utf-8")
    target = tmp_path / "moodle.csv"
    code, out, err = run(capsys, "grade", "export", str(book), "--lms", "moodle", "--roster",
                         str(roster), "--key", "sis", "--out", str(target), "--skip-unmatched")
    assert code == 0
    assert "seminarkit: note: S1002: graded in the gradebook but not on the roster" in err
    assert "map from the identifier column to useridnumber" in out
    assert rows(target.read_text(encoding="utf-8")) == [
        ["First name", "Last name", "ID number", "death-toll", "essay"],
        ["Ada", "Lovelace", "S1001", "2.13", "4"]]
