"""``seminarkit build`` and ``seminarkit check-leaks``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seminarkit.cli.common import EXIT_FAILED, EXIT_OK, command, materials_option


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _setup_build(parser: argparse.ArgumentParser) -> None:
    materials_option(parser)
    parser.add_argument("--modules", type=_csv, default=None, help="comma-separated module ids (default: all)")
    from seminarkit.editions import edition_names
    from seminarkit.handouts.formats import DEFAULT_FORMATS, FORMATS

    parser.add_argument("--editions", type=_csv, default=None,
                        help=f"{','.join(edition_names())} (default: all)")
    slides = FORMATS["slides"]
    parser.add_argument("--formats", type=_csv, default=None,
                        help=f"any of {','.join(FORMATS)} (default: {','.join(DEFAULT_FORMATS)}); slides are "
                             f"reveal.js decks for {', '.join(sorted(slides.notebooks or ()))} only (other "
                             "notebooks get no slides job) and need reveal.js: make slides-assets")
    parser.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes (default: one per core)")
    parser.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="output folder (default: build)")
    parser.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (for CI logs)")


@command("build", _setup_build,
         "Build every handout (HTML and PDF, both editions; slides on request) and the course site.")
def _build(args: argparse.Namespace) -> int:
    from seminarkit.content.paths import require_course_file
    from seminarkit.fileio import check_output_dir
    from seminarkit.handouts.build import build, summary

    if args.jobs is not None and args.jobs < 1:
        print("seminarkit: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_FAILED
    from seminarkit.handouts.formats import DEFAULT_FORMATS, output_format

    for name in args.formats or DEFAULT_FORMATS:  # an unknown format, or slides without reveal.js:
        output_format(name).ready()  # one line before the build creates and locks its folder
    check_output_dir(args.out)
    require_course_file(args.materials)  # before the build creates and locks its folder
    result = build(args.materials, out_dir=args.out, modules=args.modules, editions=args.editions,
                   formats=args.formats, jobs=args.jobs, force=args.force, quiet=args.quiet)
    lines = summary(result)
    print(lines[0])
    for line in lines[1:]:
        print(line, file=sys.stderr)
    if result.ok and not result.unchanged:
        from seminarkit.editions import INSTRUCTOR, STUDENT

        print(f"student site (publish this folder as it is): {args.out / STUDENT.site / 'index.html'}")
        if (args.out / INSTRUCTOR.site).is_dir():
            print(f"instructor site (private, never publish): {args.out / INSTRUCTOR.site / 'index.html'}")
    return EXIT_OK if result.ok else EXIT_FAILED


def _setup_leaks(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", type=Path, nargs="+", metavar="PATH",
                        help="a build folder (its student/ site is scanned), a student site or kit, "
                             "or any file or folder meant for students")
    materials_option(parser)


@command("check-leaks", _setup_leaks, "Scan anything meant for students for instructor-only content.")
def _check_leaks(args: argparse.Namespace) -> int:
    from seminarkit.content.materials import load_course
    from seminarkit.handouts.leaks import Leak, Probes, scan_bytes, scan_tree
    from seminarkit.handouts.site import published_listing

    course = load_course(args.materials)
    probes = Probes.build(course.modules.values())
    leaks: list[Leak] = []
    scanned = []
    for path in args.paths:
        if not path.exists():
            print(f"seminarkit: error: {path} does not exist", file=sys.stderr)
            return EXIT_FAILED
        if path.is_dir():
            root, expected = published_listing(path)
            leaks.extend(scan_tree(root, probes, expected=expected).leaks)
            scanned.append(f"{root}" + ("" if expected is not None else " (no build listing: content only)"))
        else:
            try:
                data = path.read_bytes()
            except OSError as exc:
                print(f"seminarkit: error: {path}: cannot be read ({exc.strerror or exc})", file=sys.stderr)
                return EXIT_FAILED
            leaks.extend(Leak(path, name, detail) for name, detail in scan_bytes(data, probes))
            scanned.append(str(path))
    for leak in leaks:
        print(f"LEAK {leak}", file=sys.stderr)
    if leaks:
        print(f"{len(leaks)} finding(s): remove the instructor-only content or the unexpected files above.",
              file=sys.stderr)
        return EXIT_FAILED
    print(f"no leaks in {', '.join(scanned)}")
    return EXIT_OK
