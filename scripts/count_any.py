#!/usr/bin/env python3
"""Count ``Any`` in function signatures (parameters and return types) under a source tree.

Usage: python scripts/count_any.py [src/seminarkit]
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def _has_any(node: ast.expr | None) -> bool:
    if node is None:
        return False
    return any((isinstance(n, ast.Name) and n.id == "Any") or (isinstance(n, ast.Attribute) and n.attr == "Any")
               for n in ast.walk(node))


def count(root: Path) -> dict[str, int]:
    per_file: dict[str, int] = {}
    for path in sorted(root.rglob("*.py")):
        n = 0
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, (a.vararg, a.kwarg))]
                n += sum(_has_any(p.annotation) for p in params) + _has_any(node.returns)
        if n:
            per_file[str(path.relative_to(root))] = n
    return per_file


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "src/seminarkit")
    found = count(root)
    for name, n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{n:4d} {name}")
    print(f"TOTAL {sum(found.values())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
