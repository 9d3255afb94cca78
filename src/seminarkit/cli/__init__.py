"""The command-line interface: one thin module per command family (see :mod:`.main`)."""

from __future__ import annotations

from seminarkit.cli.main import main

__all__ = ["main"]
