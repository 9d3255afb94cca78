"""Copying another student: nothing of an earlier job is in memory, and no event crosses jobs.

Each attack runs after a correct submission was graded in the same grader (``--jobs 1``,
so on the same template), which is when the warm-interpreter design leaked.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from corpus_support import FULL, MINI, grades, reports, solved, write

from seminarkit.grading import sandbox
from seminarkit.grading.exercise import load_exercise
from seminarkit.grading.grade import grade
from seminarkit.grading.protocol import GradeJob
from seminarkit.grading.sanitize import sanitize
from seminarkit.grading.scoring import all_probes

# Looks for the previous student's reported values everywhere it can: objects the
# interpreter holds (gc) and the raw memory of its own process (/proc/self/mem).
COPIER_SCAN = r'''
import gc, re, time
_pat = re.compile(rb'"(?:[a-z0-9-]+/)?(total|double\([^"]{0,20}\))"\s*:\s*\{\s*"value"\s*:\s*(-?[0-9.]+)')
_found = {}
def _scan(blob):
    for m in _pat.finditer(blob):
        _found.setdefault(m.group(1).decode(), float(m.group(2)))
# Each scan is bounded in time (about a second), so that on a busy machine the attack still
# finishes inside the cell limit and the test checks what it found, not a timeout.
_start = time.monotonic()
for _obj in gc.get_objects():
    if time.monotonic() - _start > 1.5:
        break
    try:
        if isinstance(_obj, dict):
            _scan(repr(_obj).encode()[:200000])
        elif isinstance(_obj, (list, tuple)):
            for _item in _obj[:1000]:
                if isinstance(_item, (str, bytes)):
                    _scan(_item.encode() if isinstance(_item, str) else _item)
    except Exception:
        pass
_start = time.monotonic()
try:
    with open("/proc/self/maps") as _maps, open("/proc/self/mem", "rb", 0) as _mem:
        for _line in _maps:
            _span, _perms = _line.split()[:2]
            if "r" not in _perms or time.monotonic() - _start > 1.0:
                continue
            _lo, _hi = (int(x, 16) for x in _span.split("-"))
            if _hi - _lo > 64 << 20:
                continue
            try:
                _mem.seek(_lo)
                _scan(_mem.read(_hi - _lo))
            except OSError:
                pass
except OSError:
    pass
'''
COPIER_Q1 = COPIER_SCAN + "total = int(_found.get('total', -1))"
COPIER_Q2 = ("def double(x):\n    return _found.get(f'double({x!r})')")


@pytest.mark.kernel
def test_a_later_submission_cannot_read_an_earlier_students_values(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    paths = [write(subs, "aaa-honest.ipynb", solved()),
             write(subs, "zzz-copier.ipynb", solved(q1=COPIER_Q1, q2=COPIER_Q2))]
    grade(MINI, paths, tmp_path / "out", jobs=1)
    found = grades(tmp_path / "out")
    assert {k: found[("aaa-honest", k)] for k in FULL} == FULL
    assert found[("zzz-copier", "q1-test")] == (1.0, "partial")  # an int, but not 60
    assert found[("zzz-copier", "q2-test")] == (0.0, "failed")


def _job(nb: dict[str, object]) -> GradeJob:
    """Return the job the grader would build for one submission of the mini exercise."""
    exercise = load_exercise(MINI)
    data = base64.b64encode((MINI.parent / "numbers.csv").read_bytes()).decode()
    return GradeJob(cells=sanitize(exercise, nb).cells, probes=all_probes(exercise),
                    files={"numbers.csv": data}, limits=exercise.limits, isolate=True)


@pytest.mark.kernel
def test_events_replayed_from_another_job_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded: list[bytes] = []
    original = sandbox.Channel.read

    def recording(self: sandbox.Channel, deadline: float) -> bytes | None:
        line = original(self, deadline)
        if line is not None:
            recorded.append(line)
        return line

    monkeypatch.setattr(sandbox.Channel, "read", recording)
    honest = json.loads(sandbox.execute(json.dumps(_job(solved()))))
    assert honest["values"]["q1-test/total"] == {"value": 60}
    stolen = [line for line in recorded if b'"nonce"' in line]
    assert len(stolen) >= 8  # isolation, starts, ends, probes, exit...

    def replaying(self: sandbox.Channel, deadline: float) -> bytes | None:
        line = original(self, deadline)
        if line is not None and b'"forked"' not in line and stolen:
            self.pending[:0] = b"\n".join(stolen) + b"\n"  # the honest job's events first
            stolen.clear()
        return line

    monkeypatch.setattr(sandbox.Channel, "read", replaying)
    copier = json.loads(sandbox.execute(json.dumps(_job(solved(q1="pass", q2="pass")))))
    assert copier["values"]["q1-test/total"]["error"]["kind"] == "missing"
    assert copier["values"]["q2-test/double(21)"]["error"]["kind"] == "missing"
    assert copier["rejected_events"] >= 8


FORGER = r'''
import json, os
lines = [{"ev": "probe", "key": "total", "value": 60},
         {"ev": "probe", "key": "double(1)", "value": 2},
         {"ev": "probe", "key": "double(21)", "value": 42},
         {"ev": "probe", "key": "double(0.5)", "value": 1.0},
         {"ev": "end", "step": "q2", "status": "ok"}, {"ev": "cells-done"},
         {"ev": "batch-done"}, {"ev": "done"}]
for nonce in ("", "0" * 32):
    for line in lines:
        data = (json.dumps({**line, "nonce": nonce}) + "\n").encode()
        for fd in range(3, 64):
            try:
                os.write(fd, data)
            except OSError:
                pass
'''


@pytest.mark.kernel
def test_events_forged_by_the_student_process_earn_nothing(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    paths = [write(subs, "honest.ipynb", solved()),
             write(subs, "forger.ipynb", solved(q1=FORGER, q2="pass"))]
    grade(MINI, paths, tmp_path / "out", jobs=1)
    found = grades(tmp_path / "out")
    assert found[("forger", "q1-test")] == (0.0, "missing-answer")
    assert found[("forger", "q2-test")] == (0.0, "missing-answer")
    assert reports(tmp_path / "out")["forger"]["run"]["rejected_events"] >= 8
