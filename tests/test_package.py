"""The kit as a package: the wheel, installed without extras in a fresh virtualenv, builds a module.

This is what ``pip install seminarkit`` gives an instructor: no test or dev tools, run from a
folder outside the repository, with the kit's own course inside the package.
"""

from __future__ import annotations

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
