"""build: plan handout jobs, skip unchanged ones, run the rest in parallel, write the site.

Jobs run in worker processes that import the heavy libraries once and keep a warm kernel
ready (see :mod:`seminarkit.worker`). A failing notebook does not stop the others; its
previous good outputs stay untouched and papermill's marked notebook is kept beside them.
The manifest and index are rewritten atomically after every run, and the leak gate scans
every student artifact at the end.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import active_children, get_context
from pathlib import Path
from typing import Any

from seminarkit import __version__
from seminarkit.leaks import Leak, probes_digest, scan
from seminarkit.plan import Job, plan_jobs, tree_digest
from seminarkit.site import render_index
from seminarkit.worker import init_worker, run_job, write_atomic

MANIFEST = "manifest.json"


@dataclass
class BuildResult:
    """What a build did."""

    built: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)
    seconds: float = 0.0

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


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """Return the previous manifest's jobs, or {} when there is none or it is unreadable."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        jobs = data.get("jobs", {})
        return jobs if isinstance(jobs, dict) else {}
    except (OSError, ValueError):
        return {}


def is_cached(job: Job, record: dict[str, Any] | None, out_dir: Path) -> bool:
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
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    jobs = data.get("jobs", {})
    if not data.get("tree_digest") or data["tree_digest"] != tree_digest(materials_dir, notebooks_dir, options):
        return None
    if not all((out_dir / rel).is_file() for record in jobs.values() for rel in record.get("outputs", {}).values()):
        return None
    return len(jobs)


def _write_manifest(manifest: dict[str, Any], out_dir: Path, digest: str | None = None) -> None:
    body = json.dumps({"seminarkit": __version__, "tree_digest": digest, "jobs": dict(sorted(manifest.items()))},
                      indent=1, sort_keys=True)
    write_atomic(out_dir / MANIFEST, (body + "\n").encode("utf-8"))


def _write_site(course: Any, manifest: dict[str, Any], out_dir: Path, digest: str | None) -> None:
    _write_manifest(manifest, out_dir, digest)
    write_atomic(out_dir / "index.html", render_index(course, manifest, out_dir).encode("utf-8"))


def _progress(quiet: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("[bold]handouts"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[status]}"), TimeRemainingColumn(), disable=quiet, transient=False)


def build(course: Any, *, out_dir: Path, modules: list[str] | None = None, editions: list[str] | None = None,
          formats: list[str] | None = None, jobs: int | None = None, force: bool = False,
          quiet: bool = False) -> BuildResult:
    """Build handouts for the chosen modules/editions/formats into ``out_dir``."""
    started = time.perf_counter()
    footer = footer_text()
    plan = plan_jobs(course, modules=modules, editions=editions, formats=formats, salt=footer)
    out_dir.mkdir(parents=True, exist_ok=True)
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
    digest = tree_digest(course.materials_dir, course.notebooks_dir,
                         build_options(modules, editions, formats, footer)) if result.ok else None
    _write_site(course, manifest, out_dir, digest)
    result.seconds = time.perf_counter() - started
    return result


def _leak_gate(course: Any, plan: list[Job], manifest: dict[str, Any], out_dir: Path) -> list[Leak]:
    """Scan the student artifacts not already scanned clean against the same probes.

    A job's record keeps the probes digest of its last clean scan; an unchanged artifact
    (its job was cached) and unchanged probes need no second scan, which keeps a no-op
    build fast. Anything rebuilt, or scanned against older materials, is scanned again.
    """
    digest = probes_digest(course.modules.values())
    leaks: list[Leak] = []
    for job in plan:
        record = manifest.get(job.key)
        if job.edition != "student" or not record or record.get("leak_scan") == digest:
            continue
        files = [out_dir / rel for rel in record["outputs"].values() if (out_dir / rel).is_file()]
        found = scan(files, course.modules.values())
        leaks.extend(found)
        if found:
            record.pop("leak_scan", None)
        else:
            record["leak_scan"] = digest
    return leaks


def _run(todo: list[Job], workers: int, out_dir: Path, title: str, footer: str, manifest: dict[str, Any],
         result: BuildResult, progress: Any, task: Any, status: Any) -> None:
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=init_worker)
    pending: dict[Future[dict[str, Any]], Job] = {}
    try:
        for job in todo:
            pending[pool.submit(run_job, job, out_dir, title, footer)] = job
        status(min(workers, len(pending)))
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                record = _record(job, future)
                if record["status"] == "built":
                    manifest[job.key] = {"inputs_hash": job.inputs_hash, "parameters": job.parameters,
                                         "timings": {k: round(v, 3) for k, v in record["timings"].items()},
                                         "outputs": record["outputs"]}
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


def _record(job: Job, future: Future[dict[str, Any]]) -> dict[str, Any]:
    try:
        return future.result()
    except Exception as exc:  # a worker died (e.g. killed): report it as this job's failure
        return {"key": job.key, "status": "failed", "cell": None, "ename": type(exc).__name__,
                "evalue": str(exc), "marked": None, "timings": {}}


def summary(result: BuildResult) -> list[str]:
    """Human lines: counts, then one line per failed job and per leak."""
    lines = [f"built {len(result.built)}, cached {len(result.cached)}, failed {len(result.failed)} "
             f"in {result.seconds:.1f}s"]
    for fail in result.failed:
        cell = f"cell {fail['cell']}" if fail.get("cell") is not None else "no cell"
        if fail.get("cell_id"):
            cell += f" (id {fail['cell_id']!r})"
        marked = f"; executed notebook kept at {fail['marked']}" if fail.get("marked") else ""
        lines.append(f"FAILED {fail['key']}: {cell}: {fail['ename']}: {fail['evalue']}{marked}")
    lines.extend(f"LEAK {leak}" for leak in result.leaks)
    return lines
