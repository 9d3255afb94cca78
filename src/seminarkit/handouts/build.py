"""build: plan handout jobs, skip unchanged ones, run the rest in parallel, write the site.

:func:`build` first checks one digest of every input against the last clean build: when
nothing changed it returns at once without loading the materials. Otherwise it plans the
jobs, skips those whose inputs hash is unchanged, and runs the rest in worker processes that
import the heavy libraries once and keep a warm kernel (see :mod:`seminarkit.handouts.worker`).
A failing notebook does not stop the others; its previous good outputs stay untouched and
papermill's marked notebook is kept beside them. The manifest and index are rewritten
atomically after every run, and the leak gate scans every student artifact at the end.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import active_children, get_context
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from seminarkit import __version__
from seminarkit.content.paths import default_materials_dir, notebooks_dir_for
from seminarkit.fileio import make_dirs, write_atomic
from seminarkit.handouts.leaks import Leak, probes_digest, scan
from seminarkit.handouts.plan import Job, plan_jobs, tree_digest
from seminarkit.handouts.site import render_index
from seminarkit.handouts.worker import JobResult, init_worker, run_job
from seminarkit.locks import locks_output

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from seminarkit.content.materials import Course
    from seminarkit.content.schema.course import ParameterValue

MANIFEST = "manifest.json"


class ManifestRecord(TypedDict, total=False):
    """One built job in ``manifest.json``."""

    inputs_hash: str
    parameters: dict[str, ParameterValue]
    timings: dict[str, float]
    outputs: dict[str, str]
    leak_scan: str


Manifest = dict[str, ManifestRecord]


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


def is_cached(job: Job, record: ManifestRecord | None, out_dir: Path) -> bool:
    """Tell whether a job is up to date: true when its inputs hash matches and all its outputs exist."""
    if not record or record.get("inputs_hash") != job.inputs_hash:
        return False
    outputs = record.get("outputs", {})
    return all(fmt in outputs and (out_dir / outputs[fmt]).is_file() for fmt in job.formats)


def build_options(modules: list[str] | None, editions: list[str] | None, formats: list[str] | None,
                  footer: str) -> str:
    """Encode the options that change what a build produces, as a stable string."""
    return json.dumps([sorted(modules or []), sorted(editions or []), sorted(formats or []), footer])


def up_to_date(materials_dir: Path, notebooks_dir: Path, out_dir: Path, options: str) -> int | None:
    """Count the handouts when the last clean build had exactly these inputs and its outputs exist."""
    data = _read(out_dir)
    jobs = read_manifest(out_dir)
    if not data.get("tree_digest") or data["tree_digest"] != tree_digest(materials_dir, notebooks_dir, options):
        return None
    if not all((out_dir / rel).is_file() for record in jobs.values() for rel in record.get("outputs", {}).values()):
        return None
    return len(jobs)


def _write_manifest(manifest: Manifest, out_dir: Path, digest: str | None = None) -> None:
    body = json.dumps({"seminarkit": __version__, "tree_digest": digest, "jobs": dict(sorted(manifest.items()))},
                      indent=1, sort_keys=True)
    write_atomic(out_dir / MANIFEST, body + "\n")


def _write_site(course: Course, manifest: Manifest, out_dir: Path, digest: str | None) -> None:
    _write_manifest(manifest, out_dir, digest)
    write_atomic(out_dir / "index.html", render_index(course, manifest, out_dir))


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
    footer = footer_text()
    options = build_options(modules, editions, formats, footer)
    materials = course.materials_dir if course is not None else Path(materials_dir or default_materials_dir())
    if not force and materials.is_dir():
        count = up_to_date(materials, notebooks_dir_for(materials), out_dir, options)
        if count is not None:
            return BuildResult(cached=sorted(read_manifest(out_dir)), unchanged=True,
                               seconds=time.perf_counter() - started)
    if course is None:
        from seminarkit.content.materials import load_course

        course = load_course(materials)
    plan = plan_jobs(course, modules=modules, editions=editions, formats=formats, salt=footer)
    make_dirs(out_dir)
    manifest = read_manifest(out_dir)
    result = BuildResult()
    todo = []
    for job in plan:
        if not force and is_cached(job, manifest.get(job.key), out_dir):
            result.cached.append(job.key)
        else:
            todo.append(job)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    with _progress(quiet) as progress:
        task = progress.add_task("build", total=len(plan), completed=len(result.cached), status="")

        def status(running: int) -> None:
            progress.update(task, status=f"running {running} · cached {len(result.cached)} · "
                                         f"failed {len(result.failed)}")

        if todo:
            _run(todo, workers, out_dir, course.spec.title, footer, manifest, result, progress, task, status)
    result.leaks = _leak_gate(course, plan, manifest, out_dir)
    digest = tree_digest(course.materials_dir, course.notebooks_dir, options) if result.ok else None
    _write_site(course, manifest, out_dir, digest)
    result.seconds = time.perf_counter() - started
    return result


def _leak_gate(course: Course, plan: list[Job], manifest: Manifest, out_dir: Path) -> list[Leak]:
    """Scan the student artifacts not already scanned clean against the same probes.

    A job's record keeps the probes digest of its last clean scan; an unchanged artifact
    (its job was cached) and unchanged probes need no second scan, which keeps a no-op
    build fast. Anything rebuilt, or scanned against older materials, is scanned again.
    """
    digest = probes_digest(course.modules.values())
    leaks: list[Leak] = []
    for job in plan:
        record = manifest.get(job.key)
        if not job.edition.leak_gated or not record or record.get("leak_scan") == digest:
            continue
        files = [out_dir / rel for rel in record.get("outputs", {}).values() if (out_dir / rel).is_file()]
        found = scan(files, course.modules.values())
        leaks.extend(found)
        if found:
            record.pop("leak_scan", None)
        else:
            record["leak_scan"] = digest
    return leaks


def _run(todo: list[Job], workers: int, out_dir: Path, title: str, footer: str, manifest: Manifest,
         result: BuildResult, progress: Progress, task: TaskID, status: Callable[[int], None]) -> None:
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=init_worker)
    pending: dict[Future[JobResult], Job] = {}
    try:
        for job in todo:
            pending[pool.submit(run_job, job, out_dir, title, footer)] = job
        status(min(workers, len(pending)))
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                record = _record(job, future)
                if record.ok:
                    manifest[job.key] = {"inputs_hash": job.inputs_hash, "parameters": dict(job.parameters),
                                         "timings": {k: round(v, 3) for k, v in record.timings.items()},
                                         "outputs": record.outputs}
                    result.built.append(job.key)
                else:
                    result.failed.append(record)
                progress.advance(task)
                status(min(workers, len(pending)))
        pool.shutdown(wait=True)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        for child in active_children():  # the pool's workers: stop them now, cleanly (SIGTERM)
            child.terminate()
        pool.shutdown(wait=True)
        _write_manifest(manifest, out_dir)  # keep what finished before the interruption
        raise


def _record(job: Job, future: Future[JobResult]) -> JobResult:
    try:
        return future.result()
    except Exception as exc:  # a worker died (e.g. killed): report it as this job's failure
        return JobResult(job.key, "failed", ename=type(exc).__name__, evalue=str(exc))


def summary(result: BuildResult) -> list[str]:
    """Human lines: counts, then one line per failed job and per leak."""
    if result.unchanged:
        return [f"built 0, cached {len(result.cached)}, failed 0 (nothing changed)"]
    lines = [f"built {len(result.built)}, cached {len(result.cached)}, failed {len(result.failed)} "
             f"in {result.seconds:.1f}s"]
    lines.extend(fail.describe() for fail in result.failed)
    lines.extend(f"LEAK {leak}" for leak in result.leaks)
    return lines
