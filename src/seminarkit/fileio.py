"""The kit's one way to write a file: atomic, durable, and with the permissions the umask gives.

:func:`write_atomic` writes to a temporary file beside the target, flushes and fsyncs it,
gives it the mode a plain ``open()`` would (``0o666 & ~umask``: 0644 under umask 022, 0600
under 077), renames it over the target and fsyncs the folder. A reader sees the old file or
the new one, never half of either; a crash or Ctrl-C leaves at most a hidden ``.name.*.tmp``
that the next write replaces. :func:`make_dirs` creates folders with the umask's mode too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from seminarkit.errors import InputError, OutputError


def current_umask() -> int:
    """Return the process umask without changing it (Linux reads /proc; elsewhere set-and-restore)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Mode for a new file: what ``open()`` would give under the current umask."""
    return 0o666 & ~current_umask()


def make_dirs(path: Path) -> Path:
    """Create ``path`` and its parents (mode from the umask); an existing folder is fine.

    Raises :class:`OutputError` (one line) when a part of the path is a file or cannot be
    created.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), path)
        raise OutputError(blocker, "is a file, not a folder (choose another output folder)") from None
    except OSError as exc:
        missing = next((p for p in reversed((path, *path.parents)) if not p.exists()), path)
        raise OutputError(missing, f"cannot create the folder: {exc.strerror or exc}") from None
    return path


def _nearest_existing(path: Path) -> Path:
    """``path`` itself or its closest ancestor that exists."""
    probe = path
    while not os.path.lexists(probe) and probe != probe.parent:
        probe = probe.parent
    return probe


def _folder_problem(path: Path) -> str | None:
    """Why no file could be written in folder ``path`` (existing or not), or None."""
    if path.exists() and not path.is_dir():
        return f"{path} is a file, not a folder"
    base = _nearest_existing(path)
    if not base.is_dir():
        return f"{base} is a file, not a folder"
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".seminarkit-probe-", dir=base))
    except OSError as exc:
        return f"{base} is not writable ({exc.strerror or exc})"
    return None


def check_output_dir(path: Path) -> Path:
    """Check, before any work, that ``path`` is or can become a writable folder.

    Nothing is left behind: the check creates and removes one hidden probe folder in the
    closest existing ancestor. Raises :class:`OutputError` (one line) when ``path`` or an
    ancestor is a file, or the folder cannot be written.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(path, "is a file, not a folder (choose another output folder)")
    problem = _folder_problem(path)
    if problem:
        raise OutputError(path, f"cannot use this output folder: {problem}")
    return path


def check_output_file(path: Path) -> Path:
    """Check, before any work, that a file can be written at ``path`` (see check_output_dir)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(path, "is a folder; give a file name")
    problem = _folder_problem(path.parent)
    if problem:
        raise OutputError(path, f"cannot write this file: {problem}")
    return path


def check_input(path: Path, what: str = "file") -> Path:
    """Check that an input ``path`` exists and is a ``what`` ("file", "folder", or anything else)."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, f"no such {what}")
    if what == "file" and not path.is_file():
        raise InputError(path, "is a folder, not a file")
    if what == "folder" and not path.is_dir():
        raise InputError(path, "is a file, not a folder")
    return path


def make_temp_dir(parent: Path, prefix: str) -> Path:
    """Create a new hidden folder in ``parent`` (mode from the umask, unlike ``mkdtemp``'s 0700).

    For work that appears all at once: fill it, then rename it into place.
    """
    make_dirs(parent)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{prefix}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(parent, f"is not writable: {exc.strerror or exc}") from None
    os.chmod(tmp, 0o777 & ~current_umask())
    return tmp


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (bytes, or text as UTF-8) to ``path`` atomically and durably; return ``path``."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    make_dirs(path.parent)
    if path.is_dir():
        raise OutputError(path, "is a folder; cannot write a file there")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(path.parent, f"is not writable: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(path, f"cannot write: {exc.strerror or exc}") from None
        raise
    _fsync_dir(path.parent)
    return path


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable: fsync the folder (a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def hash_tree(h: hashlib._Hash, root: Path) -> None:
    """Feed every file under ``root`` (relative name and contents, in sorted order) into ``h``."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            hash_file(h, path, root)


def hash_file(h: hashlib._Hash, path: Path, root: Path) -> None:
    """Feed one file (its name relative to ``root``, then its bytes) into ``h``."""
    h.update(str(path.relative_to(root)).encode())
    h.update(b"\0")
    h.update(path.read_bytes())
    h.update(b"\0")


def import_nbformat() -> ModuleType:
    """Import nbformat without jsonschema's optional rfc3987_syntax grammar (~0.9 s per process).

    nbformat validates with jsonschema, which builds an RFC 3987 grammar at import when
    ``rfc3987_syntax`` is installed; notebooks never use the ``iri`` formats it serves.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import nbformat

    return nbformat
