"""Keeping a job's processes in check: a task cgroup per job, and the sweep without namespaces.

* :func:`join_task_cgroup` (the supervisor, before it forks the job): at most
  :data:`MAX_TASKS` processes for the whole job, where the grader may create cgroups;
  :func:`leave_task_cgroup` and :func:`remove_task_cgroup` (the grader, outside the job's
  user namespace) clean up;
* :func:`sweep`: without PID namespaces, SIGKILL every descendant of the supervisor (a child
  subreaper, so orphaned grandchildren are its descendants) until none is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from seminarkit.grading.isolation import is_linux

MAX_TASKS = 256


def join_task_cgroup(limit: int) -> str | None:
    """Move this process into a new ``pids`` cgroup capped at ``limit`` tasks; return its path.

    A fork bomb then stops at ``limit`` processes instead of starving every other job of the
    machine's process table. Needs a writable ``pids`` hierarchy: cgroup v1's, or a v2 cgroup
    whose ``subtree_control`` enables ``pids`` (a grader run as root, or a delegated cgroup);
    elsewhere None (the process count is then only bounded by the machine's limits).
    """
    if not is_linux():
        return None
    try:
        with open("/proc/self/cgroup") as handle:
            lines = handle.read().splitlines()
        base = None
        for line in lines:
            _, controllers, path = line.split(":", 2)
            if "pids" in controllers.split(","):
                base = os.path.join("/sys/fs/cgroup/pids", path.lstrip("/"))
        if base is None:
            unified = [line[3:] for line in lines if line.startswith("0::")]
            base = os.path.join("/sys/fs/cgroup", unified[0].lstrip("/")) if unified else ""
            with open(os.path.join(base, "cgroup.subtree_control")) as handle:
                if "pids" not in handle.read().split():
                    return None
    except (OSError, ValueError, IndexError):
        return None
    group = os.path.join(base, f"seminarkit-{os.getpid()}")
    try:
        os.mkdir(group)
        for name, value in (("pids.max", str(limit)), ("cgroup.procs", str(os.getpid()))):
            with open(os.path.join(group, name), "w") as handle:
                handle.write(value)
    except OSError:
        with contextlib.suppress(OSError):
            os.rmdir(group)
        return None
    return group


def leave_task_cgroup(group: str) -> None:
    """Move this process back to the parent of ``group`` (before it reports the end)."""
    with contextlib.suppress(OSError), \
            open(os.path.join(os.path.dirname(group), "cgroup.procs"), "w") as handle:
        handle.write(str(os.getpid()))


def remove_task_cgroup(group: str, wait: float = 2.0) -> None:
    """Remove a job's cgroup once its killed tasks are gone (from outside its user namespace).

    Also removes empty groups left by supervisors that were killed before they could report.
    """
    if os.path.basename(group).split("-")[0] != "seminarkit" or \
            not os.path.realpath(group).startswith("/sys/fs/cgroup/"):
        return
    end = time.monotonic() + wait
    while True:
        try:
            os.rmdir(group)
            break
        except FileNotFoundError:
            break
        except OSError:  # busy: the job's processes are still being torn down
            if time.monotonic() > end:
                break
            time.sleep(0.01)
    with contextlib.suppress(OSError):
        for entry in os.scandir(os.path.dirname(group)):
            owner = entry.name[len("seminarkit-"):]
            if entry.name.startswith("seminarkit-") and owner.isdigit() and \
                    not os.path.exists(f"/proc/{owner}"):
                with contextlib.suppress(OSError):
                    os.rmdir(entry.path)


def descendants(root: int) -> list[int]:
    """Return the pids below ``root`` (Linux ``/proc``); used by the sweep without namespaces."""
    parents: dict[int, int] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        parents[int(entry.name)] = int(fields[1])
    found: list[int] = []
    frontier = [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in found:
                found.append(pid)
                frontier.append(pid)
    return found


def sweep(root: int, rounds: int = 50) -> int:
    """SIGKILL every descendant of ``root`` until none is left; return how many were killed."""
    killed = 0
    for _ in range(rounds):
        pids = descendants(root)
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
    return killed
