"""The student kit: a folder a student can use on their own machine, holding nothing instructor-only.

``seminarkit student-kit --out DIR`` writes::

    DIR/README.md                     for students: what is here, how to run it
    DIR/seminarkit-student-kit.json   the kit's listing (every file and its SHA-256)
    DIR/materials/                    the student edition of the materials (course.yaml says so)
    DIR/notebooks/                    the course notebooks (instructor-only cells dropped, no outputs)

The materials are the student edition (:func:`seminarkit.editions.module_for_edition`):
instructor-only fields removed, practice quiz keys replaced by salted hashes, and the keys of
``exam_only`` questions absent altogether. ``seminarkit lab DIR`` or plain ``jupyter lab`` in
DIR runs every notebook (the notebooks find the kit's materials themselves, see
:func:`seminarkit.content.paths.default_materials_dir`); asking one for the instructor edition
stops with one line. Before the kit appears, it is loaded and validated as a course and
scanned by the leak gate against the instructor materials; it is built in a temporary folder
and renamed into place, so DIR is never half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from seminarkit import __version__
from seminarkit.content.paths import KIT_LISTING
from seminarkit.editions import STUDENT
from seminarkit.errors import LeakError, OutputError
from seminarkit.fileio import import_nbformat, make_temp_dir, write_atomic

if TYPE_CHECKING:
    from seminarkit.content.materials import Course

KIT_FORMAT = "seminarkit-student-kit"
KIT_VERSION = 1

README = """# {title}: student kit

This folder is your own copy of the course notebooks and of the course materials as students
see them. Everything runs on your machine.

## Start

1. Install seminarkit as your instructor tells you (for example `pip install seminarkit`).
2. In this folder, run `seminarkit lab .` (or `jupyter lab`), then open a notebook in
   `notebooks/` and choose *Run > Run All Cells*.

Each notebook starts with a parameters cell: change `module` to any of {modules}, then run
all cells again. Your changes and outputs stay in this folder.

## What is in it

- `notebooks/`: the course notebooks ({notebooks}).
- `materials/`: timelines, actors, key terms, sources, data sets and the question banks of
  the modules above, in the student edition.
- `seminarkit-student-kit.json`: the list of files the kit was made with.

## What is not in it

There are no model answers, facilitation notes or answer keys here. Practice questions check
your answer against a sealed (hashed) key: you get *Correct* or *Not quite*, never the answer.
Questions kept for graded exams have no key in this kit at all: your instructor scores exam
answers with the real key. Asking a notebook for the instructor edition stops with the
message "this is a student kit".
"""


def _dump_module(course: Course, module_id: str, modules: list[str], dest: Path) -> list[Path]:
    """Write the student edition of one module (YAML parts, data and provenance) under ``dest``.

    Links to modules the kit leaves out are dropped (they would point nowhere).
    """
    import dataclasses

    from seminarkit.grading.release import student_parts

    module = course.module(module_id)
    links = [link for link in module.meta.links if link.module in modules]
    module = dataclasses.replace(module, meta=module.meta.model_copy(update={"links": links}))
    written = [write_atomic(dest / name, text) for name, text in student_parts(module).items()]
    for dataset in module.datasets.values():
        written.append(write_atomic(dest / "data" / dataset.csv_path.name, dataset.csv_path.read_bytes()))
        provenance = dataset.csv_path.with_suffix(".yaml")
        if provenance.is_file():
            written.append(write_atomic(dest / "data" / provenance.name, provenance.read_bytes()))
    return written


def _course_yaml(course: Course, modules: list[str], notebooks: list[str]) -> str:
    import yaml

    spec = course.spec.model_dump(mode="json", exclude_none=True)
    spec["edition"] = STUDENT.name
    spec["modules"] = [m for m in spec["modules"] if m["id"] in modules]
    spec["notebooks"] = [n for n in spec["notebooks"] if n["id"] in notebooks]
    spec["sequence"] = [s for s in spec.get("sequence", []) if all(m in modules for m in s["modules"])]
    for session in spec["sequence"]:
        session["notebooks"] = [n for n in session.get("notebooks", []) if n in notebooks]
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)


_MODULE_PARAM = re.compile(r'^(module\s*=\s*)(["\'])([^"\']*)\2', re.M)


def student_notebook(path: Path, modules: list[str]) -> str:
    """Return a notebook as the kit holds it: student transforms applied, ``module`` one of ``modules``."""
    from seminarkit.markers import TAG_PARAMETERS

    nbformat = import_nbformat()
    nb = STUDENT.apply(nbformat.read(str(path), as_version=4))
    for cell in nb["cells"]:
        tagged = TAG_PARAMETERS in cell["metadata"].get("tags", [])
        match = _MODULE_PARAM.search(cell["source"]) if tagged else None
        if match and match.group(3) not in modules:
            cell["source"] = _MODULE_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{modules[0]}{m.group(2)}",
                                               cell["source"], count=1)
    return str(nbformat.writes(nb)) + "\n"


def file_listing(root: Path) -> dict[str, str]:
    """Every file under ``root`` but the listing itself, as {relative path: sha256}."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != KIT_LISTING}


def read_listing(kit: Path) -> list[str]:
    """Return the files a kit was written with, plus the listing itself (only that when unreadable)."""
    try:
        data = json.loads((kit / KIT_LISTING).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [KIT_LISTING]
    files = data.get("files") if isinstance(data, dict) else None
    return [KIT_LISTING, *(files if isinstance(files, dict) else {})]


def _fill(course: Course, modules: list[str], tmp: Path) -> None:
    entries = [m for m in course.spec.modules if m.id in modules]
    used = [n.id for n in course.spec.notebooks if any(n.id in m.notebooks for m in entries)]
    catalogue = {n.id: n for n in course.spec.notebooks}
    for nb in used:
        applies = [m.id for m in entries if nb in m.notebooks]
        write_atomic(tmp / "notebooks" / catalogue[nb].file,
                     student_notebook(course.notebook_path(catalogue[nb].file), applies))
    write_atomic(tmp / "materials" / "course.yaml", _course_yaml(course, modules, used))
    for module_id in modules:
        _dump_module(course, module_id, modules, tmp / "materials" / "modules" / module_id)
    write_atomic(tmp / "README.md", README.format(
        title=course.spec.title, modules=", ".join(f"`{m}`" for m in modules),
        notebooks=", ".join(catalogue[n].file for n in used)))
    listing = {"format": KIT_FORMAT, "version": KIT_VERSION, "seminarkit": __version__,
               "course": course.spec.title, "modules": modules, "files": file_listing(tmp)}
    write_atomic(tmp / KIT_LISTING, json.dumps(listing, indent=1, ensure_ascii=False) + "\n")


def _check(course: Course, modules: list[str], tmp: Path) -> None:
    """Refuse a kit that does not load as a student course, or that leaks."""
    from seminarkit.content.materials import load_course
    from seminarkit.handouts.leaks import Probes, scan_tree

    kit = load_course(tmp / "materials")  # a problem here is the kit's, reported as MaterialsError
    assert kit.spec.edition == STUDENT.name
    found = scan_tree(tmp, Probes.build(course.modules.values()), expected=read_listing(tmp))
    if found.leaks:
        listed = "\n".join(str(leak).replace(str(tmp), "<kit>") for leak in found.leaks)
        raise LeakError(f"the student kit would leak; nothing was written:\n{listed}")


def write_student_kit(out: Path, *, materials: Path | None = None, modules: Iterable[str] | None = None) -> Path:
    """Write the student kit into ``out`` (new, empty, or a previous kit, which is replaced)."""
    from seminarkit.content.materials import load_course
    from seminarkit.handouts.plan import pick

    course = load_course(materials)
    if STUDENT.name == course.spec.edition:
        raise OutputError(course.materials_dir, "is a student edition already; make the kit from the "
                                                "instructor's materials")
    chosen = pick("module", modules, list(course.modules))
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(out, "is a file, not a folder (choose another --out folder)")
    if out.is_dir() and any(out.iterdir()) and not (out / KIT_LISTING).is_file():
        raise OutputError(out, "exists and is not a student kit; choose an empty or new --out folder")
    ordered = [m.id for m in course.spec.modules if m.id in chosen]
    tmp = make_temp_dir(out.resolve().parent, out.name)
    old: Path | None = None
    try:
        _fill(course, ordered, tmp)
        _check(course, ordered, tmp)
        if out.is_dir():
            old = make_temp_dir(out.resolve().parent, f"{out.name}.old")
            os.replace(out, old / "kit")
        os.replace(tmp, out)
    except BaseException:
        if old is not None and not out.exists():
            os.replace(old / "kit", out)  # put the previous kit back
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return out
