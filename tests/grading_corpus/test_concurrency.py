"""Two ``seminarkit grade`` processes on one ``--out``: the second waits, the gradebook is the union.

Real processes, started together, each grading half of a class of 12 into the same folder.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpus_support import FULL, MINI, Q1_OK, grades, rows, solved, write


@pytest.mark.kernel
def test_two_graders_on_one_folder_end_with_every_student(tmp_path: Path) -> None:
    subs, out = tmp_path / "subs", tmp_path / "out"
    slow = Q1_OK + "\nimport time\ntime.sleep(1.5)"  # holds the folder long enough to overlap
    class_ = [write(subs, f"s{n:02d}.ipynb", solved(q1=slow if n in (0, 6) else Q1_OK))
              for n in range(12)]
    halves = (class_[:6], class_[6:])
    started = []
    for half in halves:
        started.append(subprocess.Popen(
            [sys.executable, "-m", "seminarkit", "grade", "--exercise", str(MINI),
             *map(str, half), "--out", str(out)], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True))
        time.sleep(0.3)
    results = [p.communicate(timeout=180) for p in started]
    assert [p.returncode for p in started] == [0, 0], results
    waited = [err for _, err in results if "waiting for it to finish" in err]
    assert len(waited) == 1, results
    assert waited[0].strip().startswith("seminarkit: warning: another seminarkit grade (pid ")
    found = grades(out)
    assert {r["student"] for r in rows(out)} == {f"s{n:02d}" for n in range(12)}
    for n in range(12):
        assert {k: found[(f"s{n:02d}", k)] for k in FULL} == FULL
    summary = (out / "summary.json").read_text()
    assert '"submissions": 12' in summary
