"""Notebook transforms: pure functions, notebook in, new notebook out, one concern each.

Editions (:mod:`seminarkit.editions`) are ordered lists of these.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeAlias

Notebook: TypeAlias = dict[str, Any]
"""A notebook as nbformat reads it (``NotebookNode`` is a ``dict``)."""
Transform: TypeAlias = Callable[[Notebook], Notebook]


def _tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def drop_tagged(tag: str) -> Transform:
    """Return a transform that removes every cell carrying ``tag``."""

    def transform(nb: Notebook) -> Notebook:
        new = copy.deepcopy(nb)
        new["cells"] = [c for c in new["cells"] if tag not in _tags(c)]
        return new

    transform.__name__ = f"drop_{tag.replace('-', '_')}"
    return transform


def clear_outputs(nb: Notebook) -> Notebook:
    """Remove outputs and execution counts from code cells."""
    new = copy.deepcopy(nb)
    for cell in new["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return new
