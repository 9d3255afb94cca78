"""Benchmark: the same submissions graded by ``nbgrader autograde`` and ``seminarkit grade``.

Run from the repository root::

    .venv/bin/python benchmarks/grade_bench.py [--jobs 2] [--only mix|correct] [--n 400]

nbgrader is installed into its own virtualenv (``build/bench-venv``, created on first run with
``pip install nbgrader ipykernel``; it is not a dependency of the kit). seminarkit is the one
in this repository (``src`` first on ``PYTHONPATH``). One source notebook carries both tools'
cell metadata, so both grade the very same files: 3 auto-graded answers (``square`` 1 pt,
``fib`` 2 pt, ``is_palindrome`` 2 pt), 10 s per cell. Two runs:

* ``mix``: 40 submissions following the baseline study (research env-baseline section 5),
  doubled: 16 correct, 8 ``fib`` off by one, 6 untouched, 4 syntax errors, 4 case-sensitive
  palindromes, 1 infinite loop, 1 corrupt file;
* ``correct``: ``--n`` submissions (400 by default), all correct.

Both tools are timed as CLI processes, start-up included; seminarkit runs with isolation on
(template, supervisors, namespaces, Landlock, seccomp). Peak memory is the largest sum, over
the tool's whole process tree (kernels, templates, supervisors, student processes), of the
proportional set size (PSS: shared pages divided among the processes sharing them), sampled
every 50 ms. Prints throughput, peak memory and the ratio for each run.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import threading
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
MIX = (["correct"] * 16 + ["fib-off"] * 8 + ["untouched"] * 6 + ["syntax"] * 4 + ["case"] * 4
       + ["loop"] + ["corrupt"])


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


def submissions(release: dict, kinds: list[str]) -> dict[str, bytes]:
    """Return one submission per kind, by student id."""
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
        out[f"s{number:03d}"] = data[:500] if kind == "corrupt" else data
    return out


def setup(bin_dir: Path, name: str, kinds: list[str]) -> tuple[Path, Path, list[Path]]:
    """Lay out an nbgrader course and the flat seminarkit copies of the same files."""
    work = WORK / name
    if work.exists():
        shutil.rmtree(work)
    course = work / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    source = course / "source" / "ps1" / "ps1.ipynb"
    source.write_text(json.dumps(source_notebook(), indent=1))
    (course / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "bench"\n'
        f"c.Execute.timeout = {CELL_SECONDS}\n")
    made = subprocess.run([str(bin_dir / "nbgrader"), "generate_assignment", "ps1", "--force"],
                          cwd=course, capture_output=True, text=True, env=_nb_env(bin_dir))
    if made.returncode:
        sys.exit(f"nbgrader generate_assignment failed:\n{made.stderr[-3000:]}")
    release = json.loads((course / "release" / "ps1" / "ps1.ipynb").read_text())
    flat = work / "seminarkit-subs"
    flat.mkdir()
    files = []
    for student, data in submissions(release, kinds).items():
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        (folder / "ps1.ipynb").write_bytes(data)
        (folder / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC")
        (flat / f"{student}.ipynb").write_bytes(data)
        files.append(flat / f"{student}.ipynb")
    return course, source, files


def _nb_env(bin_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def _kit_env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep + path if path else ''}"}


def _tree_pss(root: int) -> int:
    """Sum of PSS (bytes) over ``root`` and all its descendants."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as handle:
                    stat = handle.read()
                parents[int(entry.name)] = int(stat[stat.rfind(")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def timed(argv: list[str], cwd: Path | None, env: dict[str, str]) -> tuple[float, int, int]:
    """Run a command; return (seconds, peak PSS of its process tree in bytes, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_pss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - start
    sampler.join()
    return seconds, peak[0], code


def run_case(bin_dir: Path, name: str, kinds: list[str], jobs: int) -> dict[str, float]:
    """Grade one set of files with both tools; return the figures."""
    course, source, files = setup(bin_dir, name, kinds)
    nb_s, nb_peak, _ = timed([str(bin_dir / "nbgrader"), "autograde", "ps1", "--force"],
                             course, _nb_env(bin_dir))  # exit 1 on the corrupt file
    out = WORK / name / "seminarkit-out"
    sk_s, sk_peak, code = timed([sys.executable, "-m", "seminarkit", "grade", "--exercise",
                                 str(source), *map(str, files), "--out", str(out), "--jobs",
                                 str(jobs), "--force"], None, _kit_env())
    if code:
        sys.exit(f"seminarkit grade failed with exit code {code}")
    statuses: dict[str, int] = {}
    with open(out / "grades.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    n = len(files)
    mb = 1024 * 1024
    print(f"\n{name}: {n} submissions (cores: {os.cpu_count()}, seminarkit --jobs {jobs})")
    print(f"  nbgrader autograde : {nb_s:7.2f} s  {n / nb_s:6.2f} submissions/s  "
          f"peak {nb_peak / mb:6.0f} MB")
    print(f"  seminarkit grade   : {sk_s:7.2f} s  {n / sk_s:6.2f} submissions/s  "
          f"peak {sk_peak / mb:6.0f} MB")
    print(f"  ratio (seminarkit / nbgrader throughput): {nb_s / sk_s:.1f}x")
    print(f"  seminarkit item statuses: {dict(sorted(statuses.items()))}", flush=True)
    return {"n": n, "nbgrader_s": nb_s, "seminarkit_s": sk_s, "nbgrader_peak": nb_peak,
            "seminarkit_peak": sk_peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", choices=("mix", "correct"), default=None)
    parser.add_argument("--n", type=int, default=400, help="submissions in the correct run")
    args = parser.parse_args()
    bin_dir = ensure_venv()
    if args.only in (None, "mix"):
        run_case(bin_dir, "mix", MIX, args.jobs)
    if args.only in (None, "correct"):
        run_case(bin_dir, "correct", ["correct"] * args.n, args.jobs)


if __name__ == "__main__":
    main()
