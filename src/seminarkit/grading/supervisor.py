"""The supervisor of one attempt: forked from the pristine template, it owns the student's namespace.

The template forks a supervisor per attempt and hands it two pipes from the grader: one to
read from (the attempt, then the nonce and the probes) and one to write to (events). The
supervisor

1. reads the attempt (cells, files, limits), writes the files into a fresh working folder,
   enters new namespaces and forks the job's first process (:func:`runner.job_main`), all
   *before* it has seen the probes or the nonce, so the student process never holds them;
2. says ``forked``, then reads the nonce and the two probe batches (public, hidden);
3. reads the student process's events, accepts only those that follow the protocol (the next
   cell, a probe it was asked for, once each, in its batch) and relays them to the grader
   with the nonce; feeds the hidden batch only after every public probe was reported;
4. enforces the limits itself: no accepted event for ``cell_seconds + GRACE`` (whatever the
   student did to its report descriptor) or the attempt's deadline kills the namespace's
   init, which takes every process of the submission with it; without namespaces it kills
   the process group and sweeps every descendant;
5. reports ``exit`` (the verdict) and removes the working folder.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import stat
import tempfile
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn, cast

from seminarkit.grading import isolation
from seminarkit.grading.protocol import AttemptJob, JSONValue

if TYPE_CHECKING:
    from seminarkit.grading.shell import GradingShell

GRACE = 1.0
EXIT_GRACE = 2.0
MAX_REPORTED = 96 * 1024 * 1024
STATUSES = ("ok", "error", "timeout", "memory")


class LineReader:
    """Read newline-terminated lines from a descriptor without reading past what is there."""

    def __init__(self, fd: int):
        self.fd = fd
        self.pending = b""

    def line(self, limit: int = 256 * 1024 * 1024) -> bytes:
        """Return the next line (without the newline); b"" at end of file."""
        while b"\n" not in self.pending:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk or len(self.pending) > limit:
                return b""
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line


@dataclass
class Watch:
    """What the supervisor knows about the attempt's progress (the protocol's state)."""

    cells: list[str]
    public: list[list[str]]
    hidden: list[list[str]]
    phase: str = "setup"  # setup | cells | public | hidden | finished | done
    current: str = ""
    reported: set[str] = field(default_factory=set)
    rejected: int = 0

    def expected(self) -> str:
        """Return the step the student process should be working on (blamed if it stops)."""
        if self.current:
            return self.current
        if self.phase == "cells" and self.cells:
            return self.cells[0]
        batch = self.public if self.phase == "public" else self.hidden
        if self.phase in ("public", "hidden"):
            for key, _ in batch:
                if key not in self.reported:
                    return f"probe:{key}"
        return ""

    def _batch_keys(self) -> set[str]:
        batch = self.public if self.phase == "public" else self.hidden
        return {key for key, _ in batch} if self.phase in ("public", "hidden") else set()

    def accept(self, event: dict[str, JSONValue]) -> dict[str, JSONValue] | None:
        """Return the event to relay (cleaned), or None if it breaks the protocol."""
        kind = event.get("ev")
        step = event.get("step")
        if kind == "isolation" and self.phase == "setup" and isinstance(event.get("layers"), dict):
            layers = cast(dict[str, JSONValue], event["layers"])
            self.phase = "cells"
            return {"ev": "isolation", "layers": {str(k): bool(v) for k, v in layers.items()}}
        if kind == "start" and not self.current and isinstance(step, str):
            if self.phase == "cells" and self.cells and step == self.cells[0]:
                self.current = step
                return {"ev": "start", "step": step}
            key = step[len("probe:"):] if step.startswith("probe:") else None
            if key is not None and key in self._batch_keys() and key not in self.reported:
                self.current = step
                return {"ev": "start", "step": step}
            return None
        if kind == "end" and self.phase == "cells" and step == self.current and self.current:
            self.cells.pop(0)
            self.current = ""
            return _clean_end(event)
        if kind == "cells-done" and self.phase == "cells" and not self.current and not self.cells:
            self.phase = "public"
            chars = event.get("output_chars")
            return {"ev": "cells-done", "output_chars": chars if isinstance(chars, int) else 0}
        if kind == "probe" and isinstance(event.get("key"), str):
            key = str(event["key"])
            if (key in self._batch_keys() and key not in self.reported
                    and self.current in ("", f"probe:{key}")):
                self.reported.add(key)
                self.current = ""
                return _clean_probe(event, key)
            return None
        if kind == "batch-done" and not self.current and self.phase in ("public", "hidden"):
            if self._batch_keys() <= self.reported:
                self.phase = "hidden" if self.phase == "public" else "finished"
                return {"ev": "batch-done", "batch": "public" if self.phase == "hidden"
                        else "hidden"}
            return None
        if kind == "done" and self.phase == "finished":
            self.phase = "done"
            return {"ev": "done"}
        return None


def _clean_end(event: dict[str, JSONValue]) -> dict[str, JSONValue]:
    status = event.get("status")
    notes = event.get("notes")
    return {"ev": "end", "step": event.get("step"),
            "status": status if status in STATUSES else "error",
            "ename": str(event.get("ename", ""))[:100], "evalue": str(event.get("evalue", ""))[:300],
            "notes": [str(n)[:300] for n in notes[:10]] if isinstance(notes, list) else []}


def _clean_probe(event: dict[str, JSONValue], key: str) -> dict[str, JSONValue]:
    cleaned: dict[str, JSONValue] = {"ev": "probe", "key": key}
    error = event.get("error")
    if isinstance(error, dict):
        cleaned["error"] = {"kind": str(error.get("kind", "error"))[:40],
                            "detail": str(error.get("detail", ""))[:300]}
    elif "value" in event:
        cleaned["value"] = event["value"]
    else:
        cleaned["error"] = {"kind": "error", "detail": "no value reported"}
    return cleaned


class Relay:
    """Writes events to the grader, each carrying the attempt's nonce."""

    def __init__(self, fd: int):
        self.fd = fd
        self.nonce = ""

    def send(self, event: dict[str, JSONValue]) -> None:
        """Write one event (with the nonce once known); raise BrokenPipeError if the grader left."""
        data = json.dumps({**event, "nonce": self.nonce} if self.nonce else event) + "\n"
        view = memoryview(data.encode())
        while view:
            view = view[os.write(self.fd, view):]


def _workdir(job: AttemptJob) -> str:
    workdir = tempfile.mkdtemp(prefix="seminarkit-run-")
    for name, data in job.get("files", {}).items():
        path = os.path.join(workdir, os.path.basename(str(name)) or "file")
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))
    return workdir


def _remove(workdir: str) -> None:
    def unlock(func: object, path: str, exc: object) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(path), stat.S_IRWXU)
            os.chmod(path, stat.S_IRWXU)
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)

    shutil.rmtree(workdir, onerror=unlock)


def _kill(pid: int, namespaced: bool) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)  # the namespace's init: the kernel kills the rest
    if not namespaced:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


def supervise(job_fd: int, result_fd: int, grants: list[tuple[str, bool]],
              shell: GradingShell | None) -> NoReturn:
    """Run one attempt (see the module docstring); never returns."""
    from seminarkit.grading.runner import job_main

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    isolation.set_parent_death_signal()
    isolation.set_child_subreaper()
    relay, reader = Relay(result_fd), LineReader(job_fd)
    workdir, pid, namespaced = "", 0, False
    exit_event: dict[str, JSONValue] = {"ev": "exit", "verdict": "died", "step": ""}
    try:
        job = cast(AttemptJob, json.loads(reader.line()))
        workdir = _workdir(job)
        namespaced = bool(job.get("isolate", True)) and isolation.enter_namespaces()
        report_r, report_w = os.pipe()
        probe_r, probe_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the job's first process
            for fd in (job_fd, result_fd, report_r, probe_w):
                os.close(fd)
            job_main(job, workdir, report_w, probe_r, grants, namespaced, shell)
        os.close(report_w)
        os.close(probe_r)
        relay.send({"ev": "forked"})
        secrets = json.loads(reader.line())
        relay.nonce = str(secrets["nonce"])
        watch = Watch([c["key"] for c in job["cells"] if c["key"] not in set(job.get("skip", []))],
                      secrets.get("public", []), secrets.get("hidden", []))
        exit_event = _follow(job, pid, report_r, probe_w, watch, relay)
    except Exception as exc:  # a bug or a vanished grader: never leave the job running
        exit_event = {"ev": "exit", "verdict": "died", "step": "", "error": str(exc)[:200]}
    finally:
        if pid:
            _kill(pid, namespaced)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            if not namespaced:
                exit_event["swept"] = isolation.sweep(os.getpid())
        if workdir:
            _remove(workdir)
    with contextlib.suppress(OSError):
        relay.send({**exit_event, "namespaced": namespaced})
    os._exit(0)


def _follow(job: AttemptJob, pid: int, report_r: int, probe_w: int, watch: Watch,
            relay: Relay) -> dict[str, JSONValue]:
    """Follow the student process until it finishes or a limit is reached; return the verdict."""
    start = time.monotonic()
    deadline = start + max(0.0, float(job.get("seconds", job["limits"]["total_seconds"])))
    silence = float(job["limits"]["cell_seconds"]) + GRACE
    pidfd = _pidfd(pid)
    os.set_blocking(report_r, False)
    os.set_blocking(probe_w, False)
    stream = _Stream(report_r, watch, relay)
    while True:
        now = time.monotonic()
        limit = min(deadline, stream.last + (EXIT_GRACE if watch.phase == "done" else silence))
        if now >= limit:
            verdict = "total" if now >= deadline else "killed"
            return {"ev": "exit", "verdict": verdict, "step": watch.expected(),
                    "rejected": watch.rejected}
        reading = [report_r] if stream.open else []
        if pidfd is not None:
            reading.append(pidfd)
        writing = [probe_w] if stream.outgoing else []
        ready, can_write, _ = select.select(reading, writing, [],
                                            min(limit - now, 0.05 if pidfd is None else 1.0))
        if report_r in ready and not stream.read():
            return {"ev": "exit", "verdict": "died", "step": watch.expected(),
                    "rejected": watch.rejected, "error": "too much reported data"}
        if can_write:
            stream.write(probe_w)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            break
    while stream.open and stream.read():  # what the process wrote before it ended
        pass
    verdict = "done" if watch.phase == "done" else "died"
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    return {"ev": "exit", "verdict": verdict, "step": "" if verdict == "done" else watch.expected(),
            "code": code, "rejected": watch.rejected}


class _Stream:
    """The report pipe (non-blocking reads) and the probe batches waiting to be written."""

    def __init__(self, fd: int, watch: Watch, relay: Relay):
        self.fd, self.watch, self.relay = fd, watch, relay
        self.buffer, self.received, self.outgoing = b"", 0, b""
        self.open, self.last = True, time.monotonic()

    def read(self) -> bool:
        """Read what is there and handle complete lines; False past the data cap."""
        try:
            chunk = os.read(self.fd, 1 << 20)
        except BlockingIOError:
            return True
        if not chunk:
            self.open = False
            return True
        self.received += len(chunk)
        if self.received > MAX_REPORTED:
            return False
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            batch = _handle(line, self.watch, self.relay)
            if batch is not None:
                self.last = time.monotonic()
                self.outgoing += batch
        return True

    def write(self, fd: int) -> None:
        """Write as much of the pending probe batch as the pipe takes."""
        with contextlib.suppress(BlockingIOError, OSError):
            self.outgoing = self.outgoing[os.write(fd, self.outgoing):]


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _handle(line: bytes, watch: Watch, relay: Relay) -> bytes | None:
    """Check one event line and relay it; return the probe batch to send next (b"" if none).

    None means the event was rejected (it does not follow the protocol).
    """
    try:
        event = json.loads(line)
    except ValueError:
        event = None
    accepted = watch.accept(event) if isinstance(event, dict) else None
    if accepted is None:
        watch.rejected += 1
        return None
    relay.send(accepted)
    if accepted.get("ev") in ("cells-done", "batch-done") and watch.phase in ("public", "hidden"):
        batch = watch.public if watch.phase == "public" else watch.hidden
        return (json.dumps({"probes": batch}) + "\n").encode()
    return b""
