"""The one atomic writer: complete files only, umask permissions, clear errors, no temp files left."""

from __future__ import annotations

import hashlib
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from seminarkit.errors import OutputError
from seminarkit.fileio import hash_tree, make_dirs, write_atomic


def test_writes_bytes_and_text_and_creates_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    assert write_atomic(target, "héllo\n") == target
    assert target.read_bytes() == "héllo\n".encode()
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    write_atomic(target, "old")
    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # type: ignore[arg-type]  # fails inside the temp file's write
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_output_paths_that_cannot_work_are_one_line_errors(tmp_path: Path) -> None:
    a_file = tmp_path / "README.md"
    a_file.write_text("x")
    with pytest.raises(OutputError, match=r"README.md: is a file, not a folder"):
        write_atomic(a_file / "index.html", "x")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        make_dirs(a_file / "sub")
    folder = tmp_path / "dir"
    folder.mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        write_atomic(folder, "x")


def test_a_folder_that_cannot_be_created_is_a_clear_error() -> None:
    # /proc refuses new folders even to root.
    with pytest.raises(OutputError, match=r"^/proc/seminarkit-test: cannot create the folder"):
        write_atomic(Path("/proc/seminarkit-test/out.txt"), "x")


@pytest.mark.parametrize(("umask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_permissions_follow_the_umask(tmp_path: Path, umask: int, file_mode: int, dir_mode: int) -> None:
    code = ("import os, sys; from pathlib import Path; from seminarkit.fileio import write_atomic;"
            f"os.umask({umask}); write_atomic(Path(sys.argv[1]) / 'new' / 'f.txt', 'x')")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    assert stat.S_IMODE((tmp_path / "new" / "f.txt").stat().st_mode) == file_mode
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == dir_mode


def test_hash_tree_covers_names_and_contents(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("1")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("2")

    def digest() -> str:
        h = hashlib.sha256()
        hash_tree(h, tmp_path)
        return h.hexdigest()

    first = digest()
    assert digest() == first
    (tmp_path / "sub" / "b.txt").write_text("3")
    second = digest()
    assert second != first
    (tmp_path / "sub" / "b.txt").rename(tmp_path / "sub" / "c.txt")
    assert digest() not in {first, second}
