"""Notebook transforms: pure functions, notebook in, new notebook out, one concern each.

Editions are ordered lists of these (see :data:`EDITION_TRANSFORMS`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from seminarkit.markers import INSTRUCTOR, STUDENT, TAG_INSTRUCTOR_ONLY, TAG_STUDENT_ONLY

Transform = Callable[[Any], Any]


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def drop_tagged(tag: str) -> Transform:
    """Return a transform that removes every cell carrying ``tag``."""

    def transform(nb: Any) -> Any:
        new = copy.deepcopy(nb)
        new["cells"] = [c for c in new["cells"] if tag not in _tags(c)]
        return new

    transform.__name__ = f"drop_{tag.replace('-', '_')}"
    return transform


def clear_outputs(nb: Any) -> Any:
    """Remove outputs and execution counts from code cells."""
    new = copy.deepcopy(nb)
    for cell in new["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return new


EDITION_TRANSFORMS: dict[str, tuple[Transform, ...]] = {
    # Order: drop the other edition's cells first, then clear stale outputs.
    STUDENT: (drop_tagged(TAG_INSTRUCTOR_ONLY), clear_outputs),
    INSTRUCTOR: (drop_tagged(TAG_STUDENT_ONLY), clear_outputs),
}


def for_edition(nb: Any, edition: str) -> Any:
    """Apply an edition's transforms in order."""
    for transform in EDITION_TRANSFORMS[edition]:
        nb = transform(nb)
    return nb
