"""The "competent in-process pipeline": what a skilled user writes in an afternoon (issue #20).

A process pool with one worker per core; each job runs ``papermill.execute_notebook``
in-process on a fresh kernel, renders the executed notebook with nbconvert's
``HTMLExporter(template_name="lab")`` in-process, and prints that HTML with
``weasyprint.HTML(string=...).write_pdf()`` in-process. No kit code is involved: it is the
baseline the kit's own build is measured against in ``build_bench.py``.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# (module, notebook, edition, notebook path, parameters, output stem)
Job = tuple[str, str, str, Path, dict[str, object], Path]


def run_one(job: Job) -> float:
    """Execute, export and print one job; return its wall time in seconds."""
    import papermill
    import weasyprint
    from nbconvert import HTMLExporter

    start = time.perf_counter()
    _module, _nb, _edition, path, params, stem = job
    executed = papermill.execute_notebook(str(path), str(stem.with_suffix(".ipynb")), parameters=params,
                                          kernel_name="python3", progress_bar=False, cwd=str(stem.parent))
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(executed)
    stem.with_suffix(".html").write_text(body, encoding="utf-8")
    weasyprint.HTML(string=body).write_pdf(str(stem.with_suffix(".pdf")))
    return time.perf_counter() - start


def _quiet() -> None:
    """Send the worker's (and its kernels') stderr to /dev/null: kernel start-up banners are noise here."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)


def run(jobs: list[Job], workers: int | None = None) -> float:
    """Run every job in a pool of one worker per core; return the wall time in seconds."""
    for job in jobs:
        job[5].parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, initializer=_quiet) as pool:
        list(pool.map(run_one, jobs))
    return time.perf_counter() - start
