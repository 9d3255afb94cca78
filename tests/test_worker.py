"""Worker results: what a built or failed job reports, and where its files go."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from seminarkit.content.materials import load_course
from seminarkit.handouts.execute import WarmKernels
from seminarkit.handouts.plan import plan_jobs
from seminarkit.handouts.worker import JobResult, run_job

FIXTURES = Path(__file__).parent / "fixtures"


def test_job_result_lines() -> None:
    ok = JobResult("m/student/01-overview", "built", outputs={"html": "m/student/01-overview.html"})
    assert ok.ok and ok.outputs["html"].endswith(".html")
    failed = JobResult("m/student/03-timeline", "failed", cell=4, cell_id="plot", ename="KeyError", evalue="'x'",
                       marked="/out/m/student/03-timeline.failed.ipynb")
    assert not failed.ok
    assert failed.describe() == ("FAILED m/student/03-timeline: cell 4 (id 'plot'): KeyError: 'x'; executed "
                                 "notebook kept at /out/m/student/03-timeline.failed.ipynb")
    assert JobResult("k", "failed", ename="BrokenProcessPool", evalue="worker died").describe() == (
        "FAILED k: no cell: BrokenProcessPool: worker died")


def test_a_worker_over_its_memory_bound_drops_what_it_keeps_between_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    from seminarkit.handouts import export, worker

    monkeypatch.setitem(export._IMAGE_CACHE, "image-from-an-earlier-pdf", b"x" * 1024)
    under = worker.keep_within_bound()  # this test process is far below 768 MiB: nothing dropped
    assert under is not None and 10 < under < worker.WORKER_RSS_LIMIT_MB
    assert "image-from-an-earlier-pdf" in export._IMAGE_CACHE
    monkeypatch.setattr(worker, "WORKER_RSS_LIMIT_MB", 1)
    worker.keep_within_bound()
    assert "image-from-an-earlier-pdf" not in export._IMAGE_CACHE


@pytest.mark.kernel
def test_run_job_writes_outputs_or_reports_the_failing_cell(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    shutil.copytree(FIXTURES / "mini_kit", kit)
    course = load_course(kit / "materials")
    job = next(j for j in plan_jobs(course, formats=["html"]) if j.key == "mini/student/03-timeline")
    out = tmp_path / "out"
    kernels = WarmKernels(cwd=tmp_path)
    kernels.prepare()
    try:
        built = run_job(job, out, "Mini course", "footer", kernels=kernels)
        assert built.status == "built", built.describe()
        # The site layout: student/<module>/..., executed notebooks kept apart from the site.
        assert built.outputs == {"ipynb": "executed/student/mini/03-timeline.ipynb",
                                 "html": "student/mini/03-timeline.html"}
        # Seconds per step; apart, the memory the benchmark reports (MiB): the worker's peak, the kernel's size.
        assert set(built.timings) == {"execute", "html", "total"}
        assert built.timings["execute"] + built.timings["html"] <= built.timings["total"]
        assert set(built.memory) == {"worker_peak", "worker", "kernel"}
        assert 20 < built.memory["kernel"] < 1024 and 20 < built.memory["worker"] <= built.memory["worker_peak"]
        html = (out / built.outputs["html"]).read_text()
        assert "Mini — Timeline" in html and "Student edition" in html

        nb_path = kit / "notebooks" / "03-timeline.ipynb"
        nb = json.loads(nb_path.read_text())
        nb["cells"].append({"cell_type": "code", "id": "boom", "metadata": {}, "execution_count": None,
                            "outputs": [], "source": "raise ValueError('planted')"})
        nb_path.write_text(json.dumps(nb))
        failed = run_job(job, out, "Mini course", "footer", kernels=kernels)
    finally:
        kernels.close()
    assert failed.status == "failed"
    assert (failed.cell, failed.cell_id, failed.ename, failed.evalue) == (len(nb["cells"]) - 1, "boom",
                                                                         "ValueError", "planted")
    assert failed.marked and Path(failed.marked).is_file()
    assert (out / "student/mini/03-timeline.html").read_text() == html  # the last good output stays
