"""Editions of the content: what a student may see, and what only an instructor may.

The student edition is produced *at load time*: :func:`module_for_edition` returns a copy of
a module with every instructor-only field set to ``None`` and quiz keys sealed as salted
hashes, so instructor material never enters a student run in the first place. The leak gate
(:mod:`seminarkit.leaks`) is the later line of defence and uses :func:`instructor_texts`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel

from seminarkit.errors import UnknownChoiceError
from seminarkit.markers import EDITIONS, INSTRUCTOR, STUDENT
from seminarkit.schema.common import is_instructor_only

T = TypeVar("T")

# Instructor-only texts shorter than this are not used as leak probes (too likely to occur
# by chance in ordinary prose).
MIN_PROBE_LENGTH = 30


def check_edition(edition: str) -> str:
    """Return ``edition`` if valid, else raise an error listing the choices."""
    if edition not in EDITIONS:
        raise UnknownChoiceError("edition", edition, EDITIONS)
    return edition


def redact(value: T) -> T:
    """Return a copy of ``value`` with every instructor-only field (at any depth) set to None."""
    if isinstance(value, BaseModel):
        updates: dict[str, Any] = {}
        for name in type(value).model_fields:
            current = getattr(value, name)
            if is_instructor_only(type(value), name):
                if current is not None:
                    updates[name] = None
            else:
                new = redact(current)
                if new is not current:
                    updates[name] = new
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, list):
        items = [redact(v) for v in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value  # type: ignore[return-value]
    if isinstance(value, dict):
        mapped = {k: redact(v) for k, v in value.items()}
        return mapped if any(mapped[k] is not value[k] for k in value) else value  # type: ignore[return-value]
    return value


def module_for_edition(module: Any, edition: str) -> Any:
    """Return ``module`` as ``edition`` may see it (the instructor edition is unchanged)."""
    check_edition(edition)
    if edition == INSTRUCTOR:
        return module
    from seminarkit.quiz.keys import seal_quiz

    quiz = seal_quiz(module.quiz, module.id) if module.quiz is not None else None
    return dataclasses.replace(
        module,
        meta=redact(module.meta),
        timeline=redact(module.timeline),
        actors=redact(module.actors),
        glossary=redact(module.glossary),
        quiz=redact(quiz),
        roles=redact(module.roles),
    )


def _instructor_fields(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, BaseModel):
        ident = getattr(value, "id", None)
        here = f"{path}[{ident}]" if isinstance(ident, str) else path
        for name in type(value).model_fields:
            current = getattr(value, name)
            if is_instructor_only(type(value), name):
                # An explanation the question allows students to see is not a leak probe.
                shown = name == "explanation" and getattr(value, "show_explanation", False)
                if current is not None and not shown:
                    yield f"{here}.{name}", current
            else:
                yield from _instructor_fields(current, f"{here}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _instructor_fields(item, f"{path}[{index}]")


def instructor_texts(module: Any) -> list[tuple[str, str]]:
    """Every instructor-only *prose* value of a module, as (field path, text).

    Quiz keys are not prose (a correct option is also shown as an option), so they are
    not listed here; the leak gate checks keys separately.
    """
    found: list[tuple[str, str]] = []
    parts = {"module": module.meta, "timeline": module.timeline, "actors": module.actors,
             "glossary": module.glossary, "quiz": module.quiz, "roles": module.roles}
    for label, part in parts.items():
        if part is None:
            continue
        for path, value in _instructor_fields(part, f"{module.id}:{label}"):
            if path.endswith(".answer"):
                continue
            if isinstance(value, str) and len(value.strip()) >= MIN_PROBE_LENGTH:
                found.append((path, value))
    return found


__all__ = ["EDITIONS", "INSTRUCTOR", "STUDENT", "check_edition", "instructor_texts",
           "module_for_edition", "redact"]
