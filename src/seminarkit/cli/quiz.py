"""``seminarkit quiz export | variants | score``: the quiz commands (a thin skin).

Each action loads the instructor materials, calls one library function from
:mod:`seminarkit.quiz`, writes its output atomically and reports one line. Errors are
:class:`~seminarkit.errors.SeminarkitError` subclasses, printed by :func:`seminarkit.cli.main`
as one line with a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from seminarkit.cli.common import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    command,
    materials_option,
    roster_options,
)
from seminarkit.errors import SeminarkitError, UnknownChoiceError

EXPORT_FORMATS = ("gift", "csv", "json", "moodle-xml", "qti")
PLATFORM_FORMATS = ("gift", "moodle-xml", "qti")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("module", metavar="MODULE", help="module id, e.g. afghanistan-2018")
    materials_option(parser)


def _setup(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="quiz_action", metavar="ACTION")
    parser.set_defaults(quiz_parser=parser)

    export = sub.add_parser("export", help="export the question bank (GIFT, Moodle XML, QTI "
                                           "for Canvas, CSV or JSON)",
                            description="Export a module's question bank, keys included. "
                                        "gift, moodle-xml and qti go to a learning platform; "
                                        "csv and json are instructor tables.")
    _common(export)
    export.add_argument("--format", default="gift", metavar="|".join(EXPORT_FORMATS),
                        help="output format (default: gift, for Moodle)")
    export.add_argument("--edition", default=None, metavar="student|instructor",
                        help="general feedback in gift, moodle-xml and qti: student (default: "
                             "only explanations the materials let students see) or instructor "
                             "(every explanation; for the instructor's own bank)")
    export.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                        help="output file (default: standard output; qti needs a .zip file)")

    variants = sub.add_parser("variants", help="one exam notebook per student, plus a key",
                              description="Write one seeded exam notebook per roster entry "
                                          "and an instructor key (CSV and JSON).")
    _common(variants)
    roster_options(variants, "a Canvas or Moodle roster export, or a CSV with an 'id' column "
                             "(and optionally 'name')")
    variants.add_argument("--out", type=Path, required=True, metavar="DIR",
                          help="output folder (students/ and instructor/ inside)")
    variants.add_argument("--n-questions", type=int, default=None, metavar="N",
                          help="questions per student (default: the whole bank)")

    score = sub.add_parser("score", help="score saved exam responses with the real key",
                           description="Score *.responses.json files (or folders of them) "
                                       "and write a grade table.")
    _common(score)
    score.add_argument("responses", nargs="+", type=Path, metavar="RESPONSES",
                       help="responses files or folders containing *.responses.json")
    score.add_argument("--out", type=Path, required=True, metavar="FILE",
                       help="grade table to write (CSV)")
    roster_options(score, "a Canvas or Moodle roster export, or a CSV with an 'id' column: students "
                          "without a responses file get a '(not submitted)' row and are listed",
                   required=False)


def _module(args: argparse.Namespace) -> Any:
    from seminarkit.content.materials import load_course

    return load_course(args.materials).module(args.module)


def _export(args: argparse.Namespace) -> int:
    from seminarkit.editions import edition
    from seminarkit.fileio import check_output_file, write_atomic
    from seminarkit.quiz.export import export_module

    if args.format not in EXPORT_FORMATS:
        raise UnknownChoiceError("format", args.format, EXPORT_FORMATS)
    chosen = edition(args.edition or ("student" if args.format in PLATFORM_FORMATS
                                      else "instructor"))
    to_stdout = args.output is None or str(args.output) == "-"
    if args.format == "qti" and to_stdout:
        raise SeminarkitError("the qti export is a zip package; give -o FILE.zip (Canvas: "
                              "Import Course Content > QTI .zip file)")
    if not to_stdout:
        check_output_file(args.output)
    module = _module(args)
    data = export_module(module, args.format, chosen)
    if to_stdout:
        sys.stdout.write(data.decode("utf-8"))
        return EXIT_OK
    write_atomic(args.output, data)
    count = len(module.quiz.questions) if module.quiz is not None else 0
    label = f" ({chosen.name} edition)" if args.format in PLATFORM_FORMATS else ""
    print(f"wrote {count} questions of {module.id} as {args.format}{label} to {args.output}")
    return EXIT_OK


def _variants(args: argparse.Namespace) -> int:
    from seminarkit.fileio import check_output_dir
    from seminarkit.quiz.variants import read_roster, write_variants

    check_output_dir(args.out)
    roster = read_roster(args.roster, key=args.key, encoding=args.encoding)
    module = _module(args)
    result = write_variants(module, roster, args.out, n_questions=args.n_questions)
    print(f"wrote {len(result.notebooks)} quiz notebooks to {result.notebooks[0].parent} "
          f"and the instructor key to {result.key_csv} (keep it away from students)")
    return EXIT_OK


def _score(args: argparse.Namespace) -> int:
    from seminarkit.fileio import check_input, check_output_file, write_atomic
    from seminarkit.quiz.scoring import grades_csv, roster_check, score_files

    check_output_file(args.out)
    for path in args.responses:
        check_input(path, "file or folder")
    roster = None
    if args.roster is not None:
        from seminarkit.lms.rosters import read_roster

        read = read_roster(args.roster, key=args.key, encoding=args.encoding)
        for line in read.skipped_lines():
            print(f"seminarkit: warning: {line}", file=sys.stderr)
        roster = [student.id for student in read.students]
    module = _module(args)
    rows, errors = score_files(module, args.responses)
    for error in errors:
        print(f"seminarkit: error: {error}", file=sys.stderr)
    if not rows:
        print("seminarkit: error: no responses file could be scored; nothing written",
              file=sys.stderr)
        return EXIT_FAILED
    missing, strangers = roster_check(rows, roster) if roster is not None else ([], [])
    order = [q.id for q in module.quiz.questions]
    write_atomic(args.out, grades_csv(rows, order, missing))
    print(f"scored {len(rows)} responses file(s) to {args.out}"
          + (f"; {len(errors)} file(s) could not be scored (see above)" if errors else ""))
    if missing:
        print(f"{len(missing)} student(s) on the roster did not submit: {', '.join(missing)}")
    if strangers:
        print(f"seminarkit: warning: {len(strangers)} scored student(s) not on the roster: "
              f"{', '.join(strangers)}", file=sys.stderr)
    return EXIT_FAILED if errors else EXIT_OK


_ACTIONS = {"export": _export, "variants": _variants, "score": _score}


@command("quiz", _setup, "Quiz tools: export the bank, write per-student variants, score "
                         "saved responses.")
def _quiz(args: argparse.Namespace) -> int:
    action = _ACTIONS.get(getattr(args, "quiz_action", None) or "")
    if action is None:
        args.quiz_parser.print_help(sys.stderr)
        return EXIT_INVALID
    return action(args)
