"""``seminarkit lab``: JupyterLab on the course notebooks, with the kit ready to import."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from seminarkit.cli.common import command, materials_option


def _setup(parser: argparse.ArgumentParser) -> None:
    materials_option(parser)
    parser.add_argument("lab_args", nargs=argparse.REMAINDER,
                        help="further arguments for jupyter lab (e.g. --port 8890 --no-browser)")


def lab_command(notebooks: Path, extra: list[str]) -> list[str]:
    """Build the JupyterLab command line for a notebooks folder."""
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebooks}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        cmd.append("--allow-root")
    return cmd + [a for a in extra if a != "--"]


@command("lab", _setup, "Open JupyterLab on the course notebooks.")
def _lab(args: argparse.Namespace) -> int:
    from seminarkit.content.materials import load_course
    from seminarkit.content.paths import default_materials_dir

    course = load_course(args.materials)  # fail early, with a clear message, on bad materials
    env = dict(os.environ, SEMINARKIT_MATERIALS=str((args.materials or default_materials_dir()).resolve()))
    return subprocess.call(lab_command(course.notebooks_dir, args.lab_args), env=env)
