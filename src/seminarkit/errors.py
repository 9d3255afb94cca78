"""The exception hierarchy: one root, structured subclasses, messages that say what to do."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class SeminarkitError(Exception):
    """Root of every error a user can cause; the CLI prints it as one line, no traceback."""


def one_line(text: str) -> str:
    """Escape what would break a one-line message (newlines, control and format characters)."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


@dataclass(frozen=True)
class Problem:
    """One problem found in the materials, located as precisely as the input allows."""

    path: str
    line: int | None
    record: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        path = self.path
        with contextlib.suppress(ValueError):
            path = str(Path(self.path).resolve().relative_to(Path.cwd()))
        where = f"{path}:{self.line}" if self.line else path
        parts = [one_line(where) + ":"]
        if self.record is not None:
            parts.append(f"record '{one_line(self.record)}'")
        if self.field is not None:
            parts.append(f"field '{one_line(self.field)}':")
        elif self.record is not None:
            parts[-1] += ":"
        parts.append(one_line(self.message))
        return " ".join(parts)


class MaterialsError(SeminarkitError):
    """The materials do not validate; carries every problem found, one per line."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownChoiceError(SeminarkitError):
    """A name (module, edition, format, parameter value) is not among the valid choices."""

    def __init__(self, what: str, value: object, choices: Sequence[object]):
        self.what, self.value, self.choices = what, value, list(choices)
        listed = ", ".join(str(c) for c in choices)
        super().__init__(f"unknown {what} {value!r}; choose one of: {listed}")


class NotebookFailed(SeminarkitError):
    """A notebook raised while executing; names where, and keeps the marked notebook."""

    def __init__(
        self,
        notebook: str,
        *,
        cell_index: int | None,
        ename: str,
        evalue: str,
        module: str | None = None,
        edition: str | None = None,
        marked_path: str | None = None,
        cell_id: str | None = None,
    ):
        self.notebook, self.cell_index, self.ename, self.evalue = notebook, cell_index, ename, evalue
        self.module, self.edition, self.marked_path, self.cell_id = module, edition, marked_path, cell_id
        where = notebook
        if module:
            where += f" [{module}/{edition}]" if edition else f" [{module}]"
        cell = f"cell {cell_index}" if cell_index is not None else "unknown cell"
        if cell_id:
            cell += f" (id {cell_id!r})"
        msg = f"{where}: {cell} raised {ename}: {evalue}"
        if marked_path:
            msg += f" (executed notebook kept at {marked_path})"
        super().__init__(msg)


class ExerciseError(SeminarkitError):
    """An exercise source notebook is malformed (unclosed marker, test without points...)."""


class SubmissionError(SeminarkitError):
    """A submission cannot be read or graded as it stands."""


class LeakError(SeminarkitError):
    """Instructor-only content was found in a student artifact."""


class InputError(SeminarkitError):
    """An input path given by the user is missing or of the wrong kind (file vs folder)."""

    def __init__(self, path: Path, problem: str):
        self.path, self.problem = Path(path), problem
        super().__init__(f"{path}: {problem}")


class OutputError(SeminarkitError):
    """An output path cannot be used: it is a file where a folder is needed, or not writable."""

    def __init__(self, path: Path, problem: str):
        self.path, self.problem = Path(path), problem
        super().__init__(f"{path}: {problem}")
