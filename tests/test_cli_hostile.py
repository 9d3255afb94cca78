"""Hostile input through the CLI: no traceback, no "internal error", ever.

validate, release, check-leaks, grade and build answer any file or option a user can give
with located one-line messages and their documented exit codes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "grading" / "mini.ipynb"
Run = Callable[..., tuple[int, str, str]]
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _clean(err: str) -> None:
    assert "Traceback" not in err, err
    assert "internal error" not in err, err


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=10,
)
_keys = st.sampled_from(["cells", 0, 1, 2, 3, 5, 7, "metadata", "seminarkit", "source", "tags",
                         "id", "role", "points", "limits", "files", "exercise", "module",
                         "cell_type", "answers", "rubric", "nbgrader", "nbformat",
                         "cell_seconds"])
_sources = st.lists(st.sampled_from([
    "assert total == 60", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS", "# BEGIN SOLUTION",
    "### END SOLUTION", "# begin solution", "### BEGIN  SOLUTION", "def f(x):", "    return x",
    "x = [", "assert (yield)", "assert double(1) == 2", "\u2028", "\r", "SECRET-SOURCE",
]) | st.text(max_size=12), max_size=6).map("\n".join)


def _mutated(mutations: list[tuple[list[Any], Any]]) -> dict[str, Any]:
    nb = json.loads(MINI.read_text())
    for path, value in mutations:
        node: Any = nb
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return nb  # type: ignore[no-any-return]


# --- validate ---------------------------------------------------------------------------------

@settings(FUZZ, max_examples=60)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode),
       name=st.sampled_from(["course.yaml", "modules/mini/timeline.yaml",
                             "modules/mini/quiz.yaml", "modules/mini/data/casualties.csv"]))
def test_validate_on_any_file_content(mini_kit: Path, run_cli: Run, data: bytes,
                                      name: str) -> None:
    target = mini_kit / name
    original = target.read_bytes()
    target.write_bytes(data)
    try:
        code, out, err = run_cli("validate", "--materials", str(mini_kit))
    finally:
        target.write_bytes(original)
    _clean(err)
    assert code in (0, 2)
    if code == 2:
        lines = err.splitlines()
        assert lines[-1].endswith("fix them and run 'seminarkit validate' again.")
        assert all(line.startswith(str(mini_kit)) for line in lines[:-1]), err
    else:
        assert out.startswith("materials OK")


# --- release ----------------------------------------------------------------------------------

@settings(FUZZ, max_examples=120)
@given(mutations=st.lists(st.tuples(st.lists(_keys, min_size=1, max_size=5), _json), max_size=3),
       source=_sources, index=st.sampled_from([1, 2, 3, 5, 7]))
def test_release_on_any_exercise(tmp_path_factory: pytest.TempPathFactory, run_cli: Run,
                                 mutations: list[tuple[list[Any], Any]], source: str,
                                 index: int) -> None:
    work = tmp_path_factory.mktemp("release")
    nb = _mutated(mutations)
    if isinstance(nb.get("cells"), list) and len(nb["cells"]) > index and isinstance(
            nb["cells"][index], dict):
        nb["cells"][index]["source"] = source
    exercise = work / "ex.ipynb"
    exercise.write_text(json.dumps(nb))
    code, _, err = run_cli("release", str(exercise), "--out", str(work / "out"))
    _clean(err)
    if code == 0:
        released = (work / "out").rglob("*.ipynb")
        for path in released:
            text = path.read_text()
            assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    else:
        assert code == 1
        assert err.count("\n") == 1 and err.startswith("seminarkit: error: "), err
        assert not (work / "out").exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"\x7fELF\x02\x01\x01\x00" * 20, "cannot read the notebook"),
    (b"[" * 100_000, "nested too deeply"),
    (b"[1, 2, 3]", "not a notebook"),
    (b'{"nbformat": 3, "cells": []}', "nbformat 3 is not supported"),
    (b'{"nbformat": 4, "cells": {}}', "not a notebook"),
    (b'{"nbformat": 4, "cells": [], "metadata": []}', "no notebook metadata"),
    (b"", "cannot read the notebook"),
])
def test_release_and_grade_on_hostile_exercise_files(run_cli: Run, tmp_path: Path,
                                                     content: bytes, message: str) -> None:
    exercise = tmp_path / "ex.ipynb"
    exercise.write_bytes(content)
    for args in (["release", str(exercise), "--out", str(tmp_path / "out")],
                 ["grade", "--exercise", str(exercise), str(MINI), "--out", str(tmp_path / "g")]):
        code, _, err = run_cli(*args)
        _clean(err)
        assert code == 1
        assert err.count("\n") == 1 and message in err, err
        assert not (tmp_path / "out").exists()


# --- check-leaks ------------------------------------------------------------------------------

@settings(FUZZ, max_examples=60)
@given(files=st.lists(st.tuples(
    st.sampled_from(["a.pdf", "b.html", "c.ipynb", "d.json", "e.zip", "f.png", "g.svg", "h.csv",
                     "i.txt", "j.gift", "k"]),
    st.binary(max_size=200) | st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"[" * 50_000,
                                                b"\x89PNG\r\n\x1a\n"])), max_size=5))
def test_check_leaks_on_any_files(tmp_path_factory: pytest.TempPathFactory, run_cli: Run,
                                  files: list[tuple[str, bytes]]) -> None:
    folder = tmp_path_factory.mktemp("site")
    for name, data in files:
        (folder / name).write_bytes(data)
    code, out, err = run_cli("check-leaks", str(folder), "--materials",
                             str(FIXTURES / "mini_kit" / "materials"))
    _clean(err)
    assert code in (0, 1)
    if code == 0:
        assert out.startswith("no leaks")
    else:
        assert all(line.startswith("LEAK ") for line in err.splitlines()[:-1]), err


# --- grade ------------------------------------------------------------------------------------

HOSTILE_SUBMISSIONS: dict[str, bytes] = {
    "binary": b"\x7fELF\x02\x01\x01" * 30,
    "broken-json": b'{"cells": [',
    "deep-json": b"[" * 100_000 + b"]" * 100_000,
    "nbformat-3": b'{"nbformat": 3, "cells": []}',
    "empty": b"",
    "nan": b'{"nbformat": NaN, "cells": []}',
    "garbage-cells": json.dumps({"nbformat": 4, "cells": [1, "x", None, {
        "cell_type": "code", "source": {"a": 1}, "metadata": []}]}).encode(),
    "garbage-metadata": json.dumps({"nbformat": 4, "metadata": {"seminarkit": ["x"]}, "cells": [
        {"cell_type": "code", "source": ["x=1", 2], "metadata": {"seminarkit": "q1"}}]}).encode(),
    "id-as-list": json.dumps({"nbformat": 4, "metadata": [], "cells": [
        {"cell_type": "code", "source": "x=1", "metadata": {"seminarkit": {"id": ["q1"]}}}]
    }).encode(),
}


@pytest.mark.kernel
def test_grade_on_hostile_submissions(run_cli: Run, tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, data in HOSTILE_SUBMISSIONS.items():
        (subs / f"{name}.ipynb").write_bytes(data)
    (subs / "a-folder").mkdir()
    code, out, err = run_cli("grade", "--exercise", str(MINI), *sorted(map(str, subs.iterdir())),
                             "--out", str(tmp_path / "grades"))
    _clean(err)
    assert code == 0, err
    for name in [*HOSTILE_SUBMISSIONS, "a-folder"]:
        assert f"{name}: 0/7 (" in out, out
    with (tmp_path / "grades" / "grades.csv").open() as handle:
        students = {line.split(",")[0] for line in handle.readlines()[1:]}
    assert students == {*HOSTILE_SUBMISSIONS, "a-folder"}


# --- build ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "message"), [
    (["--modules", "nope"], "unknown module 'nope'; choose one of: mini"),
    (["--editions", "teacher"], "unknown edition 'teacher'; choose one of: student, instructor"),
    (["--formats", "docx"], "unknown format 'docx'; choose one of: html, pdf, slides"),
    (["--jobs", "0"], "--jobs must be at least 1"),
])
def test_build_on_bad_options_is_one_line(mini_kit: Path, run_cli: Run, tmp_path: Path,
                                          options: list[str], message: str) -> None:
    code, _, err = run_cli("build", "--materials", str(mini_kit), "--out", str(tmp_path / "b"),
                           "--quiet", *options)
    _clean(err)
    assert code == 1
    assert err == f"seminarkit: error: {message}\n"


@pytest.mark.parametrize("content", [b"\x00\x01binary" * 10, b"a: &a [*a]\n", b"- a list\n"])
def test_build_on_hostile_materials_is_located(mini_kit: Path, run_cli: Run, tmp_path: Path,
                                               content: bytes) -> None:
    (mini_kit / "course.yaml").write_bytes(content)
    code, _, err = run_cli("build", "--materials", str(mini_kit), "--out", str(tmp_path / "b"),
                           "--quiet")
    _clean(err)
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith(str(mini_kit / "course.yaml"))


@pytest.mark.kernel
def test_build_on_corrupt_notebooks_reports_each_job(mini_kit: Path, run_cli: Run,
                                                     tmp_path: Path) -> None:
    notebooks = mini_kit.parent / "notebooks"
    (notebooks / "01-overview.ipynb").write_bytes(b"\x7fELF\x02\x01" * 40)
    (notebooks / "03-timeline.ipynb").write_bytes(b"[" * 100_000)
    out = tmp_path / "b"
    code, stdout, err = run_cli("build", "--materials", str(mini_kit), "--out", str(out),
                                "--quiet", "--formats", "html")
    _clean(err)
    assert code == 1
    assert stdout.startswith("built 0, cached 0, failed 4")
    failures = err.strip().splitlines()
    assert len(failures) == 4 and all(f.startswith("FAILED mini/") for f in failures), err
    handouts = [p for p in out.rglob("*.html") if p.name != "index.html"]  # the site index stays
    assert not handouts and not [p for p in out.rglob("*") if p.suffix == ".tmp"]


def test_release_fuzz_mutation_helper_really_mutates() -> None:
    nb = _mutated([(["cells", 2, "metadata", "seminarkit", "role"], "test")])
    assert nb["cells"][2]["metadata"]["seminarkit"]["role"] == "test"
    assert copy.deepcopy(nb) != json.loads(MINI.read_text())
