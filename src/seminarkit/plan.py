"""Plan handout jobs (notebook x module x edition) and their content-hash cache keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from seminarkit import __version__
from seminarkit.errors import UnknownChoiceError
from seminarkit.markers import EDITIONS

FORMATS = ("html", "pdf")
_KIT_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Job:
    """One handout to build: a notebook for a module in an edition, in some formats."""

    notebook: str
    notebook_path: Path
    module: str
    edition: str
    formats: tuple[str, ...]
    parameters: dict[str, Any] = field(hash=False)
    inputs_hash: str = ""
    title: str = ""

    @property
    def key(self) -> str:
        """Stable id: ``module/edition/notebook``."""
        return f"{self.module}/{self.edition}/{self.notebook}"

    def output(self, out_dir: Path, fmt: str) -> Path:
        """Where one output format of this job goes."""
        return out_dir / self.module / self.edition / f"{self.notebook}.{fmt}"


def _digest(h: Any, path: Path, root: Path) -> None:
    h.update(str(path.relative_to(root)).encode())
    h.update(b"\0")
    h.update(path.read_bytes())
    h.update(b"\0")


def hash_tree(h: Any, root: Path) -> None:
    """Feed every file under ``root`` (relative name and contents, in sorted order) into ``h``."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            _digest(h, path, root)


@lru_cache(maxsize=1)
def kit_fingerprint() -> str:
    """Hash of the kit itself: version, library sources and template (a code change rebuilds)."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(_KIT_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".css", ".json"}:
            _digest(h, path, _KIT_DIR)
    return h.hexdigest()


def tree_digest(materials_dir: Path, notebooks_dir: Path, options: str) -> str:
    """One hash over every build input: materials, notebooks, the kit, and the build options.

    Stored after a clean build; when it matches, nothing can have changed and the build is a
    no-op without loading (and validating) the materials at all.
    """
    h = hashlib.sha256(kit_fingerprint().encode())
    h.update(options.encode())
    for root in (materials_dir, notebooks_dir):
        hash_tree(h, root)
    return h.hexdigest()


def module_fingerprint(course: Any, module_id: str) -> str:
    """Hash of one module's materials files plus course.yaml."""
    h = hashlib.sha256()
    _digest(h, course.materials_dir / "course.yaml", course.materials_dir)
    for path in course.module(module_id).files():
        _digest(h, path, course.materials_dir)
    return h.hexdigest()


def _pick(kind: str, wanted: Iterable[str] | None, valid: Iterable[str]) -> list[str]:
    valid = list(valid)
    if not wanted:
        return valid
    chosen = list(wanted)
    for item in chosen:
        if item not in valid:
            raise UnknownChoiceError(kind, item, valid)
    return chosen


def default_parameters(course: Any, module_id: str, notebook: str, edition: str) -> dict[str, Any]:
    """Batch-build parameters of one job."""
    params: dict[str, Any] = {"module": module_id, "edition": edition,
                              "materials_dir": str(course.materials_dir.resolve()), "interactive": False}
    if notebook == "01-overview":
        lengths = sorted({p.minutes for p in course.module(module_id).meta.session_plans})
        params["session_minutes"] = 90 if 90 in lengths or not lengths else lengths[0]
    return params


def plan_jobs(course: Any, *, modules: Iterable[str] | None = None, editions: Iterable[str] | None = None,
              formats: Iterable[str] | None = None, salt: str = "") -> list[Job]:
    """Every job for the chosen modules, editions and formats, with its inputs hash.

    ``salt`` is any further input that changes outputs (e.g. the footer text).
    """
    chosen_modules = _pick("module", modules, course.modules)
    chosen_editions = _pick("edition", editions, EDITIONS)
    chosen_formats = tuple(_pick("format", formats, FORMATS))
    kit = kit_fingerprint()
    catalogue = {n.id: n for n in course.spec.notebooks}
    jobs = []
    for entry in course.spec.modules:
        if entry.id not in chosen_modules:
            continue
        materials = module_fingerprint(course, entry.id)
        for notebook in entry.notebooks:
            path = course.notebooks_dir / catalogue[notebook].file
            for edition in chosen_editions:
                params = default_parameters(course, entry.id, notebook, edition)
                h = hashlib.sha256()
                for part in (kit, materials, json.dumps(params, sort_keys=True), ",".join(chosen_formats), salt):
                    h.update(part.encode())
                    h.update(b"\0")
                h.update(path.read_bytes())
                title = f"{course.module(entry.id).meta.short_title} — {catalogue[notebook].title}"
                jobs.append(Job(notebook, path, entry.id, edition, chosen_formats, params, h.hexdigest(),
                                title))
    return jobs
