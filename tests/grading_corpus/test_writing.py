"""Writing where it must not: no submission creates or changes files for another student.

The first test attacks from inside the sandbox; the second plays a machine without
file-system isolation, where a submission could drop files into ``--out`` directly: the
gradebook only believes reports it wrote itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_support import FULL, MINI, Q1_OK, grades, rows, solved, write

from seminarkit.grading.grade import grade
from seminarkit.grading.gradebook import Gradebook

FORGER = '''
import os, json
out = {out!r}
report = {{"student": "invented", "exercise": "mini", "items": [{{"item": "q1-test",
          "kind": "test", "points": 2, "max": 2, "status": "ok", "detail": "", "checks": []}}]}}
written = []
targets = [os.path.join(out, "reports", "invented--mini.json"),
           os.path.join(out, "feedback", "invented--mini.html"),
           os.path.join(out, "grades.csv"), os.path.join(out, "reports", "index.json")]
for target in targets:
    try:
        with open(target, "w") as handle:
            handle.write(json.dumps(report))
        written.append(target)
    except OSError:
        pass
try:
    os.symlink(os.path.join(out, "reports"), "link")
    with open(os.path.join("link", "invented2--mini.json"), "w") as handle:
        handle.write(json.dumps(report))
    written.append("link")
except OSError:
    pass
if written:
    raise ValueError("WROTE " + " ".join(written))
''' + Q1_OK


@pytest.mark.kernel
def test_a_submission_cannot_write_into_the_gradebook(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subs = tmp_path / "subs"
    first = grade(MINI, [write(subs, "early.ipynb", solved())], out)  # out exists, holds files
    assert first.graded == 1
    grade(MINI, [write(subs, "forger.ipynb", solved(q1=FORGER.format(out=str(out))))], out)
    found = grades(out)
    assert {k: found[("forger", k)] for k in FULL} == FULL  # its cell raised nothing
    assert {r["student"] for r in rows(out)} == {"early", "forger"}
    assert not list(out.rglob("invented*"))


@pytest.mark.kernel
def test_reports_the_grader_did_not_write_are_ignored(tmp_path: Path) -> None:
    out = tmp_path / "out"
    grade(MINI, [write(tmp_path / "subs", "alice.ipynb", solved())], out)
    planted = {"student": "invented", "exercise": "mini", "status": "ok", "items": [
        {"item": "q1-test", "kind": "test", "points": 2, "max": 2, "status": "ok",
         "detail": "", "checks": []}]}
    (out / "reports" / "invented--mini.json").write_text(json.dumps(planted))
    (out / "feedback" / "invented--mini.html").write_text("<p>2 / 2</p>")
    alice = json.loads((out / "reports" / "alice--mini.json").read_text())
    alice["items"][0]["points"] = 99  # a changed report is not believed either
    (out / "reports" / "alice--mini.json").write_text(json.dumps(alice))
    warnings: list[str] = []
    grade(MINI, [write(tmp_path / "subs", "bob.ipynb", solved())], out, warn=warnings.append)
    assert {r["student"] for r in rows(out)} == {"bob"}
    assert any("did not write" in w and "invented--mini.json" in w for w in warnings)
    assert not (out / "feedback" / "invented--mini.html").exists()
    assert set(Gradebook(out).reports) == {"bob--mini"}  # alice's edited report is not used
