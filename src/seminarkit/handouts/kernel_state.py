"""Runs *inside* a reused build kernel: record a clean baseline, and return to it before each job.

A build worker keeps one kernel warm (the kit, matplotlib, pandas and networkx imported) and
hands it from job to job. Between jobs, :func:`restore` puts back everything a notebook could
have changed that would otherwise leak into the next handout:

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
* the working folder: the job's own folder;
* the record of the materials files read (:mod:`seminarkit.content.reads`), emptied, and from
  now on written to :data:`~seminarkit.content.reads.READS_FILE` in the job's folder.

The test suite proves it: a variable, an rcParam, a pandas option and a random seed set by
one job are not seen by the next.
"""

from __future__ import annotations

import copy
import os
import random
import sys
import warnings
from typing import Any, cast

_BASELINE: dict[str, Any] = {}


def snapshot() -> None:
    """Record the state that :func:`restore` returns to (called once, after warm-up)."""
    import matplotlib

    _BASELINE["rc"] = copy.deepcopy(dict(matplotlib.rcParams))
    _BASELINE["environ"] = dict(os.environ)
    _BASELINE["path"] = list(sys.path)
    _BASELINE["warnings"] = list(warnings.filters)

def restore(workdir: str) -> None:
    """Return the kernel to its baseline and change into ``workdir`` (the next job's folder).

    The folder changes first: the previous job's folder is gone by now, and IPython's reset
    asks for the current folder.
    """
    os.chdir(workdir)
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
