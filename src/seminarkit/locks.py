"""One writer per output folder: an advisory lock file beside the manifest.

:func:`folder_lock` takes an exclusive ``flock`` on ``<folder>/.seminarkit.lock`` for as long
as a command writes into the folder. A second process on the same folder **waits**: it says
once, on stderr, who holds the folder (pid, command, since when) and carries on when that
process finishes, so both runs succeed and the second one finds the first one's outputs
(for a build, usually all cached). Ctrl-C while waiting stops at once.
Pass ``wait=False`` to refuse instead, with one line (:class:`FolderLocked`).

The lock belongs to the open file, not to the file's existence: it is released when the
process ends, however it ends (a crash or ``kill -9`` leaves no stale lock). The lock file
itself stays, empty of meaning once unlocked; it is not a build output and is hidden.
Locks are advisory and local: they protect against two kit processes on one machine (or on
a file system with working ``flock``), not against other programs writing there.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ParamSpec, TypeVar

from seminarkit.errors import OutputError, SeminarkitError
from seminarkit.fileio import file_mode, make_dirs

LOCK_NAME = ".seminarkit.lock"

P = ParamSpec("P")
R = TypeVar("R")


class FolderLocked(SeminarkitError):
    """Another process is writing into the folder and the caller chose not to wait."""


def _holder(fd: int) -> str:
    """Describe the lock holder from what it wrote into the lock file."""
    with contextlib.suppress(OSError, ValueError):
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        since = time.strftime("%H:%M:%S", time.localtime(float(info["since"])))
        return f"{info['command']}, pid {int(info['pid'])}, since {since}"
    return "another process"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def folder_lock(folder: Path, command: str, *, wait: bool = True,
                notify: Callable[[str], None] = _say) -> Iterator[Path]:
    """Hold the folder's lock for the ``with`` block; wait for (or refuse) another holder."""
    folder = make_dirs(Path(folder))
    path = folder / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, file_mode())
    except OSError as exc:
        raise OutputError(path, f"cannot create the lock file: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise FolderLocked(f"{folder}: another seminarkit process is writing here "
                                   f"({holder}); wait for it to finish or choose another "
                                   "folder") from None
            notify(f"seminarkit: {folder} is in use by another seminarkit process ({holder}); "
                   f"waiting for it to finish before the {command} starts (Ctrl-C to stop)")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"command": command, "pid": os.getpid(),
                                  "since": time.time()}).encode(), 0)
        yield path
    finally:
        os.close(fd)  # releases the lock


def locks_output(command: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function taking ``out_dir=`` so each call holds that folder's lock."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def locked(*args: P.args, **kwargs: P.kwargs) -> R:
            out_dir = kwargs.get("out_dir")
            if not isinstance(out_dir, (str, os.PathLike)):
                raise TypeError(f"{function.__name__}() needs out_dir= to lock its output folder")
            with folder_lock(Path(out_dir), command):
                return function(*args, **kwargs)

        return locked

    return decorate
