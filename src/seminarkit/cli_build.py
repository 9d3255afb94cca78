"""``seminarkit build`` and ``seminarkit check-leaks``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seminarkit.cli import EXIT_FAILED, EXIT_OK, command, materials_option


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _setup_build(parser: argparse.ArgumentParser) -> None:
    materials_option(parser)
    parser.add_argument("--modules", type=_csv, default=None, help="comma-separated module ids (default: all)")
    parser.add_argument("--editions", type=_csv, default=None, help="student,instructor (default: both)")
    parser.add_argument("--formats", type=_csv, default=None, help="html,pdf (default: both)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes (default: one per core)")
    parser.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="output folder (default: build)")
    parser.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (for CI logs)")


@command("build", _setup_build, "Build every handout (HTML and PDF, both editions) and the course site.")
def _build(args: argparse.Namespace) -> int:
    from seminarkit.build import build_options, footer_text, up_to_date
    from seminarkit.paths import default_materials_dir, notebooks_dir_for

    if args.jobs is not None and args.jobs < 1:
        print("seminarkit: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_FAILED
    materials = args.materials or default_materials_dir()
    options = build_options(args.modules, args.editions, args.formats, footer_text())
    if not args.force and materials.is_dir():
        count = up_to_date(materials, notebooks_dir_for(materials), args.out, options)
        if count is not None:  # fast path: same inputs as the last clean build, outputs present
            print(f"built 0, cached {count}, failed 0 (nothing changed)")
            return EXIT_OK
    from seminarkit.build import build, summary
    from seminarkit.materials import load_course

    course = load_course(args.materials)
    result = build(course, out_dir=args.out, modules=args.modules, editions=args.editions, formats=args.formats,
                   jobs=args.jobs, force=args.force, quiet=args.quiet)
    lines = summary(result)
    print(lines[0])
    for line in lines[1:]:
        print(line, file=sys.stderr)
    if result.ok:
        print(f"site: {args.out / 'index.html'}")
    return EXIT_OK if result.ok else EXIT_FAILED


def _setup_leaks(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", type=Path, nargs="+", metavar="PATH",
                        help="build folder (its */student/ artifacts are scanned) or student files/folders")
    materials_option(parser)


@command("check-leaks", _setup_leaks, "Scan student artifacts for instructor-only content.")
def _check_leaks(args: argparse.Namespace) -> int:
    from seminarkit.leaks import scan
    from seminarkit.materials import load_course

    course = load_course(args.materials)
    targets: list[Path] = []
    for path in args.paths:
        if not path.exists():
            print(f"seminarkit: error: {path} does not exist", file=sys.stderr)
            return EXIT_FAILED
        student = sorted(path.glob("*/student")) if path.is_dir() else []
        targets.extend(student or [path])
    leaks = scan(targets, course.modules.values())
    for leak in leaks:
        print(f"LEAK {leak}", file=sys.stderr)
    if leaks:
        print(f"{len(leaks)} leak(s): remove the instructor-only content from these student artifacts.",
              file=sys.stderr)
        return EXIT_FAILED
    print(f"no leaks in {len(targets)} location(s)")
    return EXIT_OK
