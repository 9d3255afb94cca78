"""The grader side of execution: start warm zygotes and send them jobs.

:func:`execute` is the one function executors call, locally or on a Dask worker. It takes a
job as a JSON string and returns the result as a JSON string, so that nothing produced by a
student process is ever unpickled, even when Dask moves the result between machines. Each
job borrows an idle zygote of this process (one is started when none is idle; a zygote that
stops answering is killed and replaced), so zygotes stay warm across grading runs.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import cast

from seminarkit.grading.protocol import RunResult

STARTUP_SECONDS = 120.0
_idle: list[Zygote] = []
_lock = threading.Lock()


def zygote_env() -> dict[str, str]:
    """Return the scrubbed environment a zygote (and so every student process) starts from."""
    from seminarkit.grading.runner import CHILD_ENV

    base = Path(tempfile.gettempdir())
    mpl = base / "seminarkit-mpl"
    mpl.mkdir(exist_ok=True)
    package_root = Path(__file__).resolve().parents[2]
    return {**CHILD_ENV, "HOME": str(base), "TMPDIR": str(base), "MPLCONFIGDIR": str(mpl),
            "PYTHONPATH": str(package_root)}


class Zygote:
    """A warm interpreter process that forks one sandboxed child per job."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "seminarkit.grading.zygote"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=zygote_env(),
            cwd=tempfile.gettempdir(), close_fds=True)
        self._buffer = b""
        line = self._readline(time.monotonic() + STARTUP_SECONDS)
        if line is None:
            self.close()
            raise RuntimeError("the grading interpreter did not start")

    def _readline(self, deadline: float) -> bytes | None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    return None
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def run(self, job_json: str, timeout: float) -> RunResult:
        """Send one job and wait for its result (at most ``timeout`` seconds)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(job_json.encode() + b"\n")
        self.proc.stdin.flush()
        line = self._readline(time.monotonic() + timeout)
        if line is None:
            raise RuntimeError("the grading interpreter stopped answering")
        result = json.loads(line)
        if not isinstance(result, dict):
            raise RuntimeError("the grading interpreter sent a malformed result")
        return cast(RunResult, result)

    def alive(self) -> bool:
        """Return True while the process runs."""
        return self.proc.poll() is None

    def close(self) -> None:
        """Stop the process."""
        with contextlib.suppress(OSError):
            if self.proc.stdin:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


def _acquire() -> Zygote:
    with _lock:
        while _idle:
            zyg = _idle.pop()
            if zyg.alive():
                return zyg
    return Zygote()


def execute(job_json: str) -> str:
    """Run one job (JSON) in an idle zygote of this process; return the result as JSON."""
    job = json.loads(job_json)
    limits = job["limits"]
    budget = float(limits["total_seconds"]) + float(limits["cell_seconds"]) + 30.0
    zyg: Zygote | None = None
    try:
        zyg = _acquire()
        result = zyg.run(job_json, budget)
    except (RuntimeError, OSError, ValueError) as exc:
        if zyg is not None:
            with contextlib.suppress(Exception):
                zyg.proc.kill()
                zyg.close()
            zyg = None
        result = {"status": "crashed", "error": str(exc), "steps": {}, "values": {}}
    if zyg is not None:
        with _lock:
            _idle.append(zyg)
    return json.dumps(result)


def warm_up(count: int = 1) -> None:
    """Make sure ``count`` zygotes are idle and ready (started in parallel)."""
    with _lock:
        _idle[:] = [z for z in _idle if z.alive()]
        missing = max(0, count - len(_idle))
    if missing:
        with cf.ThreadPoolExecutor(missing) as pool:
            started = list(pool.map(lambda _: Zygote(), range(missing)))
        with _lock:
            _idle.extend(started)


def shutdown() -> None:
    """Stop every idle zygote of this process."""
    with _lock:
        zygotes, _idle[:] = list(_idle), []
    for zyg in zygotes:
        zyg.close()


atexit.register(shutdown)
