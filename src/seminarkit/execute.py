"""run_notebook: the only place papermill is called.

Injects parameters, applies a time limit, and on failure keeps papermill's marked notebook
(red banner and anchor before the failing cell) and raises :class:`NotebookFailed` naming
the notebook, module, edition, cell, error name and value.

:class:`WarmKernels` keeps the *next* kernel booting and pre-importing the kit while the
current job runs, so a build never waits for a cold kernel; each kernel runs one notebook
only, so no state leaks between jobs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from seminarkit.errors import NotebookFailed

# Imports a notebook run pays for: done in the kernel before the job arrives.
WARMUP = (
    "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot\n"
    "import seminarkit.notebook, seminarkit.views, seminarkit.materials, seminarkit.figures\n"
    "import seminarkit.explorers.timeline, seminarkit.explorers.actors, seminarkit.explorers.evidence\n"
    "import pandas, networkx, pydantic, yaml"
)
KERNEL_NAME = "python3"


def quiet_nbformat_import() -> None:
    """Skip jsonschema's optional rfc3987_syntax (about 0.9 s of grammar building per process)."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


# Run between two jobs on a reused kernel: forget the previous notebook's variables and
# number cells from 1 again; imported modules (the expensive part) stay loaded.
RESET = "get_ipython().run_line_magic('reset', '-f')\nget_ipython().execution_count = 1"


class WarmKernels:
    """Hand out warm kernels: booted ahead of time with the kit's imports done.

    With ``reuse`` (the default) a kernel that finished a job cleanly is reset (user
    namespace cleared, execution count back to 1) and serves the next job, so the imports
    are paid once per worker, not once per handout. A job that failed, timed out or killed
    its kernel gets a freshly booted one.
    """

    def __init__(self, *, warmup: str = WARMUP, env: dict[str, str] | None = None,
                 cwd: str | None = None, reuse: bool = True):
        self.warmup, self.env, self.cwd, self.reuse = warmup, env, cwd, reuse
        self._next: tuple[Any, Any] | None = None

    def _boot(self) -> tuple[Any, Any]:
        from jupyter_client.manager import KernelManager

        km = KernelManager(kernel_name=KERNEL_NAME)
        # The kernel's own stderr only carries ipykernel's transport banner; errors in
        # notebook code arrive through the iopub channel as outputs.
        extra: dict[str, Any] = {"env": self.env} if self.env else {}
        if self.cwd:
            extra["cwd"] = self.cwd
        km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **extra)
        kc = km.client()
        kc.start_channels()
        kc.execute(self.warmup, silent=True, store_history=False)  # queued; runs while we work
        return km, kc

    def prepare(self) -> None:
        """Start booting the next kernel now (returns at once)."""
        if self._next is None:
            self._next = self._boot()

    def take(self) -> Any:
        """Return a started kernel manager for one job."""
        km, kc = self._next if self._next is not None else self._boot()
        self._next = None
        kc.stop_channels()
        return km

    def release(self, km: Any, *, ok: bool) -> None:
        """Take a kernel back after its job: reset it for reuse, or replace it."""
        if ok and self.reuse and km.is_alive():
            kc = km.client()
            kc.start_channels()
            try:
                reply = kc.execute_interactive(RESET, silent=True, store_history=False, timeout=30,
                                               output_hook=lambda _msg: None)
                if reply["content"]["status"] == "ok":
                    self._next = (km, kc)
                    return
            except Exception:  # any trouble: fall through to a fresh kernel
                pass
            kc.stop_channels()
        km.shutdown_kernel(now=True)
        self.prepare()

    def close(self) -> None:
        """Shut down the kernel kept in reserve."""
        if self._next is not None:
            km, kc = self._next
            self._next = None
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def locate_cell(notebook: Any, source: str, fallback: int | None) -> tuple[int | None, str | None]:
    """Index and id of the code cell whose source is ``source`` in the notebook as given.

    papermill counts cells after inserting its parameters cell; users need the index in
    their own notebook, and the id, which survives edits.
    """
    if isinstance(notebook, Path):
        import nbformat

        notebook = nbformat.read(str(notebook), as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and cell.source == source:
            return index, cell.get("id")
    return fallback, None


def cell_index_by_id(notebook: Any, cell_id: str | None) -> int | None:
    """Index of the cell with ``cell_id`` in ``notebook`` (None when absent)."""
    return next((i for i, c in enumerate(notebook.cells) if cell_id and c.get("id") == cell_id), None)


def run_notebook(
    notebook: Any,
    output_path: Path | None,
    parameters: dict[str, Any],
    *,
    name: str,
    module: str | None = None,
    edition: str | None = None,
    timeout: int = 300,
    cwd: Path | None = None,
    kernels: WarmKernels | None = None,
) -> Any:
    """Execute ``notebook`` (a path or NotebookNode) with papermill and return the result.

    On failure the executed notebook, with papermill's error markers, is written to
    ``output_path`` (when given) and :class:`NotebookFailed` is raised.
    """
    quiet_nbformat_import()
    import papermill as pm

    km = kernels.take() if kernels is not None else None
    ok = False
    try:
        result = pm.execute_notebook(
            notebook if not isinstance(notebook, Path) else str(notebook),
            str(output_path) if output_path else None,
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            cwd=str(cwd) if cwd else None,
            km=km,
        )
        ok = True
        return result
    except pm.PapermillExecutionError as exc:
        index, cell_id = locate_cell(notebook, exc.source, exc.cell_index)
        raise NotebookFailed(name, cell_index=index, ename=exc.ename, evalue=str(exc.evalue),
                             module=module, edition=edition, cell_id=cell_id,
                             marked_path=str(output_path) if output_path else None) from None
    except Exception as exc:  # kernel died, timed out, could not start
        raise NotebookFailed(name, cell_index=None, ename=type(exc).__name__, evalue=str(exc).splitlines()[0]
                             if str(exc) else "", module=module, edition=edition,
                             marked_path=str(output_path) if output_path else None) from None
    finally:
        if km is not None and kernels is not None:
            kernels.release(km, ok=ok)
        elif km is not None:
            km.shutdown_kernel(now=True)
