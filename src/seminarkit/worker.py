"""Build worker: runs in a pool process that imported the heavy libraries once.

Each job: apply the edition's transforms, execute with papermill on a pre-warmed kernel,
export HTML (nbconvert) and PDF (weasyprint) in-process, and write every output atomically.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from seminarkit.errors import NotebookFailed
from seminarkit.execute import WarmKernels, cell_index_by_id, quiet_nbformat_import, run_notebook

_KERNELS: WarmKernels | None = None


def _exit_on_term(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def init_worker() -> None:
    """Pool initializer: import heavy libraries and start warming a kernel.

    Ctrl-C is the main process's business: workers ignore SIGINT, and the main process
    stops them with SIGTERM, which becomes SystemExit here so that ``finally`` blocks
    (temp-file cleanup) and the kernel finalizer still run.
    """
    global _KERNELS
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    quiet_nbformat_import()
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    from seminarkit import export

    export.warm_up()

    from multiprocessing.util import Finalize

    # Reused kernels live in one working folder for the worker's lifetime.
    _KERNELS = WarmKernels(cwd=tempfile.mkdtemp(prefix="seminarkit-kernel-"))
    _KERNELS.prepare()
    Finalize(_KERNELS, _KERNELS.close, exitpriority=10)  # no kernel outlives its worker


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and rename: never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_job(job: Any, out_dir: Path, course_title: str, footer: str) -> dict[str, Any]:
    """Build one job; return its result record (never raises for a failing notebook)."""
    import nbformat

    from seminarkit.export import export_html, export_pdf
    from seminarkit.transforms import for_edition

    timings: dict[str, float] = {}
    start = time.perf_counter()
    source = nbformat.read(str(job.notebook_path), as_version=4)
    nb = for_edition(source, job.edition)
    failed_path = job.output(out_dir, "failed.ipynb")
    with tempfile.TemporaryDirectory(prefix="seminarkit-run-") as work:
        scratch = Path(work) / f"{job.notebook}.ipynb"
        try:
            executed = run_notebook(nb, scratch, job.parameters, name=job.notebook, module=job.module,
                                    edition=job.edition, cwd=Path(work), kernels=_KERNELS)
        except NotebookFailed as exc:
            if scratch.exists():
                write_atomic(failed_path, scratch.read_bytes())
            # Report the cell as it stands in the repository notebook (before edition transforms).
            index = cell_index_by_id(source, exc.cell_id)
            return {"key": job.key, "status": "failed", "cell": exc.cell_index if index is None else index,
                    "cell_id": exc.cell_id, "ename": exc.ename,
                    "evalue": exc.evalue, "marked": str(failed_path) if scratch.exists() else None,
                    "timings": {"total": time.perf_counter() - start}}
    timings["execute"] = time.perf_counter() - start
    outputs: dict[str, bytes] = {"ipynb": nbformat.writes(executed).encode("utf-8")}
    t = time.perf_counter()
    html = export_html(executed, title=job.title, course=course_title, module=job.title.split(" — ")[0],
                       edition=job.edition, footer=footer)
    outputs["html"] = html.encode("utf-8")
    timings["html"] = time.perf_counter() - t
    if "pdf" in job.formats:
        t = time.perf_counter()
        outputs["pdf"] = export_pdf(html)
        timings["pdf"] = time.perf_counter() - t
    written = {}
    for fmt, data in outputs.items():
        if fmt in job.formats or fmt == "ipynb":
            path = job.output(out_dir, fmt)
            write_atomic(path, data)
            written[fmt] = str(path.relative_to(out_dir))
    failed_path.unlink(missing_ok=True)
    timings["total"] = time.perf_counter() - start
    return {"key": job.key, "status": "built", "outputs": written, "timings": timings}
