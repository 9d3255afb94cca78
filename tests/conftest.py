"""Shared fixtures: a copy of the mini kit, and helpers to run the CLI in-process."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def mini_kit(tmp_path: Path) -> Path:
    """Copy tests/fixtures/mini_kit afresh and return its materials folder."""
    dest = tmp_path / "kit"
    shutil.copytree(FIXTURES / "mini_kit", dest)
    return dest / "materials"


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``seminarkit`` in-process; return (exit code, stdout, stderr)."""
    from seminarkit.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run
