"""Where the kit's own materials and notebooks live (light: no heavy imports)."""

from __future__ import annotations

import os
from pathlib import Path

from seminarkit.errors import MaterialsError, Problem


def default_materials_dir() -> Path:
    """Find the kit's own materials: ``$SEMINARKIT_MATERIALS``, the installed copy, or the repo."""
    env = os.environ.get("SEMINARKIT_MATERIALS")
    if env:
        return Path(env)
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
