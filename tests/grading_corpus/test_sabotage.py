"""Sabotage: every process a submission starts dies with it, and limits hold without its help.

The killer below does what the independent test did: a double-forked, ``setsid`` grandchild
that outlives its submission and kills every process it can see. When it finds itself in the
grader's own PID namespace (isolation missing) it only goes after its own supervisor and
template, so a failure of this test cannot take down other work on the machine.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from corpus_support import FULL, MINI, Q1_OK, add_cell, grades, reports, solved, write

from seminarkit.grading.grade import grade

HOST_PIDNS = os.readlink("/proc/self/ns/pid")
MARKER = f"seminarkit-survivor-{os.getpid()}"

KILLER = f'''
import os, signal, sys, time
def _targets():
    if os.readlink("/proc/self/ns/pid") == {HOST_PIDNS!r}:  # not isolated: stay local
        return [os.getppid()]
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        if os.fork() == 0:  # a long-lived survivor probe, recognisable by its command line
            os.execv(sys.executable, [sys.executable, "-c",
                                      "import time; time.sleep(60)", {MARKER!r}])
        time.sleep(0.5)  # long after this submission's own run has ended
        end = time.monotonic() + 6
        while time.monotonic() < end:
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
            for pid in _targets():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)
        os._exit(0)
    os._exit(0)
os.wait()
''' + Q1_OK


def _survivors() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if MARKER.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.kernel
def test_a_detached_grandchild_dies_with_its_submission(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    paths = [write(subs, "aaa-killer.ipynb", solved(q1=KILLER))]
    paths += [write(subs, f"student{n}.ipynb", solved()) for n in range(6)]
    started = time.monotonic()
    grade(MINI, paths, tmp_path / "out", jobs=1)
    found = grades(tmp_path / "out")
    for n in range(6):  # every later student, graded while the killer would be active
        assert {k: found[(f"student{n}", k)] for k in FULL} == FULL
    assert {k: found[("aaa-killer", k)] for k in FULL} == FULL
    assert time.monotonic() - started < 30
    time.sleep(1.0)
    assert _survivors() == []


@pytest.mark.kernel
def test_the_grader_and_parallel_jobs_survive_a_submission_that_kills_everything(
        tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    paths = [write(subs, f"killer{n}.ipynb", solved(q1=KILLER)) for n in range(2)]
    paths += [write(subs, f"student{n}.ipynb", solved()) for n in range(8)]
    grade(MINI, paths, tmp_path / "out", jobs=2)
    found = grades(tmp_path / "out")
    for n in range(8):
        assert {k: found[(f"student{n}", k)] for k in FULL} == FULL
    time.sleep(1.0)
    assert _survivors() == []
    # the same grader process grades again afterwards: its template survived
    again = grade(MINI, [write(tmp_path / "later", "late.ipynb", solved())], tmp_path / "out2")
    assert again.graded == 1


SILENT_SLEEPER = '''
import os, signal, time
signal.signal(signal.SIGALRM, signal.SIG_IGN)  # the cell's own alarm no longer fires
for fd in range(3, 256):  # and the report channel is gone
    try:
        os.close(fd)
    except OSError:
        pass
time.sleep(100)
'''


@pytest.mark.kernel
def test_a_cell_that_closes_its_report_channel_and_sleeps_is_killed_at_its_cell_limit(
        tmp_path: Path) -> None:
    path = write(tmp_path / "subs", "sleeper.ipynb", solved(q1=Q1_OK + "\n" + SILENT_SLEEPER))
    started = time.monotonic()
    grade(MINI, [path], tmp_path / "out")
    elapsed = time.monotonic() - started
    found = grades(tmp_path / "out")
    assert found[("sleeper", "q1-test")] == (0.0, "timeout")
    assert found[("sleeper", "q2-test")] == (3.0, "ok")  # graded in a retry without q1
    run = reports(tmp_path / "out")["sleeper"]["run"]
    assert run["steps"]["q1"]["status"] == "timeout"
    assert run["seconds"] < 2 + 1 + 4  # cell limit + grace + a retry, not 100 s
    assert elapsed < 30


@pytest.mark.kernel
def test_silent_cells_cannot_outlast_the_total_limit(tmp_path: Path) -> None:
    nb = solved()
    for _ in range(4):  # four silent sleepers, each retried past: 4 x 3 s > 12 s in all
        nb = add_cell(nb, "q2", SILENT_SLEEPER)
    path = write(tmp_path / "subs", "patient.ipynb", nb)
    started = time.monotonic()
    grade(MINI, [path], tmp_path / "out")
    run = reports(tmp_path / "out")["patient"]["run"]
    assert run["status"] in ("timeout", "crashed")
    assert run["seconds"] <= 12 + 1 + 1
    assert time.monotonic() - started < 40
    found = grades(tmp_path / "out")
    assert found[("patient", "q1-test")] == (2.0, "ok")


SURVIVOR = f'''
import os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)",
                                  {MARKER!r}])
    os._exit(0)
os.wait()
''' + Q1_OK


@pytest.mark.kernel
def test_without_namespaces_a_group_kill_and_a_sweep_end_every_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from seminarkit.grading import sandbox
    from seminarkit.grading.isolation import NAMESPACES_SWITCH

    monkeypatch.setenv(NAMESPACES_SWITCH, "off")  # as on a kernel without user namespaces
    sandbox.shutdown()
    try:
        warnings: list[str] = []
        paths = [write(tmp_path / "subs", "survivor.ipynb", solved(q1=SURVIVOR)),
                 write(tmp_path / "subs", "honest.ipynb", solved())]
        grade(MINI, paths, tmp_path / "out", warn=warnings.append)
        assert len(warnings) == 1
        assert warnings[0].startswith("grading with weaker isolation than full Linux: no PID "
                                      "namespace")
        found = grades(tmp_path / "out")
        assert {k: found[("honest", k)] for k in FULL} == FULL
        layers = reports(tmp_path / "out")["survivor"]["run"]["isolation"]
        assert (layers["processes"], layers["filesystem"]) == (False, True)
        time.sleep(1.0)
        assert _survivors() == []
    finally:
        monkeypatch.undo()
        sandbox.shutdown()


FORK_BOMB = '''
import os, time
end = time.monotonic() + 1.5
while time.monotonic() < end:
    try:
        os.fork()
    except OSError:
        time.sleep(0.01)
''' + Q1_OK


@pytest.mark.kernel
def test_a_fork_bomb_is_capped_and_does_not_starve_other_jobs(tmp_path: Path) -> None:
    paths = [write(tmp_path / "subs", "bomb.ipynb", solved(q1=FORK_BOMB))]
    paths += [write(tmp_path / "subs", f"student{n}.ipynb", solved()) for n in range(6)]
    grade(MINI, paths, tmp_path / "out", jobs=2)
    found = grades(tmp_path / "out")
    for n in range(6):
        assert {k: found[(f"student{n}", k)] for k in FULL} == FULL
    assert reports(tmp_path / "out")["bomb"]["run"]["isolation"]["tasks"] is True


DISK_FILLER = '''
written = 0
try:
    for n in range(1000):
        with open(f"filler{n}", "wb") as handle:
            for _ in range(8):
                handle.write(b"x" * (4 << 20))
                written += 4
except OSError:
    pass
raise ValueError(f"WROTE {written} MB")
'''


@pytest.mark.kernel
def test_a_submission_cannot_fill_the_graders_disk(tmp_path: Path) -> None:
    import re
    import shutil

    free = shutil.disk_usage("/tmp").free
    paths = [write(tmp_path / "subs", "filler.ipynb", solved(q1=DISK_FILLER)),
             write(tmp_path / "subs", "honest.ipynb", solved())]
    grade(MINI, paths, tmp_path / "out")
    report = reports(tmp_path / "out")["filler"]
    assert report["run"]["isolation"]["disk"] is True
    detail = report["items"][0]["detail"]
    written = int(re.search(r"WROTE (\d+) MB", detail).group(1))  # type: ignore[union-attr]
    assert 100 <= written <= 200  # the tmpfs holds memory_mb (200 MB) and no more
    assert shutil.disk_usage("/tmp").free > free - 50 * 1024 * 1024
    found = grades(tmp_path / "out")
    assert {k: found[("honest", k)] for k in FULL} == FULL


@pytest.mark.kernel
def test_nothing_of_a_run_is_left_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from seminarkit.grading import sandbox

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # the template's TMPDIR
    sandbox.shutdown()
    try:
        paths = [write(tmp_path / "subs", "survivor.ipynb", solved(q1=SURVIVOR)),
                 write(tmp_path / "subs", "filler.ipynb", solved(q1=DISK_FILLER)),
                 write(tmp_path / "subs", "honest.ipynb", solved())]
        grade(MINI, paths, tmp_path / "out", jobs=2)
    finally:
        sandbox.shutdown()
        monkeypatch.undo()
    assert sorted(p.name for p in scratch.iterdir()) == [f"seminarkit-grading-{os.getuid()}"]
    groups = Path("/sys/fs/cgroup/pids").glob("seminarkit-*")  # one per live supervisor only
    assert [g.name for g in groups if not Path(f"/proc/{g.name.split('-')[1]}").exists()] == []
    time.sleep(1.0)
    assert _survivors() == []
