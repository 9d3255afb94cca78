"""Tests: a bad notebook parameter is one line (what was wrong, the valid choices), never a traceback.

In a real kernel (as JupyterLab runs it) and in builds. ``tests/test_browser_lab.py`` checks what
JupyterLab itself shows.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from seminarkit.errors import NotebookFailed
from seminarkit.fileio import import_nbformat
from seminarkit.handouts.execute import run_notebook

REPO = Path(__file__).resolve().parents[1]
MODULES = "afghanistan-2018, kazakhstan-2022, russian-army-1993-2022, nuclear-deterrence-ukraine, moldova-2025"

CASES = [
    ("06-quiz", {"module": "nope"}, "UnknownChoiceError", f"unknown module 'nope'; choose one of: {MODULES}"),
    ("06-quiz", {"edition": "teacher"}, "UnknownChoiceError",
     "unknown edition 'teacher'; choose one of: student, instructor"),
    ("06-quiz", {"mode": "test"}, "UnknownChoiceError",
     "unknown value for parameter mode 'test'; choose one of: practice, exam"),
    ("06-quiz", {"n_questions": "ten"}, "ParameterError",
     "parameter n_questions must be a whole number >= 1, got 'ten'"),
    ("01-overview", {"session_minutes": 45}, "UnknownChoiceError",
     "unknown value for parameter session_minutes 45; choose one of: 60, 90"),
]


@pytest.mark.kernel
@pytest.mark.parametrize(("notebook", "parameters", "ename", "evalue"), CASES,
                         ids=[f"{c[0]}-{next(iter(c[1]))}" for c in CASES])
def test_bad_parameter_is_one_line_in_a_real_kernel(tmp_path: Path, notebook: str, parameters: dict[str, object],
                                                    ename: str, evalue: str) -> None:
    marked = tmp_path / "marked.ipynb"
    with pytest.raises(NotebookFailed) as failure:
        run_notebook(REPO / "notebooks" / f"{notebook}.ipynb", marked, {"interactive": False, **parameters},
                     name=notebook, workdir=tmp_path)
    assert (failure.value.ename, failure.value.evalue) == (ename, evalue)
    nb = import_nbformat().read(str(marked), as_version=4)
    (error,) = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert error["traceback"] == [f"\x1b[0;31m{ename}\x1b[0m: {evalue}"]


@pytest.mark.kernel
def test_bad_parameter_in_a_build_is_one_line_per_job(tmp_path: Path,
                                                      run_cli: Callable[..., tuple[int, str, str]]) -> None:
    kit = tmp_path / "kit"
    shutil.copytree(REPO / "materials", kit / "materials")
    shutil.copytree(REPO / "notebooks", kit / "notebooks")
    course = kit / "materials" / "course.yaml"
    text = course.read_text().replace("      session_minutes: 90\n", "      session_minutes: 45\n")
    text = text.replace("  - id: moldova-2025\n    notebooks: [01-overview, 02-walkthrough, 03-timeline, 04-actors, "
                        "05-evidence, 06-quiz]", "  - id: moldova-2025\n    notebooks: [01-overview]")
    course.write_text(text)
    code, _, err = run_cli("build", "--materials", str(kit / "materials"), "--out", str(tmp_path / "out"),
                           "--formats", "html", "--editions", "student", "--modules", "moldova-2025", "--quiet")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith("FAILED moldova-2025/student/01-overview: cell ")
    assert "UnknownChoiceError: unknown value for parameter session_minutes 45; choose one of: 60, 90" in lines[0]
