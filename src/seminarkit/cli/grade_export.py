"""``seminarkit grade export``: the gradebook as a Canvas or Moodle grade-import CSV.

A thin skin over :func:`seminarkit.lms.grades.export_grades`: read the roster, build the
file, write it atomically, and say what the platform will read (maxima, rounding, who has no
submission). Problems are one line each on stderr and nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seminarkit.cli.common import EXIT_OK, command, roster_options
from seminarkit.lms.errors import GradeExportError


def _options(parser: argparse.ArgumentParser) -> None:
    parser.prog = "seminarkit grade export"
    parser.add_argument("gradebooks", nargs="+", type=Path, metavar="GRADEBOOK",
                        help="gradebook folders (the --out folders of seminarkit grade)")
    parser.add_argument("--lms", required=True, choices=("canvas", "moodle"),
                        help="the platform whose grade-import layout to write")
    roster_options(parser, "the platform's roster export (Canvas gradebook export, Moodle "
                           "grade or participants export) or the kit's id,name roster")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the CSV file to write")
    parser.add_argument("--missing-as-zero", action="store_true",
                        help="give 0 to roster students without a submission (default: an "
                             "empty cell, no grade)")
    parser.add_argument("--skip-unmatched", action="store_true",
                        help="leave out graded students who are not on the roster (default: "
                             "an error, since their grades would be lost)")
    parser.add_argument("--title", action="append", default=[], metavar="EXERCISE=TITLE",
                        help="column title of an exercise, e.g. an existing Canvas assignment "
                             "'Week 1 (1234)' (repeatable)")


def _titles(values: list[str]) -> dict[str, str]:
    titles: dict[str, str] = {}
    for value in values:
        exercise, sep, title = value.partition("=")
        if not sep or not exercise.strip() or not title.strip():
            raise GradeExportError(f"--title {value!r}: write EXERCISE=TITLE")
        titles[exercise.strip()] = title.strip()
    return titles


@command("grade-export", _options,
         "Write the gradebook as a Canvas or Moodle grade-import CSV (also: grade export).")
def _grade_export(args: argparse.Namespace) -> int:
    from seminarkit.fileio import write_atomic
    from seminarkit.lms.grades import MOODLE_MAP_TO, export_grades
    from seminarkit.lms.rosters import read_roster

    titles = _titles(args.title)
    roster = read_roster(args.roster, key=args.key, encoding=args.encoding)
    result = export_grades(roster, args.gradebooks, args.lms, missing_as_zero=args.missing_as_zero,
                           skip_unmatched=args.skip_unmatched, titles=titles)
    write_atomic(args.out, result.text)
    for note in result.notes:
        print(f"seminarkit: note: {note}", file=sys.stderr)
    maxima = ", ".join(f"{c.title} out of {c.maximum.normalize():f}" for c in result.columns)
    print(f"wrote {result.students} student(s) x {len(result.columns)} column(s) for "
          f"{args.lms} to {args.out}")
    print(f"points rounded half-up to 2 decimals; maxima: {maxima}")
    empty = "0" if args.missing_as_zero else "an empty cell (no grade)"
    if result.without_submission:
        print(f"{result.without_submission} roster student(s) without a submission: {empty}")
    if args.lms == "moodle":
        print(f"Moodle import: map from the identifier column to {MOODLE_MAP_TO[roster.key]}; "
              "set each grade item's maximum as above")
    return EXIT_OK
