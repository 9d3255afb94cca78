#!/usr/bin/env python3
"""Render every handout of the course (what CI runs): ``seminarkit build --quiet`` itself.

Builds all modules, both editions, HTML and PDF, through the same function as the CLI
(papermill for execution, nbconvert and weasyprint for export), with the leak gate at the
end. Exits non-zero naming each failed job or leak.

Usage: python scripts/render_handouts.py [--out build] [--force]
"""

from __future__ import annotations

import sys

from seminarkit.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["build", "--quiet", *sys.argv[1:]]))
