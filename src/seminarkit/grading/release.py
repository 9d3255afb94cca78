"""Student versions of exercises and the student bundle (``seminarkit release``).

A student version keeps every cell's kit id and role, replaces solution regions by a stub
(``# YOUR CODE HERE`` + ``raise NotImplementedError()`` in code, ``YOUR ANSWER HERE`` in
markdown), removes hidden tests, clears outputs, drops ``instructor-only`` cells and rubrics,
and records a checksum of every locked and test cell. The bundle adds the declared data files
and the module materials as the student edition may see them, then the leak gate runs on it.
Everything is written to a temporary folder first and renamed into place.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seminarkit.errors import ExerciseError
from seminarkit.grading.exercise import (
    CODE_STUB,
    MARKDOWN_STUB,
    ExCell,
    Exercise,
    checksum,
    load_exercise,
)
from seminarkit.markers import (
    METADATA_KEY,
    ROLE_ANSWER,
    ROLE_LOCKED,
    ROLE_MANUAL,
    ROLE_TEST,
    SOLUTION,
    RegionKind,
    replace_regions,
)

if TYPE_CHECKING:
    from seminarkit.content.materials import Course, Module

RELEASE_MARKER = ".seminarkit-release"


# Cell and notebook metadata a student version keeps; everything else (nbgrader's, an
# instructor's own keys) stays behind.
CELL_METADATA = ("tags", "collapsed", "scrolled", "jupyter", "slideshow", "name")
NOTEBOOK_METADATA = ("kernelspec", "language_info")


def student_source(cell: ExCell) -> str:
    """Return the source a student receives for ``cell``.

    Solution regions become the stub; hidden tests and mark schemes disappear with their
    marker lines. An answer or manual cell without a solution region is all stub.
    """
    if cell.role in (ROLE_ANSWER, ROLE_MANUAL):
        stub: tuple[str, ...] = CODE_STUB if cell.cell_type == "code" else (MARKDOWN_STUB,)
        if not cell.regions_of(SOLUTION):
            return "\n".join(stub)

        def answer_stub(kind: RegionKind) -> tuple[str, ...] | None:
            return stub if kind is SOLUTION else None

        return replace_regions(cell.source, list(cell.regions), answer_stub)
    if cell.regions:
        return replace_regions(cell.source, list(cell.regions), lambda kind: None).rstrip()
    return cell.source


def student_notebook(exercise: Exercise) -> dict[str, Any]:
    """Build the student version of an exercise as a notebook dict.

    Only the exercise's cells are used (instructor-only cells were never parsed into it);
    each keeps its id, role, type and the whitelisted metadata, never its outputs.
    """
    nb = exercise.nb
    cells: list[dict[str, Any]] = []
    for cell in exercise.cells:
        raw = nb["cells"][cell.index]
        source = student_source(cell)
        meta: dict[str, Any] = {"id": cell.id, "role": cell.role}
        if cell.points:
            meta["points"] = cell.points
        if cell.role in (ROLE_LOCKED, ROLE_TEST):
            meta["checksum"] = checksum(cell.cell_type, source)
        raw_meta = raw.get("metadata") or {}
        kept = {k: copy.deepcopy(raw_meta[k]) for k in CELL_METADATA if k in raw_meta}
        new: dict[str, Any] = {"cell_type": cell.cell_type, "metadata": kept, "source": source}
        new["metadata"][METADATA_KEY] = meta
        if cell.role in (ROLE_LOCKED, ROLE_TEST):
            new["metadata"]["editable"] = False
            new["metadata"]["deletable"] = False
        if isinstance(raw.get("id"), str):
            new["id"] = raw["id"]
        if cell.cell_type == "code":
            new["execution_count"] = None
            new["outputs"] = []
        cells.append(new)
    nb_meta = nb.get("metadata") or {}
    kit = {k: copy.deepcopy(v) for k, v in nb_meta.get(METADATA_KEY, {}).items()
           if k in ("exercise", "module", "files", "limits", "title")}
    metadata = {k: copy.deepcopy(nb_meta[k]) for k in NOTEBOOK_METADATA if k in nb_meta}
    metadata[METADATA_KEY] = {**kit, "edition": "student"}
    minor = nb.get("nbformat_minor")
    return {"nbformat": 4, "nbformat_minor": minor if type(minor) is int else 5,
            "metadata": metadata, "cells": cells}


def stubs(exercise: Exercise) -> dict[str, str]:
    """Return the released source of every answer and manual cell, by id (to spot untouched ones)."""
    return {c.id: student_source(c) for c in exercise.cells if c.role in (ROLE_ANSWER,
                                                                          ROLE_MANUAL)}


def write_notebook(nb: dict[str, Any], path: Path) -> None:
    """Write a notebook dict as Jupyter does (indent 1, UTF-8)."""
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def student_module(module: Module) -> Module:
    """Return the student edition of ``module`` (instructor-only fields removed, quiz keys sealed)."""
    from seminarkit.editions import module_for_edition, redact

    try:
        return module_for_edition(module, "student")
    except ModuleNotFoundError as exc:  # the quiz-key sealer is not installed yet
        if not (exc.name or "").startswith("seminarkit.quiz") or module.quiz is not None:
            raise
        import dataclasses

        return dataclasses.replace(module, meta=redact(module.meta),
                                   timeline=redact(module.timeline),
                                   actors=redact(module.actors),
                                   glossary=redact(module.glossary), roles=redact(module.roles))


def student_parts(module: Module) -> dict[str, str]:
    """Return the student edition of a module's YAML files, as ``{file name: YAML text}``."""
    import yaml

    student = student_module(module)
    parts = {"module.yaml": student.meta, "timeline.yaml": student.timeline,
             "actors.yaml": student.actors, "glossary.yaml": student.glossary,
             "quiz.yaml": student.quiz, "roles.yaml": student.roles}
    texts = {name: yaml.safe_dump(part.model_dump(mode="json", exclude_none=True),
                                  sort_keys=False, allow_unicode=True)
             for name, part in parts.items() if part is not None}
    sources = {"sources": [s.model_dump(mode="json", exclude_none=True)
                           for s in student.sources.values()]}
    texts["sources.yaml"] = yaml.safe_dump(sources, sort_keys=False, allow_unicode=True)
    return texts


def _dump_module(module: Module, dest: Path) -> None:
    """Write the student edition of ``module`` (YAML and data) under ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name, text in student_parts(module).items():
        (dest / name).write_text(text, encoding="utf-8")
    data_dir = dest / "data"
    for dataset in module.datasets.values():
        data_dir.mkdir(exist_ok=True)
        # copyfile, not copy2: the copy gets the umask's mode, not the source file's.
        shutil.copyfile(dataset.csv_path, data_dir / dataset.csv_path.name)
        provenance = dataset.csv_path.with_suffix(".yaml")
        if provenance.is_file():
            shutil.copyfile(provenance, data_dir / provenance.name)


def exercise_file_bytes(module: Module, name: str) -> bytes:
    """Return a declared file's content as students get it: module YAML in its student edition."""
    if name.startswith("../"):
        parts = student_parts(module)
        base = Path(name).name
        if base in parts:
            return parts[base].encode("utf-8")
        path = Path(module.path) / base
    else:
        path = Path(module.path) / "data" / name
    if not path.is_file():
        raise ExerciseError(f"declared file {name!r} not found in module {module.id!r} "
                            f"({path})")
    return path.read_bytes()


def release(sources: Sequence[Path], out: Path, materials: Path | None = None) -> list[Path]:
    """Write student versions and the student bundle of ``sources`` into ``out``."""
    from seminarkit.content.materials import load_course
    from seminarkit.fileio import check_output_dir, make_temp_dir
    from seminarkit.handouts.leaks import check_leaks

    out = check_output_dir(Path(out))
    exercises = [load_exercise(Path(p)) for p in sources]
    ids = [e.id for e in exercises]
    if len(set(ids)) != len(ids):
        raise ExerciseError("two sources declare the same exercise id: " + ", ".join(ids))
    course = load_course(materials)
    modules = {e.module: course.module(e.module) for e in exercises}
    if out.is_dir() and any(out.iterdir()) and not (out / RELEASE_MARKER).is_file():
        raise ExerciseError(f"{out} exists and is not a previous release; choose an empty or "
                            "new --out folder")
    tmp = make_temp_dir(out.parent, "release")  # the umask's mode, like every file inside it
    try:
        written: list[Path] = []
        for exercise in exercises:
            folder = tmp / exercise.module / exercise.id
            folder.mkdir(parents=True)
            write_notebook(student_notebook(exercise), folder / f"{exercise.id}.ipynb")
            module = course.module(exercise.module)
            for name in exercise.files:
                (folder / Path(name).name).write_bytes(exercise_file_bytes(module, name))
            written.append(out / exercise.module / exercise.id / f"{exercise.id}.ipynb")
        _write_bundle_materials(course, modules, tmp / "materials")
        (tmp / RELEASE_MARKER).write_text(json.dumps({"exercises": ids}) + "\n")
        check_leaks([tmp], list(modules.values()))
        _swap_in(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return written


def _swap_in(new: Path, out: Path) -> None:
    """Put ``new`` at ``out``; a previous release there is kept until the new one is in place."""
    if not out.exists():
        new.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=".release-old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)  # put the previous release back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_bundle_materials(course: Course, modules: dict[str, Module], dest: Path) -> None:
    import yaml

    spec = course.spec.model_dump(mode="json", exclude_none=True)
    spec["edition"] = "student"
    spec["modules"] = [m for m in spec["modules"] if m["id"] in modules]
    spec["sequence"] = [s for s in spec.get("sequence", [])
                        if all(m in modules for m in s["modules"])]
    dest.mkdir(parents=True)
    (dest / "course.yaml").write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True),
                                      encoding="utf-8")
    for module_id, module in modules.items():
        _dump_module(module, dest / "modules" / module_id)
