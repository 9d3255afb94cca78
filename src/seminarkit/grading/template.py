"""The pristine template: a fork server that never receives a job.

Run as ``python -m seminarkit.grading.template`` by :mod:`seminarkit.grading.sandbox`, with
the control socket on fd 0. It imports what students use (numpy, pandas, matplotlib, the
IPython shell) once, computes the trees a student process may read, reports which isolation
layers this machine offers, and then only ever does one thing: on a request carrying two
pipe descriptors it forks a supervisor (:func:`seminarkit.grading.supervisor.supervise`),
which reads its attempt from the first pipe and writes events to the second.

The template never reads a job, a probe, a result or a path of the grader: every process
that runs student code descends from a process that has never held another student's data.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import socket
import sys
import sysconfig
from collections.abc import Iterable
from typing import TYPE_CHECKING

from seminarkit.grading import isolation

if TYPE_CHECKING:
    from seminarkit.grading.shell import GradingShell

PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "statistics", "fractions",
           "decimal", "datetime", "collections", "itertools", "functools", "re", "json", "csv",
           "math", "random", "timeit", "seminarkit.grading.codec", "seminarkit.grading.helpers",
           "seminarkit.grading.runner", "seminarkit.grading.supervisor")
"""Imported once here; the student process can read nothing of the kit's own package folder,
so every kit module it uses (the checks' helpers included) must be loaded before the fork."""
KIT_PACKAGE = "seminarkit"


def preload() -> GradingShell | None:
    """Import the libraries students use and build the IPython shell (None without IPython)."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    for name in PRELOAD:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    try:
        from seminarkit.grading.shell import build_shell

        return build_shell()
    except Exception:
        return None


def carve(roots: Iterable[str], forbidden: Iterable[str]) -> list[isolation.Grant]:
    """Return read grants covering ``roots`` except the ``forbidden`` trees.

    A root that contains a forbidden path is replaced by its entries (recursively), so the
    forbidden tree and nothing else is left out; the folders split that way keep a
    *listing-only* grant (Landlock applies it to their whole subtree: names can be listed,
    nothing of the forbidden tree can be read). Imports and ``importlib.metadata`` need to
    list ``site-packages``. Missing paths are dropped.
    """
    banned = {os.path.realpath(p) for p in forbidden}
    grants: dict[str, tuple[bool, bool]] = {}

    def add(path: str) -> None:
        real = os.path.realpath(path)
        if real in banned or not os.path.exists(real):
            return
        inside = [b for b in banned if b.startswith(real.rstrip("/") + "/")]
        if not inside or not os.path.isdir(real):
            grants[real] = (os.path.isdir(real), False)
            return
        grants.setdefault(real, (True, True))
        with contextlib.suppress(OSError):
            for entry in os.scandir(real):
                add(entry.path)

    roots = sorted({os.path.realpath(r) for r in roots})
    for root in roots:
        if not any(root.startswith(other.rstrip("/") + "/") for other in roots if other != root):
            add(root)
    return sorted((path, is_dir, listing) for path, (is_dir, listing) in grants.items())


def site_dirs() -> set[str]:
    """Return the interpreter's library trees (stdlib and site-packages, of the venv and its base)."""
    paths = {sysconfig.get_paths(vars={"base": prefix, "platbase": prefix}).get(key, "")
             for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}
             for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    paths.update(sysconfig.get_paths().get(key, "") for key in
                 ("stdlib", "platstdlib", "purelib", "platlib"))
    return {p for p in paths if p}


def kit_folders(roots: set[str]) -> set[str]:
    """Every folder of the kit's own package: the imported one and any in a site directory.

    An installed kit keeps its materials (quiz keys, instructor notes) in
    ``seminarkit/_materials``; the student process imports nothing from the kit after the
    template preloaded it, so the whole package folder is withheld.
    """
    import seminarkit

    folders = {os.path.dirname(os.path.abspath(seminarkit.__file__))}
    folders.update(os.path.join(root, KIT_PACKAGE) for root in roots)
    return {f for f in folders if os.path.isdir(f)}


def readable_grants() -> list[isolation.Grant]:
    """Return the ``(path, is_dir)`` trees a student process may read.

    The interpreter's trees and the system folders, never ``sys.path`` as a whole (under
    ``python -m`` or pytest it starts with the course repository) and never the kit's own
    package folder (see :func:`kit_folders`).
    """
    sites = site_dirs()
    roots = sites | {sys.prefix, sys.base_prefix, sys.exec_prefix, *isolation.SYSTEM_TREES}
    for key in ("MPLCONFIGDIR", "IPYTHONDIR"):
        if os.environ.get(key):
            roots.add(os.environ[key])
    return carve(roots, kit_folders(sites))


def probe_isolation() -> dict[str, bool]:
    """Which layers this machine gives a student process (checked in a throw-away child)."""
    layers = {"processes": False, "network": False, "filesystem": False, "signals": False,
              "sockets": False}
    if not isolation.is_linux():
        return layers
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the throw-away child
        os.close(read)
        ok = isolation.enter_namespaces()
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    namespaced = os.read(read, 1) == b"1"
    os.close(read)
    os.waitpid(pid, 0)
    abi = isolation.landlock_abi()
    import platform

    layers.update(processes=namespaced, network=namespaced, filesystem=abi >= 1,
                  signals=abi >= 6 or namespaced,
                  sockets=isolation.seccomp_program(platform.machine()) is not None)
    return layers


def serve(control: socket.socket, grants: list[isolation.Grant],
          shell: GradingShell | None) -> None:
    """Fork one supervisor per request until the grader closes the socket."""
    from seminarkit.grading.supervisor import supervise

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors are reaped by the kernel
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 2)
        except InterruptedError:
            continue
        except OSError:
            return
        if not message:
            return
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            control.sendall(b"0\n")
            continue
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the supervisor
            control.close()
            supervise(fds[0], fds[1], grants, shell)
        for fd in fds:
            os.close(fd)
        control.sendall(f"{pid}\n".encode())


def main() -> None:
    """Preload, report readiness (with the isolation this machine offers), then serve."""
    control = socket.socket(fileno=os.dup(0))
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)  # stray prints from libraries go nowhere, never into the protocol
    shell = preload()
    grants = readable_grants()
    ready = {"ready": True, "isolation": probe_isolation(), "ipython": shell is not None}
    control.sendall((json.dumps(ready) + "\n").encode())
    serve(control, grants, shell)


if __name__ == "__main__":
    main()
