"""One writer per output folder: a second process waits (or refuses), real processes only."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from seminarkit.locks import LOCK_NAME, FolderLocked, folder_lock

REPO = Path(__file__).resolve().parents[1]
HOLD = ("import sys; from pathlib import Path; from seminarkit.locks import folder_lock\n"
        "with folder_lock(Path(sys.argv[1]), 'build'):\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.readline()\n")


def _holder(folder: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_held_folder_is_refused_with_one_line_naming_the_holder(tmp_path: Path) -> None:
    proc = _holder(tmp_path / "out")
    try:
        with pytest.raises(FolderLocked) as info, folder_lock(tmp_path / "out", "build",
                                                              wait=False):
            pass
        message = str(info.value)
        assert f"(build, pid {proc.pid}, since " in message
        assert "\n" not in message
    finally:
        proc.communicate("\n", timeout=30)


def test_a_second_writer_waits_with_a_message_then_proceeds(tmp_path: Path) -> None:
    proc = _holder(tmp_path / "out")
    messages: list[str] = []
    acquired = threading.Event()

    def second() -> None:
        with folder_lock(tmp_path / "out", "build", notify=messages.append):
            acquired.set()

    thread = threading.Thread(target=second)
    thread.start()
    deadline = time.monotonic() + 30
    while not messages and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert len(messages) == 1
        assert f"in use by another seminarkit process (build, pid {proc.pid}" in messages[0]
        assert "waiting for it to finish" in messages[0]
        assert not acquired.is_set()  # still waiting while the holder runs
    finally:
        proc.communicate("\n", timeout=30)
        thread.join(timeout=30)
    assert acquired.is_set()
    info = json.loads((tmp_path / "out" / LOCK_NAME).read_text())
    assert info["pid"] == os.getpid()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    proc = _holder(tmp_path / "out")
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)  # reaps it and closes the pipes
    with folder_lock(tmp_path / "out", "build", wait=False) as path:
        assert path == tmp_path / "out" / LOCK_NAME


@pytest.mark.kernel
def test_two_concurrent_builds_into_one_folder_end_consistent(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    shutil.copytree(REPO / "materials", kit / "materials")
    shutil.copytree(REPO / "notebooks", kit / "notebooks")
    course = kit / "materials" / "course.yaml"
    course.write_text(re.sub(r"(  - id: moldova-2025\n    notebooks: )\[[^\]]*\]",
                             r"\g<1>[01-overview, 03-timeline]", course.read_text()))
    out = tmp_path / "out"
    args = [sys.executable, "-m", "seminarkit", "build", "--materials", str(kit / "materials"),
            "--out", str(out), "--modules", "moldova-2025", "--editions", "student",
            "--formats", "html", "--quiet"]
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # start the second build once the first holds the folder
        try:
            if json.loads((out / LOCK_NAME).read_text())["pid"] == first.pid:
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    second = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out1, err1 = first.communicate(timeout=600)
    out2, err2 = second.communicate(timeout=600)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert f"is in use by another seminarkit process (build, pid {first.pid}" in err2
    assert out1.startswith("built 2, cached 0, failed 0")
    assert out2.startswith("built 0, cached 2, failed 0")  # the first one's outputs, reused
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["jobs"]) == ["moldova-2025/student/01-overview",
                                        "moldova-2025/student/03-timeline"]
    for record in manifest["jobs"].values():
        assert "html" in record["outputs"]
        assert all((out / rel).is_file() for rel in record["outputs"].values())
    assert manifest["tree_digest"]
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
