"""Dependencies: runtime, test and dev split honestly; make installs from exact lock files."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import tomllib

REPO = Path(__file__).resolve().parents[1]
RUNTIME = REPO / "requirements" / "runtime.txt"
DEV = REPO / "requirements" / "dev.txt"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==[0-9][^ ;]*( ;.*)?$")


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _locked(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith((" ", "#")):
            match = PIN.match(line)
            assert match, f"{path.name}: not an exact pin: {line!r}"
            names.add(match.group(1).lower().replace("_", "-"))
    return names


def test_lock_files_pin_exact_versions_and_split_runtime_from_tools() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    runtime, dev = _locked(RUNTIME), _locked(DEV)
    assert {_name(r) for r in project["dependencies"]} <= runtime
    tools = {_name(r) for r in project["optional-dependencies"]["test"] + project["optional-dependencies"]["dev"]}
    tools.discard("seminarkit")
    assert tools <= dev
    assert not {"pytest", "playwright", "mypy", "ruff", "hypothesis", "uv"} & runtime, "the runtime lock pulls in tools"
    assert runtime <= dev


def _dry_run(target: str, tmp_path: Path) -> str:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "requirements", tmp_path / "requirements")
    (tmp_path / "tests" / "tooling").mkdir(parents=True)
    (tmp_path / "slides").mkdir()
    for name in ("package.json", "package-lock.json"):
        shutil.copy(REPO / "tests" / "tooling" / name, tmp_path / "tests" / "tooling" / name)
        shutil.copy(REPO / "slides" / name, tmp_path / "slides" / name)
    # --no-print-directory: under `make test` the recursive make would add "Leaving directory" lines
    command = ["make", "--no-print-directory", "-n", target]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_handouts_installs_the_runtime_lock_only(tmp_path: Path) -> None:
    plan = _dry_run("handouts", tmp_path)
    assert "-m venv .venv" in plan
    assert "install --quiet -r requirements/runtime.txt" in plan
    assert "requirements/dev.txt" not in plan
    assert "install --quiet --no-deps -e ." in plan
    assert plan.strip().splitlines()[-1] == ".venv/bin/seminarkit build"


def test_make_test_adds_the_dev_lock(tmp_path: Path) -> None:
    plan = _dry_run("test", tmp_path)
    assert plan.index("-r requirements/runtime.txt") < plan.index("-r requirements/dev.txt")
    assert ".venv/bin/python -m pytest" in plan and ".venv/bin/mypy" in plan
