"""Finding and reading submissions safely: one bad file is one student's status, never the batch's.

A submission is a notebook (student id = the file name up to the first dot) or a folder, one
per student (id = the folder name), holding ``<exercise>.ipynb`` and optionally quiz exam
responses (``*.responses.json``). Reading is bounded and never leaves the submissions folder:

* a link (the submission itself, or a file in a student's folder) is followed only if it
  stays inside the folder that holds the submission; a link out of it (to the instructor
  source, ``/dev/zero``, another course) is that student's ``invalid-notebook`` status;
* only regular files are read, at most :data:`MAX_NOTEBOOK_BYTES` (responses:
  :data:`MAX_RESPONSES_BYTES`), opened without following a final link;
* JSON is parsed with its nesting bounded (:data:`MAX_DEPTH`); deeper documents, and any
  decoding failure, are the student's status.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seminarkit.errors import SubmissionError

NOTEBOOK = ".ipynb"
RESPONSES = ".responses.json"
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
MAX_RESPONSES_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 100


class Unreadable(ValueError):
    """A submission file cannot be used (carries the reason shown in the gradebook)."""


@dataclass
class Submission:
    """One student's submission: a notebook and/or quiz responses, or why there is none.

    ``status`` is empty when there is something to grade; otherwise ``not-submitted`` (no
    notebook for this exercise) or ``invalid-notebook`` (a file that cannot be used), with
    ``problem`` saying why.
    """

    student: str
    path: Path
    notebook: Path | None
    responses: list[Path] = field(default_factory=list)
    problem: str = ""
    status: str = ""
    digest: str = ""


def student_of(path: Path) -> str:
    """Return the student id a submission path stands for."""
    return path.name.split(".", 1)[0] or path.name


def _inside(path: Path, root: Path) -> bool:
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def read_bounded(path: Path, root: Path, limit: int) -> bytes:
    """Read a regular file inside ``root`` (links followed only within it), at most ``limit``."""
    if not _inside(path, root):
        raise Unreadable(f"{path.name} is a link to a file outside the submissions folder "
                         "(submit the notebook itself)")
    try:
        fd = os.open(os.path.realpath(path), os.O_RDONLY | os.O_NONBLOCK
                     | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Unreadable(f"{path.name} cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(f"{path.name} is not a regular file")
        if info.st_size > limit:
            raise Unreadable(f"{path.name} is larger than {limit // (1024 * 1024)} MB")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise Unreadable(f"{path.name} is larger than {limit // (1024 * 1024)} MB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _depth_ok(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def parse_json(data: bytes, what: str) -> Any:
    """Decode UTF-8 JSON with bounded nesting; raise Unreadable with a clear reason."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable(f"not a {what}: the file is not UTF-8 text") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise Unreadable(f"not a {what}: JSON nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise Unreadable(f"corrupt {what}: not valid JSON ({exc.msg}, line {exc.lineno})"
                         ) from None
    except (ValueError, MemoryError) as exc:
        raise Unreadable(f"corrupt {what}: {type(exc).__name__}") from None
    if not _depth_ok(value):
        raise Unreadable(f"not a {what}: JSON nested deeper than {MAX_DEPTH} levels")
    return value


def _exercise_of(path: Path, root: Path) -> str | None:
    """Return the exercise id a notebook declares (None if none or unreadable)."""
    try:
        nb = parse_json(read_bounded(path, root, MAX_NOTEBOOK_BYTES), "notebook")
    except Unreadable:
        return None
    meta = nb.get("metadata") if isinstance(nb, dict) else None
    kit = meta.get("seminarkit") if isinstance(meta, dict) else None
    found = kit.get("exercise") if isinstance(kit, dict) else None
    return found if isinstance(found, str) else None


def _from_folder(path: Path, exercise_id: str) -> Submission:
    sub = Submission(path.name, path, None)
    entries = sorted(p for p in path.iterdir() if not p.name.startswith("."))
    notebooks = [p for p in entries if p.name.endswith(NOTEBOOK)]
    sub.responses = [p for p in entries if p.name.endswith(RESPONSES)]
    named = [p for p in notebooks if p.name == f"{exercise_id}{NOTEBOOK}"]
    if named:
        sub.notebook = named[0]
    elif notebooks:
        declared = {p: _exercise_of(p, path) for p in notebooks}
        matching = [p for p, ex in declared.items() if ex == exercise_id]
        if len(matching) == 1:
            sub.notebook = matching[0]
        else:
            listed = ", ".join(f"{p.name}" + (f" (exercise {ex!r})" if ex else "")
                               for p, ex in declared.items())
            sub.status, sub.problem = "not-submitted", (
                f"no {exercise_id}{NOTEBOOK} in the folder (found: {listed})")
    elif not sub.responses:
        sub.status, sub.problem = "not-submitted", "no notebook in the submission folder"
    return sub


def find_submissions(paths: Sequence[Path], exercise_id: str) -> list[Submission]:
    """Resolve the SUBMISSIONS arguments; a missing path is a SubmissionError (a typo).

    Everything about a path that exists (a link out of its folder, a device, a second
    submission for the same student) becomes that student's status instead.
    """
    found: list[Submission] = []
    for raw in paths:
        path = Path(raw)
        root = path.parent
        if not path.exists() and not path.is_symlink():
            raise SubmissionError(f"{path}: no such submission file or folder")
        student = path.name if path.is_dir() else student_of(path)
        if path.is_symlink() and not _inside(path, root):
            found.append(Submission(student, path, None, status="invalid-notebook",
                                    problem=f"{path.name} is a link to outside the "
                                            "submissions folder (submit the file itself)"))
        elif path.is_dir():
            found.append(_from_folder(path, exercise_id))
        elif path.name.endswith(RESPONSES):
            found.append(Submission(student, path, None, [path]))
        else:
            found.append(Submission(student, path, path))
    seen: dict[str, Submission] = {}
    for sub in found:
        first = seen.setdefault(sub.student, sub)
        if first is not sub:
            why = (f"two submissions for student {sub.student!r}: {first.path} and {sub.path}; "
                   "keep one")
            for dup in (first, sub):
                dup.notebook, dup.responses = None, []
                dup.status, dup.problem = "invalid-notebook", why
    return [s for s in found if seen[s.student] is s]
