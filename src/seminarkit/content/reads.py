"""Record which materials files a notebook run actually uses (the build's dependency-aware cache).

A notebook gets its materials through :func:`seminarkit.render.notebook.start`, which loads the
whole course (validation needs every file) and then hands the notebook *watched* modules:
:class:`WatchedModule` notes each part the notebook touches (``meta`` is ``module.yaml``,
``glossary`` is ``glossary.yaml``, one data set is its CSV and its provenance record, the list
of data sets is the ``data/`` folder's names...). Text in a part shows labels of records in
other files (``[[term:x]]`` renders the term from ``glossary.yaml``), so touching a part also
notes the files its cross-references were resolved from (:attr:`Module.xref_kinds`).

The paths, relative to the materials folder, are kept in this process; a build kernel also
writes them, after every new one, to the file :func:`reset` names (in the job's own folder),
and the build stores them in the job's cache record: the job's cache key then covers exactly
those files. A run that never calls ``start`` writes no file, and the build falls back to
every file of the module.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seminarkit.content.materials import Dataset, Module

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values

    from seminarkit.content.materials import Course

READS_FILE = ".seminarkit-reads.json"
DATA_LISTING = "data/"  # stands for the names of a module's data sets (files added or removed)
COURSE_FILE = "course.yaml"
# Module field -> its file, relative to the module folder.
PART_FILES = {"meta": "module.yaml", "sources": "sources.yaml", "timeline": "timeline.yaml",
              "actors": "actors.yaml", "glossary": "glossary.yaml", "quiz": "quiz.yaml", "roles": "roles.yaml"}
# Cross-reference kind -> the file its labels come from ("data" means every provenance record).
KIND_FILES = {"thesis": "module.yaml", "block": "module.yaml", "objective": "module.yaml",
              "development": "module.yaml", "source": "sources.yaml", "actor": "actors.yaml",
              "event": "timeline.yaml", "term": "glossary.yaml", "role": "roles.yaml", "dataset": "data"}

_READS: set[str] = set()
_SINK: list[Path] = []


def reset(sink: str | Path | None = None) -> None:
    """Forget the reads so far; with ``sink``, write every later read to that JSON file."""
    _READS.clear()
    _SINK[:] = [Path(sink)] if sink is not None else []


def reads() -> list[str]:
    """Every materials file read since the last :func:`reset`, sorted (relative to the materials folder)."""
    return sorted(_READS)


def note(*paths: str) -> None:
    """Note materials files as read (paths relative to the materials folder)."""
    new = set(paths) - _READS
    if not new:
        return
    _READS.update(new)
    if _SINK:
        tmp = _SINK[0].with_name(_SINK[0].name + ".tmp")
        tmp.write_text(json.dumps(sorted(_READS)), encoding="utf-8")
        os.replace(tmp, _SINK[0])


def note_all(course: Course) -> None:
    """Note every materials file of the course (a caller that may use any of it)."""
    files = [COURSE_FILE]
    for module in course.modules.values():
        files.append(f"modules/{module.id}/{DATA_LISTING}")
        files += [path.relative_to(course.materials_dir).as_posix() for path in module.files()]
    note(*files)


def read_sink(path: Path) -> list[str] | None:
    """Return the reads a kernel wrote to ``path``, or None when it wrote none (or garbage)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return sorted(str(p) for p in data) if isinstance(data, list) else None


class WatchedDatasets(dict[str, Dataset]):
    """A module's data sets that note which ones are used (one by name, or the whole list)."""

    def __init__(self, module: WatchedModule, items: dict[str, Dataset]):
        super().__init__(items)
        self._module = module

    def _file(self, name: str) -> list[str]:
        module = self._module
        record = f"data/{name}.yaml"
        return [module.rel(f"data/{name}.csv"), module.rel(record), *module.kind_files(record)]

    def _all(self) -> None:
        note(self._module.rel(DATA_LISTING), *(f for name in dict.keys(self) for f in self._file(name)))

    def __getitem__(self, name: str) -> Dataset:
        note(self._module.rel(DATA_LISTING), *self._file(name))
        return dict.__getitem__(self, name)

    def get(self, name: str, default: Any = None) -> Any:  # noqa: D102
        if dict.__contains__(self, name):
            return self[name]
        note(self._module.rel(DATA_LISTING))
        return default

    def __contains__(self, name: object) -> bool:
        note(self._module.rel(DATA_LISTING))
        return dict.__contains__(self, name)

    def __iter__(self) -> Iterator[str]:
        note(self._module.rel(DATA_LISTING))
        return dict.__iter__(self)

    def __len__(self) -> int:
        note(self._module.rel(DATA_LISTING))
        return dict.__len__(self)

    def keys(self) -> dict_keys[str, Dataset]:  # noqa: D102
        note(self._module.rel(DATA_LISTING))
        return dict.keys(self)

    def values(self) -> dict_values[str, Dataset]:  # noqa: D102
        self._all()
        return dict.values(self)

    def items(self) -> dict_items[str, Dataset]:  # noqa: D102
        self._all()
        return dict.items(self)


class WatchedModule(Module):
    """A :class:`Module` that notes every part read from it (see the module docstring)."""

    def rel(self, name: str) -> str:
        """Path of one of this module's files relative to the materials folder."""
        return f"modules/{object.__getattribute__(self, 'id')}/{name}"

    def kind_files(self, part: str) -> list[str]:
        """Return the files the cross-references in one part (a file of this module) were resolved from."""
        kinds = object.__getattribute__(self, "xref_kinds").get(part, frozenset())
        files = []
        for kind in kinds:
            target = KIND_FILES.get(kind)
            if target == "data":
                datasets = object.__getattribute__(self, "datasets")
                files += [self.rel(DATA_LISTING), *(self.rel(f"data/{n}.yaml") for n in dict.keys(datasets))]
            elif target is not None:
                files.append(self.rel(target))
        return files

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if name in PART_FILES:
            part = PART_FILES[name]
            note(self.rel(part), *self.kind_files(part))
        elif name == "datasets":
            return WatchedDatasets(self, dict(value))
        return value


def watched(module: Module) -> WatchedModule:
    """Return a copy of ``module`` that notes what is read from it."""
    copy = object.__new__(WatchedModule)
    for key, value in vars(module).items():
        object.__setattr__(copy, key, value)
    return copy


def watch(course: Course, module: Module) -> tuple[Course, WatchedModule]:
    """Watch a notebook's module and every module of its course (cross-module titles); note course.yaml."""
    note(COURSE_FILE)
    for mid, other in list(course.modules.items()):
        course.modules[mid] = watched(other)
    return course, watched(module)
