"""Runs *inside* a reused build kernel: record a clean baseline, and return to it between jobs.

A build worker keeps one kernel warm (the kit, matplotlib, pandas and networkx imported) and
hands it from job to job. As soon as a job's cells have run, :func:`restore` puts back
everything a notebook could have changed that would otherwise leak into the next handout
(the worker queues it and goes on exporting the handout meanwhile, so it costs the build no
wait); :func:`enter` then starts the next job, and refuses to unless a restore (or the
warm-up's :func:`snapshot`) completed since the last job:

* the user namespace (IPython's ``%reset -f``) and the execution counter;
* matplotlib's rcParams, pandas' options (to their defaults), the warnings filters, ``os.environ`` and ``sys.path``
  as they were after warm-up (:func:`snapshot`);
* the random state of :mod:`random` and NumPy's global generator (reseeded from the OS, as in
  a fresh process);
* the kit's own memoised helpers (``functools`` caches). The loaded course is kept: it is
  stored as pickled bytes keyed by a digest of every materials file, and every job gets its
  own unpickled copy (:func:`seminarkit.render.notebook.load_course_copy`), so nothing a
  job does to its course can reach the next job;
* open matplotlib figures;
* the working folder: the kernel's own folder, then (:func:`enter`) the job's;
* the record of the materials files read (:mod:`seminarkit.content.reads`), emptied, and from
  :func:`enter` on written to :data:`~seminarkit.content.reads.READS_FILE` in the job's folder.

Everything the warm-up created (modules, the kit's imports) is moved out of the garbage
collector's sight (:func:`gc.freeze`): it lives as long as the kernel, and the collections a
reset and a notebook run trigger then only walk the job's own objects.

The test suite proves it: a variable, an rcParam, a pandas option and a random seed set by
one job are not seen by the next.
"""

from __future__ import annotations

import copy
import gc
import os
import random
import sys
import warnings
from typing import Any, cast

_BASELINE: dict[str, Any] = {}
_CLEAN: list[bool] = [False]  # True from a completed snapshot() or restore() until the next enter()


def snapshot() -> None:
    """Record the state that :func:`restore` returns to (called once, after warm-up)."""
    import matplotlib

    _BASELINE["rc"] = copy.deepcopy(dict(matplotlib.rcParams))
    _BASELINE["environ"] = dict(os.environ)
    _BASELINE["path"] = list(sys.path)
    _BASELINE["warnings"] = list(warnings.filters)
    gc.collect()
    gc.freeze()
    _CLEAN[0] = True


def restore(home: str) -> None:
    """Return the kernel to its baseline, working in ``home`` (the kernel's own folder).

    The folder changes first: the job's folder is about to be removed, and IPython's reset asks
    for the current folder.
    """
    _CLEAN[0] = False
    os.chdir(home)
    shell = _shell()
    if shell is not None:
        shell.run_line_magic("reset", "-f")
        shell.execution_count = 1
    import matplotlib
    import matplotlib.pyplot as plt

    plt.close("all")
    if "rc" in _BASELINE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.clear()
            matplotlib.rcParams.update(copy.deepcopy(_BASELINE["rc"]))
    if "environ" in _BASELINE:
        os.environ.clear()
        os.environ.update(_BASELINE["environ"])
    if "path" in _BASELINE:
        sys.path[:] = _BASELINE["path"]
    if "warnings" in _BASELINE:
        cast("list[object]", warnings.filters)[:] = _BASELINE["warnings"]
        mutated = getattr(warnings, "_filters_mutated", None)  # invalidates the per-module caches
        if callable(mutated):
            mutated()
    if "pandas" in sys.modules:  # warm-up never sets pandas options: the baseline is the defaults
        import pandas

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # resetting deprecated options warns
            pandas.reset_option("all")
    random.seed()
    if "numpy" in sys.modules:
        import numpy

        numpy.random.seed()
    clear_kit_caches()
    from seminarkit.content import reads

    reads.reset(None)
    _CLEAN[0] = True


def enter(workdir: str) -> None:
    """Start a job in ``workdir``: refuse unless the kernel is at its baseline, then record its reads there."""
    if not _CLEAN[0]:
        raise RuntimeError("the kernel was not returned to its baseline since its last job")
    _CLEAN[0] = False
    os.chdir(workdir)
    from seminarkit.content import reads

    reads.reset(os.path.join(workdir, reads.READS_FILE))


def clear_kit_caches() -> None:
    """Forget everything the kit memoised in this process (its ``functools`` caches)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("seminarkit") or module is None:
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - only ever runs inside a kernel
        return None
    return get_ipython()
