"""Run build jobs in worker processes, and stop them all within moments on Ctrl-C.

Workers are spawned with SIGINT *blocked* (the mask is inherited through fork and exec), so a
Ctrl-C in the terminal, which reaches the whole process group, never lands in a worker that
is still starting up or busy: it is the main process's alone. On Ctrl-C (or SIGTERM) the main
process ignores further interrupts, sends SIGTERM to every worker (each kills its kernels,
removes its temporary folders and exits at once, see
:func:`seminarkit.handouts.worker._exit_on_term`), kills any worker that has not gone within
:data:`STOP_GRACE` seconds, removes the hidden temporary files of writes that were cut short,
and re-raises ``KeyboardInterrupt``. While the main process records a finished job (the early
leak scan among it), interrupts are held back and land right after: library code in there
(pydantic's serializers) would turn a ``KeyboardInterrupt`` into an error of its own. Every
output is written with an atomic rename, so a file
is either the previous one or the new one; results that came back before the interruption
are in the manifest (the caller writes it), and the next build resumes from there.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import get_context
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

from seminarkit.handouts.plan import Job
from seminarkit.handouts.worker import JobResult, init_worker, run_job

STOP_GRACE = 1.5  # seconds a worker gets to stop by itself before it is killed
_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # fileio.write_atomic's temporary files

OnResult = Callable[[Job, JobResult], None]


@contextlib.contextmanager
def sigint_blocked(signals: frozenset[signal.Signals] = frozenset({signal.SIGINT})) -> Iterator[None]:
    """Block SIGINT (or ``signals``) in this thread for a while; one that arrives meanwhile lands on exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


INTERRUPTS = frozenset({signal.SIGINT, signal.SIGTERM})


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while jobs run (CI cancelling a build stops it just as cleanly)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def interrupts_ignored() -> Iterator[None]:
    """Ignore further Ctrl-C while cleaning up after one (a second one must not add a traceback)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_jobs(todo: list[Job], workers: int, out_dir: Path, title: str, footer: str,
             on_result: OnResult) -> None:
    """Run ``todo`` in ``workers`` spawned processes; call ``on_result`` as each job finishes."""
    started = time.time()
    with sigterm_interrupts():
        pending: dict[Future[JobResult], Job] = {}
        with sigint_blocked():
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                       initializer=init_worker)
            try:
                for job in todo:
                    pending[pool.submit(run_job, job, out_dir, title, footer)] = job
                procs = _workers(pool)
            except BaseException:
                procs = _workers(pool)
                raise
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job = pending.pop(future)
                    # A Ctrl-C lands between results, never inside one: recording a result runs
                    # library code (pydantic's serializers) that would turn the KeyboardInterrupt
                    # into an error of its own. Recording one result takes well under a second.
                    with sigint_blocked(INTERRUPTS):
                        on_result(job, _result(job, future))
            pool.shutdown(wait=True)
        except BaseException:
            with interrupts_ignored():
                stop(pool, procs)
                sweep_temp_files(out_dir, since=started)
            raise


def _workers(pool: ProcessPoolExecutor) -> list[BaseProcess]:
    # The pool starts its processes while jobs are submitted; keep hold of them to stop them.
    processes = getattr(pool, "_processes", None) or {}
    return list(processes.values())


def stop(pool: ProcessPoolExecutor, procs: list[BaseProcess]) -> None:
    """Stop every worker: SIGTERM, then SIGKILL for any still there after :data:`STOP_GRACE`."""
    pool.shutdown(wait=False, cancel_futures=True)
    procs = procs + [p for p in _workers(pool) if p not in procs]
    for proc in procs:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            proc.terminate()
    deadline = time.monotonic() + STOP_GRACE
    for proc in procs:
        with contextlib.suppress(ValueError, AssertionError):
            proc.join(max(0.0, deadline - time.monotonic()))
    for proc in procs:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            if proc.is_alive():
                proc.kill()
                proc.join(1.0)


def sweep_temp_files(out_dir: Path, *, since: float) -> list[Path]:
    """Remove the hidden temporaries of atomic writes cut short by the interruption; return them."""
    removed = []
    for path in out_dir.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            if _TEMP.match(path.name) and path.is_file() and path.stat().st_mtime >= since - 1:
                os.unlink(path)
                removed.append(path)
    return removed


def _result(job: Job, future: Future[JobResult]) -> JobResult:
    try:
        return future.result()
    except Exception as exc:  # a worker died (e.g. killed): report it as this job's failure
        return JobResult(job.key, "failed", ename=type(exc).__name__, evalue=str(exc))
