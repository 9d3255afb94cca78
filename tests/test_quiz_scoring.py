"""Scoring saved responses with the real key, and per-student variants."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from seminarkit.handouts.leaks import KEY_MARKER
from seminarkit.quiz.errors import QuizError, ResponsesError, RosterError
from seminarkit.quiz.notebook import exam_quiz
from seminarkit.quiz.scoring import grades_csv, score_files, score_responses
from seminarkit.quiz.variants import read_roster, variant_seed, write_variants
from test_quiz_helpers import FIXTURE_MATERIALS, demo_module, demo_student


def right(question: Any) -> Any:
    return question.answer[0] if question.type == "text" else question.answer


def saved(tmp_path: Path, student: str, *, seed: int = 3, n: int | None = None,
          answers: str = "right") -> Path:
    """Save an exam the way a student would; ``answers`` is right, half or none."""
    qw = exam_quiz("demo", seed=seed, student=student, n_questions=n, responses_dir=tmp_path,
                   materials_dir=FIXTURE_MATERIALS)
    key = {q.id: q for q in demo_module().quiz.questions}
    for index, question in enumerate(qw.questions):
        if answers == "right" or (answers == "half" and index % 2 == 0):
            qw.answer(question.id, right(key[question.id]))
    return qw.save()


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_all_right_half_and_empty(tmp_path: Path) -> None:
    module = demo_module()
    full = score_responses(module, _load(saved(tmp_path, "alice")))
    assert [i.status for i in full] == ["correct"] * 8
    assert sum(i.points for i in full) == 8
    half = score_responses(module, _load(saved(tmp_path, "bob", answers="half")))
    assert [i.status for i in half] == ["correct", "unanswered"] * 4
    empty = score_responses(module, _load(saved(tmp_path, "carol", answers="none")))
    assert {i.status for i in empty} == {"unanswered"}
    assert sum(i.max_points for i in empty) == 8


def test_partial_credit_in_scores(tmp_path: Path) -> None:
    data = _load(saved(tmp_path, "dan", answers="none"))
    data["answers"]["q-multiple"] = ["Iran", "Kazakhstan"]
    data["answers"]["q-match"] = {"Russia": "Talks with all sides", "Iran": "Stays out"}
    items = {i.question_id: i for i in score_responses(demo_module(), data)}
    assert items["q-multiple"].status == "wrong"  # (1 - 1) / 3
    assert items["q-match"].points == pytest.approx(1 / 3)
    assert items["q-match"].status == "partial"


def _mutate(data: dict[str, Any], change: str) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    if change == "format":
        del data["format"]
    elif change == "module":
        data["module"] = "other"
    elif change == "unknown":
        data["questions"].append("q-nope")
    elif change == "stray":
        data["questions"].pop()
    elif change == "edited":
        data["questions"], data["answers"] = data["questions"][:2], {}
    elif change == "answers":
        data["answers"] = ["x"]
    return data


@pytest.mark.parametrize(("change", "message"), [
    ("format", "not a seminarkit quiz responses file"),
    ("module", "for module 'other'"),
    ("unknown", "unknown question 'q-nope'"),
    ("stray", "not among the file's questions"),
    ("edited", "does not match seed"),
    ("answers", "'answers' is missing or malformed"),
])
def test_bad_responses_are_clear_errors(tmp_path: Path, change: str, message: str) -> None:
    data = _mutate(_load(saved(tmp_path, "erin", n=4)), change)
    with pytest.raises(ResponsesError, match=message):
        score_responses(demo_module(), data)


def test_scoring_needs_the_real_key(tmp_path: Path) -> None:
    data = _load(saved(tmp_path, "finn"))
    with pytest.raises(QuizError, match="instructor edition"):
        score_responses(demo_student(), data)


def test_score_files_keeps_going_past_bad_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    saved(inbox, "alice")
    saved(inbox / "sub", "bob", answers="half")
    (inbox / "corrupt.responses.json").write_text('{"format": ', encoding="utf-8")
    (inbox / "latin1.responses.json").write_bytes(b"\xff\xfe\x00")
    other = _load(saved(tmp_path, "gus"))
    other["module"] = "afghanistan-2018"
    (inbox / "other.responses.json").write_text(json.dumps(other), encoding="utf-8")
    dup = _load(saved(tmp_path, "alice", seed=3))
    (inbox / "sub" / "again.responses.json").write_text(json.dumps(dup), encoding="utf-8")
    (inbox / "notes.txt").write_text("ignored", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    rows, errors = score_files(demo_module(), [inbox, empty, tmp_path / "missing.json"])
    assert sorted(r.student or "" for r in rows) == ["alice", "bob"]
    messages = {Path(e.path).name: e.message for e in errors}
    assert "corrupt JSON" in messages["corrupt.responses.json"]
    assert "cannot read" in messages["latin1.responses.json"]
    assert "for module 'afghanistan-2018'" in messages["other.responses.json"]
    assert "already scored" in messages["again.responses.json"]
    assert "no *.responses.json files" in messages["empty"]
    assert messages["missing.json"] == "no such file or folder"
    table = list(csv.DictReader(io.StringIO(grades_csv(rows))))
    scores = {row["student"]: (row["score"], row["max_score"]) for row in table}
    assert scores == {"alice": ("8", "8"), "bob": ("4", "8")}
    assert table[0]["q-single"] in ("1", "0")


ROSTERS = [
    ("", "empty roster"),
    ("id,name\n", "no students"),
    ("name,email\nAda,a@x\n", "no 'id' column (found: name, email"),
    ("id,name\nada,Ada\n,Bob\n", "row 3: empty id"),
    ("id,name\nada,Ada\nbob,Bob\nada,Ada again\n", "row 4: duplicate id 'ada' (first on row 2)"),
    ("id\na b\na_b\n", "row 3: id 'a_b' gives the same file name as 'a b' on row 2"),
]


@pytest.mark.parametrize(("text", "message"), ROSTERS)
def test_malformed_rosters(tmp_path: Path, text: str, message: str) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_roster(roster)


def test_roster_accepts_bom_student_id_and_blank_lines(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffStudent_ID,Name\nada,Ada L\n\n bob ,\n", encoding="utf-8")
    entries = read_roster(roster)
    assert [(e.id, e.name, e.row) for e in entries] == [("ada", "Ada L", 2), ("bob", None, 4)]


def test_variants_are_deterministic_and_match_what_students_get(tmp_path: Path) -> None:
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text("id,name\nada,Ada\nbob,Bob\nzoë,Zoë\n", encoding="utf-8")
    roster = read_roster(roster_file)
    module = demo_module()
    result = write_variants(module, roster, tmp_path / "out", n_questions=4)
    first = {p: p.read_bytes() for p in [*result.notebooks, result.key_csv, result.key_json]}
    again = write_variants(module, roster, tmp_path / "out", n_questions=4)
    assert {p: p.read_bytes() for p in [*again.notebooks, again.key_csv, again.key_json]} == first
    assert [p.name for p in result.notebooks] == [
        "demo-quiz-ada.ipynb", "demo-quiz-bob.ipynb", "demo-quiz-zoe.ipynb"]
    key = json.loads(result.key_json.read_text(encoding="utf-8"))
    for entry, notebook in zip(key["students"], result.notebooks, strict=True):
        nb = nbformat.read(notebook, as_version=4)
        nbformat.validate(nb)
        assert entry["seed"] == variant_seed("demo", entry["id"])
        code = nb.cells[1].source
        assert (f"exam_quiz(module='demo', seed={entry['seed']}, student={entry['id']!r}, "
                f"n_questions=4)") in code
        text = notebook.read_text(encoding="utf-8")
        assert KEY_MARKER not in text
        assert "SECRET-EXPLANATION" not in text
        # the student's kernel selects exactly the questions of the key
        qw = exam_quiz("demo", seed=entry["seed"], student=entry["id"], n_questions=4,
                       materials_dir=FIXTURE_MATERIALS, responses_dir=tmp_path)
        assert [q.id for q in qw.questions] == [q["id"] for q in entry["questions"]]
    rows = list(csv.DictReader(io.StringIO(result.key_csv.read_text(encoding="utf-8"))))
    assert len(rows) == 12
    assert {r["student"] for r in rows} == {"ada", "bob", "zoë"}


def test_variants_with_too_many_questions_is_an_error(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id\nada\n", encoding="utf-8")
    with pytest.raises(QuizError, match="only 8 match"):
        write_variants(demo_module(), read_roster(roster), tmp_path / "out", n_questions=20)
