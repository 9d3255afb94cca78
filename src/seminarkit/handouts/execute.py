"""run_notebook: the only place papermill is called.

Injects parameters, applies a time limit, and on failure keeps papermill's marked notebook
(red banner and anchor before the failing cell) and raises :class:`NotebookFailed` naming
the notebook, module, edition, cell, error name and value.

Kernels come from :class:`WarmKernels`: one kernel per build worker, booted ahead of time
with the kit's imports done, and *reused* from job to job. As soon as a job's cells have run,
the kernel is told to return to the baseline it had after warm-up
(:mod:`seminarkit.handouts.kernel_state`: namespace, rcParams, pandas options, warnings,
environment, ``sys.path``, random state, the kit's caches, open figures); it does so while
the worker exports the handout. The next job then moves it into the job's own folder, which
the kernel refuses unless that restore completed, so no state leaks from one handout into the
next. A job that fails, times out or kills its kernel gets a fresh kernel. Each kernel keeps
one connected client for its whole life, handed to papermill with the kernel (a new client
would wait for the kernel to be ready and for its output channel to fall silent: a fifth of a
second per job). Papermill reaches the warm kernel through its documented extension point, a
registered engine (:class:`WarmKernelEngine`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seminarkit.errors import NotebookFailed
from seminarkit.fileio import import_nbformat
from seminarkit.handouts.transforms import Notebook

if TYPE_CHECKING:
    from jupyter_client.blocking.client import BlockingKernelClient as KernelClient
    from jupyter_client.manager import KernelManager

    from seminarkit.content.schema.course import ParameterValue

# Imports a notebook run pays for: done in the kernel before the job arrives; then the
# baseline every job starts from is recorded.
WARMUP = "\n".join((
    "import matplotlib",
    "matplotlib.use('Agg')",
    "import matplotlib.pyplot",
    "import pandas, networkx, pydantic, yaml",
    "import seminarkit.render.notebook, seminarkit.render.views, seminarkit.render.figures",
    "import seminarkit.content.materials",
    "import seminarkit.render.explorers.timeline, seminarkit.render.explorers.actors",
    "import seminarkit.render.explorers.evidence",
    "import seminarkit.handouts.kernel_state as _sk_state",
    "_sk_state.snapshot()",
    "del _sk_state",
))
KERNEL_NAME = "python3"
ENGINE_NAME = "seminarkit-warm"
RESET_TIMEOUT = 30
HASH_SEED = "0"
KERNEL_RSS_LIMIT_MB = 1024  # a build kernel above this after a job is replaced (typical: 200-300 MB)


def rss_mb(pid: int) -> float | None:
    """Resident memory of process ``pid`` in MiB (Linux ``/proc``), or None where unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _state_code(call: str, folder: Path) -> str:
    """Code that calls ``kernel_state.<call>(folder)`` in the kernel, leaving no name behind."""
    return f"__import__('seminarkit.handouts.kernel_state', fromlist=['_']).{call}({str(folder)!r})\n"


Kernel = tuple["KernelManager", "KernelClient"]
"""A running kernel and the one client connected to it for its whole life."""


class WarmKernels:
    """Hand out warm kernels: booted ahead of time with the kit's imports done, reused when clean."""

    def __init__(self, *, warmup: str = WARMUP, env: dict[str, str] | None = None, cwd: Path | None = None,
                 reuse: bool = True):
        self.warmup, self.env, self.cwd, self.reuse = warmup, env, cwd, reuse
        self._next: Kernel | None = None  # warming up, or restoring after its last job
        self._live: list[KernelManager] = []  # every kernel started and not yet shut down
        self.last_rss_mb: float | None = None  # the last released kernel's resident memory

    def _boot(self) -> Kernel:
        from jupyter_client.manager import KernelManager

        km = KernelManager(kernel_name=KERNEL_NAME)
        # The kernel's own stderr only carries ipykernel's transport banner; errors in
        # notebook code arrive through the iopub channel as outputs.
        # A fixed hash seed: set and dict orders, and so figures drawn from them, are the same in
        # every build (reproducible handouts; a cached handout equals a fresh one byte for byte).
        extra: dict[str, Any] = {"env": {**(self.env or os.environ), "PYTHONHASHSEED": HASH_SEED}}
        if self.cwd:
            extra["cwd"] = str(self.cwd)
        # No command history: build kernels restart their execution count for every job, and
        # a shared history database would then report duplicate line numbers into handouts.
        km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        extra_arguments=["--HistoryManager.enabled=False"], **extra)
        self._live.append(km)
        kc = _client(km)
        kc.execute(self.warmup, silent=True, store_history=False)  # queued; runs while we work
        return km, kc

    def prepare(self) -> None:
        """Start booting the next kernel now (returns at once)."""
        if self._next is None:
            self._next = self._boot()

    def take(self, workdir: Path) -> Kernel:
        """Return a kernel at its baseline, working in ``workdir``, for one job, with its client."""
        for _attempt in range(2):
            kernel = self._next if self._next is not None else self._boot()
            self._next = None
            if self._enter(kernel, workdir):
                return kernel
            self._shutdown(kernel)
        raise NotebookFailed("kernel", cell_index=None, ename="KernelError",
                             evalue="a fresh kernel could not be prepared for the job")

    @staticmethod
    def _enter(kernel: Kernel, workdir: Path) -> bool:
        """Move the kernel into ``workdir``; False unless it is alive and its warm-up or restore succeeded.

        Requests run in order, so this waits for the warm-up or restore queued before it.
        """
        km, kc = kernel
        try:
            if not km.is_alive():
                return False
            reply = kc.execute_interactive(_state_code("enter", workdir), silent=True, store_history=False,
                                           timeout=RESET_TIMEOUT, output_hook=lambda _msg: None)
            return bool(reply["content"]["status"] == "ok")
        except Exception:  # any trouble: the caller boots a fresh kernel
            return False

    def release(self, kernel: Kernel, *, ok: bool) -> None:
        """Take a kernel back after its job: queue its restore and keep it for the next job, or replace it.

        A kernel whose resident memory is above :data:`KERNEL_RSS_LIMIT_MB` after its job is
        replaced too: memory a notebook left behind never accumulates over a long build.
        """
        km, kc = kernel
        pid = getattr(km.provisioner, "pid", None)
        self.last_rss_mb = rss_mb(pid) if isinstance(pid, int) else None
        small = self.last_rss_mb is None or self.last_rss_mb <= KERNEL_RSS_LIMIT_MB
        if ok and self.reuse and small and km.is_alive():
            home = self.cwd or Path(tempfile.gettempdir())
            kc.execute(_state_code("restore", home), silent=True, store_history=False)  # runs while we export
            self._next = kernel
            return
        self._shutdown(kernel)
        self.prepare()

    def _shutdown(self, kernel: Kernel) -> None:
        km, kc = kernel
        with contextlib.suppress(Exception):
            kc.stop_channels()
        if km in self._live:
            self._live.remove(km)
        km.shutdown_kernel(now=True)

    def close(self) -> None:
        """Shut down the kernel kept in reserve."""
        if self._next is not None:
            kernel, self._next = self._next, None
            self._shutdown(kernel)

    def kill_all(self) -> None:
        """Kill every kernel at once (SIGKILL to its process group) and remove its connection file.

        For a worker told to stop now: no shutdown handshake, nothing left running. Kernels run
        in a session of their own, so their process group is theirs alone.
        """
        for km in self._live:
            pid = getattr(km.provisioner, "pid", None)
            if isinstance(pid, int) and pid > 0:
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                km.cleanup_connection_file()
        self._live.clear()


def _client(km: KernelManager) -> KernelClient:
    """Connect the kernel's client (no heartbeat thread: every exchange has its own timeout; no stdin)."""
    kc = km.client()
    kc.start_channels(hb=False)
    kc.allow_stdin = False
    return kc


_ENGINE_REGISTERED: list[bool] = []


def _register_engine() -> None:
    """Register :class:`WarmKernelEngine` with papermill (idempotent)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    if _ENGINE_REGISTERED:
        return

    class WarmKernelEngine(NBClientEngine):  # type: ignore[misc]
        """papermill's nbclient engine, running on a kernel the build already started."""

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, *, km: Any = None, kc: Any = None,
                                     execution_timeout: int | None = None, **kwargs: Any) -> Any:
            from papermill.engines import logger

            client = PapermillNotebookClient(nb_man, km=km, timeout=execution_timeout, kernel_name=kernel_name,
                                             startup_timeout=60, log=logger, log_output=False)
            client.kc = kc  # the kernel's own connected client: nbclient then does not connect another
            try:
                return client.execute()
            finally:  # the client stays with its kernel (WarmKernels closes it)
                client.kc = None

    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
    _ENGINE_REGISTERED.append(True)


def locate_cell(notebook: Notebook | Path, source: str, fallback: int | None) -> tuple[int | None, str | None]:
    """Index and id of the code cell whose source is ``source`` in the notebook as given.

    papermill counts cells after inserting its parameters cell; users need the index in
    their own notebook, and the id, which survives edits.
    """
    nb = import_nbformat().read(str(notebook), as_version=4) if isinstance(notebook, Path) else notebook
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and cell["source"] == source:
            return index, cell.get("id")
    return fallback, None


def cell_index_by_id(notebook: Notebook, cell_id: str | None) -> int | None:
    """Index of the cell with ``cell_id`` in ``notebook`` (None when absent)."""
    return next((i for i, c in enumerate(notebook["cells"]) if cell_id and c.get("id") == cell_id), None)


def run_notebook(
    notebook: Notebook | Path,
    output_path: Path | None,
    parameters: Mapping[str, ParameterValue],
    *,
    name: str,
    module: str | None = None,
    edition: str | None = None,
    timeout: int = 300,
    workdir: Path | None = None,
    kernels: WarmKernels | None = None,
) -> Notebook:
    """Execute ``notebook`` (a path or notebook) with papermill and return the result.

    With ``kernels``, the job runs on a warm kernel moved into ``workdir``; otherwise papermill
    starts a fresh kernel in ``workdir``. On failure the executed notebook, with papermill's
    error markers, is written to ``output_path`` (when given) and :class:`NotebookFailed` is
    raised.
    """
    import_nbformat()
    import papermill as pm

    kernel = None
    if kernels is not None:
        _register_engine()
        kernel = kernels.take(workdir or Path.cwd())
    engine: dict[str, Any] = {"engine_name": ENGINE_NAME, "km": kernel[0], "kc": kernel[1]} \
        if kernel is not None else {}
    ok = False
    try:
        result: Notebook = pm.execute_notebook(
            notebook if not isinstance(notebook, Path) else str(notebook),
            str(output_path) if output_path else None,
            parameters=dict(parameters),
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            cwd=str(workdir) if workdir and kernel is None else None,
            **engine,
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
        if kernel is not None and kernels is not None:
            kernels.release(kernel, ok=ok)
