"""The kit as a package: the wheel, installed without extras in a fresh virtualenv, builds a module.

This is what ``pip install seminarkit`` gives an instructor: no test or dev tools, run from a
folder outside the repository, with the kit's own course inside the package.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 900) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    tail = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"{' '.join(cmd)} failed ({done.returncode}):\n{tail}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the kit's wheel, without extras, in a fresh virtualenv; return its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"), str(REPO)], work)
    (wheel,) = (work / "dist").glob("seminarkit-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
         work)
    return bin_dir


def _clean_env(bin_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "SEMINARKIT_MATERIALS"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.slow
@pytest.mark.kernel
def test_wheel_without_extras_validates_and_builds_one_module(installed: Path, tmp_path: Path) -> None:
    env = _clean_env(installed)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    extras = _run([str(installed / "python"), "-c",
                   "import importlib.util as u; print([m for m in ('pytest', 'playwright', 'mypy', 'dask')"
                   " if u.find_spec(m)])"], outside, env)
    assert extras.strip() == "[]", "the wheel pulled in test or dev tools"
    where = _run([str(installed / "python"), "-c", "import seminarkit; print(seminarkit.__file__)"], outside, env)
    assert str(installed.parent) in where, "the test ran the repository's code, not the installed wheel"
    out = _run([str(installed / "seminarkit"), "validate"], outside, env)
    assert out.startswith("materials OK: 5 module(s)")
    out = _run([str(installed / "seminarkit"), "build", "--modules", "moldova-2025", "--out", "handouts",
                "--quiet"], outside, env)
    assert "failed 0" in out
    manifest = json.loads((outside / "handouts" / "manifest.json").read_text())
    jobs = manifest["jobs"]
    listed = yaml.safe_load((REPO / "materials" / "course.yaml").read_text())["modules"]
    notebooks = next(m["notebooks"] for m in listed if m["id"] == "moldova-2025")
    assert sorted(jobs) == sorted(f"moldova-2025/{e}/{n}" for n in notebooks for e in ("student", "instructor"))
    for record in jobs.values():
        assert set(record["outputs"]) == {"ipynb", "html", "pdf"}
        assert all((outside / "handouts" / rel).stat().st_size > 0 for rel in record["outputs"].values())


@pytest.mark.slow
def test_wheel_releases_and_grades_one_exercise_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    env = _clean_env(installed)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    bundled = _run([str(installed / "python"), "-c",
                    "import pathlib, seminarkit; root = pathlib.Path(seminarkit.__file__).parent / '_exercises'; "
                    "print(sorted(str(p.relative_to(root)) for p in root.rglob('*.ipynb')))"], outside, env)
    shipped = sorted(str(p.relative_to(REPO / "exercises")) for p in (REPO / "exercises").rglob("*.ipynb"))
    assert bundled.strip() == repr(shipped), "the wheel does not bundle the kit's exercises"
    # An instructor's course: init copies the kit's course (exercises included) out of the wheel.
    _run([str(installed / "seminarkit"), "init", "course"], outside, env)
    course = outside / "course"
    source = course / "exercises" / "moldova-2025" / "dhondt-2025.ipynb"
    out = _run([str(installed / "seminarkit"), "release", str(source), "--out", "release"], course, env)
    assert out.splitlines()[-1] == "released 1 exercise(s) into release"
    student = course / "release" / "moldova-2025" / "dhondt-2025" / "dhondt-2025.ipynb"
    for name, notebook in (("right", source), ("wrong", student)):
        (outside / "subs" / name).mkdir(parents=True)
        (outside / "subs" / name / "dhondt-2025.ipynb").write_bytes(notebook.read_bytes())
    subs = outside / "subs"
    out = _run([str(installed / "seminarkit"), "grade", str(subs / "right"), str(subs / "wrong"),
                "--exercise", str(source), "--out", str(outside / "gradebook"), "--course", str(course)], outside, env)
    lines = {line.split(":")[0]: line for line in out.splitlines()}
    maximum = lines["right"].split()[1].split("/")[1]
    assert lines["right"] == f"right: {maximum}/{maximum} (ok)"
    assert lines["wrong"] == f"wrong: 0/{maximum} (missing-answer)"
    with (outside / "gradebook" / "grades.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["student"] for r in rows} == {"right", "wrong"}
    assert all(r["points"] == r["max"] for r in rows if r["student"] == "right")
    assert all(float(r["points"]) == 0 for r in rows if r["student"] == "wrong")
