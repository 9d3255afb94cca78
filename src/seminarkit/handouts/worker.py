"""Build worker: runs in a pool process that imported the heavy libraries once.

Each job: apply the edition's transforms, execute with papermill on the worker's warm kernel
(reset to its baseline, in the job's own folder), render every chosen output format through
the format registry, and write every output atomically. The result is a :class:`JobResult`.
"""

from __future__ import annotations

import gc
import os
import resource
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from seminarkit.errors import NotebookFailed
from seminarkit.fileio import import_nbformat, write_atomic
from seminarkit.handouts.execute import WarmKernels, cell_index_by_id, rss_mb, run_notebook
from seminarkit.handouts.formats import Handout, output_format
from seminarkit.handouts.plan import Job

_KERNELS: WarmKernels | None = None
GC_THRESHOLDS = (20_000, 20, 20)  # the worker's garbage collector: generation 0 every 20,000 allocations
WORKER_RSS_LIMIT_MB = 768
"""A worker above this after a job drops its caches and collects (typical: 200-270 MiB; the
kernel has its own bound, :data:`seminarkit.handouts.execute.KERNEL_RSS_LIMIT_MB`)."""


@dataclass(frozen=True)
class JobResult:
    """What one job did: built (with its outputs) or failed (with where and why)."""

    key: str
    status: str  # "built" | "failed"
    outputs: dict[str, str] = field(default_factory=dict)  # format -> path relative to the output folder
    timings: dict[str, float] = field(default_factory=dict)  # seconds: execute, <format>..., total
    memory: dict[str, float] = field(default_factory=dict)  # MiB: worker_peak, worker and kernel (after the job)
    cell: int | None = None
    cell_id: str | None = None
    ename: str = ""
    evalue: str = ""
    marked: str | None = None
    reads: list[str] | None = None  # materials files the run read (None: not recorded, see content.reads)

    @property
    def ok(self) -> bool:
        """True when the job built."""
        return self.status == "built"

    def describe(self) -> str:
        """One line for a failed job: key, cell, error, and where the executed notebook was kept."""
        cell = f"cell {self.cell}" if self.cell is not None else "no cell"
        if self.cell_id:
            cell += f" (id {self.cell_id!r})"
        marked = f"; executed notebook kept at {self.marked}" if self.marked else ""
        return f"FAILED {self.key}: {cell}: {self.ename}: {self.evalue}{marked}"


_WORK: list[Path] = []  # this worker's temporary folders: its kernel home, the running job's folder


def _exit_on_term(signum: int, frame: FrameType | None) -> None:
    """Stop now (the main process was interrupted): kill our kernels, remove our temp folders, exit.

    ``os._exit`` skips unwinding on purpose: a SystemExit raised inside papermill's event loop
    would end as "Task exception was never retrieved" noise and could wait on a kernel. A file
    being written is a hidden temporary until its rename, and the main process sweeps those.
    """
    if _KERNELS is not None:
        _KERNELS.kill_all()
    for folder in _WORK:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(128 + signum)


def init_worker() -> None:
    """Pool initializer: import heavy libraries and start warming a kernel.

    Ctrl-C is the main process's business: the main process starts workers with SIGINT
    blocked, so a Ctrl-C in the terminal never reaches them, even mid-start-up; here SIGINT is
    ignored and unblocked (kernels must be interruptible), and SIGTERM, which the main process
    sends to stop a worker, exits at once (:func:`_exit_on_term`).
    """
    global _KERNELS
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    import_nbformat()
    import papermill  # noqa: F401

    from seminarkit.handouts import export

    export.warm_up()
    # What the worker imported lives as long as it does: moved out of the garbage collector's
    # sight, and young objects collected in larger batches (printing one PDF allocates hundreds
    # of thousands of layout boxes). PDFs print about 7% faster (benchmarks/pdf_profile.py --gc).
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

    from multiprocessing.util import Finalize

    # The kernel starts in a folder of the worker's own, removed when the worker exits;
    # every job then moves it into the job's folder.
    home = Path(tempfile.mkdtemp(prefix="seminarkit-kernel-"))
    _WORK.append(home)
    _KERNELS = WarmKernels(cwd=home)
    _KERNELS.prepare()
    Finalize(_KERNELS, _shutdown, args=(_KERNELS, home), exitpriority=10)  # no kernel outlives its worker


def _shutdown(kernels: WarmKernels, home: Path) -> None:
    kernels.close()
    shutil.rmtree(home, ignore_errors=True)


def keep_within_bound() -> float | None:
    """Hold the worker under :data:`WORKER_RSS_LIMIT_MB` between jobs; return its resident MiB.

    Over the bound, the worker drops what it keeps from job to job (images shared between
    PDFs) and runs a full collection: it then holds no more than its libraries and templates.
    """
    now = rss_mb(os.getpid())
    if now is not None and now > WORKER_RSS_LIMIT_MB:
        from seminarkit.handouts import export

        export.drop_caches()
        gc.collect()
        now = rss_mb(os.getpid())
    return now


def run_job(job: Job, out_dir: Path, course_title: str, footer: str,
            kernels: WarmKernels | None = None) -> JobResult:
    """Build one job; return its result (never raises for a failing notebook)."""
    nbformat = import_nbformat()
    kernels = kernels if kernels is not None else _KERNELS
    timings: dict[str, float] = {}
    start = time.perf_counter()
    source = nbformat.read(str(job.notebook_path), as_version=4)
    nb = job.edition.apply(source)
    failed_path = job.failed(out_dir)
    with tempfile.TemporaryDirectory(prefix="seminarkit-run-") as work:
        _WORK.append(Path(work))
        scratch = Path(work) / f"{job.notebook}.ipynb"
        try:
            executed = run_notebook(nb, scratch, job.parameters, name=job.notebook, module=job.module,
                                    edition=job.edition.name, workdir=Path(work), kernels=kernels)
        except NotebookFailed as exc:
            if scratch.exists():
                write_atomic(failed_path, scratch.read_bytes())
            # Report the cell as it stands in the repository notebook (before edition transforms).
            index = cell_index_by_id(source, exc.cell_id)
            return JobResult(job.key, "failed", cell=exc.cell_index if index is None else index,
                             cell_id=exc.cell_id, ename=exc.ename, evalue=exc.evalue,
                             marked=str(failed_path) if scratch.exists() else None,
                             timings={"total": time.perf_counter() - start})
        else:
            # Imported here: reads imports the materials schema, which a no-op build never needs.
            from seminarkit.content.reads import READS_FILE, read_sink

            reads = read_sink(Path(work) / READS_FILE)
        finally:
            _WORK.remove(Path(work))
    timings["execute"] = time.perf_counter() - start
    handout = Handout(executed, title=job.title, course_title=course_title, module_title=job.module_title,
                      edition=job.edition, footer=footer, notebook=job.notebook)
    rendered: dict[str, tuple[str, bytes]] = {"ipynb": ("ipynb", nbformat.writes(executed).encode("utf-8"))}
    for name in job.formats:
        fmt = output_format(name)
        t = time.perf_counter()
        rendered[name] = (fmt.suffix, fmt.render(handout))
        timings[name] = time.perf_counter() - t
    written = {}
    for name, (suffix, data) in rendered.items():
        path = job.executed(out_dir) if name == "ipynb" else job.output(out_dir, suffix)
        write_atomic(path, data)
        written[name] = str(path.relative_to(out_dir))
    failed_path.unlink(missing_ok=True)
    timings["total"] = time.perf_counter() - start
    # Memory, for the benchmark's per-worker figures: this process's peak, its kernel's after the job.
    now = keep_within_bound()
    memory = {"worker_peak": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, now or 0.0)}
    if now is not None:
        memory["worker"] = now
    if kernels is not None and kernels.last_rss_mb is not None:
        memory["kernel"] = kernels.last_rss_mb
    return JobResult(job.key, "built", outputs=written, timings=timings, memory=memory, reads=reads)
