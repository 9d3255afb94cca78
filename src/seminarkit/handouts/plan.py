"""Plan handout jobs (notebook x module x edition) and their content-hash cache keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from seminarkit import __version__
from seminarkit.editions import EDITIONS, Edition, edition
from seminarkit.errors import UnknownChoiceError
from seminarkit.fileio import hash_file, hash_tree
from seminarkit.handouts.formats import DEFAULT_FORMATS, FORMATS

if TYPE_CHECKING:
    from seminarkit.content.materials import Course
    from seminarkit.content.schema.course import ParameterValue

_KIT_DIR = Path(__file__).resolve().parents[1]  # the whole seminarkit package
# Private folders of a build, beside the two sites (``student/``, ``instructor/``).
EXECUTED_DIR = "executed"
FAILED_DIR = "failed"
T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    """One handout to build: a notebook for a module in an edition, in some formats."""

    notebook: str
    notebook_title: str
    notebook_path: Path
    module: str
    module_title: str
    edition: Edition
    formats: tuple[str, ...]
    parameters: Mapping[str, ParameterValue] = field(hash=False)
    inputs_hash: str = ""  # everything the job could read: the kit, the notebook, course.yaml, its module
    base_hash: str = ""  # the same without the module's files (see :func:`reads_hash`)

    @property
    def key(self) -> str:
        """Stable id: ``module/edition/notebook``."""
        return f"{self.module}/{self.edition.name}/{self.notebook}"

    @property
    def title(self) -> str:
        """The handout's title: module, then notebook."""
        return f"{self.module_title} — {self.notebook_title}"

    def output(self, out_dir: Path, suffix: str) -> Path:
        """Where one handout file of this job goes: its edition's site, ``<site>/<module>/<notebook>.<suffix>``."""
        return out_dir / self.edition.site / self.module / f"{self.notebook}.{suffix}"

    def executed(self, out_dir: Path) -> Path:
        """Where the executed notebook goes: ``executed/<edition>/<module>/``, outside both sites.

        It records the build machine's paths in its parameters cell, so it is never published.
        """
        return out_dir / EXECUTED_DIR / self.edition.name / self.module / f"{self.notebook}.ipynb"

    def failed(self, out_dir: Path) -> Path:
        """Where papermill's marked notebook of a failed run is kept: ``failed/<edition>/<module>/``."""
        return out_dir / FAILED_DIR / self.edition.name / self.module / f"{self.notebook}.failed.ipynb"


@lru_cache(maxsize=1)
def kit_fingerprint() -> str:
    """Hash of the kit itself: version, library sources and template (a code change rebuilds)."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(_KIT_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".css", ".json"}:
            hash_file(h, path, _KIT_DIR)
    return h.hexdigest()


def notebook_roots(materials_dir: Path) -> list[Path]:
    """Return the folders a course's notebooks come from: its own, then the kit's (its fallback)."""
    from seminarkit.content.paths import kit_notebooks_dir, notebooks_dir_for

    roots = [notebooks_dir_for(materials_dir)]
    kit = kit_notebooks_dir()
    if kit is not None and kit.resolve() != roots[0].resolve():
        roots.append(kit)
    return roots


def tree_digest(materials_dir: Path, options: str) -> str:
    """One hash over every build input: materials, notebooks (the course's and the kit's), the kit, options.

    Stored after a clean build; when it matches, nothing can have changed and the build is a
    no-op without loading (and validating) the materials at all.
    """
    h = hashlib.sha256(kit_fingerprint().encode())
    h.update(options.encode())
    for root in (materials_dir, *notebook_roots(materials_dir)):
        h.update(b"\x01")  # a root boundary: a file moved between roots changes the hash
        if root.is_dir():
            hash_tree(h, root)
    return h.hexdigest()


def module_fingerprint(course: Course, module_id: str) -> str:
    """Hash of one module's materials files plus course.yaml."""
    h = hashlib.sha256()
    hash_file(h, course.materials_dir / "course.yaml", course.materials_dir)
    for path in course.module(module_id).files():
        hash_file(h, path, course.materials_dir)
    return h.hexdigest()


def materials_hashes(course: Course) -> dict[str, str]:
    """sha256 of every materials file of every module, by path relative to the materials folder.

    Each module's ``data/`` folder also gets an entry (``modules/<id>/data/``): the hash of its
    file names, so adding or removing a data set changes what a notebook listing them reads.
    """
    hashes: dict[str, str] = {}
    for module in course.modules.values():
        names = []
        for path in module.files():
            rel = path.relative_to(course.materials_dir).as_posix()
            hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            if path.parent.name == "data" and path.parent.parent == module.path:
                names.append(path.name)
        hashes[f"modules/{module.id}/data/"] = hashlib.sha256("\0".join(sorted(names)).encode()).hexdigest()
    return hashes


def reads_hash(base_hash: str, reads: Iterable[str], hashes: Mapping[str, str]) -> str:
    """Return a job's cache key from what its last run read: its base hash and those files' contents.

    A file that no longer exists hashes as ``-``, so removing one a notebook read rebuilds it.
    """
    h = hashlib.sha256(base_hash.encode())
    for rel in sorted(set(reads)):
        h.update(f"\0{rel}\0{hashes.get(rel, '-')}".encode())
    return h.hexdigest()


def pick(kind: str, wanted: Iterable[str] | None, valid: Sequence[str],
         default: Sequence[str] | None = None) -> list[str]:
    """Return the chosen names in order (``default``, else all of ``valid``, when none); unknown is an error."""
    if not wanted:
        return list(valid if default is None else default)
    chosen = list(wanted)
    for item in chosen:
        if item not in valid:
            raise UnknownChoiceError(kind, item, valid)
    return chosen


def pick_editions(wanted: Iterable[str] | None) -> list[Edition]:
    """Return the chosen editions (all when none), looked up by name."""
    return [edition(name) for name in wanted] if wanted else list(EDITIONS)


def default_parameters(course: Course, module_id: str, notebook: str, which: Edition) -> dict[str, ParameterValue]:
    """Batch-build parameters of one job: the common ones plus the catalogue's own for the notebook."""
    catalogue = {n.id: n for n in course.spec.notebooks}
    params: dict[str, ParameterValue] = {"module": module_id, "edition": which.name,
                                         "materials_dir": str(course.materials_dir.resolve()), "interactive": False}
    params.update(catalogue[notebook].parameters)
    return params


def plan_jobs(course: Course, *, modules: Iterable[str] | None = None, editions: Iterable[str] | None = None,
              formats: Iterable[str] | None = None, salt: str = "") -> list[Job]:
    """Every job for the chosen modules, editions and formats, with its inputs hash.

    A job carries the chosen formats that apply to its notebook; a notebook none applies to
    (``--formats slides`` and the timeline explorer) has no job.

    ``salt`` is any further input that changes outputs (e.g. the footer text).
    """
    chosen_modules = pick("module", modules, list(course.modules))
    chosen_editions = pick_editions(editions)
    chosen_formats = tuple(pick("format", formats, list(FORMATS), DEFAULT_FORMATS))
    kit = kit_fingerprint()
    course_file = hashlib.sha256((course.materials_dir / "course.yaml").read_bytes()).hexdigest()
    catalogue = {n.id: n for n in course.spec.notebooks}
    jobs = []
    for entry in course.spec.modules:
        if entry.id not in chosen_modules:
            continue
        materials = module_fingerprint(course, entry.id)
        module_title = course.module(entry.id).meta.short_title
        for notebook in entry.notebooks:
            formats = tuple(name for name in chosen_formats if FORMATS[name].applies_to(notebook))
            if not formats:
                continue  # e.g. --formats slides for a notebook that makes no deck
            path = course.notebook_path(catalogue[notebook].file)
            source = path.read_bytes()
            for which in chosen_editions:
                params = default_parameters(course, entry.id, notebook, which)
                base = hashlib.sha256()
                for part in (kit, course_file, json.dumps(params, sort_keys=True), ",".join(formats), salt):
                    base.update(part.encode())
                    base.update(b"\0")
                base.update(source)
                full = hashlib.sha256(base.digest())
                full.update(materials.encode())
                jobs.append(Job(notebook, catalogue[notebook].title, path, entry.id, module_title, which,
                                formats, params, full.hexdigest(), base.hexdigest()))
    return jobs
