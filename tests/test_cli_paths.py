"""Every command with a path: an unusable output or a missing input is one line, exit 1.

The output path is checked before any work, so nothing is created or half-written: the
test folder holds exactly what it held before the command ran.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
MINI = FIXTURES / "mini.ipynb"
Run = Callable[..., tuple[int, str, str]]


def _writable(folder: Path) -> bool:
    try:
        probe = folder / ".probe"
        probe.mkdir()
        probe.rmdir()
    except OSError:
        return False
    return True


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """Give a folder this process cannot write into (root ignores modes: sysfs stays read-only)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if _writable(folder):  # running as root
            folder = Path("/sys/kernel")
            if not folder.is_dir() or _writable(folder):
                pytest.skip("no folder that this user cannot write (root without sysfs)")
        yield folder
    finally:
        (tmp_path / "read-only").chmod(0o700)


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give a working folder holding one plain file (a-file), a roster and a submission."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("not a folder\n")
    (tmp_path / "roster.csv").write_text("id\ns1\n")
    shutil.copy(MINI, tmp_path / "sub.ipynb")
    (tmp_path / "grades").mkdir()
    return tmp_path


# (case id, command line with OUT where the output goes, kind of output)
OUTPUTS: list[tuple[str, list[str], str]] = [
    ("build", ["build", "--out", "OUT", "--quiet"], "folder"),
    ("release", ["release", str(MINI), "--out", "OUT"], "folder"),
    ("grade", ["grade", "--exercise", str(MINI), "sub.ipynb", "--out", "OUT"], "folder"),
    ("grade-export-manual", ["grade", "--exercise", str(MINI), "--out", "grades",
                             "--export-manual", "OUT"], "file"),
    ("quiz-export", ["quiz", "export", "afghanistan-2018", "-o", "OUT"], "file"),
    ("quiz-variants", ["quiz", "variants", "afghanistan-2018", "--roster", "roster.csv",
                       "--out", "OUT"], "folder"),
    ("quiz-score", ["quiz", "score", "afghanistan-2018", "grades", "--out", "OUT"], "file"),
]
# (case id, what OUT is, for a folder output / for a file output, words the line must hold)
BAD_OUTPUTS = [
    ("is-a-file", "a-file", "grades", ["is a file, not a folder", "is a folder; give a file name"]),
    ("under-a-file", "a-file/out", "a-file/out.csv", ["a-file is a file, not a folder"]),
    ("unwritable", "UNWRITABLE/out", "UNWRITABLE/out.csv", ["is not writable"]),
]


def _snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder)."""
    return {str(p.relative_to(root)): None if p.is_dir() else p.read_bytes()
            for p in root.rglob("*")}


@pytest.mark.parametrize(("args", "kind"), [c[1:] for c in OUTPUTS], ids=[c[0] for c in OUTPUTS])
@pytest.mark.parametrize(("as_folder", "as_file", "words"), [b[1:] for b in BAD_OUTPUTS],
                         ids=[b[0] for b in BAD_OUTPUTS])
def test_unusable_output_is_one_line_and_writes_nothing(
    run_cli: Run, place: Path, unwritable: Path, args: list[str], kind: str, as_folder: str,
    as_file: str, words: list[str],
) -> None:
    out = (as_folder if kind == "folder" else as_file).replace("UNWRITABLE", str(unwritable))
    before = _snapshot(place)
    code, stdout, err = run_cli(*[out if a == "OUT" else a for a in args])
    assert code == 1
    assert stdout == ""
    assert err.count("\n") == 1, err
    assert err.startswith(f"seminarkit: error: {out}: ")
    assert any(w in err for w in words), err
    assert _snapshot(place) == before
    if "UNWRITABLE" in as_folder:
        assert not os.path.lexists(out)


# (case id, command line, the message)
MISSING_INPUTS: list[tuple[str, list[str], str]] = [
    ("validate-materials", ["validate", "--materials", "nowhere"], "missing course.yaml"),
    ("build-materials", ["build", "--materials", "nowhere", "--out", "out"], "missing course.yaml"),
    ("release-exercise", ["release", "nowhere.ipynb", "--out", "out"], "no such exercise"),
    ("release-materials", ["release", str(MINI), "--out", "out", "--materials", "nowhere"],
     "missing course.yaml"),
    ("grade-exercise", ["grade", "--exercise", "nowhere.ipynb", "sub.ipynb", "--out", "out"],
     "no such exercise"),
    ("grade-submission", ["grade", "--exercise", str(MINI), "nowhere.ipynb", "--out", "out"],
     "no such submission"),
    ("grade-import-manual", ["grade", "--exercise", str(MINI), "--out", "grades",
                             "--import-manual", "nowhere.csv"], "nowhere.csv: no such file"),
    ("check-leaks-path", ["check-leaks", "nowhere"], "nowhere does not exist"),
    ("quiz-roster", ["quiz", "variants", "afghanistan-2018", "--roster", "nowhere.csv", "--out",
                     "out"], "nowhere.csv: cannot read roster"),
    ("quiz-responses", ["quiz", "score", "afghanistan-2018", "nowhere", "--out", "s.csv"],
     "nowhere: no such file or folder"),
    ("lab-materials", ["lab", "--materials", "nowhere"], "missing course.yaml"),
]


@pytest.mark.parametrize(("args", "message"), [c[1:] for c in MISSING_INPUTS],
                         ids=[c[0] for c in MISSING_INPUTS])
def test_missing_input_is_one_line(run_cli: Run, place: Path, args: list[str],
                                   message: str) -> None:
    before = _snapshot(place)
    code, _, err = run_cli(*args)
    assert code in (1, 2)
    lines = err.strip().splitlines()
    assert message in lines[0], err
    assert len(lines) == 1 or lines[1].startswith("1 problem(s) found"), err
    assert "Traceback" not in err and "internal error" not in err
    assert _snapshot(place) == before


def test_build_readme_as_out_is_one_line(run_cli: Run) -> None:
    readme = Path(__file__).resolve().parents[1] / "README.md"
    code, _, err = run_cli("build", "--out", str(readme), "--quiet")
    assert code == 1
    assert err == f"seminarkit: error: {readme}: is a file, not a folder (choose another output folder)\n"
