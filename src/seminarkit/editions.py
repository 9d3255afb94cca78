"""Editions of the content: what a student may see, and what only an instructor may.

An :class:`Edition` is a frozen value with a name, a label, the ordered notebook transforms
that prepare a notebook for it, and what it withholds. There are exactly two,
:data:`STUDENT` and :data:`INSTRUCTOR`; :func:`edition` is the one lookup from a name (a
command-line option, a notebook parameter, a manifest key) and lists the valid choices when
the name is wrong. Nothing else in the kit compares edition strings.

The student edition is produced *at load time*: :func:`module_for_edition` returns a copy of
a module with every instructor-only field set to ``None`` and quiz keys sealed as salted
hashes, so instructor material never enters a student run in the first place. The leak gate
(:mod:`seminarkit.handouts.leaks`) is the later line of defence and uses
:func:`instructor_texts`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from seminarkit.errors import UnknownChoiceError
from seminarkit.handouts.transforms import Notebook, Transform, clear_outputs, drop_tagged
from seminarkit.markers import TAG_INSTRUCTOR_ONLY, TAG_STUDENT_ONLY

if TYPE_CHECKING:
    from seminarkit.content.materials import Module

T = TypeVar("T")

# Instructor-only texts shorter than this are not used as leak probes (too likely to occur
# by chance in ordinary prose).
MIN_PROBE_LENGTH = 30


@dataclass(frozen=True)
class Edition:
    """One edition of the handouts and notebooks.

    ``instructor_material``: whether instructor-only fields, quiz keys, facilitation notes and
    model answers are shown (False means they are removed at load time and keys are sealed).
    ``leak_gated``: whether built artifacts of this edition are scanned by the leak gate and
    may be published.
    """

    name: str
    label: str
    transforms: tuple[Transform, ...]
    instructor_material: bool
    leak_gated: bool

    @property
    def redacts(self) -> bool:
        """True when instructor-only material is removed from this edition."""
        return not self.instructor_material

    @property
    def private(self) -> bool:
        """True when this edition's artifacts must never be published (they are marked so)."""
        return not self.leak_gated

    @property
    def site(self) -> str:
        """The build's folder for this edition's site (``build/<site>/``)."""
        return self.name

    def apply(self, nb: Notebook) -> Notebook:
        """Apply this edition's notebook transforms in order."""
        for transform in self.transforms:
            nb = transform(nb)
        return nb

    def __str__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Transforms are closures: an edition crosses process boundaries by name.
        return edition, (self.name,)


STUDENT = Edition(
    name="student", label="Student edition",
    # Order: drop the other edition's cells first, then clear stale outputs.
    transforms=(drop_tagged(TAG_INSTRUCTOR_ONLY), clear_outputs),
    instructor_material=False, leak_gated=True,
)
INSTRUCTOR = Edition(
    name="instructor", label="Instructor edition",
    transforms=(drop_tagged(TAG_STUDENT_ONLY), clear_outputs),
    instructor_material=True, leak_gated=False,
)
EDITIONS: tuple[Edition, ...] = (STUDENT, INSTRUCTOR)

# Shown on every page of a private edition's site and handouts (HTML banner, PDF page header).
PRIVATE_NOTICE = "Private: instructor material. Do not publish this page or share it with students."


def edition_names() -> tuple[str, ...]:
    """Return the valid edition names, in the order the kit lists them."""
    return tuple(e.name for e in EDITIONS)


def edition(value: str | Edition) -> Edition:
    """Return the edition called ``value``; an unknown name lists the valid choices."""
    if isinstance(value, Edition):
        return value
    for candidate in EDITIONS:
        if value == candidate.name:
            return candidate
    raise UnknownChoiceError("edition", value, edition_names())


def check_edition(value: str | Edition) -> Edition:
    """Return the edition called ``value`` (alias of :func:`edition`, kept for notebooks)."""
    return edition(value)


def redact(value: T) -> T:
    """Return a copy of ``value`` with every instructor-only field (at any depth) set to None."""
    from seminarkit.content.schema.common import is_instructor_only

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


def module_for_edition(module: Module, which: str | Edition) -> Module:
    """Return ``module`` as an edition may see it (the instructor edition is unchanged)."""
    if edition(which).instructor_material:
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
    from seminarkit.content.schema.common import is_instructor_only

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


def instructor_texts(module: Module) -> list[tuple[str, str]]:
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


__all__ = ["EDITIONS", "INSTRUCTOR", "PRIVATE_NOTICE", "STUDENT", "Edition", "check_edition", "edition",
           "edition_names", "instructor_texts", "module_for_edition", "redact"]
