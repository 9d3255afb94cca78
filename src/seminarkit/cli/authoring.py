"""``seminarkit init`` and ``seminarkit new module | exercise``: a course and its parts, from a command.

Thin skins over :mod:`seminarkit.content.scaffold`. ``init DIR`` writes a new course folder;
``new`` writes into the course folder given by ``--course DIR``, else the current folder (it
must be a course folder: ``new`` never writes into the kit's own installed course). Every
refusal (a folder that is not empty, an id that is taken or malformed) is one line on stderr,
a non-zero exit, and nothing written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seminarkit.cli.common import EXIT_INVALID, EXIT_OK, command


def _setup_init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path, metavar="DIR", help="the new course folder (new or empty)")


@command("init", _setup_init,
         "Write a new course folder: the kit's materials, notebooks and exercises, schemas, README, CI workflow.")
def _init(args: argparse.Namespace) -> int:
    from seminarkit.content.paths import default_materials_dir, kit_exercises_dir, kit_notebooks_dir
    from seminarkit.content.scaffold import ScaffoldError, init_course

    notebooks = kit_notebooks_dir()
    if notebooks is None:
        raise ScaffoldError("this installation of seminarkit has no notebooks to copy (reinstall it)")
    materials = default_materials_dir()
    init_course(args.dir, kit_materials=materials, kit_notebooks=notebooks, kit_exercises=kit_exercises_dir())
    print(f"course folder written to {args.dir}; next: cd {args.dir} && seminarkit validate")
    return EXIT_OK


def _course_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--course", type=Path, default=None, metavar="DIR",
                        help="the course folder to write into (default: the current folder)")


def _setup_new(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="new_action", metavar="WHAT")
    parser.set_defaults(new_parser=parser)
    module = sub.add_parser("module", help="a module: every materials file with a minimal valid example",
                            description="Write a new module (status: stub, placeholders marked EXAMPLE) "
                                        "and list it in course.yaml.")
    module.add_argument("id", metavar="ID", help="module id: lower-case letters, digits, '-', '_' or '.'")
    module.add_argument("--title", required=True, help="the analysis's title")
    module.add_argument("--url", required=True, help="the analysis's page (http or https)")
    module.add_argument("--author", action="append", default=[], metavar="NAME",
                        help="an author of the analysis (repeatable)")
    module.add_argument("--publisher", default=None, help="the publisher (default: the page's host name)")
    _course_option(module)
    exercise = sub.add_parser("exercise", help="an exercise notebook with solution and hidden-test regions",
                              description="Write exercises/MODULE/NAME.ipynb: graded as written, "
                                          "blank once released.")
    exercise.add_argument("module", metavar="MODULE", help="the module the exercise belongs to")
    exercise.add_argument("name", metavar="NAME", help="exercise name: lower-case letters, digits, '-', '_' or '.'")
    _course_option(exercise)


@command("new", _setup_new, "Scaffold a module or an exercise in a course folder (new module | new exercise).")
def _new(args: argparse.Namespace) -> int:
    from seminarkit.content.scaffold import course_root, new_exercise, new_module

    action = getattr(args, "new_action", None)
    if action is None:
        args.new_parser.print_help(sys.stderr)
        return EXIT_INVALID
    course = course_root(args.course if args.course is not None else Path.cwd())
    if action == "module":
        written = new_module(course, args.id, title=args.title, url=args.url, authors=args.author,
                             publisher=args.publisher)
        folder = course / "materials" / "modules" / args.id
        print(f"module {args.id} written to {folder} ({len(written) - 1} files) and listed in course.yaml")
        print(f"next: replace every EXAMPLE, run 'seminarkit validate', then 'seminarkit build --modules {args.id}'")
        return EXIT_OK
    path = new_exercise(course, args.module, args.name)
    print(f"exercise written to {path}")
    return EXIT_OK
