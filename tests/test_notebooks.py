"""Tests: every notebook runs for every module it applies to, in both editions, and keeps its promises."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seminarkit.content.materials import Course, load_course
from seminarkit.handouts.build import BuildResult, build
from seminarkit.handouts.leaks import scan

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_repo_notebooks_have_no_outputs_and_one_parameters_cell() -> None:
    assert len(NOTEBOOKS) == 7
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, path.name
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


@pytest.fixture(scope="session")
def course() -> Course:
    return load_course()


@pytest.fixture(scope="session")
def full_build(tmp_path_factory: pytest.TempPathFactory, course: Course) -> tuple[Path, BuildResult]:
    """Every notebook x module x edition, executed once by the real build (HTML only)."""
    out = tmp_path_factory.mktemp("full-build")
    result = build(course=course, out_dir=out, formats=["html"], quiet=True)
    return out, result


def _executed(out: Path, module: str, edition: str, notebook: str) -> dict[str, Any]:
    return json.loads((out / "executed" / edition / module / f"{notebook}.ipynb").read_text())


def _outputs(nb: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]


def _pngs(nb: dict[str, Any]) -> int:
    return sum("image/png" in o.get("data", {}) for o in _outputs(nb))


def _html(nb: dict[str, Any]) -> str:
    return "".join("".join(o.get("data", {}).get("text/html", "")) for o in _outputs(nb))


@pytest.mark.kernel
def test_every_job_builds_without_error(full_build: tuple[Path, BuildResult], course: Course) -> None:
    _, result = full_build
    assert result.failed == []
    expected = sum(len(m.notebooks) * 2 for m in course.spec.modules)
    assert len(result.built) + len(result.cached) == expected
    for entry in course.spec.modules:
        for nb in entry.notebooks:
            for edition in ("student", "instructor"):
                assert f"{entry.id}/{edition}/{nb}" in result.built


@pytest.mark.kernel
def test_no_error_outputs_anywhere(full_build: tuple[Path, BuildResult]) -> None:
    out, _ = full_build
    for path in out.rglob("*.ipynb"):
        errors = [o for o in _outputs(json.loads(path.read_text())) if o["output_type"] == "error"]
        assert errors == [], path


@pytest.mark.kernel
@pytest.mark.parametrize("edition", ["student", "instructor"])
def test_notebooks_keep_their_promises(full_build: tuple[Path, BuildResult], course: Course,
                                       edition: str) -> None:
    out, _ = full_build
    for entry in course.spec.modules:
        module = course.module(entry.id)
        nbs = set(entry.notebooks)
        if "02-walkthrough" in nbs:
            nb = _executed(out, entry.id, edition, "02-walkthrough")
            with_figure = sum(b.figure is not None for b in module.meta.blocks)
            assert _pngs(nb) >= with_figure, entry.id
            expected_q = sum(min(3, sum(q.block == b.id for q in module.quiz.questions))  # type: ignore[union-attr]
                             for b in module.meta.blocks)
            assert _html(nb).count('class="seminarkit-question"') == expected_q, entry.id
        if "03-timeline" in nbs:
            nb = _executed(out, entry.id, edition, "03-timeline")
            assert _pngs(nb) == 1
            assert _html(nb).count("<tr>") == len(module.timeline.events) + 1  # type: ignore[union-attr]
        if "04-actors" in nbs:
            assert _pngs(_executed(out, entry.id, edition, "04-actors")) == 2
        if "05-evidence" in nbs:
            nb = _executed(out, entry.id, edition, "05-evidence")
            assert _pngs(nb) == len(module.datasets)
            assert _html(nb).count('class="seminarkit-provenance"') == len(module.datasets)
        if "06-quiz" in nbs:
            nb = _executed(out, entry.id, edition, "06-quiz")
            assert _html(nb).count('class="seminarkit-question"') == min(10, len(module.quiz.questions))  # type: ignore[union-attr]
        if "07-simulation" in nbs:
            html = _html(_executed(out, entry.id, edition, "07-simulation"))
            from seminarkit.render.simulation import assign_roles

            seats = assign_roles(module.roles, 12, seed=0)
            assert html.count('class="seminarkit-brief"') == len(seats)
            assert sum(len(s) for s in seats.values()) == 12
            assert ("role assignment" in html) == (edition == "instructor")


@pytest.mark.kernel
def test_every_figure_has_alt_text(full_build: tuple[Path, BuildResult]) -> None:
    out, _ = full_build
    for path in out.rglob("*.ipynb"):
        for output in _outputs(json.loads(path.read_text())):
            if "image/png" in output.get("data", {}):
                assert output["metadata"]["image/png"]["alt"].strip(), path
                assert 'alt="' in "".join(output["data"]["text/html"]), path


@pytest.mark.kernel
def test_student_runs_hold_no_instructor_text(full_build: tuple[Path, BuildResult], course: Course) -> None:
    """The leak gate's false-positive check on the real course: the whole student site passes.

    The same gate finds instructor text in the instructor site and in executed instructor
    notebooks, so a silent gate would fail this test too.
    """
    out, result = full_build
    assert result.leaks == []
    assert scan([out / "student", out / "executed" / "student"], course.modules.values()) == []
    for folder in (out / "instructor", out / "executed" / "instructor"):
        found = {leak.field for leak in scan([folder], course.modules.values())}
        assert "quiz answer key" in found and any(f.endswith(".facilitation") for f in found), folder


@pytest.mark.kernel
def test_instructor_overview_shows_the_session_plan(full_build: tuple[Path, BuildResult]) -> None:
    out, _ = full_build
    instructor = _html(_executed(out, "afghanistan-2018", "instructor", "01-overview"))
    student = _html(_executed(out, "afghanistan-2018", "student", "01-overview"))
    assert "(90 minutes)" in instructor
    assert "(90 minutes)" not in student
