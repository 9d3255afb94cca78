"""The gradebook: distinct students stay distinct, cells are spreadsheet-safe, sizes are bounded."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from corpus_support import FULL, MINI, add_cell, grades, released, rows, solved, write

from seminarkit.grading.grade import grade
from seminarkit.grading.gradebook import MAX_REPORT_BYTES, safe_name

REPO = Path(__file__).resolve().parents[2]
Run = Callable[..., tuple[int, str, str]]
IDS = ["a b", "a_b", "A_b", "a-b", "a--b", "a.b", "Иван", "Иванов", "Иван ", "ivan", "Ivan",
       "con", "CON", "nul.txt", "x" * 100, "x" * 101, "\u00e9", "e\u0301", "a/b", "a\\b", "..", ".",
       "", "a~b", "a_b~0123456789ab", "=SUM(A1)", "日本", "🙂", "a\x00b", "a\nb"]


def test_safe_names_are_injective_and_file_safe() -> None:
    names = [safe_name(i) for i in IDS]
    assert len(set(names)) == len(IDS)
    for name in names:
        assert re.fullmatch(r"[a-z0-9._~-]{1,64}", name), name
        assert "--" not in name and name not in (".", "..")
    assert safe_name("alice") == "alice"  # plain ids stay readable
    assert safe_name("a b").startswith("a_b~")


@pytest.mark.kernel
def test_students_whose_names_look_alike_keep_their_own_grades(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    look_alike = {"a b": solved(), "a_b": released(), "Иван": solved(), "Иванов": released(),
                  "Alice": solved(), "alice": released()}
    paths = [write(subs, f"{name}.ipynb", nb) for name, nb in look_alike.items()]
    grade(MINI, paths, tmp_path / "out", jobs=2)
    found = grades(tmp_path / "out")
    for name, nb in look_alike.items():
        expected = FULL if nb is not look_alike["a_b"] and name not in ("Иванов", "alice") \
            else {"q1-test": (0.0, "missing-answer"), "q2-test": (0.0, "missing-answer")}
        assert {k: found[(name, k)] for k in FULL} == expected, name
    assert len(list((tmp_path / "out" / "reports").glob("*--mini.json"))) == 6
    assert len(list((tmp_path / "out" / "feedback").glob("*.html"))) == 6


@pytest.mark.kernel
def test_grades_csv_cells_cannot_be_formulas(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    names = ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)"]
    paths = [write(subs, f"{name}.ipynb", solved(q1="raise ValueError('=cmd|x')"))
             for name in names]
    grade(MINI, paths, tmp_path / "out")
    text = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        assert not line.startswith(("=", "+", "-", "@")), line
    assert {r["student"] for r in rows(tmp_path / "out")} == {f"'{n}" for n in names}
    assert "'=cmd|x" not in text or "raised ValueError: =cmd|x" in text  # inside a sentence


def test_quiz_responses_twice_in_one_folder_earn_nothing_twice(tmp_path: Path) -> None:
    quiz = yaml.safe_load((REPO / "materials" / "modules" / "afghanistan-2018" /
                           "quiz.yaml").read_text())
    question = quiz["questions"][0]
    folder = tmp_path / "erin"
    write(folder, "mini.ipynb", released())
    response = {"format": "seminarkit-quiz-responses", "module": "afghanistan-2018",
                "quiz_id": "exam", "student": "erin", "questions": [question["id"]],
                "answers": {question["id"]: question["answer"]}}
    for name in ("exam.responses.json", "exam-copy.responses.json"):
        (folder / name).write_text(json.dumps(response))
    outcome = grade(MINI, [folder], tmp_path / "out")
    items = {i["item"]: i for i in outcome.reports[0]["items"]}
    assert f"quiz:{question['id']}" not in items
    for name in ("exam", "exam-copy"):
        assert items[f"quiz:{name}"]["status"] == "invalid-responses"
        assert "each question earns its points once" in items[f"quiz:{name}"]["detail"]
    assert sum(i["points"] for i in items.values()) == 0


@pytest.mark.kernel
def test_reports_stay_small_whatever_the_submission_says(tmp_path: Path) -> None:
    flood = ("import json, os\nfor n in range(20_000):\n"
             "    os.write(3, (json.dumps({'ev': 'end', 'step': f's{n}', 'status': 'ok',"
             " 'evalue': 'x' * 300}) + '\\n').encode())\n") + "total = 60"
    nb = add_cell(solved(q1=flood, q3="word " * 2_000_000), "q1", "pass")
    grade(MINI, [write(tmp_path / "subs", "flood.ipynb", nb)], tmp_path / "out")
    report = tmp_path / "out" / "reports" / "flood--mini.json"
    assert report.stat().st_size <= MAX_REPORT_BYTES
    data = json.loads(report.read_text())
    assert set(data["run"]["steps"] or {}) <= {"setup", "q1", "q2", "added-3"}
    assert data["run"]["rejected_events"] >= 20_000
    assert grades(tmp_path / "out")[("flood", "q1-test")] == (2.0, "ok")


@pytest.mark.parametrize("jobs", ["1000", "0", "-3"])
def test_jobs_has_bounds_with_one_line(run_cli: Run, tmp_path: Path, jobs: str) -> None:
    code, _, err = run_cli("grade", "--exercise", str(MINI), str(MINI), "--out",
                           str(tmp_path / "o"), "--jobs", jobs)
    assert code != 0
    assert len(err.strip().splitlines()) == 1
    assert "--jobs" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
