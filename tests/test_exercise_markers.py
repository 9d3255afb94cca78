"""Release fails closed on exercise markers and instructor-only cells.

Every nbgrader marker form is read, anything marker-like is refused, and instructor-only
cells never reach a student version, a grading job or feedback.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from seminarkit.errors import ExerciseError
from seminarkit.grading.exercise import parse_exercise
from seminarkit.grading.release import student_notebook, write_notebook
from seminarkit.grading.sanitize import sanitize

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
MINI = FIXTURES / "mini.ipynb"
SECRET = "SECRET-7F3A"

# The answer cell q1 is cell 2, the test cell q1-test is cell 3, the manual cell q3 is cell 7.
ANSWER, TEST, MANUAL = 2, 3, 7


def _mini() -> dict[str, Any]:
    return json.loads(MINI.read_text())  # type: ignore[no-any-return]


def _with_source(index: int, source: str) -> dict[str, Any]:
    nb = _mini()
    nb["cells"][index]["source"] = source
    return nb


def _answer(begin: str, end: str) -> str:
    return f"{begin}\ntotal = 60  # {SECRET}\n{end}"


def _test(begin: str, end: str) -> str:
    return f"assert isinstance(total, int)\n{begin}\nassert total == 60, '{SECRET}'\n{end}"


# (case id, cell index, source): nbgrader reads each of these as a marker, and so do we.
PARSED: list[tuple[str, int, str]] = [
    ("three-hashes", ANSWER, _answer("### BEGIN SOLUTION", "### END SOLUTION")),
    ("one-hash", ANSWER, _answer("# BEGIN SOLUTION", "# END SOLUTION")),
    ("no-space", ANSWER, _answer("#BEGIN SOLUTION", "#END SOLUTION")),
    ("c-comment", ANSWER, _answer("// BEGIN SOLUTION", "// END SOLUTION")),
    ("matlab-comment", ANSWER, _answer("% BEGIN SOLUTION", "% END SOLUTION")),
    ("html-comment", ANSWER, _answer("<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->")),
    ("trailing-hashes", ANSWER, _answer("### BEGIN SOLUTION ###", "### END SOLUTION ###")),
    ("plural", ANSWER, _answer("### BEGIN SOLUTIONS", "### END SOLUTIONS")),
    ("after-code", ANSWER, _answer("x = 0  # BEGIN SOLUTION", "# END SOLUTION here")),
    ("bare-text", ANSWER, _answer("BEGIN SOLUTION", "END SOLUTION")),
    ("indented", ANSWER, "if True:\n    ### BEGIN SOLUTION\n    total = 60  # " + SECRET
     + "\n    ### END SOLUTION"),
    ("crlf", ANSWER, _answer("### BEGIN SOLUTION", "### END SOLUTION").replace("\n", "\r\n")),
    ("cr-only", ANSWER, _answer("### BEGIN SOLUTION", "### END SOLUTION").replace("\n", "\r")),
    ("hidden-three-hashes", TEST, _test("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")),
    ("hidden-one-hash", TEST, _test("# BEGIN HIDDEN TESTS", "# END HIDDEN TESTS")),
    ("hidden-no-space", TEST, _test("#BEGIN HIDDEN TESTS", "#END HIDDEN TESTS")),
    ("hidden-trailing", TEST, _test("### BEGIN HIDDEN TESTS ###", "### END HIDDEN TESTS ###")),
    ("mark-scheme", MANUAL, "### BEGIN SOLUTION\nIt doubles.\n### END SOLUTION\n"
     f"=== BEGIN MARK SCHEME ===\nGive 2 points for {SECRET}\n=== END MARK SCHEME ==="),
]

# (case id, cell index, source, what the message must say): refused, release stops.
REFUSED: list[tuple[str, int, str, str]] = [
    ("lower-case", ANSWER, _answer("### begin solution", "### end solution"), "line 1"),
    ("title-case", ANSWER, _answer("### Begin Solution", "### End Solution"), "line 1"),
    ("underscore", ANSWER, _answer("### BEGIN_SOLUTION", "### END_SOLUTION"), "line 1"),
    ("run-together", ANSWER, _answer("### BEGINSOLUTION", "### ENDSOLUTION"), "line 1"),
    ("double-space", ANSWER, _answer("### BEGIN  SOLUTION", "### END  SOLUTION"), "line 1"),
    ("tab", ANSWER, _answer("### BEGIN\tSOLUTION", "### END\tSOLUTION"), "line 1"),
    ("nbsp", ANSWER, _answer("### BEGIN\u00a0SOLUTION", "### END SOLUTION"), "line 1"),
    ("zero-width", ANSWER, _answer("### BEGIN\u200bSOLUTION", "### END SOLUTION"), "line 1"),
    ("soft-hyphen", ANSWER, _answer("### BEGIN SOLU\u00adTION", "### END SOLUTION"), "line 1"),
    ("cyrillic-o", ANSWER, _answer("### BEGIN S\u041eLUTION", "### END SOLUTION"), "line 1"),
    ("full-width", ANSWER, _answer("### ＢＥＧＩＮ ＳＯＬＵＴＩＯＮ", "### END SOLUTION"),
     "line 1"),
    ("digit-zero", ANSWER, _answer("### BEGIN S0LUTION", "### END SOLUTION"), "line 1"),
    ("reversed", ANSWER, _answer("### SOLUTION BEGIN", "### SOLUTION END"), "line 1"),
    ("start-stop", ANSWER, _answer("### START SOLUTION", "### STOP SOLUTION"), "line 1"),
    ("otter-line", ANSWER, f"total = 60  # SOLUTION {SECRET}".replace(f" {SECRET}", ""),
     "otter-grader"),
    ("hidden-singular", TEST, _test("### BEGIN HIDDEN TEST", "### END HIDDEN TEST"), "line 2"),
    ("hidden-lower", TEST, _test("# begin hidden tests", "# end hidden tests"), "line 2"),
    ("hidden-truncated", TEST, _test("# BEGIN HIDDEN", "# END HIDDEN"), "line 2"),
    ("hidden-hyphen", TEST, _test("# BEGIN-HIDDEN-TESTS", "# END-HIDDEN-TESTS"), "line 2"),
    ("otter-hidden", TEST, f"# HIDDEN\nassert total == 60, '{SECRET}'", "otter-grader"),
    ("two-on-one-line", ANSWER, f"### BEGIN SOLUTION total = 60 # {SECRET} ### END SOLUTION",
     "more than one region marker"),
    ("nested", ANSWER, "### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n"
     "### END SOLUTION", "cannot nest"),
    ("unclosed", ANSWER, f"### BEGIN SOLUTION\ntotal = 60  # {SECRET}", "unclosed region"),
    ("end-only", ANSWER, f"total = 60  # {SECRET}\n### END SOLUTION", "without a matching"),
    ("wrong-end", ANSWER, f"### BEGIN SOLUTION\ntotal = 60  # {SECRET}\n### END HIDDEN TESTS",
     "closes the solution region"),
    ("solution-in-test", TEST, _test("### BEGIN SOLUTION", "### END SOLUTION"),
     "solution region in a test cell"),
    ("hidden-in-answer", ANSWER, _answer("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"),
     "hidden tests in a answer cell"),
    ("mark-scheme-in-answer", ANSWER, _answer("### BEGIN MARK SCHEME", "### END MARK SCHEME"),
     "mark scheme in a answer cell"),
    ("solution-in-locked", 1, _answer("### BEGIN SOLUTION", "### END SOLUTION"),
     "solution region in a locked cell"),
    ("hidden-inside-a-block", TEST, "assert isinstance(total, int)\nif True:\n"
     f"    ### BEGIN HIDDEN TESTS\n    assert total == 60, '{SECRET}'\n    ### END HIDDEN TESTS",
     "crosses a hidden-tests marker"),
]


@pytest.mark.parametrize(("index", "source"), [c[1:] for c in PARSED], ids=[c[0] for c in PARSED])
def test_marker_forms_nbgrader_accepts_are_stripped(index: int, source: str) -> None:
    nb = _with_source(index, source)
    student = json.dumps(student_notebook(parse_exercise(nb, MINI)))
    assert SECRET not in student
    assert "BEGIN" not in student and "END SOLUTION" not in student
    cell = student_notebook(parse_exercise(nb, MINI))["cells"][index]
    if index == ANSWER and "if True" not in source:
        assert cell["source"] == "# YOUR CODE HERE\nraise NotImplementedError()"
    if index == TEST:
        assert cell["source"] == "assert isinstance(total, int)"


@pytest.mark.parametrize(("index", "source", "message"), [c[1:] for c in REFUSED],
                         ids=[c[0] for c in REFUSED])
def test_marker_look_alikes_stop_the_release(index: int, source: str, message: str) -> None:
    nb = _with_source(index, source)
    with pytest.raises(ExerciseError) as info:
        parse_exercise(nb, MINI)
    text = str(info.value)
    assert text.startswith(f"mini.ipynb: cell {index} ")
    assert message in text
    assert "\n" not in text


def test_refused_marker_stops_release_through_the_cli(
    run_cli: Any, tmp_path: Path,
) -> None:
    nb = _with_source(ANSWER, _answer("# Begin Solution", "# End Solution"))
    source = tmp_path / "mini.ipynb"
    source.write_text(json.dumps(nb))
    out = tmp_path / "release"
    code, _, err = run_cli("release", str(source), "--out", str(out))
    assert code == 1
    assert err.count("\n") == 1
    assert "mini.ipynb: cell 2 (id 'q1'): line 1 ('# Begin Solution') looks like a region marker" in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["mini.ipynb"]  # no temporary folder left


def test_public_checks_keep_messages_and_hidden_ones_do_not() -> None:
    from seminarkit.grading.probes import plan_test

    plan = plan_test("assert a == 1, 'public'\n# BEGIN HIDDEN TESTS\nassert a == 2, "
                     f"'{SECRET}'\n# END HIDDEN TESTS")
    assert [(c.hidden, c.message) for c in plan.checks] == [(False, "public"),
                                                          (True, "hidden check")]


def _teacher_cell(nb: dict[str, Any], tags: Any, role: str | None = "locked") -> dict[str, Any]:
    cell = copy.deepcopy(nb["cells"][1])
    cell["source"] = f"total = 999  # {SECRET}"
    meta: dict[str, Any] = {"id": "teacher-notes"}
    if role:
        meta["role"] = role
    cell["metadata"] = {"tags": tags, "seminarkit": meta}
    nb["cells"].insert(3, cell)  # after the answer q1, before its test
    return nb


def test_instructor_only_cell_never_reaches_students_or_grading() -> None:
    nb = _teacher_cell(_mini(), ["instructor-only"])
    exercise = parse_exercise(nb, MINI)
    assert "teacher-notes" not in [c.id for c in exercise.cells]
    student = student_notebook(exercise)
    assert SECRET not in json.dumps(student)
    assert "teacher-notes" not in json.dumps(student)
    sanitized = sanitize(exercise, student)  # what a student hands back
    # Cells run as in Jupyter, test cells in place (their checks are evaluated by the grader).
    assert [c["key"] for c in sanitized.cells] == ["setup", "q1", "q1-test", "q2", "q2-test"]
    assert all(SECRET not in c.get("source", "") for c in sanitized.cells)


@pytest.mark.kernel
def test_instructor_only_cell_is_not_run_or_reported_by_grade(run_cli: Any,
                                                               tmp_path: Path) -> None:
    nb = _teacher_cell(_mini(), ["instructor-only"])
    source = tmp_path / "mini.ipynb"
    source.write_text(json.dumps(nb))
    shutil.copy(FIXTURES / "numbers.csv", tmp_path / "numbers.csv")
    student = student_notebook(parse_exercise(nb, MINI))
    answers = {"q1": 'total = sum(int(r["n"]) for r in rows)',
               "q2": "def double(x):\n    return 2 * x", "q3": "It doubles."}
    for cell in student["cells"]:
        cell["source"] = answers.get(cell["metadata"]["seminarkit"]["id"], cell["source"])
    write_notebook(student, tmp_path / "ann.ipynb")
    out = tmp_path / "grades"
    code, stdout, err = run_cli("grade", "--exercise", str(source), str(tmp_path / "ann.ipynb"),
                                "--out", str(out))
    assert (code, err) == (0, "")
    # Had the instructor-only cell run, total would be 999 and q1-test (2 points) would fail.
    assert "ann: 5/5 + 2 pending manual grading" in stdout
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "teacher-notes" not in text and SECRET not in text, path


@pytest.mark.parametrize(("tags", "role", "message"), [
    (["instructor-only"], "test", "an instructor-only cell cannot be a test cell"),
    (["instructor-only"], "answer", "an instructor-only cell cannot be a answer cell"),
    (["Instructor-Only"], "locked", "tag 'Instructor-Only' looks like 'instructor-only'"),
    (["instructor_only"], "locked", "tag 'instructor_only' looks like 'instructor-only'"),
    (["instructors only"], "locked", "looks like 'instructor-only'"),
    ("instructor-only", "locked", "metadata.tags must be a list of strings"),
    ({"instructor-only": True}, "locked", "metadata.tags must be a list of strings"),
])
def test_ambiguous_instructor_cells_are_refused(tags: Any, role: str, message: str) -> None:
    nb = _teacher_cell(_mini(), tags, role)
    with pytest.raises(ExerciseError) as info:
        parse_exercise(nb, MINI)
    assert "cell 3" in str(info.value)
    assert message in str(info.value)


def test_nbgrader_solution_cell_without_a_role_is_refused() -> None:
    nb = _mini()
    cell = copy.deepcopy(nb["cells"][1])
    cell["metadata"] = {"nbgrader": {"solution": True, "grade_id": "x"}}
    cell["source"] = f"total = 60  # {SECRET}"  # nbgrader would stub the whole cell
    nb["cells"].insert(2, cell)
    with pytest.raises(ExerciseError, match="cell 2: an nbgrader solution, grade or task cell"):
        parse_exercise(nb, MINI)


def test_unmarked_cell_with_markers_is_refused() -> None:
    nb = _mini()
    cell = copy.deepcopy(nb["cells"][1])
    cell["metadata"] = {}
    cell["source"] = _answer("### BEGIN SOLUTION", "### END SOLUTION")
    nb["cells"].insert(2, cell)
    with pytest.raises(ExerciseError, match="cell 2: solution region in a locked cell"):
        parse_exercise(nb, MINI)


def test_student_version_keeps_only_known_metadata() -> None:
    nb = _mini()
    nb["metadata"]["instructor"] = {"note": SECRET}
    nb["cells"][2]["metadata"]["nbgrader"] = {"solution": True, "note": SECRET}
    nb["cells"][1]["metadata"]["my-notes"] = SECRET
    student = student_notebook(parse_exercise(nb, MINI))
    assert SECRET not in json.dumps(student)
    assert student["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize(("where", "value"), [
    ("points", float("inf")), ("points", float("nan")), ("limit", float("inf")),
    ("limit", float("nan")), ("limit", -1.0),
])
def test_non_finite_points_and_limits_are_refused(tmp_path: Path, where: str,
                                                   value: float) -> None:
    from seminarkit.grading.exercise import load_exercise

    nb = _mini()
    if where == "points":
        nb["cells"][TEST]["metadata"]["seminarkit"]["points"] = value
    else:
        nb["metadata"]["seminarkit"]["limits"]["cell_seconds"] = value
    path = tmp_path / "mini.ipynb"
    path.write_text(json.dumps(nb))  # json writes Infinity / NaN, which json.loads reads back
    with pytest.raises(ExerciseError, match=r"must be a positive number \(finite\)"):
        load_exercise(path)


def test_every_kit_exercise_still_parses_and_releases(tmp_path: Path) -> None:
    from seminarkit.grading.exercise import load_exercise

    sources = sorted((Path(__file__).resolve().parents[1] / "exercises").glob("*/*.ipynb"))
    assert len(sources) >= 8
    for source in sources:
        exercise = load_exercise(source)
        student = student_notebook(exercise)
        write_notebook(student, tmp_path / source.name)
        text = json.dumps(student)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
