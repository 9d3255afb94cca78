"""Where the kit's own materials and notebooks live (light: no heavy imports)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from seminarkit.errors import MaterialsError, Problem

# The file that makes a folder a student kit (written by ``seminarkit student-kit``).
KIT_LISTING = "seminarkit-student-kit.json"


def student_kit_root(start: Path) -> Path | None:
    """Return the student kit that ``start`` is in (the folder holding its listing), or None."""
    for folder in (start, *start.parents):
        if (folder / KIT_LISTING).is_file() and (folder / "materials" / "course.yaml").is_file():
            return folder
    return None


def default_materials_dir() -> Path:
    """Find the materials: ``$SEMINARKIT_MATERIALS``, the student kit we are in, the installed copy, or the repo.

    A notebook opened in a student kit (plain ``jupyter lab`` in the kit runs kernels in its
    ``notebooks/`` folder) finds the kit's student-edition materials this way.
    """
    env = os.environ.get("SEMINARKIT_MATERIALS")
    if env:
        return Path(env)
    with contextlib.suppress(OSError):
        kit = student_kit_root(Path.cwd())
        if kit is not None:
            return kit / "materials"
    here = Path(__file__).resolve().parents[1]  # the seminarkit package folder
    packaged = here / "_materials"
    if (packaged / "course.yaml").is_file():
        return packaged
    for parent in here.parents:
        if (parent / "materials" / "course.yaml").is_file():
            return parent / "materials"
    raise MaterialsError(
        [Problem("materials", None, None, None,
                 "cannot find the kit's materials (set SEMINARKIT_MATERIALS or pass --materials)")]
    )


def require_course_file(materials_dir: Path | None) -> Path:
    """Return the materials folder; a folder without ``course.yaml`` is one MaterialsError."""
    folder = Path(materials_dir) if materials_dir else default_materials_dir()
    if not (folder / "course.yaml").is_file():
        raise MaterialsError([Problem(str(folder / "course.yaml"), None, None, None,
                                      "missing course.yaml (is --materials the right folder?)")])
    return folder


def notebooks_dir_for(materials_dir: Path) -> Path:
    """Return the notebooks folder beside a materials folder (``_notebooks`` when installed)."""
    installed = materials_dir.parent / "_notebooks"
    return installed if installed.is_dir() else materials_dir.parent / "notebooks"
