"""Exercise parsing and validation, student versions, test plans and the value codec."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from seminarkit.errors import ExerciseError
from seminarkit.grading.codec import Opaque, decode, encode
from seminarkit.grading.exercise import load_exercise, parse_exercise
from seminarkit.grading.probes import plan_test, run_checks
from seminarkit.grading.release import student_notebook

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
MINI = FIXTURES / "mini.ipynb"


def _mini() -> dict[str, Any]:
    return json.loads(MINI.read_text())


def _meta(nb: dict[str, Any], index: int) -> dict[str, Any]:
    return nb["cells"][index]["metadata"]["seminarkit"]  # type: ignore[no-any-return]


def _unclosed(nb: dict[str, Any]) -> None:
    nb["cells"][2]["source"] = "### BEGIN SOLUTION\ntotal = 1\n"


def _end_only(nb: dict[str, Any]) -> None:
    nb["cells"][2]["source"] = "total = 1\n### END SOLUTION"


def _no_points(nb: dict[str, Any]) -> None:
    del _meta(nb, 3)["points"]


def _bad_points(nb: dict[str, Any]) -> None:
    _meta(nb, 3)["points"] = -1


def _duplicate(nb: dict[str, Any]) -> None:
    _meta(nb, 4)["id"] = "q1"


def _unknown_role(nb: dict[str, Any]) -> None:
    _meta(nb, 4)["role"] = "solution"


def _hidden_in_answer(nb: dict[str, Any]) -> None:
    nb["cells"][2]["source"] = "### BEGIN HIDDEN TESTS\nx = 1\n### END HIDDEN TESTS"


def _no_rubric(nb: dict[str, Any]) -> None:
    del _meta(nb, 7)["rubric"]


def _no_assert(nb: dict[str, Any]) -> None:
    nb["cells"][3]["source"] = "x = total"


def _computed_call(nb: dict[str, Any]) -> None:
    nb["cells"][5]["source"] = "assert double(len('ab')) == 4"


def _no_metadata(nb: dict[str, Any]) -> None:
    del nb["metadata"]["seminarkit"]


def _bad_file(nb: dict[str, Any]) -> None:
    nb["metadata"]["seminarkit"]["files"] = ["/etc/passwd"]


@pytest.mark.parametrize(("mutate", "expected"), [
    (_unclosed, "cell 2 (id 'q1'): unclosed region"),
    (_end_only, "cell 2 (id 'q1'): '### END SOLUTION' on line 2 without"),
    (_no_points, "cell 3 (id 'q1-test'): test cell without points"),
    (_bad_points, "cell 3 (id 'q1-test'): points must be a positive number"),
    (_duplicate, "cell 4 (id 'q1'): duplicate id"),
    (_unknown_role, "cell 4 (id 'q2'): unknown role 'solution'"),
    (_hidden_in_answer, "cell 2 (id 'q1'): hidden tests in a answer cell"),
    (_no_rubric, "cell 7 (id 'q3'): manual cell without a rubric"),
    (_no_assert, "cell 3 (id 'q1-test'): test cell has no assert"),
    (_computed_call, "cell 5 (id 'q2-test'): a student function is called with a computed"),
    (_no_metadata, "no notebook metadata 'seminarkit'"),
    (_bad_file, "files must be a list of file names"),
])
def test_malformed_exercise_names_the_cell(mutate: Any, expected: str) -> None:
    nb = _mini()
    mutate(nb)
    with pytest.raises(ExerciseError) as info:
        parse_exercise(nb, MINI)
    assert expected in str(info.value)


def test_fixture_exercise_parses() -> None:
    exercise = load_exercise(MINI)
    assert exercise.id == "mini"
    assert [c.id for c in exercise.tests] == ["q1-test", "q2-test"]
    assert exercise.cell("q2-test").answers == ("q2",)
    assert exercise.max_points == 7
    assert exercise.limits["cell_seconds"] == 2


def test_student_version_strips_solutions_and_hidden_tests() -> None:
    nb = student_notebook(load_exercise(MINI))
    text = json.dumps(nb)
    for secret in ("SECRET-MARKER", "BEGIN SOLUTION", "HIDDEN TESTS", "rubric", "2 * x"):
        assert secret not in text
    cells = {c["metadata"]["seminarkit"]["id"]: c for c in nb["cells"]}
    assert cells["q1"]["source"] == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert cells["q2"]["source"] == ("def double(x):\n    # YOUR CODE HERE\n"
                                     "    raise NotImplementedError()")
    assert cells["q3"]["source"] == "YOUR ANSWER HERE"
    assert cells["q2-test"]["source"] == 'assert double(1) == 2, "double(1) is 2"'
    assert "checksum" in cells["q1-test"]["metadata"]["seminarkit"]
    assert "checksum" in cells["setup"]["metadata"]["seminarkit"]
    assert all(c.get("outputs", []) == [] for c in nb["cells"])
    assert nb["metadata"]["seminarkit"]["edition"] == "student"


def test_instructor_only_cells_are_dropped() -> None:
    nb = _mini()
    extra = copy.deepcopy(nb["cells"][0])
    extra["metadata"] = {"tags": ["instructor-only"]}
    extra["source"] = "Facilitation note for the instructor"
    nb["cells"].insert(1, extra)
    student = student_notebook(parse_exercise(nb, MINI))
    assert "Facilitation note" not in json.dumps(student)


@pytest.mark.parametrize(("source", "probes"), [
    ("assert total == 60", {"total"}),
    ("assert double(21) == 42", {"double(21)"}),
    ("x = 3\nassert f(x, 'a') == 1", {"f(3, 'a')"}),
    ("assert abs(share - 0.5) < 0.1", {"share"}),
    ("assert close(share, 0.5)", {"share"}),
    ("assert all(v > 0 for v in totals.values())", {"totals"}),
    ("import math\nassert math.isclose(r, 1.0)", {"r"}),
    ("assert np.isclose(r, 1.0)", {"r"}),
])
def test_plan_finds_probes(source: str, probes: set[str]) -> None:
    assert set(plan_test(source).probes) == probes


def test_hidden_checks_carry_no_source() -> None:
    plan = plan_test("assert a == 1, 'public message'\n### BEGIN HIDDEN TESTS\n"
                     "assert a == 2, 'SECRET'\n### END HIDDEN TESTS")
    checks = plan.checks
    assert [c.hidden for c in checks] == [False, True]
    assert checks[0].message == "public message"
    assert checks[1].message == "hidden check"


@pytest.mark.parametrize(("value", "expected"), [
    ({"value": 1}, [True, False]),
    ({"value": 2}, [False, True]),
    ({"error": {"kind": "missing", "detail": "name 'a' is not defined"}}, [False, False]),
])
def test_run_checks(value: dict[str, Any], expected: list[bool]) -> None:
    plan = plan_test("assert a == 1\nassert a == 2")
    assert [r.passed for r in run_checks(plan, {"a": value})] == expected


class _AlwaysEqual:
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


class _LyingInt(int):
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = int.__hash__


@pytest.mark.parametrize(("value", "check"), [
    ({"a": [1, (2, 3)], "b": {4}}, lambda v: v == {"a": [1, (2, 3)], "b": {4}}),
    ({1: "x", (2, 3): None}, lambda v: v == {1: "x", (2, 3): None}),
    (float("nan"), lambda v: v != v),
    (_AlwaysEqual(), lambda v: isinstance(v, Opaque) and v != 1),
    (_LyingInt(5), lambda v: type(v) is int and v == 5 and v != 6),
])
def test_codec_round_trip_is_plain(value: Any, check: Any) -> None:
    assert check(decode(json.loads(json.dumps(encode(value)))))


def test_codec_pandas_frame() -> None:
    import pandas as pd

    frame = pd.DataFrame({"year": [2017, 2018], "killed": [3438, 3804]})
    back = decode(json.loads(json.dumps(encode(frame))))
    assert back["killed"].tolist() == [3438, 3804]
    assert back.loc[1, "year"] == 2018
