"""Tests: Ctrl-C at any moment of a build returns within 3 s, one line, nothing left behind; the next build resumes."""

from __future__ import annotations

import contextlib
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


ARGS = ["--modules", "afghanistan-2018", "--formats", "html,pdf", "--quiet"]
# The child restores Python's own SIGINT handler first: when the test suite itself runs as a
# background job (as CI scripts may), SIGINT arrives ignored, as it would for `build &`.
SCRIPT = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
          "from seminarkit.cli import main; sys.exit(main(sys.argv[1:]))")


def _start(tmp_path: Path, out: Path) -> tuple[subprocess.Popen[str], Path]:
    """Start a build in its own session (a terminal's process group), with temp files in ``scratch``."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch), JUPYTER_RUNTIME_DIR=str(scratch / "runtime"))
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, "build", *ARGS, "--out", str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    return proc, scratch


def _interrupt(proc: subprocess.Popen[str], *, twice: bool = False) -> tuple[float, str, str]:
    """Press Ctrl-C (SIGINT to the whole process group, as a terminal does); return seconds to exit."""
    os.killpg(proc.pid, signal.SIGINT)
    pressed = time.monotonic()
    if twice:
        time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return time.monotonic() - pressed, out, err


def _left_running(scratch: Path, session: int) -> list[str]:
    """List the build's processes still alive: its session (workers), or kernels (connection file in scratch)."""
    listing = subprocess.run(["ps", "-eo", "pid=,sid=,args="], capture_output=True, text=True, check=True).stdout
    return [line for line in listing.splitlines()
            if str(scratch) in line or (line.split()[1:2] == [str(session)] and "ps -eo" not in line)]


def _check_clean_stop(proc: subprocess.Popen[str], elapsed: float, err: str, out: Path, scratch: Path) -> None:
    assert proc.returncode == 130, f"exit {proc.returncode}; stderr: {err!r}"
    assert elapsed < 3.0, f"Ctrl-C took {elapsed:.1f}s to return"
    assert err.strip().splitlines() == ["seminarkit: interrupted; nothing half-written was left behind."], err
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []
    deadline = time.monotonic() + 5  # a kernel whose worker was killed notices within ~1 s
    while _left_running(scratch, proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _left_running(scratch, proc.pid) == []
    leftovers = [p.name for p in scratch.iterdir() if p.name != "runtime"]
    assert leftovers == [], f"temporary files left behind: {leftovers}"


@pytest.mark.kernel
@pytest.mark.parametrize("after", [1.0, 3.0])
def test_ctrl_c_early_returns_at_once(tmp_path: Path, after: float) -> None:
    """At 1 s the build is loading materials or spawning workers; at 3 s the workers are starting up."""
    out = tmp_path / "out"
    proc, scratch = _start(tmp_path, out)
    time.sleep(after)
    assert proc.poll() is None, "the build ended before it could be interrupted"
    elapsed, _, err = _interrupt(proc)
    _check_clean_stop(proc, elapsed, err, out, scratch)


@pytest.mark.kernel
@pytest.mark.slow
def test_ctrl_c_mid_build_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc, scratch = _start(tmp_path, out)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(out.rglob("*.pdf"))) < 2 and proc.poll() is None:
        time.sleep(0.1)  # interrupt once some handouts exist and others are in flight
    assert proc.poll() is None and list(out.rglob("*.pdf")), "the build produced nothing to interrupt"
    elapsed, _, err = _interrupt(proc, twice=True)  # the second press must not add a traceback
    _check_clean_stop(proc, elapsed, err, out, scratch)

    # What finished is recorded, whole; the next build resumes from it.
    jobs = json.loads((out / "manifest.json").read_text())["jobs"]
    assert 0 < len(jobs) < 14
    for record in jobs.values():
        for rel in record["outputs"].values():
            assert (out / rel).is_file()
    done = subprocess.run([sys.executable, "-m", "seminarkit", "build", *ARGS, "--out", str(out)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    assert f"built {14 - len(jobs)}, cached {len(jobs)}, failed 0" in done.stdout


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


def test_lab_working_copy_is_made_once_kept_and_reset_on_request(tmp_path: Path) -> None:
    from seminarkit.cli.lab import working_copy
    from seminarkit.errors import OutputError

    source = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", source)
    copy = tmp_path / "seminarkit-lab"
    assert working_copy(copy, source) == sorted(p.name for p in source.glob("*.ipynb"))
    assert (copy / ".gitignore").read_text().splitlines()[-1] == "*"
    (copy / "03-timeline.ipynb").write_text("my work")
    (copy / "mine.ipynb").write_text("my own notebook")
    shutil.copyfile(source / "01-overview.ipynb", source / "08-new.ipynb")
    assert working_copy(copy, source) == ["08-new.ipynb"]  # only what is missing; nothing overwritten
    assert (copy / "03-timeline.ipynb").read_text() == "my work"
    working_copy(copy, source, reset=True)
    assert (copy / "03-timeline.ipynb").read_bytes() == (source / "03-timeline.ipynb").read_bytes()
    assert not (copy / "mine.ipynb").exists()

    someone = tmp_path / "thesis"
    someone.mkdir()
    (someone / "chapter.ipynb").write_text("{}")
    with pytest.raises(OutputError, match="not a seminarkit lab working copy"):
        working_copy(someone, source, reset=True)
    assert [p.name for p in someone.iterdir()] == ["chapter.ipynb"]


def test_lab_options_work_as_its_help_shows(capsys: pytest.CaptureFixture[str]) -> None:
    from seminarkit.cli.main import build_parser, main

    with pytest.raises(SystemExit):
        build_parser().parse_args(["lab", "--help"])
    shown = capsys.readouterr().out
    assert "--port N" in shown and "--no-browser" in shown and "--reset" in shown
    assert "seminarkit lab --port 8890 --no-browser -- --ServerApp.ip=127.0.0.1" in " ".join(shown.split())
    args = build_parser().parse_args(["lab", "--port", "8890", "--no-browser"])
    assert (args.port, args.no_browser, args.dir) == (8890, True, None)
    # Options after "--" reach JupyterLab (main splits them off before parsing).
    with pytest.raises(SystemExit) as stop:
        main(["validate", "--", "--ServerApp.ip=0.0.0.0"])
    assert stop.value.code == 2 and "takes no arguments after '--'" in capsys.readouterr().err


def test_lab_on_a_student_kit_refuses_reset(tmp_path: Path) -> None:
    from seminarkit.studentkit import write_student_kit

    kit = write_student_kit(tmp_path / "kit", modules=["moldova-2025"])
    done = subprocess.run([sys.executable, "-m", "seminarkit", "lab", str(kit), "--reset"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"seminarkit: error: {kit}: is a student kit (your own work): --reset only applies to a working copy; "
        "ask for a new kit to start afresh"]


def test_a_ctrl_c_that_pydantic_wrapped_is_still_an_interrupt() -> None:
    """A Ctrl-C landing inside a pydantic serializer comes out as pydantic's own error: still an interrupt."""
    from pydantic import BaseModel, field_serializer

    from seminarkit.cli.main import wraps_interrupt

    class Pressed(BaseModel):
        name: str

        @field_serializer("name")
        def _name(self, value: str) -> str:
            raise KeyboardInterrupt

    with pytest.raises(Exception) as caught:  # which exception pydantic raises is the point
        Pressed(name="x").model_dump(mode="json")
    assert not isinstance(caught.value, KeyboardInterrupt)
    assert wraps_interrupt(caught.value)
    assert not wraps_interrupt(ValueError("KeyboardInterrupt is only a word here"))
    chained = RuntimeError("cleanup failed")
    chained.__cause__ = KeyboardInterrupt()
    assert wraps_interrupt(chained)
