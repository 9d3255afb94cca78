"""The edition registry: two frozen editions, one lookup, and no edition strings compared elsewhere."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from seminarkit.content.materials import load_course
from seminarkit.editions import EDITIONS, INSTRUCTOR, STUDENT, Edition, edition, edition_names, module_for_edition
from seminarkit.errors import UnknownChoiceError

SRC = Path(__file__).resolve().parents[1] / "src" / "seminarkit"


def _nb(*cells: tuple[list[str], str]) -> dict[str, object]:
    return {"cells": [{"cell_type": "code", "metadata": {"tags": tags}, "source": src, "outputs": [{"x": 1}],
                       "execution_count": 3} for tags, src in cells], "metadata": {}}


def test_there_are_exactly_two_editions_with_their_properties() -> None:
    assert EDITIONS == (STUDENT, INSTRUCTOR)
    assert edition_names() == ("student", "instructor")
    assert (STUDENT.label, INSTRUCTOR.label) == ("Student edition", "Instructor edition")
    assert STUDENT.redacts and not STUDENT.instructor_material and STUDENT.leak_gated
    assert INSTRUCTOR.instructor_material and not INSTRUCTOR.redacts and not INSTRUCTOR.leak_gated


@pytest.mark.parametrize(("name", "expected"), [("student", STUDENT), ("instructor", INSTRUCTOR)])
def test_lookup_by_name(name: str, expected: Edition) -> None:
    assert edition(name) is expected
    assert edition(expected) is expected


@pytest.mark.parametrize("bad", ["Student", "teacher", "", "student "])
def test_unknown_edition_lists_the_choices(bad: str) -> None:
    with pytest.raises(UnknownChoiceError) as info:
        edition(bad)
    assert str(info.value) == f"unknown edition {bad!r}; choose one of: student, instructor"


def test_editions_are_frozen_and_pickle_by_name() -> None:
    with pytest.raises(AttributeError):
        STUDENT.name = "x"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(STUDENT)) is STUDENT
    assert pickle.loads(pickle.dumps(INSTRUCTOR)) is INSTRUCTOR


def test_each_edition_drops_the_other_editions_cells_and_clears_outputs() -> None:
    nb = _nb((["instructor-only"], "key = 42"), (["student-only"], "hint()"), ([], "shared()"))
    student = STUDENT.apply(nb)
    instructor = INSTRUCTOR.apply(nb)
    assert [c["source"] for c in student["cells"]] == ["hint()", "shared()"]
    assert [c["source"] for c in instructor["cells"]] == ["key = 42", "shared()"]
    for cell in student["cells"] + instructor["cells"]:
        assert cell["outputs"] == [] and cell["execution_count"] is None
    assert len(nb["cells"]) == 3 and nb["cells"][0]["outputs"] == [{"x": 1}]  # type: ignore[index]


def test_student_module_holds_no_instructor_values_and_instructor_module_is_unchanged() -> None:
    module = load_course().module("moldova-2025")
    assert module_for_edition(module, INSTRUCTOR) is module
    student = module_for_edition(module, "student")
    assert all(b.facilitation is None for b in student.meta.blocks)
    assert all(d.model_answer is None for b in student.meta.blocks for d in b.discussion)
    assert student.quiz is not None and all(q.answer is None for q in student.quiz.questions)
    # Practice keys are sealed as hashes; exam-only keys are withheld altogether.
    assert all(bool(q.key_hash) != q.exam_only for q in student.quiz.questions)
    assert any(q.exam_only for q in student.quiz.questions)
    assert module.quiz is not None and all(q.answer is not None for q in module.quiz.questions)


def _string_comparisons(tree: ast.AST) -> list[tuple[int, str]]:
    names = set(edition_names())
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        for op, left, right in zip(node.ops, [node.left, *node.comparators[:-1]], node.comparators, strict=True):
            if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
                found.extend((node.lineno, p.value) for p in (left, right)
                             if isinstance(p, ast.Constant) and p.value in names)
            elif isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
                found.extend((node.lineno, e.value) for e in right.elts
                             if isinstance(e, ast.Constant) and e.value in names)
    return found


def test_no_edition_string_is_compared_outside_the_registry() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "editions.py":
            continue
        for line, value in _string_comparisons(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(SRC)}:{line} compares {value!r}")
    assert offenders == []


def test_the_comparison_finder_finds_a_comparison() -> None:
    code = "if edition == 'student': pass\nx = e in ('instructor', 'y')\nok = 'student' in report"
    assert _string_comparisons(ast.parse(code)) == [(1, "student"), (2, "instructor")]
