"""``seminarkit release`` and ``seminarkit grade`` through the CLI; manual marks; Dask."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from seminarkit.grading.exercise import load_exercise
from seminarkit.grading.release import student_notebook, write_notebook

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
MINI = FIXTURES / "mini.ipynb"
REPO = Path(__file__).resolve().parents[1]
EXERCISES = sorted((REPO / "exercises").glob("*/*.ipynb"))
Run = Callable[..., tuple[int, str, str]]


def _solved(path: Path) -> Path:
    nb = student_notebook(load_exercise(MINI))
    for cell in nb["cells"]:
        ident = cell["metadata"]["seminarkit"]["id"]
        if ident == "q1":
            cell["source"] = 'total = sum(int(r["n"]) for r in rows)'
        elif ident == "q2":
            cell["source"] = "def double(x):\n    return 2 * x"
        elif ident == "q3":
            cell["source"] = "It doubles."
    write_notebook(nb, path)
    return path


@pytest.mark.parametrize(("args", "message"), [
    (["grade", "--exercise", "nope.ipynb", "x.ipynb", "--out", "o"], "no such exercise"),
    (["grade", "--exercise", str(MINI), "missing.ipynb", "--out", "o"], "no such submission"),
    (["grade", "--exercise", str(MINI), str(MINI), "--out", "o", "--jobs", "0"],
     "--jobs must be at least 1"),
    (["grade", "--exercise", str(MINI), "--out", "o"], "give at least one SUBMISSION"),
    (["release", "nope.ipynb", "--out", "o"], "no such exercise"),
])
def test_cli_user_errors_are_one_line(run_cli: Run, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch, args: list[str],
                                      message: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(*args)
    assert code != 0
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_cli_malformed_exercise(run_cli: Run, tmp_path: Path) -> None:
    nb = json.loads(MINI.read_text())
    del nb["cells"][3]["metadata"]["seminarkit"]["points"]
    bad = tmp_path / "bad.ipynb"
    bad.write_text(json.dumps(nb))
    code, _, err = run_cli("grade", "--exercise", str(bad), str(bad), "--out",
                           str(tmp_path / "o"))
    assert code == 1
    assert "bad.ipynb: cell 3 (id 'q1-test'): test cell without points" in err


@pytest.mark.kernel
def test_manual_export_and_import(run_cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    sub = _solved(tmp_path / "bob.ipynb")
    code, stdout, _ = run_cli("grade", "--exercise", str(MINI), str(sub), "--out", str(out))
    assert code == 0
    assert "bob: 5/5 + 2 pending manual grading (needs-manual)" in stdout
    sheet = tmp_path / "sheet.csv"
    assert run_cli("grade", "--exercise", str(MINI), "--out", str(out), "--export-manual",
                   str(sheet))[0] == 0
    assert run_cli("grade", "--exercise", str(MINI), "--out", str(out), "--export-manual",
                   str(tmp_path / "sheet.html"))[0] == 0
    assert "It doubles." in (tmp_path / "sheet.html").read_text()
    rows = _read(sheet)
    assert [(r["student"], r["item"], r["answer"]) for r in rows] == [("bob", "q3", "It doubles.")]
    assert "Says it doubles" in rows[0]["rubric"]
    rows[0]["points"] = "9"
    _write(sheet, rows)
    code, _, err = run_cli("grade", "--exercise", str(MINI), "--out", str(out),
                           "--import-manual", str(sheet))
    assert code == 1
    assert "points 9 outside 0..2" in err
    assert len(err.splitlines()) == 1
    rows[0]["points"], rows[0]["comment"] = "1.5", "vague"
    _write(sheet, rows)
    assert run_cli("grade", "--exercise", str(MINI), "--out", str(out), "--import-manual",
                   str(sheet))[0] == 0
    grades = {r["item"]: r for r in _read(out / "grades.csv")}
    assert (grades["q3"]["points"], grades["q3"]["status"]) == ("1.5", "partial")
    assert "vague" in (out / "feedback" / "bob--mini.html").read_text()


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.kernel
def test_dask_local_cluster(tmp_path: Path) -> None:
    import distributed  # a test extra: missing it must fail, not skip

    from seminarkit.grading.grade import grade

    subs = [_solved(tmp_path / "carol.ipynb"), tmp_path / "dan.ipynb"]
    write_notebook(student_notebook(load_exercise(MINI)), subs[1])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        grade(MINI, subs, tmp_path / "out", scheduler=cluster.scheduler_address)
    grades = {(r["student"], r["item"]): r["status"]
              for r in _read(tmp_path / "out" / "grades.csv")}
    assert grades[("carol", "q2-test")] == "ok"
    assert grades[("dan", "q2-test")] == "missing-answer"


def test_release_cli_writes_bundle_and_refuses_foreign_folder(run_cli: Run,
                                                              tmp_path: Path) -> None:
    sources = [REPO / "exercises" / "afghanistan-2018" / "stakeholder-matrix.ipynb",
               REPO / "exercises" / "moldova-2025" / "dhondt-2025.ipynb"]
    out = tmp_path / "release"
    code, stdout, err = run_cli("release", *map(str, sources), "--out", str(out))
    assert code == 0, err
    assert "released 2 exercise(s)" in stdout
    student = out / "moldova-2025" / "dhondt-2025" / "dhondt-2025.ipynb"
    text = student.read_text()
    assert "BEGIN SOLUTION" not in text
    assert "HIDDEN TESTS" not in text
    assert "quotients = sorted" not in text
    assert (out / "moldova-2025" / "dhondt-2025" / "results_2025.csv").is_file()
    assert (out / "afghanistan-2018" / "stakeholder-matrix" / "actors.yaml").is_file()
    assert "edition: student" in (out / "materials" / "course.yaml").read_text()
    assert (out / "materials" / "modules" / "moldova-2025" / "module.yaml").is_file()
    assert run_cli("release", *map(str, sources), "--out", str(out))[0] == 0  # rerun is fine
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    code, _, err = run_cli("release", str(sources[0]), "--out", str(foreign))
    assert code == 1
    assert "not a previous release" in err
    assert (foreign / "keep.txt").is_file()


@pytest.mark.kernel
def test_every_exercise_source_scores_full_and_release_scores_zero(tmp_path: Path) -> None:
    from seminarkit.grading.grade import grade

    assert len(EXERCISES) >= 6
    for source in EXERCISES:
        exercise = load_exercise(source)
        subs = tmp_path / exercise.id
        subs.mkdir()
        shutil.copy(source, subs / "model.ipynb")
        write_notebook(student_notebook(exercise), subs / "blank.ipynb")
        grade(source, [subs / "model.ipynb", subs / "blank.ipynb"], tmp_path / "out",
              jobs=2)
    rows = _read(tmp_path / "out" / "grades.csv")
    tests = [r for r in rows if r["item"].endswith("-test")]
    assert {r["exercise"] for r in rows} == {load_exercise(s).id for s in EXERCISES}
    for row in tests:
        if row["student"] == "model":
            assert (row["status"], row["points"]) == ("ok", row["max"]), row
        else:
            assert (row["status"], row["points"]) == ("missing-answer", "0"), row


@pytest.mark.kernel
def test_quiz_responses_land_in_the_same_gradebook(tmp_path: Path) -> None:
    import yaml

    from seminarkit.grading.grade import grade

    quiz = yaml.safe_load((REPO / "materials" / "modules" / "afghanistan-2018" /
                           "quiz.yaml").read_text())
    first = quiz["questions"][0]["id"]
    folder = tmp_path / "erin"
    folder.mkdir()
    _solved(folder / "mini.ipynb")
    (folder / "exam.responses.json").write_text(json.dumps({
        "format": "seminarkit-quiz-responses", "module": "afghanistan-2018",
        "quiz_id": "exam", "student": "erin", "questions": [first], "answers": {}}))
    other = tmp_path / "fay"
    other.mkdir()
    (other / "exam.responses.json").write_text("{broken")
    grade(MINI, [folder, other], tmp_path / "out")
    rows = {(r["student"], r["item"]): r for r in _read(tmp_path / "out" / "grades.csv")}
    assert rows[("erin", "q2-test")]["status"] == "ok"
    assert rows[("erin", f"quiz:{first}")]["status"] == "missing-answer"
    assert rows[("fay", "quiz:exam")]["status"] == "invalid-responses"
    assert rows[("fay", "q1-test")]["status"] == "not-submitted"
