"""``seminarkit release`` and ``seminarkit grade``: thin skins over :mod:`seminarkit.grading`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from seminarkit.cli.common import EXIT_INVALID, EXIT_OK, command, materials_option
from seminarkit.errors import SeminarkitError


def _release_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercises", nargs="+", type=Path, metavar="EXERCISE",
                        help="instructor source notebooks (exercises/<module>/<name>.ipynb)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="folder for the student versions and bundle")
    materials_option(parser)


@command("release", _release_options,
         "Write student versions of exercises and the student bundle (leak-checked).")
def _release(args: argparse.Namespace) -> int:
    from seminarkit.fileio import check_output_dir
    from seminarkit.grading.release import release

    check_output_dir(args.out)
    written = release(args.exercises, args.out, args.materials)
    for path in written:
        print(path)
    print(f"released {len(written)} exercise(s) into {args.out}")
    return EXIT_OK


def _grade_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", nargs="*", type=Path, metavar="SUBMISSION",
                        help="notebooks, or folders one per student")
    parser.add_argument("--exercise", type=Path, required=True, metavar="SOURCE",
                        help="the instructor source notebook")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="gradebook folder (grades.csv, reports, feedback, summary)")
    parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                        help=f"submissions executed in parallel (default 1, at most "
                             f"{max_jobs()} on this machine)")
    parser.add_argument("--force", action="store_true",
                        help="regrade submissions already in the gradebook")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on a Dask distributed scheduler (needs seminarkit[distributed])")
    materials_option(parser)
    parser.add_argument("--export-manual", type=Path, default=None, metavar="FILE",
                        help="write the manual-marking sheet (.csv or .html) and stop")
    parser.add_argument("--import-manual", type=Path, default=None, metavar="FILE",
                        help="merge a filled marking sheet (.csv) into the gradebook and stop")


def max_jobs() -> int:
    """Return the largest sensible ``--jobs``: two per core (each job is one process), at least 2."""
    return max(2, 2 * (os.cpu_count() or 1))


def _printable(text: str) -> str:
    """Student ids come from file names: never let one send control codes to the terminal."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _warn(message: str) -> None:
    print(f"seminarkit: warning: {message}", file=sys.stderr, flush=True)


class _Progress:
    """A rich progress bar with ETA on a terminal; silent otherwise."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.bar = Progress("[progress.description]{task.description}", BarColumn(),
                                MofNCompleteColumn(), TimeRemainingColumn(), transient=True)

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.__enter__()
            self.task = self.bar.add_task("grading", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total)


@command("grade", _grade_options,
         "Grade submissions in isolated processes; write grades.csv, feedback and a summary.")
def _grade(args: argparse.Namespace) -> int:
    from seminarkit.fileio import check_input, check_output_dir, check_output_file
    from seminarkit.grading.exercise import load_exercise
    from seminarkit.grading.gradebook import Gradebook, pending, totals

    if args.jobs < 1:
        raise SeminarkitError("--jobs must be at least 1")
    if args.jobs > max_jobs():
        raise SeminarkitError(f"--jobs {args.jobs} is more than this machine can run well "
                              f"(at most {max_jobs()}: two per core; use --scheduler for more)")
    check_output_dir(args.out)
    if args.export_manual:
        check_output_file(args.export_manual)
    if args.import_manual:
        check_input(args.import_manual)
    if args.export_manual or args.import_manual:
        from seminarkit.grading import manual

        exercise = load_exercise(args.exercise)
        with Gradebook.open(args.out, on_wait=_warn) as book:
            if args.export_manual:
                count = manual.export_manual(book, exercise, args.export_manual)
                print(f"wrote {count} answer(s) to mark into {args.export_manual}")
            if args.import_manual:
                count = manual.import_manual(book, exercise, args.import_manual)
                print(f"merged {count} mark(s) into {args.out / 'grades.csv'}")
        return EXIT_OK
    if not args.submissions:
        print("seminarkit: error: give at least one SUBMISSION (or --export-manual/"
              "--import-manual)", file=sys.stderr)
        return EXIT_INVALID
    from seminarkit.grading.grade import grade

    with _Progress() as progress:
        outcome = grade(args.exercise, args.submissions, args.out, jobs=args.jobs,
                        force=args.force, scheduler=args.scheduler, materials=args.materials,
                        progress=progress, warn=_warn)
    for report in sorted(outcome.reports, key=lambda r: r["student"]):
        points, maximum = totals(report)
        waiting = pending(report)
        later = f" + {waiting:g} pending manual grading" if waiting else ""
        print(f"{_printable(report['student'])}: {points:g}/{maximum:g}{later} "
              f"({report['status']})")
    print(f"graded {outcome.graded}, skipped {outcome.skipped} already graded; "
          f"gradebook: {args.out / 'grades.csv'}")
    return EXIT_OK
