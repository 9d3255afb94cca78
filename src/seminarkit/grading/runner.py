"""The student side: what runs inside the forked process that executes one submission.

:func:`child_main` never returns. It cuts the process off (new session, fds closed, scrubbed
environment, new user and network namespaces, Landlock file-system rules, resource limits),
runs the cells with a per-cell alarm, evaluates the probes and reports JSON lines on fd 3:

``{"ev": "start", "step": key}``, ``{"ev": "end", "step": key, "status": ...}``,
``{"ev": "probe", "key": ..., "value": ...}`` (or ``"error"``), ``{"ev": "done", ...}``.

Nothing it reports is trusted beyond being plain JSON data: the verdict is computed in the
grader. The limits enforced here are the first line; the zygote's hard kill is the second.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import resource
import signal
import struct
import sys
from collections.abc import Callable, Iterable, Mapping
from types import FrameType
from typing import TypeAlias

from seminarkit.grading.protocol import GradeJob, JSONValue

CellTransform: TypeAlias = Callable[[str], str]
"""IPython's cell transformer: turns magics and shell escapes into Python."""

REPORT_FD = 3
OUTPUT_KEEP = 2000
MAX_PROBE_BYTES = 20 * 1024 * 1024
CHILD_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
             "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
             "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
_SYS_LANDLOCK = (444, 445, 446)  # create_ruleset, add_rule, restrict_self (same on all arches)
_LL_READ = 1 | 4 | 8  # EXECUTE | READ_FILE | READ_DIR
_LL_FILE_RW = 2 | 4  # WRITE_FILE | READ_FILE


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


class _Shell:
    """Enough of ``get_ipython()`` for magics in student code to be harmless no-ops."""

    def run_line_magic(self, *args: object, **kwargs: object) -> None:
        """Ignore a line magic."""

    def run_cell_magic(self, *args: object, **kwargs: object) -> None:
        """Ignore a cell magic."""

    def system(self, *args: object, **kwargs: object) -> None:
        """Ignore a shell escape."""

    def getoutput(self, *args: object, **kwargs: object) -> list[str]:
        """Ignore a captured shell escape."""
        return []


def _send(event: Mapping[str, JSONValue]) -> None:
    data = (json.dumps(event, allow_nan=False) + "\n").encode()
    view = memoryview(data)
    while view:
        written = os.write(REPORT_FD, view)
        view = view[written:]


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise CellTimeout()


def _unshare_network() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0)


def landlock(readable: Iterable[str], writable: Iterable[str]) -> bool:
    """Restrict file-system access to ``readable`` (read) and ``writable`` (read/write) trees."""
    libc = ctypes.CDLL(None, use_errno=True)
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    abi = syscall(_SYS_LANDLOCK[0], None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return False
    handled = (1 << 13) - 1 | ((1 << 14) if abi >= 3 else 0)
    attr = struct.pack("=Q", handled)
    ruleset = syscall(_SYS_LANDLOCK[0], ctypes.c_char_p(attr), ctypes.c_size_t(len(attr)),
                      ctypes.c_uint32(0))
    if ruleset < 0:
        return False

    def allow(path: str, access: int) -> None:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        is_dir = os.path.isdir(path)
        rule = struct.pack("=Qi", access & handled if is_dir else access & _LL_FILE_RW
                           & handled, fd)
        syscall(_SYS_LANDLOCK[1], ctypes.c_int(ruleset), ctypes.c_int(1),
                ctypes.c_char_p(rule), ctypes.c_uint32(0))
        os.close(fd)

    for path in readable:
        allow(path, _LL_READ)
    for path in writable:
        allow(path, handled)
    allow("/dev/null", _LL_FILE_RW)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return False
    ok = syscall(_SYS_LANDLOCK[2], ctypes.c_int(ruleset), ctypes.c_uint32(0)) == 0
    os.close(ruleset)
    return bool(ok)


def _set_limits(memory_mb: float, cpu_seconds: float) -> None:
    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = current + int(memory_mb * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024 * 1024, 64 * 1024 * 1024))
    cpu = int(cpu_seconds) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _isolate(workdir: str, job: GradeJob, readable: list[str]) -> dict[str, bool]:
    os.setsid()
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(REPORT_FD + 1, 1 << 16)
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(CHILD_ENV, HOME=workdir, TMPDIR=workdir)
    sys.argv = ["submission"]
    isolated = {"network": False, "filesystem": False}
    if job.get("isolate", True):
        with contextlib.suppress(OSError):
            isolated["network"] = _unshare_network()
        with contextlib.suppress(OSError):
            isolated["filesystem"] = landlock(readable, [workdir])
    limits = job["limits"]
    _set_limits(limits["memory_mb"], limits["total_seconds"])
    return isolated


def _run_step(key: str, code_text: str, namespace: dict[str, object], seconds: float,
              transform: CellTransform | None) -> None:
    _send({"ev": "start", "step": key})
    status, ename, evalue = "ok", "", ""
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        source = transform(code_text) if transform else code_text
        exec(compile(source, f"<cell {key}>", "exec"), namespace)
    except CellTimeout:
        status, ename = "timeout", "TimeoutError"
    except MemoryError:
        status, ename = "memory", "MemoryError"
    except BaseException as exc:  # student code may raise anything, SystemExit included
        status, ename, evalue = "error", type(exc).__name__, str(exc)[:300]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    _send({"ev": "end", "step": key, "status": status, "ename": ename, "evalue": evalue})


def _probe(key: str, expr: str, namespace: dict[str, object], seconds: float,
           slow: set[str]) -> None:
    from seminarkit.grading.codec import KIND, TooLarge, encode

    event: dict[str, JSONValue] = {"ev": "probe", "key": key}
    function = expr.split("(", 1)[0] if "(" in expr else ""
    if function in slow:  # one timed-out call of a function is enough to wait for
        event["error"] = {"kind": "timeout", "detail": "took too long"}
        _send(event)
        return
    _send({"ev": "start", "step": f"probe:{key}"})
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
    _send(event)


def child_main(job: GradeJob, report_fd: int, workdir: str, skip: set[str],
               readable: list[str], transform: CellTransform | None) -> None:
    """Run one attempt of a job in this (forked) process, then exit without returning."""
    code = 0
    try:
        os.dup2(report_fd, REPORT_FD)
        isolated = _isolate(workdir, job, readable)
        _send({"ev": "isolation", **isolated})
        out = CappedOutput()
        sys.stdout = sys.stderr = out
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        namespace: dict[str, object] = {"__name__": "__main__", "__builtins__": __builtins__,
                                     "get_ipython": lambda: _Shell(), "display": lambda *a, **k: None}
        seconds = float(job["limits"]["cell_seconds"])
        for cell in job["cells"]:
            if cell["key"] not in skip:
                _run_step(cell["key"], cell["source"], namespace, seconds, transform)
        slow: set[str] = {s.split(":", 1)[1].split("(", 1)[0] for s in skip
                          if s.startswith("probe:")}
        for key, expr in job["probes"]:
            if f"probe:{key}" not in skip:
                _probe(key, expr, namespace, seconds, slow)
        _send({"ev": "done", "output_chars": out.chars})
    except BaseException:
        code = 70
    finally:
        os._exit(code)
