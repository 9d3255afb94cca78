"""Tests: what the kit writes gets the permissions the user's umask gives, and writes stay atomic.

A site copied to a web server must be readable by the server (0644/0755 under umask 022); a
user who chose umask 077 gets owner-only files. Each command runs in a child process with the
umask set, as a shell would.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from seminarkit.fileio import make_temp_dir, write_atomic

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "mini_kit"


def _run(umask: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("SEMINARKIT_MATERIALS", None)
    return subprocess.run([sys.executable, "-m", "seminarkit", *args], capture_output=True, text=True, timeout=600,
                          check=False, env=env, umask=umask)


def _modes(root: Path) -> dict[str, set[str]]:
    """Octal modes of everything under ``root`` (itself included), by kind."""
    found: dict[str, set[str]] = {"files": set(), "folders": set()}
    for path in [root, *root.rglob("*")]:
        kind = "folders" if path.is_dir() else "files"
        found[kind].add(oct(stat.S_IMODE(path.stat().st_mode)))
    return found


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_student_kit_and_lab_copy_follow_the_umask(tmp_path: Path, umask: int) -> None:
    kit = tmp_path / "kit"
    done = _run(umask, "student-kit", "--out", str(kit), "--modules", "moldova-2025")
    assert done.returncode == 0, done.stderr
    assert _modes(kit) == {"files": {oct(0o666 & ~umask)}, "folders": {oct(0o777 & ~umask)}}

    from seminarkit.cli.lab import working_copy

    old = os.umask(umask)
    try:
        working_copy(tmp_path / "lab", REPO / "notebooks")
    finally:
        os.umask(old)
    assert _modes(tmp_path / "lab") == {"files": {oct(0o666 & ~umask)}, "folders": {oct(0o777 & ~umask)}}


@pytest.mark.kernel
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_build_output_follows_the_umask(tmp_path: Path, umask: int) -> None:
    out = tmp_path / "build"
    done = _run(umask, "build", "--materials", str(FIXTURE / "materials"), "--out", str(out), "--formats", "html",
                "--quiet")
    assert done.returncode == 0, done.stderr
    assert (out / "student" / "index.html").is_file()
    assert _modes(out) == {"files": {oct(0o666 & ~umask)}, "folders": {oct(0o777 & ~umask)}}


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_atomic_writes_keep_the_umask_mode_and_leave_no_temporary(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        target = write_atomic(tmp_path / "a" / "b.txt", "first")
        write_atomic(target, "second")
        folder = make_temp_dir(tmp_path, "site")
    finally:
        os.umask(old)
    assert target.read_text() == "second"
    assert oct(stat.S_IMODE(target.stat().st_mode)) == oct(0o666 & ~umask)
    assert oct(stat.S_IMODE(folder.stat().st_mode)) == oct(0o777 & ~umask)
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.txt"]


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_release_and_init_follow_the_umask(tmp_path: Path, umask: int) -> None:
    # The release folder was once made by mkdtemp (always 0700) and its data files copied with
    # their source's mode: a release meant for a course web server was unreadable there.
    out = tmp_path / "release"
    done = _run(umask, "release", str(REPO / "exercises" / "moldova-2025" / "dhondt-2025.ipynb"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "moldova-2025" / "dhondt-2025" / "dhondt-2025.ipynb").is_file()
    assert _modes(out) == {"files": {oct(0o666 & ~umask)}, "folders": {oct(0o777 & ~umask)}}
    done = _run(umask, "release", str(REPO / "exercises" / "moldova-2025" / "dhondt-2025.ipynb"), "--out", str(out))
    assert done.returncode == 0, done.stderr  # a second release replaces the first: same modes
    assert _modes(out) == {"files": {oct(0o666 & ~umask)}, "folders": {oct(0o777 & ~umask)}}

    course = tmp_path / "course"
    done = _run(umask, "init", str(course))
    assert done.returncode == 0, done.stderr
    assert _modes(course) == {"files": {oct(0o666 & ~umask)}, "folders": {oct(0o777 & ~umask)}}
