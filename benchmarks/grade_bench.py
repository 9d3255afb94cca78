"""Benchmark: the same 40 submissions graded by ``nbgrader autograde`` and ``seminarkit grade``.

Run from the repository root::

    .venv/bin/python benchmarks/grade_bench.py [--jobs 2] [--keep]

nbgrader is installed into its own virtualenv (``build/bench-venv``, created on first run; it
is not a dependency of the kit). One source notebook carries both tools' cell metadata, so
both grade the very same files: 3 auto-graded answers (``square`` 1 pt, ``fib`` 2 pt,
``is_palindrome`` 2 pt), 10 s per cell. The mix follows the baseline study (research
env-baseline section 5), doubled: 16 correct, 8 ``fib`` off by one, 6 untouched, 4 syntax
errors, 4 case-sensitive palindromes, 1 infinite loop, 1 corrupt file.

Both tools are timed as CLI processes, start-up included; seminarkit runs with isolation on
(forked sandboxes, limits, no network, Landlock). Prints both throughputs and the ratio.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
VENV = BUILD / "bench-venv"
WORK = BUILD / "grade-bench"
CELL_SECONDS = 10

SOLUTIONS = {
    "square": "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION",
    "fib": ("def fib(n):\n    ### BEGIN SOLUTION\n    a, b = 0, 1\n    for _ in range(n):\n"
            "        a, b = b, a + b\n    return a\n    ### END SOLUTION"),
    "pal": ("def is_palindrome(s):\n    ### BEGIN SOLUTION\n    s = s.lower()\n"
            "    return s == s[::-1]\n    ### END SOLUTION"),
}
TESTS = {
    "square": ("assert square(3) == 9\n### BEGIN HIDDEN TESTS\nassert square(-4) == 16\n"
               "### END HIDDEN TESTS", 1),
    "fib": ("assert fib(1) == 1\n### BEGIN HIDDEN TESTS\nassert fib(10) == 55\n"
            "assert fib(0) == 0\n### END HIDDEN TESTS", 2),
    "pal": ("assert is_palindrome('abba')\n### BEGIN HIDDEN TESTS\n"
            "assert is_palindrome('Racecar')\nassert not is_palindrome('abc')\n"
            "### END HIDDEN TESTS", 2),
}
STUDENT_CODE = {
    "square": "def square(x):\n    return x * x",
    "fib": "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a",
    "pal": "def is_palindrome(s):\n    s = s.lower()\n    return s == s[::-1]",
}


def _cell(kind: str, source: str, nbgrader: dict | None, kit: dict | None) -> dict:
    meta: dict = {}
    if nbgrader is not None:
        meta["nbgrader"] = {"schema_version": 3, "locked": False, "solution": False,
                            "grade": False, "task": False, **nbgrader}
    if kit is not None:
        meta["seminarkit"] = kit
    cell = {"cell_type": kind, "id": f"c{len(source)}-{abs(hash(source)) % 10**8}",
            "metadata": meta, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def source_notebook() -> dict:
    """Return the instructor source, with nbgrader and seminarkit metadata on the same cells."""
    cells = [_cell("markdown", "# Problem set 1\nThree small functions.", None, None)]
    for name in ("square", "fib", "pal"):
        cells.append(_cell("code", SOLUTIONS[name],
                           {"grade_id": name, "solution": True},
                           {"id": name, "role": "answer"}))
        test, points = TESTS[name]
        cells.append(_cell("code", test,
                           {"grade_id": f"{name}-test", "grade": True, "locked": True,
                            "points": points},
                           {"id": f"{name}-test", "role": "test", "points": points}))
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"},
                         "language_info": {"name": "python"},
                         "seminarkit": {"exercise": "ps1", "module": "bench", "files": [],
                                        "limits": {"cell_seconds": CELL_SECONDS,
                                                   "total_seconds": 60, "memory_mb": 512}}}}


def ensure_venv() -> Path:
    """Create build/bench-venv with nbgrader (once) and return its bin folder."""
    bin_dir = VENV / "bin"
    if not (bin_dir / "nbgrader").is_file():
        print("creating build/bench-venv with nbgrader (first run only)...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "-q", "nbgrader", "ipykernel"],
                       check=True)
    return bin_dir


def _answer(nb: dict, name: str, source: str) -> None:
    for cell in nb["cells"]:
        if cell["metadata"].get("seminarkit", {}).get("id") == name:
            cell["source"] = source


def submissions(release: dict) -> dict[str, bytes]:
    """Return the 40 submissions, by student id."""
    kinds = (["correct"] * 16 + ["fib-off"] * 8 + ["untouched"] * 6 + ["syntax"] * 4
             + ["case"] * 4 + ["loop"] + ["corrupt"])
    out: dict[str, bytes] = {}
    for number, kind in enumerate(kinds, start=1):
        nb = copy.deepcopy(release)
        if kind != "untouched":
            for name, code in STUDENT_CODE.items():
                _answer(nb, name, code)
        if kind == "fib-off":
            _answer(nb, "fib", STUDENT_CODE["fib"].replace("range(n)", "range(n + 1)"))
        elif kind == "syntax":
            _answer(nb, "square", "def square(x)\n    return x * x")
        elif kind == "case":
            _answer(nb, "pal", "def is_palindrome(s):\n    return s == s[::-1]")
        elif kind == "loop":
            _answer(nb, "fib", "def fib(n):\n    while True:\n        pass")
        data = json.dumps(nb, indent=1).encode()
        out[f"s{number:02d}"] = data[:500] if kind == "corrupt" else data
    return out


def setup(bin_dir: Path) -> tuple[Path, list[Path]]:
    """Lay out the nbgrader course and the flat seminarkit copies of the same files."""
    if WORK.exists():
        shutil.rmtree(WORK)
    course = WORK / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    source = course / "source" / "ps1" / "ps1.ipynb"
    source.write_text(json.dumps(source_notebook(), indent=1))
    (course / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "bench"\n'
        f"c.Execute.timeout = {CELL_SECONDS}\n")
    made = subprocess.run([str(bin_dir / "nbgrader"), "generate_assignment", "ps1", "--force"],
                          cwd=course, capture_output=True, text=True, env=_env(bin_dir))
    if made.returncode:
        sys.exit(f"nbgrader generate_assignment failed:\n{made.stderr[-3000:]}")
    release = json.loads((course / "release" / "ps1" / "ps1.ipynb").read_text())
    flat = WORK / "seminarkit-subs"
    flat.mkdir()
    files = []
    for student, data in submissions(release).items():
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        (folder / "ps1.ipynb").write_bytes(data)
        (folder / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC")
        (flat / f"{student}.ipynb").write_bytes(data)
        files.append(flat / f"{student}.ipynb")
    return source, files


def _env(bin_dir: Path) -> dict[str, str]:
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def run_nbgrader(bin_dir: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(bin_dir / "nbgrader"), "autograde", "ps1", "--force"],
                   cwd=WORK / "course", env=_env(bin_dir), capture_output=True)  # exit 1: corrupt file
    return time.perf_counter() - start


def run_seminarkit(source: Path, files: list[Path], jobs: int) -> float:
    out = WORK / "seminarkit-out"
    exe = Path(sys.executable).with_name("seminarkit")
    start = time.perf_counter()
    subprocess.run([str(exe), "grade", "--exercise", str(source), *map(str, files), "--out",
                    str(out), "--jobs", str(jobs), "--force"], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    bin_dir = ensure_venv()
    source, files = setup(bin_dir)
    n = len(files)
    nb_seconds = run_nbgrader(bin_dir)
    sk_seconds = run_seminarkit(source, files, args.jobs)
    import csv

    with open(WORK / "seminarkit-out" / "grades.csv", newline="") as handle:
        statuses: dict[str, int] = {}
        for row in csv.DictReader(handle):
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    print(f"submissions: {n} (cores: {os.cpu_count()}, seminarkit --jobs {args.jobs})")
    print(f"nbgrader autograde : {nb_seconds:7.2f} s  {n / nb_seconds:6.2f} submissions/s")
    print(f"seminarkit grade   : {sk_seconds:7.2f} s  {n / sk_seconds:6.2f} submissions/s")
    print(f"ratio (seminarkit / nbgrader throughput): {nb_seconds / sk_seconds:.1f}x")
    print(f"seminarkit item statuses: {dict(sorted(statuses.items()))}")


if __name__ == "__main__":
    main()
