"""The grader side of execution: the template process, attempts, and events bound to their job.

:func:`execute` is the one function executors call, locally or on a Dask worker. It takes a
job as a JSON string and returns the result as a JSON string, so nothing produced by a
student process is ever unpickled. Each attempt runs in a fresh supervisor forked from this
process's pristine template (:mod:`seminarkit.grading.template`), on two private pipes:

1. the attempt (cells, files, limits) goes down the job pipe; the supervisor forks the
   student's namespace and answers ``forked``;
2. only then the grader sends a fresh random **nonce** and the probes, so the student
   process, forked before, holds neither;
3. every event coming back must carry that nonce and fit the job (a known cell, a probe that
   was asked for, public probes before hidden ones); anything else is counted as rejected
   and ignored, so events from another process or an earlier job never count.

A step that kills its process or outlives its limit is recorded and the job is retried in a
new attempt without it, within the total time limit.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import cast

from seminarkit.grading.isolation import NAMESPACES_SWITCH
from seminarkit.grading.processes import remove_task_cgroup
from seminarkit.grading.protocol import (
    AttemptJob,
    GradeJob,
    Isolation,
    JSONValue,
    ProbeError,
    ProbeValue,
    RunResult,
    StepOutcome,
)

STARTUP_SECONDS = 120.0
MAX_ATTEMPTS = 4
BACKSTOP = 15.0
ISOLATION_KEYS = frozenset(Isolation.__annotations__)
_lock = threading.Lock()
_template: Template | None = None


def template_env() -> dict[str, str]:
    """Return the scrubbed environment of the template (and so of every student process)."""
    from seminarkit.grading.runner import CHILD_ENV

    base = Path(tempfile.gettempdir())
    private = base / f"seminarkit-grading-{os.getuid()}"
    for sub in ("mpl", "ipython"):
        (private / sub).mkdir(parents=True, exist_ok=True)
    package_root = Path(__file__).resolve().parents[2]
    env = {**CHILD_ENV, "HOME": str(base), "TMPDIR": str(base),
           "MPLCONFIGDIR": str(private / "mpl"), "IPYTHONDIR": str(private / "ipython"),
           "PYTHONPATH": str(package_root)}
    if os.environ.get(NAMESPACES_SWITCH):  # tests: play a kernel without user namespaces
        env[NAMESPACES_SWITCH] = os.environ[NAMESPACES_SWITCH]
    return env


class Template:
    """The pristine fork server of this process (see :mod:`seminarkit.grading.template`)."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "seminarkit.grading.template"], stdin=theirs.fileno(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=template_env(),
            cwd=tempfile.gettempdir(), close_fds=True, start_new_session=True)
        theirs.close()
        self.control = ours
        self.lock = threading.Lock()
        line = _readline(ours.fileno(), bytearray(), time.monotonic() + STARTUP_SECONDS)
        ready = json.loads(line) if line else None
        if not isinstance(ready, dict) or not ready.get("ready"):
            self.close()
            raise RuntimeError("the grading template did not start")
        raw = ready.get("isolation")
        self.isolation: dict[str, bool] = ({str(k): bool(v) for k, v in raw.items()}
                                           if isinstance(raw, dict) else {})

    def alive(self) -> bool:
        """Return True while the template runs."""
        return self.proc.poll() is None

    def spawn(self) -> Channel:
        """Fork a supervisor; return the grader's ends of its two pipes."""
        job_r, job_w = os.pipe()
        res_r, res_w = os.pipe()
        try:
            with self.lock:
                socket.send_fds(self.control, [b"F"], [job_r, res_w])
                line = _readline(self.control.fileno(), bytearray(), time.monotonic() + 30)
        finally:
            os.close(job_r)
            os.close(res_w)
        pid = int(line) if line and line.strip().isdigit() else 0
        if pid <= 0:
            os.close(job_w)
            os.close(res_r)
            raise RuntimeError("the grading template did not fork a supervisor")
        return Channel(job_w, res_r, pid)

    def close(self) -> None:
        """Stop the template (its supervisors die with it)."""
        with contextlib.suppress(OSError):
            self.control.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _readline(fd: int, pending: bytearray, deadline: float) -> bytes | None:
    """Read one line from ``fd`` (bytes beyond it stay in ``pending``); None at EOF or timeout."""
    while b"\n" not in pending:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
        if ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            pending += chunk
    line, _, rest = bytes(pending).partition(b"\n")
    pending[:] = rest
    return line


class Channel:
    """The grader's ends of one supervisor's pipes."""

    def __init__(self, job_w: int, res_r: int, pid: int):
        self.job_w, self.res_r, self.pid = job_w, res_r, pid
        self.pending = bytearray()

    def send(self, message: object) -> None:
        """Write one JSON line to the supervisor."""
        view = memoryview((json.dumps(message) + "\n").encode())
        while view:
            view = view[os.write(self.job_w, view):]

    def read(self, deadline: float) -> bytes | None:
        """Read one line (None at end of file or past ``deadline``)."""
        return _readline(self.res_r, self.pending, deadline)

    def close(self, kill: bool = False) -> None:
        """Close both pipes (killing the supervisor first if asked)."""
        if kill:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        for fd in (self.job_w, self.res_r):
            with contextlib.suppress(OSError):
                os.close(fd)


class Collector:
    """Builds a :class:`RunResult` from the events of one job's attempts.

    Only events carrying the current attempt's nonce count, and only if they fit the job: an
    ``end`` for one of its cells, a ``probe`` the grader asked for in this attempt (public
    probes before the public batch ended, hidden ones after). Everything else is counted in
    ``rejected_events`` and ignored.
    """

    def __init__(self, job: GradeJob):
        self.cells = {c["key"] for c in job["cells"]}
        self.probes = {p["key"]: p for p in job["probes"]}
        self.result = RunResult(steps={}, values={}, output_chars=0, rejected_events=0)
        self.nonce = ""
        self.asked: set[str] = set()
        self.phase = "public"
        self.exit: dict[str, JSONValue] = {}

    def begin(self, nonce: str, asked: set[str]) -> None:
        """Start a new attempt bound to ``nonce`` that asks for the probes in ``asked``."""
        self.nonce, self.asked, self.phase, self.exit = nonce, asked, "cells", {}

    def reject(self) -> None:
        """Count one event that does not belong to this job."""
        self.result["rejected_events"] = self.result.get("rejected_events", 0) + 1

    def feed(self, line: bytes) -> None:
        """Apply one event line from the supervisor."""
        try:
            event = json.loads(line)
        except (ValueError, RecursionError):
            event = None
        if not isinstance(event, dict) or not secrets.compare_digest(
                str(event.get("nonce", "")), self.nonce) or not self.nonce:
            self.reject()
            return
        kind = event.get("ev")
        steps = self.result.setdefault("steps", {})
        if kind == "isolation" and isinstance(event.get("layers"), dict):
            layers = {k: bool(v) for k, v in event["layers"].items() if k in ISOLATION_KEYS}
            self.result["isolation"] = cast(Isolation, layers)
        elif kind == "end" and event.get("step") in self.cells and event["step"] not in steps:
            notes = event.get("notes")
            steps[str(event["step"])] = StepOutcome(
                status=str(event.get("status", "error"))[:20], ename=str(event.get("ename", ""))[:100],
                evalue=str(event.get("evalue", ""))[:300],
                notes=[str(n)[:300] for n in notes[:10]] if isinstance(notes, list) else [])
        elif kind == "cells-done":
            self.phase = "hidden"
            chars = event.get("output_chars")
            self.result["output_chars"] = max(self.result.get("output_chars", 0),
                                              chars if isinstance(chars, int) else 0)
        elif kind == "probe" and self._wanted(event.get("key")):
            self.result.setdefault("values", {})[str(event["key"])] = _probe_value(event)
        elif kind == "exit":
            self.exit = event
            if "tasks" in event:
                self.result.setdefault("isolation", Isolation())["tasks"] = bool(event["tasks"])
        elif kind not in ("start", "point", "point-done", "hidden-point", "batch-done", "done"):
            self.reject()

    def _wanted(self, key: object) -> bool:
        if not isinstance(key, str) or key not in self.asked:
            return False
        if key in self.result.get("values", {}):
            return False
        return self.probes[key]["public"] == (self.phase == "cells")


def _probe_value(event: dict[str, JSONValue]) -> ProbeValue:
    found = ProbeValue()
    error = event.get("error")
    if isinstance(error, dict):
        found["error"] = ProbeError(kind=str(error.get("kind", "error"))[:40],
                                    detail=str(error.get("detail", ""))[:300])
    elif "value" in event:
        found["value"] = event["value"]
    return found


def _template_for(restart: bool = False) -> Template:
    global _template
    with _lock:
        if _template is None or restart or not _template.alive():
            if _template is not None:
                _template.close()
            _template = Template()
        return _template


Batches = dict[str, list[list[str]]]  # test id -> [[probe key, expression], ...]


def _batches(job: GradeJob, collector: Collector, slow: set[str]) -> tuple[Batches, Batches]:
    """Return the probes still wanted, per test: public ones (at the point) and hidden ones."""
    public: Batches = {}
    hidden: Batches = {}
    values = collector.result.setdefault("values", {})
    for probe in job["probes"]:
        key, expr = probe["key"], probe["expr"]
        if key in values:
            continue
        if "(" in expr and expr.split("(", 1)[0] in slow:
            values[key] = ProbeValue(error=ProbeError(kind="timeout", detail="took too long"))
            continue
        (public if probe["public"] else hidden).setdefault(probe["test"], []).append([key, expr])
    return public, hidden


def run_attempt(job: GradeJob, skip: list[str], seconds: float, collector: Collector,
                slow: set[str]) -> dict[str, JSONValue]:
    """Run one attempt in a fresh supervisor; return its ``exit`` event (the verdict)."""
    try:
        channel = _template_for().spawn()
    except (RuntimeError, OSError):
        channel = _template_for(restart=True).spawn()
    limits = job["limits"]
    backstop = time.monotonic() + seconds + float(limits["cell_seconds"]) + BACKSTOP
    try:
        channel.send(AttemptJob(cells=job["cells"], files=job["files"], limits=limits, skip=skip,
                                seconds=seconds, isolate=job["isolate"]))
        first = channel.read(backstop)
        if first is None or json.loads(first) != {"ev": "forked"}:
            return {"ev": "exit", "verdict": "died", "step": "", "error": "no supervisor"}
        public, hidden = _batches(job, collector, slow)
        nonce = secrets.token_hex(16)
        collector.begin(nonce, {k for batch in (*public.values(), *hidden.values())
                                for k, _ in batch})
        channel.send({"nonce": nonce, "public": public, "hidden": hidden})
        while not collector.exit:
            line = channel.read(backstop)
            if line is None:
                break
            collector.feed(line)
    except (OSError, ValueError):
        pass
    finally:
        channel.close(kill=not collector.exit)
    group = collector.exit.get("tasks")
    if isinstance(group, str) and group:  # the supervisor cannot remove it from its namespace
        remove_task_cgroup(group)
    return collector.exit or {"ev": "exit", "verdict": "died", "step": "",
                              "error": "the supervisor stopped answering"}


def _death(exit_event: dict[str, JSONValue]) -> str:
    code = exit_event.get("code")
    return "memory" if code == 128 + signal.SIGKILL else "crashed"


def execute(job_json: str) -> str:
    """Run one job (JSON) to completion, with retries; return the result as JSON."""
    job = cast(GradeJob, json.loads(job_json))
    start = time.monotonic()
    deadline = start + float(job["limits"]["total_seconds"])
    collector = Collector(job)
    result = collector.result
    skip: list[str] = []
    slow: set[str] = set()
    status, attempts = "ok", 0
    while True:
        attempts += 1
        exit_event = run_attempt(job, skip, max(0.0, deadline - time.monotonic()), collector, slow)
        rejected = exit_event.get("rejected")
        if isinstance(rejected, int):  # events the supervisor refused (out of protocol)
            result["rejected_events"] = result.get("rejected_events", 0) + rejected
        verdict, step = str(exit_event.get("verdict")), str(exit_event.get("step") or "")
        if verdict == "done":
            break
        kind = "timeout" if verdict in ("killed", "total") else _death(exit_event)
        if step.startswith("probe:"):
            key = step[len("probe:"):]
            result.setdefault("values", {})[key] = ProbeValue(error=ProbeError(
                kind="timeout" if kind == "timeout" else "error",
                detail="took too long" if kind == "timeout" else "the process died"))
            spec = collector.probes.get(key)
            expr = spec["expr"] if spec is not None else ""
            if kind == "timeout" and "(" in expr:
                slow.add(expr.split("(", 1)[0])
        elif step:
            evalue = "total time limit" if verdict == "total" else ""
            result.setdefault("steps", {})[step] = StepOutcome(status=kind, ename="", evalue=evalue)
            skip.append(step)
        if verdict == "total":
            status = "timeout"
            break
        if attempts >= MAX_ATTEMPTS or time.monotonic() >= deadline:
            status = "crashed"
            break
        if not step and not exit_event.get("error"):  # died between steps: nothing to skip
            status = "crashed"
            break
    result["status"], result["attempts"] = status, attempts
    result["seconds"] = round(time.monotonic() - start, 3)
    return json.dumps(result)


def warm_up() -> dict[str, bool]:
    """Start this process's template (if needed); return the isolation layers it offers."""
    return dict(_template_for().isolation)


def shutdown() -> None:
    """Stop this process's template."""
    global _template
    with _lock:
        template, _template = _template, None
    if template is not None:
        template.close()


atexit.register(shutdown)
