#!/usr/bin/env python3
"""Render every handout of the course (what CI runs).

Builds all modules, both editions, HTML and PDF, through the library (papermill for
execution, nbconvert and weasyprint for export), with the leak gate at the end. Exits
non-zero naming each failed job or leak.

Usage: python scripts/render_handouts.py [--out build] [--force]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seminarkit.build import build, summary
from seminarkit.errors import SeminarkitError
from seminarkit.materials import load_course


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build"))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    try:
        course = load_course()
        result = build(course, out_dir=args.out, force=args.force, quiet=True)
    except SeminarkitError as exc:
        print(f"render_handouts: {exc}", file=sys.stderr)
        return 2
    lines = summary(result)
    print(lines[0])
    for line in lines[1:]:
        print(line, file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
