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


def command(name: str, setup: Setup, help: str) -> Callable[[Handler], Handler]:
    """Register a subcommand: ``setup`` adds its options, the decorated function runs it."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = (setup, handler, help)
        return handler

    return register


def materials_option(parser: argparse.ArgumentParser) -> None:
    """Add the ``--materials DIR`` option every materials-reading command shares."""
    parser.add_argument("--materials", type=Path, default=None, metavar="DIR",
                        help="materials folder (default: the kit's own materials)")
