"""The warm interpreter: pre-imports the heavy libraries once, then forks one process per job.

Run as ``python -m seminarkit.grading.zygote``. It reads one job per line (JSON) on stdin and
writes one result per line on stdout. Forking from a warm interpreter costs milliseconds
where a Jupyter kernel start costs about 0.6 s. The zygote never executes student code itself
and never sees the instructor source: a job holds the cells to run, the probe expressions,
the data files and the limits.

For each job it watches the child's report pipe. A cell that outlives its alarm (for example
a loop that swallows every exception) is killed at ``cell_seconds + GRACE``; a child that
dies mid-cell (``os._exit``, a segfault, the memory limit) is recorded as crashed or memory.
In both cases the job is retried from a fresh fork with the failed step skipped, so the rest
of the submission is still graded, within the total time limit.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time

from seminarkit.grading.protocol import (
    GradeJob,
    Isolation,
    JSONValue,
    ProbeError,
    ProbeValue,
    RunResult,
    StepOutcome,
)
from seminarkit.grading.runner import CellTransform

GRACE = 1.0
MAX_ATTEMPTS = 4
MAX_BUFFER = 64 * 1024 * 1024
PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot")


def preload() -> CellTransform | None:
    """Import the libraries students use, and return IPython's cell transformer (or None)."""
    import importlib

    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    for name in PRELOAD:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    import seminarkit.grading.codec
    import seminarkit.grading.runner  # noqa: F401

    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except Exception:
        return None
    manager = TransformerManager()
    return manager.transform_cell


def readable_paths() -> list[str]:
    """Trees the student process may read: the Python installation and system folders.

    Never ``sys.path`` as a whole: under ``python -m`` (and under pytest) it starts with the
    working directory, typically the course repository, which holds the instructor sources.
    Only the interpreter's own trees and the installed ``seminarkit`` package folder are read.
    """
    import sysconfig

    import seminarkit

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, "/usr", "/lib", "/lib64", "/bin",
             "/etc", "/proc", "/dev", "/sys", os.path.dirname(os.path.abspath(seminarkit.__file__))}
    paths.update(v for k, v in sysconfig.get_paths().items() if k in {"stdlib", "platstdlib", "purelib", "platlib"})
    if os.environ.get("MPLCONFIGDIR"):
        paths.add(os.environ["MPLCONFIGDIR"])
    return sorted(p for p in paths if os.path.exists(p))


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _attempt(job: GradeJob, workdir: str, skip: set[str], deadline: float,
             transform: CellTransform | None, readable: list[str], state: RunResult) -> tuple[str, int]:
    """Fork once and follow the child; return ('done' | 'killed:<step>' | 'died:<step>', wait status)."""
    from seminarkit.grading.runner import child_main

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_fd)
        child_main(job, write_fd, workdir, skip, readable, transform)
    os.close(write_fd)
    cell_limit = float(job["limits"]["cell_seconds"]) + GRACE
    buffer, current, started, done = b"", "", time.monotonic(), False
    verdict = ""
    try:
        while True:
            now = time.monotonic()
            limit = min(deadline, started + cell_limit) if current else deadline
            if now >= limit:
                _kill(pid)
                verdict = f"killed:{current}" if now < deadline else f"total:{current}"
                break
            ready, _, _ = select.select([read_fd], [], [], min(limit - now, 0.5))
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            buffer += chunk
            if len(buffer) > MAX_BUFFER:
                _kill(pid)
                verdict = f"died:{current}"
                break
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                event = _parse(line)
                kind = event.get("ev")
                if kind == "start":
                    current, started = str(event.get("step", "")), time.monotonic()
                elif kind == "end":
                    state.setdefault("steps", {})[str(event.get("step"))] = StepOutcome(
                        status=str(event.get("status", ""))[:300], ename=str(event.get("ename", ""))[:300],
                        evalue=str(event.get("evalue", ""))[:300])
                    current = ""
                elif kind == "probe" and isinstance(event.get("key"), str):
                    state.setdefault("values", {})[str(event["key"])] = _probe_value(event)
                    current = ""
                elif kind == "isolation":
                    state["isolation"] = Isolation(network=bool(event.get("network")),
                                                   filesystem=bool(event.get("filesystem")))
                elif kind == "done":
                    done = True
                    chars = event.get("output_chars", 0)
                    state["output_chars"] = chars if isinstance(chars, int) else 0
    finally:
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
    if verdict:
        return verdict, status
    return ("done" if done else f"died:{current}"), status


def _probe_value(event: dict[str, JSONValue]) -> ProbeValue:
    found = ProbeValue()
    if "value" in event:
        found["value"] = event["value"]
    error = event.get("error")
    if isinstance(error, dict):
        found["error"] = ProbeError(kind=str(error.get("kind", "error")), detail=str(error.get("detail", "")))
    return found


def _parse(line: bytes) -> dict[str, JSONValue]:
    try:
        event = json.loads(line)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


def run_job(job: GradeJob, transform: CellTransform | None, readable: list[str]) -> RunResult:
    """Run a job to completion (with retries) and return its JSON-able result."""
    start = time.monotonic()
    deadline = start + float(job["limits"]["total_seconds"])
    workdir = tempfile.mkdtemp(prefix="seminarkit-run-")
    state = RunResult(steps={}, values={}, output_chars=0)
    exit_status = 0
    status, attempts = "ok", 0
    skip: set[str] = set()
    try:
        for name, data in job.get("files", {}).items():
            with open(os.path.join(workdir, os.path.basename(name)), "wb") as handle:
                handle.write(base64.b64decode(data))
        while True:
            attempts += 1
            verdict, exit_status = _attempt(job, workdir, skip, deadline, transform, readable, state)
            if verdict == "done":
                break
            kind, _, step = verdict.partition(":")
            if kind == "total":
                status = "timeout"
                if step:
                    state.setdefault("steps", {})[step] = StepOutcome(status="timeout", ename="TimeoutError",
                                                                      evalue="total time limit")
                break
            if step:
                crash = "timeout" if kind == "killed" else _death_status(exit_status)
                state.setdefault("steps", {})[step] = StepOutcome(status=crash, ename="", evalue="")
                skip.add(step)
            if not step or attempts >= MAX_ATTEMPTS or time.monotonic() >= deadline:
                status = "crashed"
                break
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    state["status"], state["attempts"] = status, attempts
    state["seconds"] = round(time.monotonic() - start, 3)
    return state


def _death_status(status: int) -> str:
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGKILL, signal.SIGSEGV):
        return "memory" if os.WTERMSIG(status) == signal.SIGKILL else "crashed"
    return "crashed"


def main() -> None:
    """Serve jobs from stdin until it closes."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints from libraries go to stderr, never into the protocol
    transform = preload()
    readable = readable_paths()
    protocol.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            result = run_job(json.loads(line), transform, readable)
        except Exception as exc:  # a bug here must not hang the grader
            result = RunResult(status="crashed", error=f"{type(exc).__name__}: {exc}")
        protocol.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
