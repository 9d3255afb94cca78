"""Check helpers available in every test cell, in the student's notebook and in the grader.

In the grader these names are always the kit's own functions: a submission that redefines
``close`` only changes its own notebook, never the verdict.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = ["close", "same_items", "same_mapping"]


def close(actual: Any, expected: float, tol: float = 1e-6, rel: float = 0.0) -> bool:
    """Return True if ``actual`` is a real number within ``tol`` (or ``rel`` x expected) of it."""
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        return False
    return math.isclose(float(actual), expected, abs_tol=tol, rel_tol=rel)


def same_items(actual: Any, expected: Iterable[Any]) -> bool:
    """Return True if ``actual`` is a list/tuple/set with the same items as ``expected``, any order."""
    if not isinstance(actual, (list, tuple, set, frozenset)):
        return False
    return sorted(map(repr, actual)) == sorted(map(repr, expected))


def same_mapping(actual: Any, expected: dict[Any, Any], tol: float = 1e-6) -> bool:
    """Return True if ``actual`` is a dict with the same keys and (numerically close) values."""
    if not isinstance(actual, dict) or set(actual) != set(expected):
        return False
    for key, want in expected.items():
        got = actual[key]
        if isinstance(want, float):
            if not close(got, want, tol):
                return False
        elif (type(got) is not type(want) and not (isinstance(want, int)
                                                  and isinstance(got, int))) or got != want:
            return False
    return True
