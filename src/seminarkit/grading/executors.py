"""Where jobs run: local warm processes (default) or a Dask distributed cluster.

An executor takes jobs as JSON strings and yields ``(index, result JSON)`` as they finish.
Both executors call the same :func:`seminarkit.grading.sandbox.execute`; with Dask it runs on
the workers, each of which starts its own pristine template. Results cross the wire as JSON
text. ``isolation`` says which layers the machine offers (empty when unknown, e.g. on Dask
workers: each report then carries what its run had).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
from collections.abc import Iterator, Sequence
from typing import Protocol

from seminarkit.errors import SeminarkitError


class Executor(Protocol):
    """Runs jobs and yields results as they complete."""

    isolation: dict[str, bool]

    def run(self, jobs: Sequence[str]) -> Iterator[tuple[int, str]]:
        """Yield ``(index, result)`` for every job, in completion order."""
        ...  # pragma: no cover

    def close(self) -> None:
        """Release resources."""
        ...  # pragma: no cover


class LocalExecutor:
    """``workers`` threads, each running one job at a time from this process's template."""

    def __init__(self, workers: int = 1):
        from seminarkit.grading import sandbox

        self.workers = max(1, workers)
        self.pool = cf.ThreadPoolExecutor(self.workers, thread_name_prefix="seminarkit-grade")
        self.isolation = sandbox.warm_up()  # start-up is not charged to the first submissions

    def run(self, jobs: Sequence[str]) -> Iterator[tuple[int, str]]:
        """Run the jobs on the thread pool."""
        from seminarkit.grading.sandbox import execute

        futures = {self.pool.submit(execute, job): index for index, job in enumerate(jobs)}
        try:
            for future in cf.as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        """Stop the threads (the template stays warm until the process exits)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Submit jobs to a Dask ``distributed`` scheduler at ``address``."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise SeminarkitError("--scheduler needs Dask: pip install "
                                  "'seminarkit[distributed]'") from None
        try:
            self.client = Client(address, timeout=10)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            raise SeminarkitError(f"cannot reach the Dask scheduler at {address}: {exc}"
                                  ) from None
        self.isolation: dict[str, bool] = {}

    def run(self, jobs: Sequence[str]) -> Iterator[tuple[int, str]]:
        """Submit every job (pure=False: equal jobs still run) and yield as they complete."""
        from distributed import as_completed

        from seminarkit.grading.sandbox import execute

        futures = [self.client.submit(execute, job, pure=False) for job in jobs]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                yield index[future.key], str(future.result())
        finally:
            self.client.cancel(futures)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        """Disconnect from the scheduler."""
        self.client.close()  # type: ignore[no-untyped-call]


def make_executor(jobs: int, scheduler: str | None) -> Executor:
    """Return the executor the options ask for."""
    if scheduler:
        return DaskExecutor(scheduler)
    if not hasattr(os, "fork"):
        raise SeminarkitError("grading runs submissions in forked, sandboxed processes, which "
                              "Windows does not have: grade under WSL2, or pass --scheduler "
                              "with Linux Dask workers")
    return LocalExecutor(jobs)
