"""build: plan handout jobs, skip unchanged ones, run the rest in parallel, write the site.

:func:`build` first checks one digest of every input against the last clean build: when
nothing changed it returns at once without loading the materials. Otherwise it plans the
jobs, skips those whose inputs hash is unchanged, and runs the rest in worker processes that
import the heavy libraries once and keep a warm kernel (see :mod:`seminarkit.handouts.worker`).
A failing notebook does not stop the others; its previous good outputs stay untouched and
papermill's marked notebook is kept under ``failed/``. The manifest and the site indexes are
rewritten atomically after every run, and the leak gate scans the whole student site at the end.

Layout of ``out_dir`` (see :mod:`seminarkit.handouts.site`)::

    student/       the student site: index.html + <module>/<notebook>.html|.pdf|.slides.html
                   (+ _reveal/ when it has decks)                                  (publish this)
    instructor/    the instructor site, every page marked private                (never publish)
    executed/      executed notebooks, by edition and module                      (private)
    failed/        papermill's marked notebooks of failed jobs                     (private)
    quarantine/    student files the leak gate found leaking, moved out of the site
    manifest.json  jobs, inputs hashes, outputs, and the leak gate's record of the site
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from seminarkit import __version__
from seminarkit.content.paths import default_materials_dir
from seminarkit.editions import EDITIONS, STUDENT
from seminarkit.fileio import make_dirs, write_atomic
from seminarkit.handouts.deck import copy_assets
from seminarkit.handouts.formats import DEFAULT_FORMATS, output_format
from seminarkit.handouts.leaks import UNEXPECTED, Leak, Probes, scan_bytes, scan_tree
from seminarkit.handouts.plan import Job, materials_hashes, plan_jobs, reads_hash, tree_digest
from seminarkit.handouts.runner import interrupts_ignored, run_jobs
from seminarkit.handouts.site import INDEX, render_index, site_assets, site_files
from seminarkit.handouts.worker import JobResult
from seminarkit.locks import locks_output

if TYPE_CHECKING:
    from rich.progress import Progress

    from seminarkit.content.materials import Course
    from seminarkit.content.schema.course import ParameterValue

MANIFEST = "manifest.json"
QUARANTINE = "quarantine"


class ManifestRecord(TypedDict, total=False):
    """One built job in ``manifest.json``."""

    inputs_hash: str
    reads: list[str]  # materials files the last run read (relative to the materials folder)
    parameters: dict[str, ParameterValue]
    timings: dict[str, float]  # seconds: execute, one per format, total
    memory: dict[str, float]  # MiB: the worker's peak and its kernel's size after the job
    outputs: dict[str, str]


Manifest = dict[str, ManifestRecord]


class SiteScan(TypedDict):
    """The leak gate's record of the student site after its last clean scan."""

    probes: str  # Probes.digest() the files were scanned against
    files: dict[str, list[str | int]]  # relative path -> [sha256, size, mtime_ns]


@dataclass
class BuildResult:
    """What a build did."""

    built: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: list[JobResult] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)
    seconds: float = 0.0
    unchanged: bool = False  # the fast path: same inputs as the last clean build

    @property
    def ok(self) -> bool:
        """True when nothing failed and nothing leaked."""
        return not self.failed and not self.leaks


def footer_text() -> str:
    """Footer line; a date appears only when SOURCE_DATE_EPOCH says which (reproducible)."""
    text = f"Built with seminarkit {__version__}."
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        text += " Build date: " + time.strftime("%Y-%m-%d", time.gmtime(int(epoch))) + "."
    return text


def _read(out_dir: Path) -> dict[str, object]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_manifest(out_dir: Path) -> Manifest:
    """Return the previous manifest's jobs, or {} when there is none or it is unreadable."""
    jobs = _read(out_dir).get("jobs", {})
    return jobs if isinstance(jobs, dict) else {}


def is_cached(job: Job, record: ManifestRecord | None, out_dir: Path,
              hashes: Mapping[str, str] | None = None) -> bool:
    """Tell whether a job is up to date: true when its inputs hash matches and all its outputs exist.

    When the last run recorded what it read (``reads``) and ``hashes`` are given, the inputs are
    exactly those files (:func:`~seminarkit.handouts.plan.reads_hash`); otherwise every file of
    the job's module.
    """
    if not record:
        return False
    reads = record.get("reads")
    expected = reads_hash(job.base_hash, reads, hashes) if reads is not None and hashes is not None \
        else job.inputs_hash
    if record.get("inputs_hash") != expected:
        return False
    outputs = record.get("outputs", {})
    return all(fmt in outputs and (out_dir / outputs[fmt]).is_file() for fmt in job.formats)


def build_options(modules: list[str] | None, editions: list[str] | None, formats: list[str] | None,
                  footer: str) -> str:
    """Encode the options that change what a build produces, as a stable string."""
    return json.dumps([sorted(modules or []), sorted(editions or []), sorted(formats or []), footer])


def assets_digest(formats: Iterable[str]) -> str:
    """Hash the files the chosen formats copy into the sites (a new reveal.js is a change to build)."""
    h = hashlib.sha256()
    for name in formats:
        fmt = output_format(name)
        for rel, source in sorted((fmt.assets() if fmt.assets is not None else {}).items()):
            h.update(rel.encode() + b"\0" + (source.read_bytes() if source.is_file() else b"") + b"\1")
    return h.hexdigest()


def read_site_scan(out_dir: Path) -> SiteScan | None:
    """Return the leak gate's record of the last clean student site, or None."""
    scan = _read(out_dir).get("site_scan")
    if isinstance(scan, dict) and isinstance(scan.get("probes"), str) and isinstance(scan.get("files"), dict):
        return SiteScan(probes=scan["probes"], files=scan["files"])
    return None


def _stat(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def site_unchanged(out_dir: Path, scan: SiteScan | None) -> bool:
    """Tell whether the student site holds exactly the files of its last clean scan, untouched since."""
    if scan is None:
        return False
    site = out_dir / STUDENT.site
    try:
        present = {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file() or p.is_symlink()}
        if set(present) != set(scan["files"]):
            return False
        return all(not p.is_symlink() and _stat(p) == scan["files"][rel][1:] for rel, p in present.items())
    except OSError:
        return False


def up_to_date(materials_dir: Path, out_dir: Path, options: str) -> int | None:
    """Count the handouts when the last clean build had exactly these inputs and its outputs are intact.

    Intact: every recorded output exists, and the student site holds exactly the files the leak
    gate last passed, unchanged (size and modification time), so nothing was added to it since.
    """
    data = _read(out_dir)
    jobs = read_manifest(out_dir)
    if not data.get("tree_digest") or data["tree_digest"] != tree_digest(materials_dir, options):
        return None
    if not all((out_dir / rel).is_file() for record in jobs.values() for rel in record.get("outputs", {}).values()):
        return None
    if not site_unchanged(out_dir, read_site_scan(out_dir)):
        return None
    return len(jobs)


def _write_manifest(manifest: Manifest, out_dir: Path, digest: str | None = None,
                    site_scan: SiteScan | None = None) -> None:
    body = json.dumps({"seminarkit": __version__, "tree_digest": digest, "jobs": dict(sorted(manifest.items())),
                       "site_scan": site_scan}, indent=1, sort_keys=True)
    write_atomic(out_dir / MANIFEST, body + "\n")


def kept_outputs(previous: ManifestRecord | None, outputs: dict[str, str], out_dir: Path) -> dict[str, str]:
    """Return a rebuilt job's outputs, plus those of formats it did not build this time that still exist.

    ``build --formats slides`` after ``build`` keeps the HTML and PDF handouts in the manifest
    (so the index links them and the leak gate expects and scans them).
    """
    kept = {fmt: rel for fmt, rel in (previous or {}).get("outputs", {}).items()
            if fmt not in outputs and (out_dir / rel).is_file()}
    return {**kept, **outputs}


def _copy_assets(manifest: Manifest, out_dir: Path) -> None:
    """Copy the files each site's formats need beside the handouts (reveal.js beside the decks)."""
    for which in EDITIONS:
        assets = site_assets(manifest, which)
        if assets:
            copy_assets(out_dir / which.site, assets)


def _write_sites(course: Course, manifest: Manifest, out_dir: Path) -> None:
    """Write each edition's index (the student one always: it is the site's front page)."""
    for which in EDITIONS:
        site = out_dir / which.site
        if which is STUDENT or site.is_dir():
            write_atomic(site / INDEX, render_index(course, manifest, site, which))


def _progress(quiet: bool) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("[bold]handouts"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[status]}"), TimeRemainingColumn(), disable=quiet, transient=False)


@locks_output("build")  # one build per output folder; a second one waits (see seminarkit.locks)
def build(materials_dir: Path | None = None, *, out_dir: Path, modules: list[str] | None = None,
          editions: list[str] | None = None, formats: list[str] | None = None, jobs: int | None = None,
          force: bool = False, quiet: bool = False, course: Course | None = None) -> BuildResult:
    """Build handouts for the chosen modules/editions/formats into ``out_dir``.

    ``materials_dir`` (default: the kit's own) is loaded only when something changed since
    the last clean build; pass ``course`` when it is already loaded.
    """
    started = time.perf_counter()
    for name in formats or DEFAULT_FORMATS:
        output_format(name).ready()  # e.g. slides without reveal.js: one line, before any work
    footer = footer_text()
    options = build_options(modules, editions, formats, footer) + assets_digest(formats or DEFAULT_FORMATS)
    materials = course.materials_dir if course is not None else Path(materials_dir or default_materials_dir())
    if not force and materials.is_dir():
        count = up_to_date(materials, out_dir, options)
        if count is not None:
            return BuildResult(cached=sorted(read_manifest(out_dir)), unchanged=True,
                               seconds=time.perf_counter() - started)
    if course is None:
        from seminarkit.content.materials import load_course

        course = load_course(materials)
    plan = plan_jobs(course, modules=modules, editions=editions, formats=formats, salt=footer)
    make_dirs(out_dir)
    manifest = read_manifest(out_dir)
    hashes = materials_hashes(course)
    result = BuildResult()
    todo = []
    for job in plan:
        if not force and is_cached(job, manifest.get(job.key), out_dir, hashes):
            result.cached.append(job.key)
        else:
            todo.append(job)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    gate = _EarlyGate(course, out_dir)
    try:
        with _progress(quiet) as progress:
            task = progress.add_task("build", total=len(plan), completed=len(result.cached), status="")

            def status(running: int) -> None:
                progress.update(task, status=f"running {running} · cached {len(result.cached)} · "
                                             f"failed {len(result.failed)}")

            def record(job: Job, done: JobResult) -> None:
                if done.ok:
                    manifest[job.key] = {"inputs_hash": job.inputs_hash, "parameters": dict(job.parameters),
                                         "timings": {k: round(v, 3) for k, v in done.timings.items()},
                                         "memory": {k: round(v, 1) for k, v in done.memory.items()},
                                         "outputs": kept_outputs(manifest.get(job.key), done.outputs, out_dir)}
                    if done.reads is not None:
                        manifest[job.key]["reads"] = done.reads
                        manifest[job.key]["inputs_hash"] = reads_hash(job.base_hash, done.reads, hashes)
                    result.built.append(job.key)
                    gate.scan(done.outputs)
                else:
                    result.failed.append(done)
                progress.advance(task)
                status(min(workers, len(todo) - len(result.built) - len(result.failed)))

            if todo:
                status(min(workers, len(todo)))
                run_jobs(todo, workers, out_dir, course.spec.title, footer, record)
        _copy_assets(manifest, out_dir)
        _write_sites(course, manifest, out_dir)
        result.leaks, site_scan = _leak_gate(course, manifest, out_dir, gate)
        if result.leaks:
            _write_sites(course, manifest, out_dir)  # leaking handouts were moved out: unlink them
    except BaseException:
        with interrupts_ignored():
            _write_manifest(manifest, out_dir)  # keep what finished: the next build resumes from it
        raise
    digest = tree_digest(course.materials_dir, options) if result.ok else None
    _write_manifest(manifest, out_dir, digest, site_scan)
    result.seconds = time.perf_counter() - started
    return result


class _EarlyGate:
    """Scan each student handout as soon as its job returns, while the workers run the next jobs.

    The main process only waits for results meanwhile; scanning then instead of after the last
    job removes the leak gate from the build's serial tail. What it records is only a shortcut
    for the final gate: the digest of each file it found clean. The final gate still reads and
    hashes every file of the site, and scans any whose bytes are not the ones scanned here.
    """

    def __init__(self, course: Course, out_dir: Path):
        self.course, self.out_dir = course, out_dir
        self.clean: dict[str, str] = {}  # path relative to the student site -> sha256 scanned clean
        self._probes: Probes | None = None

    @property
    def probes(self) -> Probes:
        """The probes, built on first use (by then the workers are busy with the first jobs)."""
        if self._probes is None:
            self._probes = Probes.build(self.course.modules.values())
        return self._probes

    def scan(self, outputs: dict[str, str]) -> None:
        """Scan one job's outputs that are in the student site; remember the clean ones."""
        prefix = f"{STUDENT.site}/"
        for rel in outputs.values():
            if not rel.startswith(prefix):
                continue
            try:
                data = (self.out_dir / rel).read_bytes()
            except OSError:
                continue  # the final gate reports it
            if not scan_bytes(data, self.probes):
                self.clean[rel[len(prefix):]] = hashlib.sha256(data).hexdigest()


def _leak_gate(course: Course, manifest: Manifest, out_dir: Path,
               early: _EarlyGate | None = None) -> tuple[list[Leak], SiteScan | None]:
    """Scan the whole student site; return the findings and, when clean, the record of what passed.

    Every file is read, whatever its type; files no build step produced are findings. A file
    whose bytes passed the last clean scan against the same probes, or the early scan of this
    build (:class:`_EarlyGate`), is hashed but not scanned again, which keeps a build fast. A
    handout that leaks is moved to ``quarantine/`` and its job forgotten (so the next build
    rebuilds it); files the build did not produce are left where they are (they are someone's)
    and fail the build until removed.
    """
    probes = early.probes if early is not None else Probes.build(course.modules.values())
    digest = probes.digest()
    previous = read_site_scan(out_dir)
    clean = {rel: str(entry[0]) for rel, entry in previous["files"].items()} \
        if previous and previous["probes"] == digest else {}
    clean.update(early.clean if early is not None else {})
    site = out_dir / STUDENT.site
    expected = site_files(manifest, STUDENT)
    found = scan_tree(site, probes, expected=expected, clean=clean)
    for leak in found.leaks:
        rel = leak.artifact.relative_to(site).as_posix()
        key = expected.get(rel)
        if leak.field != UNEXPECTED and key and leak.artifact.is_file():
            target = out_dir / QUARANTINE / STUDENT.site / rel
            make_dirs(target.parent)
            os.replace(leak.artifact, target)
            manifest.pop(key, None)
    if found.leaks:
        return found.leaks, None
    files: dict[str, list[str | int]] = {rel: [sha, *_stat(site / rel)] for rel, sha in found.digests.items()}
    return [], SiteScan(probes=digest, files=files)


def summary(result: BuildResult) -> list[str]:
    """Human lines: counts, then one line per failed job and per leak."""
    if result.unchanged:
        return [f"built 0, cached {len(result.cached)}, failed 0 (nothing changed)"]
    lines = [f"built {len(result.built)}, cached {len(result.cached)}, failed {len(result.failed)} "
             f"in {result.seconds:.1f}s"]
    lines.extend(fail.describe() for fail in result.failed)
    lines.extend(f"LEAK {leak}" for leak in result.leaks)
    return lines
