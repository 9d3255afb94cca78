"""The student side: the job's first process (namespace init) and the process that runs cells.

:func:`job_main` runs in the process the supervisor forks. It cuts itself off (fds, a
private ``/proc``, session, working directory, environment, capabilities, Landlock, seccomp,
resource limits), then forks the *student process* and waits for it as the namespace's init:
when it exits, the kernel kills every process the submission started.

The student process runs the cells the way Jupyter does, through the IPython shell the
template built (:class:`seminarkit.grading.shell.GradingShell`), each under a ``SIGALRM``
alarm, and reports JSON lines on fd 3. At each test cell's position (a *point*) it asks for
that test's public probes on fd 4 and evaluates them there, as Jupyter would run the test
cell there; for the test's hidden probes it forks a frozen *snapshot* before the next cell
runs. Only after the process has run every cell (and so said everything that can reach
feedback) are the snapshots released, one by one, to evaluate the hidden probes (tests after
the last cell are evaluated by the process itself, then): the process whose words reach
feedback never holds a hidden test's input while it can still say something.
Nothing reported is trusted beyond being plain JSON: the supervisor checks the order of
events and enforces the limits, and the verdict is computed in the grader.
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import io
import json
import os
import signal
import sys
from collections.abc import Mapping
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from seminarkit.grading import isolation
from seminarkit.grading.protocol import AttemptJob, JSONValue

if TYPE_CHECKING:
    from seminarkit.grading.shell import GradingShell

REPORT_FD, PROBE_FD = 3, 4
OUTPUT_KEEP = 2000
MAX_PROBE_BYTES = 20 * 1024 * 1024
CHILD_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
             "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
             "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}


class CellTimeout(BaseException):
    """The cell ran past its time limit."""


class CappedOutput(io.TextIOBase):
    """A stdout/stderr stand-in that counts everything and keeps only the beginning."""

    def __init__(self) -> None:
        self.chars = 0
        self.kept: list[str] = []

    def writable(self) -> bool:
        """Return True (always writable)."""
        return True

    def write(self, text: str) -> int:
        """Count ``text``; keep it only while under the cap."""
        size = len(text)
        if self.chars < OUTPUT_KEEP:
            self.kept.append(str(text)[: OUTPUT_KEEP - self.chars])
        self.chars += size
        return size


def send(event: Mapping[str, JSONValue]) -> None:
    """Write one event line on the report descriptor (the student process exits if it is gone)."""
    data = (json.dumps(event, allow_nan=False) + "\n").encode()
    view = memoryview(data)
    try:
        while view:
            written = os.write(REPORT_FD, view)
            view = view[written:]
    except OSError:
        os._exit(71)


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise CellTimeout()


def write_files(workdir: str, files: Mapping[str, str]) -> None:
    """Write the job's declared files (base64) into its working folder."""
    for name, data in files.items():
        path = os.path.join(workdir, os.path.basename(str(name)) or "file")
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))


def _cut_off(job: AttemptJob, workdir: str, report_fd: int, probe_fd: int) -> None:
    """Keep only the report and probe descriptors; stdio to /dev/null; a new session."""
    os.dup2(report_fd, REPORT_FD)
    os.dup2(probe_fd, PROBE_FD)
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(PROBE_FD + 1, 1 << 16)
    with contextlib.suppress(OSError):
        os.setsid()
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(CHILD_ENV, HOME=workdir, TMPDIR=workdir)
    sys.argv = ["submission"]
    # as in a Jupyter kernel, modules next to the notebook import (``%%writefile`` helpers)
    sys.path[:] = ["", *(p for p in sys.path if p)]
    importlib.invalidate_caches()


def job_main(job: AttemptJob, workdir: str, report_fd: int, probe_fd: int,
             grants: list[isolation.Grant], namespaced: bool, shell: GradingShell | None,
             ) -> NoReturn:
    """Run one attempt in this (forked) process: isolate, fork the student process, wait."""
    code = 70
    try:
        isolation.set_parent_death_signal()
        _cut_off(job, workdir, report_fd, probe_fd)
        layers: dict[str, JSONValue] = {"processes": namespaced, "network": namespaced,
                                        "proc": False}
        if job.get("isolate", True):
            if namespaced:
                layers["proc"] = isolation.mount_private_proc()
                layers["disk"] = isolation.mount_private_workdir(
                    workdir, job["limits"]["memory_mb"])
                if layers["disk"]:
                    write_files(workdir, job.get("files", {}))
                    os.chdir(workdir)
            layers["capabilities"] = isolation.drop_capabilities()
            proc = ("/proc", True, False) if layers["proc"] else (os.path.realpath("/proc/self"), True, False)
            layers.update(isolation.landlock([*grants, proc], [workdir]))
            layers["sockets"] = isolation.seccomp_filter()
        else:
            layers.update(processes=False, network=False)
        isolation.set_limits(job["limits"]["memory_mb"], job["limits"]["total_seconds"])
        send({"ev": "isolation", "layers": layers})
        pid = os.fork()
        if pid == 0:
            student_main(job, shell)
        os.close(REPORT_FD)
        os.close(PROBE_FD)
        code = _wait_as_init(pid)
    except BaseException:
        code = 70
    os._exit(code)


def _wait_as_init(pid: int) -> int:
    """Reap orphans until the student process exits; return an exit code describing it."""
    while True:
        try:
            done, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 70
        except InterruptedError:
            continue
        if done == pid:
            if os.WIFSIGNALED(status):
                return 128 + os.WTERMSIG(status)
            return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70


def _outcome(result: object) -> tuple[str, str, str]:
    error = getattr(result, "error_before_exec", None) or getattr(result, "error_in_exec", None)
    if error is None:
        return "ok", "", ""
    if isinstance(error, CellTimeout):
        return "timeout", "TimeoutError", ""
    if isinstance(error, MemoryError):
        return "memory", "MemoryError", ""
    return "error", type(error).__name__, str(error)[:300]


def _run_cell(key: str, source: str, shell: GradingShell | None, namespace: dict[str, object],
              seconds: float) -> None:
    send({"ev": "start", "step": key})
    status, ename, evalue = "ok", "", ""
    notes: list[str] = []
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        if shell is not None:
            shell.notes = notes
            from IPython.core.interactiveshell import InteractiveShell

            status, ename, evalue = _outcome(InteractiveShell.run_cell(shell, source,
                                                                       store_history=True))
        else:
            exec(compile(source, f"<cell {key}>", "exec"), namespace)
    except CellTimeout:
        status, ename = "timeout", "TimeoutError"
    except MemoryError:
        status, ename = "memory", "MemoryError"
    except BaseException as exc:  # student code may raise anything, SystemExit included
        status, ename, evalue = "error", type(exc).__name__, str(exc)[:300]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if ename == "UsageError":
        notes.append(f"{evalue} The cell stopped there, as it does in Jupyter.")
    send({"ev": "end", "step": key, "status": status, "ename": ename[:100], "evalue": evalue,
          "notes": [n[:300] for n in notes[:10]]})


def _probe(key: str, expr: str, namespace: dict[str, object], seconds: float,
           slow: set[str]) -> None:
    from seminarkit.grading.codec import KIND, TooLarge, encode

    event: dict[str, JSONValue] = {"ev": "probe", "key": key}
    function = expr.split("(", 1)[0] if "(" in expr else ""
    if function in slow:  # one timed-out call of a function is enough to wait for
        event["error"] = {"kind": "timeout", "detail": "took too long"}
        send(event)
        return
    send({"ev": "start", "step": f"probe:{key}"})
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        value = encode(eval(expr, namespace))
        if isinstance(value, dict) and value.get(KIND) == "opaque":
            event["error"] = {"kind": "unreportable",
                              "detail": f"a {value.get('type')} object, not a plain value"}
        else:
            event["value"] = value
    except CellTimeout:
        event["error"] = {"kind": "timeout", "detail": "took too long"}
        if function:
            slow.add(function)
    except NameError as exc:
        event["error"] = {"kind": "missing", "detail": str(exc)[:200]}
    except (MemoryError, TooLarge, RecursionError):
        event["error"] = {"kind": "too-large", "detail": "the value is too large to report"}
    except BaseException as exc:
        event["error"] = {"kind": "error", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        text = json.dumps(event, allow_nan=False)
    except (TypeError, ValueError):
        text = "x" * (MAX_PROBE_BYTES + 1)
    if len(text) > MAX_PROBE_BYTES:
        event.pop("value", None)
        event["error"] = {"kind": "too-large", "detail": "the value is too large to report"}
    send(event)


def _read_batch(pending: bytearray) -> tuple[list[list[str]], bool]:
    """Read one probe batch (a JSON line) from the probe descriptor: probes, snapshot wanted."""
    while b"\n" not in pending:
        chunk = os.read(PROBE_FD, 1 << 20)
        if not chunk:
            return [], False
        pending += chunk
    line, _, rest = bytes(pending).partition(b"\n")
    pending[:] = rest
    data = json.loads(line) if line.strip() else {}
    if not isinstance(data, dict):
        return [], False
    return [[str(k), str(e)] for k, e in data.get("probes", [])], bool(data.get("snapshot"))


class _Probing:
    """Probe evaluation state of one student process: slow functions, snapshots taken.

    Tests whose hidden probes are due wait in ``due`` until the next cell is about to run:
    then one snapshot is forked for all of them (no cell ran between them). Tests still due
    at the end are evaluated by the student process itself, after it has finished every cell
    (it has nothing left to say that could reach feedback).
    """

    def __init__(self, namespace: dict[str, object], seconds: float, slow: set[str]):
        self.namespace, self.seconds, self.slow = namespace, seconds, slow
        self.pending = bytearray()
        self.due: list[str] = []
        self.snapshots: list[tuple[int, int]] = []  # (pid, write end of its go pipe)

    def point(self, test: str) -> None:
        """Evaluate a test's public probes here; its hidden ones wait for a snapshot."""
        send({"ev": "point", "test": test})
        batch, snapshot = _read_batch(self.pending)
        for key, expr in batch:
            _probe(key, expr, self.namespace, self.seconds, self.slow)
        if snapshot:
            self.due.append(test)
        send({"ev": "point-done", "test": test})

    def before_cell(self) -> None:
        """Fork one frozen snapshot for the tests due, before a cell can change the state."""
        if not self.due:
            return
        tests, self.due = self.due, []
        go_r, go_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(go_w)
            for _, other in self.snapshots:
                os.close(other)
            code = 0
            try:
                if os.read(go_r, 1) == b"g":
                    self.hidden(tests)
            except BaseException:
                code = 70
            os._exit(code)
        os.close(go_r)
        self.snapshots.append((pid, go_w))

    def hidden(self, tests: list[str]) -> None:
        """Evaluate the hidden probes of ``tests``, in order."""
        for test in tests:
            send({"ev": "hidden-point", "test": test})
            batch, _ = _read_batch(self.pending)
            for key, expr in batch:
                _probe(key, expr, self.namespace, self.seconds, self.slow)
            send({"ev": "batch-done", "test": test})

    def release(self) -> None:
        """Let each snapshot evaluate its hidden probes, in order; then the tests still due."""
        for pid, go_w in self.snapshots:
            with contextlib.suppress(OSError):
                os.write(go_w, b"g")
                os.close(go_w)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.hidden(self.due)


def student_main(job: AttemptJob, shell: GradingShell | None) -> NoReturn:
    """Run the cells, evaluate probes at each test's position, then the hidden snapshots."""
    code = 0
    try:
        isolation.set_parent_death_signal()
        out = CappedOutput()
        sys.stdout = sys.stderr = out
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        namespace: dict[str, object] = shell.user_ns if shell is not None else {
            "__name__": "__main__", "__builtins__": __builtins__}
        seconds = float(job["limits"]["cell_seconds"])
        skip = set(job.get("skip", []))
        probing = _Probing(namespace, seconds, set())
        for cell in job["cells"]:
            if cell.get("point"):
                probing.point(cell["key"])
            elif cell["key"] not in skip:
                probing.before_cell()
                _run_cell(cell["key"], cell.get("source", ""), shell, namespace, seconds)
        send({"ev": "cells-done", "output_chars": out.chars})
        probing.release()
        send({"ev": "done"})
    except BaseException:
        code = 70
    finally:
        os._exit(code)
