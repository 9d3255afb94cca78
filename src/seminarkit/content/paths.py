"""Where a course's materials, notebooks and exercises live (light: no heavy imports).

A *course folder* holds ``materials/course.yaml`` (and ``notebooks/``, ``exercises/``). The CLI
resolves the course once (:func:`resolve_materials`: ``--course DIR``, else the current folder
if it is a course, else the kit's own course) and passes the materials folder down to every
library call. Kernels get it as the ``materials_dir`` parameter (builds) or through
``$SEMINARKIT_MATERIALS``, set once by ``seminarkit lab`` for JupyterLab and its kernels.
A course's own ``notebooks/<file>`` wins; a notebook it lacks is the kit's (:func:`notebook_file`).
"""

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


def _kit_folder(name: str) -> Path | None:
    """Return the kit's own ``materials``/``notebooks``/``exercises``: packaged (``_name``) or the repository's."""
    here = Path(__file__).resolve().parents[1]  # the seminarkit package folder
    packaged = here / f"_{name}"
    if packaged.is_dir():
        return packaged
    for parent in here.parents:
        if (parent / "materials" / "course.yaml").is_file():
            return parent / name if (parent / name).is_dir() else None
    return None


def kit_notebooks_dir() -> Path | None:
    """Return the kit's own notebooks (the fallback of every course), or None if it has none."""
    return _kit_folder("notebooks")


def kit_exercises_dir() -> Path | None:
    """Return the kit's own exercises (copied by ``seminarkit init``), or None if it has none."""
    return _kit_folder("exercises")


def is_course_folder(folder: Path) -> bool:
    """Tell whether ``folder`` is a course folder (it holds ``materials/course.yaml``)."""
    return (folder / "materials" / "course.yaml").is_file()


def resolve_materials(course: Path | None = None, materials: Path | None = None,
                      cwd: Path | None = None) -> Path:
    """Resolve the course a command works on, once; return its materials folder.

    ``materials`` (a materials folder) or ``course`` (a course folder, or a materials folder) if
    given; else ``cwd`` (default: the current folder) if it is a course folder; else the kit's
    own course (:func:`default_materials_dir`). A ``course`` that is not a course is an error.
    """
    if materials is not None:
        return Path(materials)
    if course is not None:
        folder = Path(course)
        if is_course_folder(folder):
            return (folder / "materials").absolute()
        if (folder / "course.yaml").is_file():
            return folder.absolute()
        raise MaterialsError([Problem(str(folder), None, None, None,
                                      "--course: not a course folder (no materials/course.yaml); create one "
                                      "with 'seminarkit init DIR'")])
    here = Path.cwd() if cwd is None else cwd
    if is_course_folder(here):
        return (here / "materials").absolute()
    return default_materials_dir()


def notebook_file(materials_dir: Path, file: str) -> Path:
    """Return the notebook ``file`` of a course: its own ``notebooks/<file>`` if present, else the kit's.

    When neither has it, the course's own path (the one to create) is returned.
    """
    own = notebooks_dir_for(materials_dir) / file
    if own.is_file():
        return own
    kit = kit_notebooks_dir()
    if kit is not None and (kit / file).is_file():
        return kit / file
    return own


def default_materials_dir() -> Path:
    """Find the materials: ``$SEMINARKIT_MATERIALS``, the student kit or course we are in, else the kit's own.

    A notebook opened in a student kit or a course folder (plain ``jupyter lab`` runs kernels in
    the notebook's folder, ``notebooks/``) finds that kit's or course's materials this way.
    """
    env = os.environ.get("SEMINARKIT_MATERIALS")
    if env:
        return Path(env)
    with contextlib.suppress(OSError):
        here = Path.cwd()
        student = student_kit_root(here)
        if student is not None:
            return student / "materials"
        for folder in (here, here.parent) if here.name == "notebooks" else (here,):
            if is_course_folder(folder):
                return folder / "materials"
    kit = _kit_folder("materials")
    if kit is not None and (kit / "course.yaml").is_file():
        return kit
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
