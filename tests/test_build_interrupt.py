"""Tests: Ctrl-C during a build stops cleanly — exit 130, no temp files, a readable manifest."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.kernel
def test_ctrl_c_leaves_no_half_written_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # A terminal's Ctrl-C reaches the whole process group: the CLI, its workers and their kernels.
    # The child restores Python's own SIGINT handler first: when the test suite itself runs as a
    # background job (as CI scripts may), SIGINT arrives ignored, as it would for `build &`.
    # HTML and PDF: each job takes long enough that the interrupt lands mid-build, not in its last instant.
    args = ["build", "--modules", "afghanistan-2018", "--formats", "html,pdf", "--out", str(out), "--quiet"]
    script = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
              "from seminarkit.cli import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(out.rglob("*.html")):
        time.sleep(0.2)  # interrupt once the first handouts exist and others are in flight
    assert any(out.rglob("*.html")), "the build produced nothing to interrupt"
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == 130, f"exit {proc.returncode}; stderr: {err!r}"
    assert "interrupted" in err
    assert "Traceback" not in err, err
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    manifest = json.loads((out / "manifest.json").read_text())
    for record in manifest["jobs"].values():
        for rel in record["outputs"].values():
            assert (out / rel).is_file()


def test_lab_command_opens_the_notebooks_folder() -> None:
    from seminarkit.cli.lab import lab_command

    cmd = lab_command(REPO / "notebooks", ["--", "--no-browser", "--port", "8890"])
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={REPO / 'notebooks'}" in cmd
    assert cmd[-3:] == ["--no-browser", "--port", "8890"]
    assert ("--allow-root" in cmd) == (os.geteuid() == 0)


def test_lab_refuses_broken_materials(tmp_path: Path) -> None:
    shutil.copytree(REPO / "materials", tmp_path / "materials")
    (tmp_path / "materials" / "course.yaml").write_text("title: [unclosed\n")
    done = subprocess.run([sys.executable, "-m", "seminarkit", "lab", "--materials", str(tmp_path / "materials")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "course.yaml:" in done.stderr and "YAML syntax error" in done.stderr
    assert "Traceback" not in done.stderr
