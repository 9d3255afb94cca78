"""Reused build kernels: state set by one job never reaches the next, on the same kernel process."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from seminarkit.fileio import import_nbformat
from seminarkit.handouts.execute import WarmKernels, run_notebook

FIRST = """
import os, random, warnings, sys
import matplotlib, pandas
leaked_variable = 1
matplotlib.rcParams["lines.linewidth"] = 7.5
pandas.set_option("display.max_rows", 3)
random.seed(42)
os.environ["SEMINARKIT_LEAK"] = "yes"
sys.path.append("/leaked/path")
warnings.simplefilter("ignore")
import matplotlib.pyplot as plt
plt.figure()
print(json.dumps({"pid": os.getpid(), "cwd": os.getcwd()}))
"""

SECOND = """
import os, random, warnings, sys
import matplotlib, pandas
import matplotlib.pyplot as plt
print(json.dumps({
    "pid": os.getpid(), "cwd": os.getcwd(),
    "variable": "leaked_variable" in globals(),
    "linewidth": matplotlib.rcParams["lines.linewidth"],
    "max_rows": pandas.get_option("display.max_rows"),
    "draw": random.random(),
    "environ": os.environ.get("SEMINARKIT_LEAK"),
    "path": "/leaked/path" in sys.path,
    "ignore_all": any(f[0] == "ignore" and f[2] is Warning and f[1] is None for f in warnings.filters),
    "figures": plt.get_fignums(),
}))
"""


def _notebook(code: str) -> dict[str, object]:
    nbf = import_nbformat()
    return nbf.v4.new_notebook(cells=[nbf.v4.new_code_cell("import json"), nbf.v4.new_code_cell(code)],
                               metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                        "language": "python"}})


def _printed(nb: dict[str, object]) -> dict[str, object]:
    cell = nb["cells"][1]  # type: ignore[index]
    text = "".join(o.get("text", "") for o in cell["outputs"] if o["output_type"] == "stream")
    result: dict[str, object] = json.loads(text)
    return result


@pytest.mark.kernel
def test_second_job_on_the_same_kernel_sees_nothing_of_the_first(tmp_path: Path) -> None:
    kernels = WarmKernels(cwd=tmp_path)
    kernels.prepare()
    try:
        first_dir, second_dir = tmp_path / "job1", tmp_path / "job2"
        first_dir.mkdir()
        second_dir.mkdir()
        first = _printed(run_notebook(_notebook(FIRST), None, {}, name="first", workdir=first_dir, kernels=kernels))
        first_dir.rmdir()  # the worker deletes each job's folder; the next job must not care
        second = _printed(run_notebook(_notebook(SECOND), None, {}, name="second", workdir=second_dir,
                                       kernels=kernels))
    finally:
        kernels.close()
    assert first["pid"] == second["pid"], "the kernel was not reused (the benchmark would pay a boot per job)"
    assert first["cwd"] == str(first_dir) and second["cwd"] == str(second_dir)
    after_seed_42 = random.Random(42).random()
    assert second == {"pid": first["pid"], "cwd": str(second_dir), "variable": False, "linewidth": 1.5,
                      "max_rows": 60, "draw": second["draw"], "environ": None, "path": False,
                      "ignore_all": False, "figures": []}
    assert second["draw"] != after_seed_42


@pytest.mark.kernel
def test_a_failed_job_gets_a_fresh_kernel(tmp_path: Path) -> None:
    from seminarkit.errors import NotebookFailed

    kernels = WarmKernels(cwd=tmp_path)
    kernels.prepare()
    try:
        with pytest.raises(NotebookFailed, match="ZeroDivisionError"):
            run_notebook(_notebook("1 / 0"), None, {}, name="boom", workdir=tmp_path, kernels=kernels)
        after = _printed(run_notebook(_notebook(SECOND), None, {}, name="after", workdir=tmp_path,
                                      kernels=kernels))
    finally:
        kernels.close()
    assert after["variable"] is False and after["linewidth"] == 1.5


HOG = """
import os
hog = bytearray(300 * 1024 * 1024)  # touched below, so resident: memory the namespace reset frees lazily at best
for i in range(0, len(hog), 4096):
    hog[i] = 1
print(json.dumps({"pid": os.getpid(), "cwd": os.getcwd()}))
"""


@pytest.mark.kernel
def test_a_kernel_over_the_memory_bound_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from seminarkit.handouts import execute

    kernels = WarmKernels(cwd=tmp_path)
    kernels.prepare()
    try:
        light = _printed(run_notebook(_notebook("import os\nprint(json.dumps({'pid': os.getpid(), 'cwd': ''}))"),
                                      None, {}, name="light", workdir=tmp_path, kernels=kernels))
        assert kernels.last_rss_mb is not None and kernels.last_rss_mb < execute.KERNEL_RSS_LIMIT_MB
        monkeypatch.setattr(execute, "KERNEL_RSS_LIMIT_MB", kernels.last_rss_mb + 200)
        heavy = _printed(run_notebook(_notebook(HOG), None, {}, name="heavy", workdir=tmp_path, kernels=kernels))
        assert kernels.last_rss_mb > execute.KERNEL_RSS_LIMIT_MB
        after = _printed(run_notebook(_notebook(SECOND), None, {}, name="after", workdir=tmp_path, kernels=kernels))
    finally:
        kernels.close()
    assert light["pid"] == heavy["pid"], "a kernel under the bound is reused"
    assert after["pid"] != heavy["pid"], "the kernel over the bound was kept"


@pytest.mark.kernel
def test_the_materials_read_by_one_job_are_not_reported_for_the_next(tmp_path: Path) -> None:
    from seminarkit.content.reads import READS_FILE

    reading = "from seminarkit.content import reads\nreads.note('modules/m/glossary.yaml')\nprint('{}')"
    kernels = WarmKernels(cwd=tmp_path)
    kernels.prepare()
    try:
        first_dir, second_dir = tmp_path / "job1", tmp_path / "job2"
        first_dir.mkdir()
        second_dir.mkdir()
        run_notebook(_notebook(reading), None, {}, name="first", workdir=first_dir, kernels=kernels)
        run_notebook(_notebook("print('{}')"), None, {}, name="second", workdir=second_dir, kernels=kernels)
    finally:
        kernels.close()
    assert json.loads((first_dir / READS_FILE).read_text()) == ["modules/m/glossary.yaml"]
    assert not (second_dir / READS_FILE).exists()
