"""``seminarkit quiz ...`` in-process: exit codes, outputs, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seminarkit.cli import main
from seminarkit.quiz.notebook import exam_quiz
from test_quiz_helpers import FIXTURE_MATERIALS

MAT = ["--materials", str(FIXTURE_MATERIALS)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.mark.parametrize("fmt", ["gift", "csv", "json"])
def test_export_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                fmt: str) -> None:
    target = tmp_path / "deep" / f"demo.{fmt}"
    code, out, _err = run(capsys, "quiz", "export", "demo", *MAT, "--format", fmt,
                          "-o", str(target))
    assert code == 0
    assert "wrote 8 questions of demo" in out
    assert "q-single" in target.read_text(encoding="utf-8")
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_export_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "quiz", "export", "demo", *MAT, "--format", "json")
    assert code == 0
    assert json.loads(out)["module"] == "demo"


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["quiz", "export", "demo", *MAT, "--format", "docx"], 1,
     "seminarkit: error: unknown format 'docx'; choose one of: gift, csv, json, moodle-xml, qti"),
    (["quiz", "export", "nope", *MAT], 1, "seminarkit: error: unknown module 'nope'"),
    (["quiz", "variants", "demo", *MAT, "--roster", "missing.csv", "--out", "o"], 1,
     "seminarkit: error: missing.csv: cannot read roster"),
    (["quiz", "score", "demo", *MAT, "nothing-here", "--out", "g.csv"], 1,
     "seminarkit: error: nothing-here: no such file or folder"),
])
def test_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch, argv: list[str], code: int,
                         message: str) -> None:
    monkeypatch.chdir(tmp_path)
    got, _out, err = run(capsys, *argv)
    assert got == code
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1  # a missing input is checked up front (issue 14 item 6)


def test_materials_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "quiz", "export", "demo", "--materials", str(tmp_path))
    assert code == 2
    assert "course.yaml" in err


def test_quiz_without_action_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "quiz")
    assert code == 2
    assert "export" in err


def test_malformed_roster_names_the_row(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id\nada\nada\n", encoding="utf-8")
    code, _out, err = run(capsys, "quiz", "variants", "demo", *MAT, "--roster", str(roster),
                          "--out", str(tmp_path / "out"))
    assert code == 1
    assert err.strip() == (f"seminarkit: error: {roster}: row 3: duplicate id 'ada' "
                           "(first on row 2)")
    assert not (tmp_path / "out").exists()


def test_variants_then_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nada,Ada\nbob,Bob\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, _err = run(capsys, "quiz", "variants", "demo", *MAT, "--roster", str(roster),
                             "--out", str(out), "--n-questions", "3")
    assert code == 0
    assert "wrote 2 quiz notebooks" in stdout
    key = json.loads((out / "instructor" / "demo-quiz-key.json").read_text(encoding="utf-8"))
    inbox = tmp_path / "inbox"
    for student in key["students"]:
        qw = exam_quiz("demo", seed=student["seed"], student=student["id"], n_questions=3,
                       responses_dir=inbox, materials_dir=FIXTURE_MATERIALS)
        qw.save()
    grades = tmp_path / "grades.csv"
    code, stdout, err = run(capsys, "quiz", "score", "demo", *MAT, str(inbox), "--out",
                            str(grades))
    assert (code, err) == (0, "")
    assert "scored 2 responses file(s)" in stdout
    assert grades.read_text(encoding="utf-8").count("\n") == 3
    (inbox / "broken.responses.json").write_text("not json", encoding="utf-8")
    code, stdout, err = run(capsys, "quiz", "score", "demo", *MAT, str(inbox), "--out",
                            str(grades))
    assert code == 1
    assert "broken.responses.json: corrupt JSON" in err
    assert "1 file(s) could not be scored" in stdout
    assert grades.read_text(encoding="utf-8").count("\n") == 3  # the others still scored


@pytest.mark.parametrize(("fmt", "edition", "secret"), [
    ("moodle-xml", None, False), ("moodle-xml", "instructor", True), ("qti", None, False),
    ("gift", None, False), ("gift", "instructor", True)])
def test_platform_exports_default_to_the_student_edition(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, edition: str | None,
        secret: bool) -> None:
    target = tmp_path / f"demo.{fmt}"
    extra = ["--edition", edition] if edition else []
    code, out, _err = run(capsys, "quiz", "export", "demo", *MAT, "--format", fmt, *extra,
                          "-o", str(target))
    assert code == 0
    assert out.strip() == (f"wrote 8 questions of demo as {fmt} ({edition or 'student'} "
                           f"edition) to {target}")
    data = target.read_bytes()
    if fmt == "qti":
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"".join(archive.read(n) for n in archive.namelist())
    assert (b"SECRET-EXPLANATION" in data) is secret
    assert b"PUBLIC-EXPLANATION-TF" in data


@pytest.mark.parametrize(("argv", "message"), [
    (["--format", "qti"], "seminarkit: error: the qti export is a zip package; give -o FILE.zip"),
    (["--format", "csv", "--edition", "student"],
     "seminarkit: error: the csv export is an instructor table"),
    (["--format", "gift", "--edition", "teacher"],
     "seminarkit: error: unknown edition 'teacher'; choose one of: student, instructor"),
])
def test_export_option_errors(capsys: pytest.CaptureFixture[str], argv: list[str],
                              message: str) -> None:
    code, out, err = run(capsys, "quiz", "export", "demo", *MAT, *argv)
    assert (code, out) == (1, "")
    assert err.strip() == message or err.startswith(message)


def test_variants_from_a_canvas_roster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    canvas = Path(__file__).parent / "fixtures" / "lms" / "canvas_gradebook_export.csv"
    code, out, _err = run(capsys, "quiz", "variants", "demo", *MAT, "--roster", str(canvas),
                          "--key", "username", "--out", str(tmp_path / "out"))
    assert code == 0 and "wrote 4 quiz notebooks" in out
    names = sorted(p.name for p in (tmp_path / "out" / "students").iterdir())
    assert names[0] == "demo-quiz-ada_uni.example.ipynb"
    code, _out, err = run(capsys, "quiz", "variants", "demo", *MAT, "--roster", str(canvas),
                          "--key", "sis", "--out", str(tmp_path / "again"))
    assert code == 1
    assert err.strip() == (f"seminarkit: error: {canvas}: row 6 (Test Student): no SIS User ID "
                           "(empty cell); not matched to any student; every student needs an "
                           "id (fill the cell, remove the row or choose another --key)")
    assert not (tmp_path / "again").exists()
