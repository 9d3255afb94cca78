"""The ``seminarkit`` command: a thin skin over the library.

Each subcommand parses its options, calls one library function, and turns a
:class:`SeminarkitError` into one clear message on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from seminarkit import __version__
from seminarkit.errors import MaterialsError, SeminarkitError

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, tuple[Callable[[argparse._SubParsersAction], None], Handler]] = {}  # type: ignore[type-arg]


def command(
    name: str, setup: Callable[[argparse.ArgumentParser], None], help: str
) -> Callable[[Handler], Handler]:
    """Register a subcommand: ``setup`` adds its options, the decorated function runs it."""

    def register(handler: Handler) -> Handler:
        def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
            parser = sub.add_parser(name, help=help, description=help)
            setup(parser)
            parser.set_defaults(handler=handler)

        _COMMANDS[name] = (add, handler)
        return handler

    return register


def materials_option(parser: argparse.ArgumentParser) -> None:
    """Add the ``--materials DIR`` option every materials-reading command shares."""
    parser.add_argument("--materials", type=Path, default=None, metavar="DIR",
                        help="materials folder (default: the kit's own materials)")


@command("validate", materials_option, "Check every materials file and report all problems.")
def _validate(args: argparse.Namespace) -> int:
    from seminarkit.materials import summary_line, validate

    course, problems = validate(args.materials)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) found; fix them and run 'seminarkit validate' again.",
              file=sys.stderr)
        return EXIT_INVALID
    assert course is not None
    print(summary_line(course))
    return EXIT_OK


def _load_commands() -> None:
    """Import the modules that register the other subcommands."""
    import importlib

    for name in ("seminarkit.cli_build", "seminarkit.cli_quiz", "seminarkit.cli_grade",
                 "seminarkit.cli_lab"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered subcommand."""
    _load_commands()
    parser = argparse.ArgumentParser(prog="seminarkit", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"seminarkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add, _handler in _COMMANDS.values():
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    try:
        return int(args.handler(args))
    except MaterialsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except SeminarkitError as exc:
        print(f"seminarkit: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("seminarkit: interrupted; nothing half-written was left behind.", file=sys.stderr)
        return 130
