"""Seeing what it must not: the grader's command line, sockets outside, kit materials, hidden inputs.

Each spy reports what it found the only way a submission can: by raising, so the text would
land in its own feedback (``the answer cell raised ...``), or by what it computes.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from corpus_support import (
    FULL,
    MINI,
    Q1_OK,
    add_cell,
    all_text,
    feedback_text,
    grades,
    reports,
    solved,
    write,
)

from seminarkit.grading.grade import grade
from seminarkit.grading.probes import plan_test, run_checks

PROC_SPY = '''
import os
found = []
for pid in os.listdir("/proc"):
    for part in ("cmdline", "environ"):
        try:
            with open(f"/proc/{pid}/{part}", "rb") as handle:
                text = handle.read().replace(b"\\0", b" ").decode(errors="replace")
        except OSError:
            continue
        for word in ("roster-name", "--out", "grades-out", "--exercise"):
            if word in text:
                found.append(f"{pid}:{word}")
if found:
    raise ValueError("FOUND " + " ".join(found))
''' + Q1_OK


@pytest.mark.kernel
def test_the_grader_command_line_is_not_readable(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    paths = [write(subs, "spy.ipynb", solved(q1=PROC_SPY)),
             write(subs, "alice-roster-name.ipynb", solved()),
             write(subs, "bob-roster-name.ipynb", solved())]
    out = tmp_path / "grades-out"
    done = subprocess.run([sys.executable, "-m", "seminarkit", "grade", "--exercise", str(MINI),
                           *map(str, paths), "--out", str(out)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found = grades(out)
    assert found[("spy", "q1-test")] == (2.0, "ok"), reports(out)["spy"]["items"][0]
    assert "FOUND" not in all_text(out)


SOCKET_SPY = '''
import socket
reached = []
for family, address in ((socket.AF_UNIX, {path!r}), (socket.AF_UNIX, {abstract!r})):
    try:
        client = socket.socket(family, socket.SOCK_STREAM)
        client.settimeout(1)
        client.connect(address)
        reached.append(repr(address))
    except OSError:
        pass
try:
    left, right = socket.socketpair()
    left.connect({path!r})
    reached.append("socketpair")
except OSError:
    pass
if reached:
    raise ValueError("CONNECTED " + " ".join(reached))
''' + Q1_OK


@pytest.mark.kernel
def test_unix_sockets_outside_the_sandbox_cannot_be_reached(tmp_path: Path) -> None:
    path = str(tmp_path / "grader.sock")
    abstract = f"\0seminarkit-test-{tmp_path.name}"
    servers = []
    for address in (path, abstract):
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(address)
        server.listen(5)
        server.settimeout(0.2)
        servers.append(server)
    accepted: list[str] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            for server in servers:
                try:
                    server.accept()
                    accepted.append(str(server.getsockname()))
                except OSError:
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        sub = write(tmp_path / "subs", "spy.ipynb",
                    solved(q1=SOCKET_SPY.format(path=path, abstract=abstract)))
        grade(MINI, [sub], tmp_path / "out")
    finally:
        stop.set()
        thread.join()
        for server in servers:
            server.close()
    assert accepted == []
    assert grades(tmp_path / "out")[("spy", "q1-test")] == (2.0, "ok")


MATERIALS_SPY = '''
import os, sysconfig, importlib.util
import seminarkit
candidates = [os.path.join(sysconfig.get_paths()[k], "seminarkit", "_materials", "modules",
                           "afghanistan-2018", "quiz.yaml") for k in ("purelib", "platlib")]
package = os.path.dirname(seminarkit.__file__)
candidates += [os.path.join(package, "_materials", "modules", "afghanistan-2018", "quiz.yaml"),
               os.path.join(package, "..", "..", "materials", "modules", "afghanistan-2018",
                            "quiz.yaml"),
               os.path.join(package, "grading", "exercise.py")]
read = []
for path in candidates:
    try:
        with open(path) as handle:
            read.append(path + ": " + handle.read(80))
    except OSError:
        pass
for root, _, files in os.walk(os.path.join(sysconfig.get_paths()["purelib"], "seminarkit")):
    for name in files:  # names may be listed (imports list site-packages); contents never
        try:
            with open(os.path.join(root, name)) as handle:
                read.append(name + ": " + handle.read(80))
        except OSError:
            pass
if read:
    raise RuntimeError("READ " + " | ".join(read))
''' + Q1_OK


@pytest.mark.kernel
def test_the_kits_own_materials_and_package_are_not_readable(tmp_path: Path) -> None:
    import sysconfig

    installed = Path(sysconfig.get_paths()["purelib"]) / "seminarkit" / "_materials"
    assert installed.is_dir()  # the venv holds the kit's materials, as an installed wheel does
    sub = write(tmp_path / "subs", "spy.ipynb", solved(q1=MATERIALS_SPY))
    grade(MINI, [sub], tmp_path / "out")
    assert grades(tmp_path / "out")[("spy", "q1-test")] == (2.0, "ok")
    assert "Moscow regional peace" not in all_text(tmp_path / "out")


RAISES_INPUTS = "def double(x):\n    raise ValueError(f'LEAK<{x!r}>')"
PRINTS_INPUTS = "def double(x):\n    print('x' * int(x * 1_000_000))\n    return 2 * x"
MEMORY_SCAN = '''
import gc, re
needle = re.compile(r"double\\(2[1]\\)|double\\(0\\.[5]\\)")  # matches, never contains, them
seen = [o for o in gc.get_objects() if isinstance(o, (list, tuple, dict))
        and needle.search(repr(o)[:100000])]
try:
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
        for line in maps:
            span, perms = line.split()[:2]
            lo, hi = (int(x, 16) for x in span.split("-"))
            if "r" in perms and hi - lo < (64 << 20):
                try:
                    mem.seek(lo)
                    if re.search(needle.pattern.encode(), mem.read(hi - lo)):
                        seen.append("mem")
                except OSError:
                    pass
except OSError:
    pass
if seen:
    raise ValueError("SAW a hidden input in memory: " + repr(seen)[:100])
''' + Q1_OK
STEAL_BATCH = '''
import json, os
def double(x):
    stolen = b""
    if x == 1:
        for event in ({"ev": "probe", "key": "q2-test/double(1)", "value": 2},
                      {"ev": "point-done", "test": "q2-test"}, {"ev": "cells-done"},
                      {"ev": "hidden-point", "test": "q2-test"}):
            os.write(3, (json.dumps(event) + "\\n").encode())
        os.set_blocking(4, False)
        import time
        for _ in range(20):
            try:
                stolen += os.read(4, 65536)
            except BlockingIOError:
                time.sleep(0.05)
    raise ValueError("STOLE " + stolen.decode(errors="replace"))
'''


@pytest.mark.kernel
@pytest.mark.parametrize(("name", "q1", "q2"), [
    ("raises", Q1_OK, RAISES_INPUTS),
    ("prints", Q1_OK, PRINTS_INPUTS),
    ("memory", MEMORY_SCAN, "def double(x):\n    return 2 * x"),
    ("steals", Q1_OK, STEAL_BATCH),
])
def test_hidden_inputs_never_reach_feedback(tmp_path: Path, name: str, q1: str, q2: str) -> None:
    nb = solved(q1=q1, q2=q2)
    if name == "memory":  # also after the hidden test's position
        nb = add_cell(nb, "q2-test", MEMORY_SCAN.replace(Q1_OK, ""))
    sub = write(tmp_path / "subs", f"{name}.ipynb", nb)
    grade(MINI, [sub], tmp_path / "out")
    text = all_text(tmp_path / "out")
    for secret in ("LEAK<21>", "LEAK<0.5>", "double(21)", "double(0.5)", "21 MB", "SECRET"):
        assert secret not in text, (name, secret)
    found = grades(tmp_path / "out")
    if name == "raises":
        assert "LEAK&lt;1&gt;" in feedback_text(tmp_path / "out")  # the public input is shown
    if name == "memory":
        assert {k: found[("memory", k)] for k in FULL} == FULL


def test_a_public_check_reading_a_hidden_result_shows_no_error_text() -> None:
    plan = plan_test("### BEGIN HIDDEN TESTS\nx = double(21)\n### END HIDDEN TESTS\n"
                     "assert int(x) == 42, 'x is 42'")
    assert plan.public == frozenset()
    results = run_checks(plan, {"double(21)": {"value": "the hidden input was 21"}})
    assert [(r.passed, r.reason, r.detail) for r in results] == [(False, "error", "ValueError")]


def test_the_kit_folder_is_carved_out_of_site_packages(tmp_path: Path) -> None:
    from seminarkit.grading.template import carve

    site = tmp_path / "lib" / "python3" / "site-packages"
    for folder in ("numpy", "seminarkit/_materials/modules", "pandas"):
        (site / folder).mkdir(parents=True)
    (site / "six.py").write_text("")
    grants = {path: (is_dir, listing) for path, is_dir, listing in
              carve([str(tmp_path / "lib"), str(site)], [str(site / "seminarkit")])}
    assert grants[str(site / "numpy")] == (True, False)
    assert grants[str(site / "six.py")] == (False, False)
    assert grants[str(site)] == (True, True)  # listed, not read
    assert grants[str(tmp_path / "lib")] == (True, True)
    assert not any(p.startswith(str(site / "seminarkit")) for p in grants)
