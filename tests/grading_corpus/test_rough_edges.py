"""Rough edges an instructor met: manual marks, blank and missing work, marks sheets, rosters."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from corpus_support import MINI, feedback_text, grades, released, solved, write

Run = Callable[..., tuple[int, str, str]]


def _sheet(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _write_sheet(path: Path, sheet: list[dict[str, str]], delimiter: str = ",") -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(sheet[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(sheet)


@pytest.mark.kernel
def test_manual_marks_survive_a_forced_regrade_unless_the_answer_changed(
        run_cli: Run, tmp_path: Path) -> None:
    subs, out, sheet = tmp_path / "subs", tmp_path / "out", tmp_path / "marks.csv"
    paths = [write(subs, "kept.ipynb", solved(q3="Doubles it.")),
             write(subs, "changed.ipynb", solved(q3="Doubles it."))]
    assert run_cli("grade", "--exercise", str(MINI), *map(str, paths), "--out", str(out))[0] == 0
    assert run_cli("grade", "--exercise", str(MINI), "--out", str(out), "--export-manual",
                   str(sheet))[0] == 0
    marks = _sheet(sheet)
    for row in marks:
        row["points"], row["comment"] = "1.5", "clear enough"
    _write_sheet(sheet, marks)
    assert run_cli("grade", "--exercise", str(MINI), "--out", str(out), "--import-manual",
                   str(sheet))[0] == 0
    write(subs, "changed.ipynb", solved(q3="Multiplies by two, always."))
    code, stdout, _ = run_cli("grade", "--exercise", str(MINI), *map(str, paths), "--out",
                              str(out), "--force")
    assert code == 0
    found = grades(out)
    assert found[("kept", "q3")] == (1.5, "partial")
    assert found[("changed", "q3")] == (None, "needs-manual")
    assert "kept: 6.5/7 (partial)" in stdout
    assert "changed: 5/5 + 2 pending manual grading (needs-manual)" in stdout
    assert run_cli("grade", "--exercise", str(MINI), "--out", str(out), "--export-manual",
                   str(sheet))[0] == 0
    notes = {r["student"]: r["note"] for r in _sheet(sheet)}
    assert notes["kept"] == ""
    assert "the answer changed since it was marked 1.5/2" in notes["changed"]


@pytest.mark.kernel
def test_blank_missing_and_pending_are_named_as_such(run_cli: Run, tmp_path: Path) -> None:
    subs, out = tmp_path / "subs", tmp_path / "out"
    blank = write(subs, "blank.ipynb", released())
    folder = subs / "dora"
    write(folder, "other-exercise.ipynb", {**released(), "metadata": {
        "seminarkit": {"exercise": "dhondt-2025"}}})
    full = write(subs, "full.ipynb", solved())
    code, stdout, _ = run_cli("grade", "--exercise", str(MINI), str(blank), str(folder),
                              str(full), "--out", str(out))
    assert code == 0
    assert "blank: 0/7 (missing-answer)" in stdout
    assert "full: 5/5 + 2 pending manual grading (needs-manual)" in stdout
    found = grades(out)
    assert found[("dora", "q1-test")] == (0.0, "not-submitted")
    assert found[("full", "q3")] == (None, "needs-manual")
    dora = json.loads((out / "reports" / "dora--mini.json").read_text())
    assert dora["detail"] == ("no mini.ipynb in the folder (found: other-exercise.ipynb "
                              "(exercise 'dhondt-2025'))")
    assert "pending / 2" in (out / "feedback" / "full--mini.html").read_text()
    assert "wrong exercise" not in feedback_text(out)


@pytest.mark.kernel
def test_a_semicolon_sheet_is_read_and_every_bad_mark_is_reported(run_cli: Run,
                                                                  tmp_path: Path) -> None:
    subs, out, sheet = tmp_path / "subs", tmp_path / "out", tmp_path / "marks.csv"
    paths = [write(subs, f"s{n}.ipynb", solved()) for n in range(3)]
    assert run_cli("grade", "--exercise", str(MINI), *map(str, paths), "--out", str(out))[0] == 0
    assert run_cli("grade", "--exercise", str(MINI), "--out", str(out), "--export-manual",
                   str(sheet))[0] == 0
    marks = _sheet(sheet)
    marks[0]["points"], marks[1]["points"], marks[2]["points"] = "9", "abc", "1"
    _write_sheet(sheet, marks, delimiter=";")  # as a European spreadsheet saves it
    code, _, err = run_cli("grade", "--exercise", str(MINI), "--out", str(out),
                           "--import-manual", str(sheet))
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "2 bad mark(s), nothing merged" in err
    assert "line 2: points 9 outside 0..2 for s0/q3" in err
    assert "line 3: points 'abc' is not a number" in err
    assert grades(out)[("s2", "q3")] == (None, "needs-manual")
    marks[0]["points"], marks[1]["points"] = "2", "1,5"
    _write_sheet(sheet, marks, delimiter=";")
    code, stdout, err = run_cli("grade", "--exercise", str(MINI), "--out", str(out),
                                "--import-manual", str(sheet))
    assert code == 0, err
    assert "merged 3 mark(s)" in stdout
    found = grades(out)
    assert [found[(f"s{n}", "q3")] for n in range(3)] == [(2.0, "ok"), (1.5, "partial"),
                                                         (1.0, "partial")]


def test_a_sheet_without_the_columns_says_what_it_found(run_cli: Run, tmp_path: Path) -> None:
    sheet = tmp_path / "marks.csv"
    sheet.write_text("name|mark\nbob|2\n", encoding="utf-8")
    code, _, err = run_cli("grade", "--exercise", str(MINI), "--out", str(tmp_path / "out"),
                           "--import-manual", str(sheet))
    assert code == 1
    assert "missing columns: item, points, student; found 'name|mark'" in err


def test_quiz_score_lists_who_did_not_submit(run_cli: Run, tmp_path: Path) -> None:
    from seminarkit.quiz.notebook import exam_quiz
    from test_quiz_helpers import FIXTURE_MATERIALS

    inbox = tmp_path / "inbox"
    for student in ("ada", "eve"):
        exam_quiz("demo", seed=1, student=student, responses_dir=inbox,
                  materials_dir=FIXTURE_MATERIALS).save()
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nada,Ada\nbob,Bob\ncyd,Cyd\n", encoding="utf-8")
    out = tmp_path / "grades.csv"
    code, stdout, err = run_cli("quiz", "score", "demo", "--materials", str(FIXTURE_MATERIALS),
                                str(inbox), "--out", str(out), "--roster", str(roster))
    assert code == 0
    assert "2 student(s) on the roster did not submit: bob, cyd" in stdout
    assert "1 scored student(s) not on the roster: eve" in err
    table = {r["student"]: r for r in _sheet(out)}
    assert set(table) == {"ada", "eve", "bob", "cyd"}
    assert (table["bob"]["file"], table["bob"]["score"]) == ("(not submitted)", "")
