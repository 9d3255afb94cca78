"""Shared helpers for the quiz tests (no tests here): the fixture bank and question builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from seminarkit.content.materials import Module, load_course
from seminarkit.content.schema.quiz import Question
from seminarkit.editions import module_for_edition

FIXTURE_MATERIALS = Path(__file__).parent / "fixtures" / "quiz" / "materials"
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Question)

BASE: dict[str, Any] = {
    "prompt": "A question?", "difficulty": "easy", "objective": "obj", "sources": ["src-a"],
    "explanation": "An explanation that is long enough to be a leak probe.",
}


def make(kind: str, **fields: Any) -> Any:
    """Build one validated question of ``kind`` (instructor edition)."""
    data = {**BASE, "id": fields.pop("id", f"q-{kind}"), "type": kind, **fields}
    return _ADAPTER.validate_python(data)


def demo_module() -> Module:
    """Return the fixture module 'demo' (instructor edition)."""
    return load_course(FIXTURE_MATERIALS).module("demo")


def demo_student() -> Any:
    """Return the fixture module 'demo' as the student edition sees it."""
    return module_for_edition(demo_module(), "student")
