"""The supervisor of one attempt: forked from the pristine template, it owns the student's namespace.

The template forks a supervisor per attempt and hands it two pipes from the grader: one to
read from (the attempt, then the nonce and the probes) and one to write to (events). The
supervisor

1. reads the attempt (cells, files, limits), writes the files into a fresh working folder,
   enters new namespaces and forks the job's first process (:func:`runner.job_main`), all
   *before* it has seen the probes or the nonce, so the student process never holds them;
2. says ``forked``, then reads the nonce and the two probe batches (public, hidden);
3. reads the student process's events, accepts only those that follow the protocol (the next
   cell, the next test position and the probes of its batch, once each) and relays them to
   the grader with the nonce; hands a test's hidden batch only to its snapshot, and only
   after the student process has finished every cell;
4. enforces the limits itself: no accepted event for ``cell_seconds + GRACE`` (whatever the
   student did to its report descriptor) or the attempt's deadline kills the namespace's
   init, which takes every process of the submission with it; without namespaces it kills
   the process group and sweeps every descendant;
5. reports ``exit`` (the verdict) and removes the working folder.
"""

from __future__ import annotations

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

from seminarkit.grading import isolation, processes
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


Batch = list[list[str]]  # [[probe key, expression], ...]


@dataclass
class Watch:
    """What the supervisor knows about the attempt's progress (the protocol's state).

    In the ``cells`` phase the student process must report, in order, each cell
    (``start``/``end``) and each test position (``point``, the probes of that test's public
    batch, ``point-done``), then ``cells-done``. In the ``hidden`` phase the snapshots report,
    in order, ``hidden-point``, the probes of that test's hidden batch, ``batch-done``; then
    ``done``. Anything else is rejected.
    """

    items: list[tuple[str, bool]]  # (cell key or test id, is a point), not skipped, in order
    public: dict[str, Batch]
    hidden: dict[str, Batch]
    phase: str = "setup"  # setup | cells | hidden | done
    current: str = ""  # the cell or probe step under way
    point: str = ""  # the test whose batch is being evaluated
    batch: set[str] = field(default_factory=set)
    reported: set[str] = field(default_factory=set)
    snapshots: list[str] = field(default_factory=list)  # tests whose hidden batch is due
    rejected: int = 0
    outgoing: list[dict[str, JSONValue]] = field(default_factory=list)

    def expected(self) -> str:
        """Return the step the student process should be working on (blamed if it stops)."""
        if self.current:
            return self.current
        if self.point or (self.phase == "cells" and self.items and self.items[0][1]):
            test = self.point or self.items[0][0]
            source = self.hidden if self.phase == "hidden" else self.public
            waiting = [k for k, _ in source.get(test, []) if k not in self.reported]
            return f"probe:{waiting[0]}" if waiting else ""
        if self.phase == "cells" and self.items:
            return self.items[0][0]
        if self.phase == "hidden" and self.snapshots:
            waiting = [k for k, _ in self.hidden.get(self.snapshots[0], [])]
            return f"probe:{waiting[0]}" if waiting else ""
        return ""

    def _open(self, test: str, batch: Batch, snapshot: bool | None) -> None:
        self.point, self.batch = test, {k for k, _ in batch}
        message: dict[str, JSONValue] = {"probes": cast(JSONValue, batch)}
        if snapshot is not None:
            message["snapshot"] = snapshot
        self.outgoing.append(message)

    def _batch_done(self) -> bool:
        return bool(self.point) and not self.current and self.batch <= self.reported

    def accept(self, event: dict[str, JSONValue]) -> dict[str, JSONValue] | None:
        """Return the event to relay (cleaned), or None if it breaks the protocol."""
        kind, step, test = event.get("ev"), event.get("step"), event.get("test")
        nxt = self.items[0] if self.items else None
        if kind == "isolation" and self.phase == "setup" and isinstance(event.get("layers"), dict):
            layers = cast(dict[str, JSONValue], event["layers"])
            self.phase = "cells"
            return {"ev": "isolation", "layers": {str(k): bool(v) for k, v in layers.items()}}
        if kind == "start" and not self.current and isinstance(step, str):
            key = step[len("probe:"):] if step.startswith("probe:") else None
            cell_ok = self.phase == "cells" and not self.point and nxt == (step, False)
            probe_ok = self.point and key in self.batch and key not in self.reported
            if cell_ok or probe_ok:
                self.current = step
                return {"ev": "start", "step": step}
            return None
        if kind == "end" and self.phase == "cells" and self.current and step == self.current \
                and not self.point:
            self.items.pop(0)
            self.current = ""
            return _clean_end(event)
        if kind == "point" and self.phase == "cells" and not self.point and not self.current \
                and nxt == (test, True) and isinstance(test, str):
            hidden = bool(self.hidden.get(test))
            self._open(test, self.public.get(test, []), hidden)
            if hidden:
                self.snapshots.append(test)
            return {"ev": "point", "test": test}
        if kind == "probe" and isinstance(event.get("key"), str):
            key = str(event["key"])
            if key in self.batch and key not in self.reported and \
                    self.current in ("", f"probe:{key}"):
                self.reported.add(key)
                self.current = ""
                return _clean_probe(event, key)
            return None
        if kind == "point-done" and self.phase == "cells" and test == self.point \
                and self._batch_done():
            self.items.pop(0)
            self.point, self.batch = "", set()
            return {"ev": "point-done", "test": test}
        if kind == "cells-done" and self.phase == "cells" and not self.items and not self.point:
            self.phase = "hidden"
            chars = event.get("output_chars")
            return {"ev": "cells-done", "output_chars": chars if isinstance(chars, int) else 0}
        if kind == "hidden-point" and self.phase == "hidden" and not self.point \
                and self.snapshots and test == self.snapshots[0] and isinstance(test, str):
            self._open(test, self.hidden[test], None)
            return {"ev": "hidden-point", "test": test}
        if kind == "batch-done" and self.phase == "hidden" and test == self.point \
                and self._batch_done():
            self.snapshots.pop(0)
            self.point, self.batch = "", set()
            return {"ev": "batch-done", "test": test}
        if kind == "done" and self.phase == "hidden" and not self.snapshots and not self.point:
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
    from seminarkit.grading.runner import write_files

    workdir = tempfile.mkdtemp(prefix="seminarkit-run-")
    write_files(workdir, job.get("files", {}))
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


def supervise(job_fd: int, result_fd: int, grants: list[isolation.Grant],
              shell: GradingShell | None) -> NoReturn:
    """Run one attempt (see the module docstring); never returns."""
    from seminarkit.grading.runner import job_main

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    isolation.set_parent_death_signal()
    isolation.set_child_subreaper()
    relay, reader = Relay(result_fd), LineReader(job_fd)
    workdir, pid, namespaced, group = "", 0, False, None
    exit_event: dict[str, JSONValue] = {"ev": "exit", "verdict": "died", "step": ""}
    try:
        job = cast(AttemptJob, json.loads(reader.line()))
        workdir = _workdir(job)
        if job.get("isolate", True):
            group = processes.join_task_cgroup(processes.MAX_TASKS)
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
        skip = set(job.get("skip", []))
        items = [(c["key"], bool(c.get("point"))) for c in job["cells"]
                 if c.get("point") or c["key"] not in skip]
        watch = Watch(items, secrets.get("public", {}), {
            t: b for t, b in secrets.get("hidden", {}).items() if b})
        exit_event = _follow(job, pid, report_r, probe_w, watch, relay)
    except Exception as exc:  # a bug or a vanished grader: never leave the job running
        exit_event = {"ev": "exit", "verdict": "died", "step": "", "error": str(exc)[:200]}
    finally:
        if pid:
            _kill(pid, namespaced)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            if not namespaced:
                exit_event["swept"] = processes.sweep(os.getpid())
        if workdir:
            if namespaced:  # the job's tmpfs is mounted over it in our mount namespace
                isolation.unmount(workdir)
            _remove(workdir)
        if group:
            processes.leave_task_cgroup(group)
    with contextlib.suppress(OSError):
        relay.send({**exit_event, "namespaced": namespaced, "tasks": group or ""})
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
    stream.drain()  # what the process wrote before it ended
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

    def drain(self) -> None:
        """Read what is left in the pipe, without waiting for writers that may linger."""
        for _ in range(1024):
            if not self.open:
                return
            ready, _, _ = select.select([self.fd], [], [], 0)
            if not ready or not self.read():
                return

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
    """Check one event line and relay it; return the probe batch(es) to send next (b"" if none).

    None means the event was rejected (it does not follow the protocol).
    """
    try:
        event = json.loads(line)
    except (ValueError, RecursionError):
        event = None
    accepted = watch.accept(event) if isinstance(event, dict) else None
    if accepted is None:
        watch.rejected += 1
        return None
    relay.send(accepted)
    batches = b"".join((json.dumps(m) + "\n").encode() for m in watch.outgoing)
    watch.outgoing.clear()
    return batches
