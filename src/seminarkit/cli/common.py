"""What every subcommand shares: exit codes, the command registry and common options."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
EXIT_SOFTWARE = 70  # an internal error (sysexits.h EX_SOFTWARE): a bug, reported in one line

Handler = Callable[[argparse.Namespace], int]
Setup = Callable[[argparse.ArgumentParser], None]
COMMANDS: dict[str, tuple[Setup, Handler, str]] = {}
# Two-word commands: ``seminarkit grade export ...`` runs the ``grade-export`` command.
ALIASES = {("grade", "export"): "grade-export"}


def command(name: str, setup: Setup, help: str) -> Callable[[Handler], Handler]:
    """Register a subcommand: ``setup`` adds its options, the decorated function runs it."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = (setup, handler, help)
        return handler

    return register


def materials_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--course DIR`` (and the older ``--materials DIR``) to a course-reading command.

    :func:`resolve_course` turns them into one materials folder before the command runs.
    """
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--course", type=Path, default=None, metavar="DIR",
                       help="course folder (default: the current folder if it holds materials/course.yaml, "
                            "else the kit's own course)")
    group.add_argument("--materials", type=Path, default=None, metavar="DIR",
                       help="the course's materials folder (instead of --course)")


def resolve_course(args: argparse.Namespace) -> None:
    """Resolve the course once: set ``args.materials`` to its materials folder (see ``materials_option``)."""
    if not hasattr(args, "materials"):
        return
    from seminarkit.content.paths import resolve_materials

    args.materials = resolve_materials(getattr(args, "course", None), args.materials)


def expand_aliases(argv: list[str]) -> list[str]:
    """Rewrite a two-word command (``grade export``) to its registered name."""
    if len(argv) >= 2 and (argv[0], argv[1]) in ALIASES:
        return [ALIASES[argv[0], argv[1]], *argv[2:]]
    return argv


def roster_options(parser: argparse.ArgumentParser, help: str, *, required: bool = True) -> None:
    """Add ``--roster FILE``, ``--key`` and ``--encoding`` (see :mod:`seminarkit.lms.rosters`)."""
    from seminarkit.lms.layouts import KEYS

    parser.add_argument("--roster", type=Path, required=required, default=None, metavar="FILE", help=help)
    parser.add_argument("--key", choices=KEYS, default=None,
                        help="roster column holding the kit's student ids: id (the kit's "
                             "roster, default there), email, sis (Canvas SIS User ID, Moodle "
                             "ID number) or username (Canvas SIS Login ID, Moodle Username)")
    parser.add_argument("--encoding", default=None, metavar="NAME",
                        help="roster encoding when not UTF-8 (e.g. latin-1, cp1252)")
