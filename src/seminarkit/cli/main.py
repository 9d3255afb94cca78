"""The ``seminarkit`` command: a thin skin over the library.

Each subcommand parses its options, calls one library function, and turns a
:class:`SeminarkitError` into one clear message on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence

from seminarkit import __version__
from seminarkit.cli.common import (
    COMMANDS,
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_SOFTWARE,
    expand_aliases,
    resolve_course,
)
from seminarkit.errors import MaterialsError, SeminarkitError

# One module per command family; importing it registers its subcommands.
COMMAND_MODULES = ("validate", "build", "quiz", "grade", "grade_export", "lab", "schema", "room",
                   "studentkit", "authoring")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered subcommand."""
    for name in COMMAND_MODULES:
        importlib.import_module(f"seminarkit.cli.{name}")
    parser = argparse.ArgumentParser(prog="seminarkit", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--version", action="version", version=f"seminarkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (setup, handler, help) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help, description=help)
        setup(command_parser)
        command_parser.set_defaults(handler=handler)
    return parser


def _interrupted() -> int:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C now must not add a traceback
    print("seminarkit: interrupted; nothing half-written was left behind.", file=sys.stderr)
    return 130


def wraps_interrupt(exc: BaseException) -> bool:
    """Tell whether ``exc`` is a Ctrl-C that library code caught and re-raised as an error of its own.

    pydantic's serializers do: a KeyboardInterrupt inside one comes out as a
    ``PydanticSerializationError`` naming it, with no exception chained.
    """
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return type(exc).__name__ == "PydanticSerializationError" and "KeyboardInterrupt" in str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in argv:  # everything after "--" belongs to the tool a command wraps (seminarkit lab)
        at = argv.index("--")
        argv, passthrough = argv[:at], argv[at + 1:]
    args = parser.parse_args(expand_aliases(argv))
    if passthrough:
        if not hasattr(args, "passthrough"):
            parser.error(f"{args.command or 'seminarkit'} takes no arguments after '--'")
        args.passthrough = passthrough
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    try:
        resolve_course(args)  # one course for the whole command (--course, the current folder, or the kit's)
        return int(args.handler(args))
    except MaterialsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except SeminarkitError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"seminarkit: error: {line}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return _interrupted()
    except OSError as exc:  # the environment: permissions, a full disk, a vanished file
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"seminarkit: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except RecursionError:
        print("seminarkit: error: an input is nested too deeply to read", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a bug: still one line, unless asked for the traceback
        if wraps_interrupt(exc):
            return _interrupted()
        if os.environ.get("SEMINARKIT_DEBUG"):
            raise
        detail = " ".join(str(exc).split())[:200]
        print(f"seminarkit: internal error: {type(exc).__name__}: {detail} (a bug in "
              "seminarkit; rerun with SEMINARKIT_DEBUG=1 to see the traceback, and report it)",
              file=sys.stderr)
        return EXIT_SOFTWARE
