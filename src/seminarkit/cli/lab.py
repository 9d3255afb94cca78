"""``seminarkit lab``: JupyterLab on a working copy of the notebooks, never on the repository's own.

``seminarkit lab`` serves ``./seminarkit-lab/``: a copy of the course notebooks made on the
first run and never overwritten afterwards (notebooks added to the course later are copied
in; ``--reset`` starts afresh). The copy holds a ``.gitignore`` of ``*``, so nothing in it is
ever tracked by git, whichever repository it sits in: JupyterLab's autosave, outputs and
saved quiz answers stay out of the repository. ``seminarkit lab DIR`` serves DIR instead:
a student kit as it is (its notebooks use the kit's student-edition materials), or a working
copy in a folder of your choosing. Options: ``--port N``, ``--no-browser``, and any
JupyterLab option after ``--`` (``seminarkit lab -- --ServerApp.ip=0.0.0.0``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from seminarkit.cli.common import command, materials_option
from seminarkit.errors import OutputError
from seminarkit.fileio import write_atomic

DEFAULT_DIR = Path("seminarkit-lab")
LAB_MARKER = ".seminarkit-lab"


def _setup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", type=Path, default=None, metavar="DIR",
                        help=f"a student kit, or the working copy to serve (default: ./{DEFAULT_DIR})")
    parser.add_argument("--reset", action="store_true",
                        help="replace the working copy with fresh copies of the course notebooks")
    parser.add_argument("--port", type=int, default=None, metavar="N", help="port for JupyterLab")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    materials_option(parser)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter  # keep the example on one line
    parser.epilog = ("options after '--' go to JupyterLab, for example:\n"
                     "  seminarkit lab --port 8890 --no-browser -- --ServerApp.ip=127.0.0.1")
    parser.set_defaults(passthrough=[])


def lab_command(root: Path, extra: list[str], *, port: int | None = None, no_browser: bool = False) -> list[str]:
    """Build the JupyterLab command line serving ``root``."""
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"]
    if port is not None:
        cmd.append(f"--ServerApp.port={port}")
    if no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        cmd.append("--allow-root")
    return cmd + [a for a in extra if a != "--"]


def working_copy(target: Path, notebooks: Path | Sequence[Path], *, reset: bool = False) -> list[str]:
    """Create or refresh the working copy ``target`` of ``notebooks``; return the notebooks copied in.

    ``notebooks`` is a folder (its ``*.ipynb``) or the notebook files themselves.

    An existing copy is never overwritten: only notebooks it lacks are added. ``reset`` removes
    the copy first (only a folder this command made: one holding its marker).
    """
    marker = target / LAB_MARKER
    if target.exists() and not target.is_dir():
        raise OutputError(target, "is a file, not a folder (choose another working-copy folder)")
    if target.is_dir() and any(target.iterdir()) and not marker.is_file():
        raise OutputError(target, "exists and is not a seminarkit lab working copy; choose another folder "
                                  "(nothing there was changed)")
    if reset and target.is_dir():
        shutil.rmtree(target)
    write_atomic(target / ".gitignore", "# seminarkit lab working copy: never tracked by git\n*\n")
    files = sorted(notebooks.glob("*.ipynb")) if isinstance(notebooks, Path) else sorted(notebooks)
    where = str(notebooks) if isinstance(notebooks, Path) else sorted({str(p.parent) for p in files})
    write_atomic(marker, json.dumps({"notebooks": where}) + "\n")
    copied = []
    for source in files:
        dest = target / source.name
        if not dest.exists():
            shutil.copyfile(source, dest)
            copied.append(source.name)
    return copied


@command("lab", _setup, "Open JupyterLab on a git-ignored working copy of the notebooks, or on a student kit.")
def _lab(args: argparse.Namespace) -> int:
    from seminarkit.content.materials import load_course
    from seminarkit.content.paths import KIT_LISTING

    kit = args.dir is not None and (args.dir / KIT_LISTING).is_file()
    if kit:
        if args.reset:
            raise OutputError(args.dir, "is a student kit (your own work): --reset only applies to a "
                                        "working copy; ask for a new kit to start afresh")
        materials = (args.dir / "materials").resolve()
        load_course(materials)  # fail early, with a clear message, on a damaged kit
        root = args.dir.resolve()
        print(f"JupyterLab on the student kit {args.dir}", file=sys.stderr)
    else:
        materials = Path(args.materials).resolve()  # resolved once by the CLI (--course)
        course = load_course(materials)  # fail early, with a clear message, on bad materials
        root = (args.dir or DEFAULT_DIR).resolve()
        fresh = args.reset or not root.exists()
        used = [course.notebook_path(n.file) for n in course.spec.notebooks]
        copied = working_copy(root, [p for p in used if p.is_file()], reset=args.reset)
        what = "created" if fresh else (f"kept, {len(copied)} new notebook(s) added" if copied else "kept")
        print(f"JupyterLab on the working copy {root} ({what}; git-ignored; --reset starts afresh)",
              file=sys.stderr)
    # Set once for JupyterLab and its kernels: every notebook loads the course this command resolved.
    env = dict(os.environ, SEMINARKIT_MATERIALS=str(materials))
    proc = subprocess.Popen(lab_command(root, args.passthrough, port=args.port, no_browser=args.no_browser),
                            env=env, cwd=root)
    # Ctrl-C is JupyterLab's to handle (it asks, then shuts its kernels down): wait for it.
    # A SIGTERM for us is passed on, so JupyterLab and its kernels stop too, never orphaned.
    def forward(signum: int, frame: FrameType | None) -> None:
        proc.send_signal(signum)

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.signal(signal.SIGTERM, forward)
    try:
        return proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
