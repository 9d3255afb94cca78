#!/usr/bin/env python3
"""Benchmark the handout build against two baselines and the physical limit, side by side in one run.

(a) naive: for each job, the papermill CLI, then ``jupyter nbconvert --to html``, then the
    weasyprint CLI, serially (``--skip-naive`` leaves it out: it takes about 9 minutes);
(b) competent: a process pool with one worker per core, each job running papermill,
    nbconvert's lab ``HTMLExporter`` and weasyprint in-process on a fresh kernel
    (``competent_pipeline.py``; ``--skip-competent`` leaves it out);
(c) ``seminarkit build --force`` cold (fresh output folder), and the physical limit from the
    same run: (sum of cell execution times, from papermill's per-cell metadata, + sum of the
    export times the build records) / cores;
(d) a no-op rebuild (median of 3), and rebuilds after touching one module's glossary and one
    of its data sets: how many jobs re-executed, and how long.

``--repeat N`` runs (b) and (c) N times, alternating, and reports each one's median (use it
when the machine is busy). Everything runs on a temporary copy of the kit, so the repository
is never modified. Results go to ``test-results/bench/build_bench.json`` (``--out``).
Usage: python benchmarks/build_bench.py [--modules a,b] [--skip-naive] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import competent_pipeline

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "src"))

Job = competent_pipeline.Job
from seminarkit.handouts.execute import KERNEL_RSS_LIMIT_MB  # noqa: E402
from seminarkit.handouts.worker import WORKER_RSS_LIMIT_MB  # noqa: E402

LEAK = re.compile(r"^LEAK (\S+): ", re.M)


def timed(cmd: list[str], *, leaks: list[str] | None = None) -> tuple[float, str]:
    """Run ``cmd``; return seconds and stdout.

    With ``leaks``, a build failing only on leak findings counts as done (the findings are
    appended to ``leaks``): the content, not the speed, is at fault.
    """
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    found = LEAK.findall(done.stdout + done.stderr)
    if done.returncode != 0 and not (leaks is not None and found and "FAILED" not in done.stdout + done.stderr):
        raise SystemExit(f"command failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    if leaks is not None:
        leaks.extend(found)
    return seconds, done.stdout


def jobs_of(materials: Path, modules: list[str] | None, work: Path) -> list[Job]:
    """Every (module, notebook, edition) job with the parameters the kit's build passes."""
    from seminarkit.content.materials import load_course
    from seminarkit.editions import EDITIONS
    from seminarkit.handouts.plan import default_parameters

    course = load_course(materials)
    files = {n.id: n.file for n in course.spec.notebooks}
    return [(m.id, nb, ed.name, course.notebooks_dir / files[nb], dict(default_parameters(course, m.id, nb, ed)),
             work / ed.name / m.id / nb)
            for m in course.spec.modules if not modules or m.id in modules for nb in m.notebooks for ed in EDITIONS]


def naive(jobs: list[Job]) -> float:
    total = 0.0
    for module, nb, edition, path, params, stem in jobs:
        stem.parent.mkdir(parents=True, exist_ok=True)
        out = stem.with_suffix(".ipynb")
        flags = [arg for key, value in params.items() for arg in ("-p", key, str(value))]
        t1, _ = timed([str(BIN / "papermill"), "--no-progress-bar", str(path), str(out), *flags])
        t2, _ = timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)])
        t3, _ = timed([str(BIN / "weasyprint"), "-q", str(out.with_suffix(".html")), str(out.with_suffix(".pdf"))])
        total += t1 + t2 + t3
        print(f"  naive {module}/{edition}/{nb}: {t1 + t2 + t3:.1f}s", flush=True)
    return total


def physical_limit(out: Path, cores: int) -> dict[str, float]:
    """Cell and export seconds of the last build in ``out``, the limit they imply, and job totals."""
    cells = sum(float(cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0)
                for path in (out / "executed").rglob("*.ipynb")
                for cell in json.loads(path.read_text(encoding="utf-8"))["cells"])
    jobs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["jobs"].values()
    html = sum(job["timings"].get("html", 0.0) for job in jobs)
    pdf = sum(job["timings"].get("pdf", 0.0) for job in jobs)
    total = sum(job["timings"].get("total", 0.0) for job in jobs)
    worker_mb = max((job.get("memory", {}).get("worker_peak", 0.0) for job in jobs), default=0.0)
    kernel_mb = max((job.get("memory", {}).get("kernel", 0.0) for job in jobs), default=0.0)
    after_mb = max((job.get("memory", {}).get("worker", 0.0) for job in jobs), default=0.0)
    return {"cells_s": round(cells, 2), "html_s": round(html, 2), "pdf_s": round(pdf, 2),
            "job_total_s": round(total, 2), "overhead_s": round(total - cells - html - pdf, 2),
            "pdf_per_handout_s": round(pdf / max(1, len(jobs)), 3),
            "limit_s": round((cells + html + pdf) / cores, 2),
            "worker_peak_mb": round(worker_mb), "worker_after_job_mb": round(after_mb),
            "kernel_peak_mb": round(kernel_mb)}


def synthesize(materials: Path, copies: int) -> None:
    """Grow the course to ``copies`` modules: the kit's modules copied under new ids, in turn."""
    course = materials / "course.yaml"
    text = course.read_text(encoding="utf-8")
    originals = re.findall(r"^  - id: (\S+)\n    notebooks: (\[[^\]]*\])", text, re.M)
    entries = []
    for n in range(copies - len(originals)):
        source, notebooks = originals[n % len(originals)]
        new = f"{source}-copy{n + 1}"
        shutil.copytree(materials / "modules" / source, materials / "modules" / new)
        meta = materials / "modules" / new / "module.yaml"
        meta.write_text(re.sub(r"^id: .*$", f"id: {new}", meta.read_text(encoding="utf-8"), count=1, flags=re.M),
                        encoding="utf-8")
        entries.append(f"  - id: {new}\n    notebooks: {notebooks}\n")
    last = list(re.finditer(r"^  - id: \S+\n    notebooks: \[[^\]]*\]\n", text, re.M))[-1]
    course.write_text(text[:last.end()] + "".join(entries) + text[last.end():], encoding="utf-8")


def touch(materials: Path, module: str, name: str, build: list[str]) -> tuple[float, int]:
    """Append a comment to one materials file, rebuild; return seconds and jobs re-executed."""
    path = materials / "modules" / module / name
    edit = "\n" if path.suffix == ".csv" else "\n# touched by the benchmark\n"  # a CSV takes a blank line
    path.write_text(path.read_text(encoding="utf-8") + edit, encoding="utf-8")
    seconds, out = timed(build)
    built = re.search(r"built (\d+), cached (\d+)", out)
    return seconds, int(built.group(1)) if built else -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", default="", help="comma-separated module ids (default: all)")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive CLI baseline")
    parser.add_argument("--skip-competent", action="store_true", help="leave out the competent in-process baseline")
    parser.add_argument("--repeat", type=int, default=1, help="run competent and kit N times, report medians")
    parser.add_argument("--synthetic", type=int, default=0,
                        help="build only the kit, on a course grown to N modules (copies of the kit's)")
    parser.add_argument("--out", type=Path, default=REPO / "test-results" / "bench")
    args = parser.parse_args()
    modules = [m for m in args.modules.split(",") if m] or None
    cores = os.cpu_count() or 1
    results: dict[str, object] = {"cores": cores, "load_before": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory(prefix="seminarkit-bench-") as tmp:
        kit = Path(tmp)
        shutil.copytree(REPO / "materials", kit / "materials")
        shutil.copytree(REPO / "notebooks", kit / "notebooks")
        materials = kit / "materials"
        if args.synthetic:
            synthesize(materials, args.synthetic)
            args.skip_naive = args.skip_competent = True
            results["modules"] = args.synthetic
        jobs = jobs_of(materials, modules, kit / "baseline")
        build = [str(BIN / "seminarkit"), "build", "--materials", str(materials), "--out", str(kit / "out"),
                 "--quiet"] + (["--modules", ",".join(modules)] if modules else [])
        print(f"{len(jobs)} jobs (notebook x module x edition), HTML + PDF each, {cores} cores", flush=True)
        results["jobs"] = len(jobs)
        if not args.skip_naive:
            results["naive_s"] = round(naive(jobs), 2)
        cold: list[float] = []
        competent: list[float] = []
        limits: list[dict[str, float]] = []
        leaks: list[str] = []
        for run in range(max(1, args.repeat)):
            if not args.skip_competent:
                competent.append(competent_pipeline.run(jobs, cores))
                print(f"  run {run + 1}: competent {competent[-1]:.1f}s", flush=True)
            shutil.rmtree(kit / "out", ignore_errors=True)
            cold.append(timed([*build, "--force"], leaks=leaks)[0])
            limits.append(physical_limit(kit / "out", cores))
            print(f"  run {run + 1}: seminarkit {cold[-1]:.1f}s (limit {limits[-1]['limit_s']:.1f}s)", flush=True)
        results["cold_runs_s"] = [round(s, 2) for s in cold]
        results["cold_s"] = round(statistics.median(cold), 2)
        best = min(range(len(cold)), key=lambda i: cold[i])
        results.update(limits[best])  # the breakdown of the fastest kit run
        results["limit_s"] = round(statistics.median(lim["limit_s"] for lim in limits), 2)
        results["core_busy"] = round(limits[best]["job_total_s"] / (cores * cold[best]), 2)
        if competent:
            results["competent_runs_s"] = [round(s, 2) for s in competent]
            results["competent_s"] = round(statistics.median(competent), 2)
        chosen = list(dict.fromkeys(j[0] for j in jobs))
        if leaks:  # a build with findings is never a no-op: measure the rest on the modules without any
            results["leak_findings"] = sorted(set(leaks))
            chosen = [m for m in chosen if not any(f"/{m}/" in leak for leak in leaks)]
            build = [*build[:build.index("--quiet") + 1], "--modules", ",".join(chosen)]
            results["incremental_modules"] = chosen
            timed(build)
        results["noop_s"] = round(statistics.median(timed(build)[0] for _ in range(3)), 3)
        module = chosen[0]
        results["touch_module"] = module
        results["touch_module_jobs"] = sum(1 for j in jobs if j[0] == module)
        glossary = touch(materials, module, "glossary.yaml", build)
        results["touch_glossary_s"], results["touch_glossary_rebuilt"] = glossary
        data = sorted((materials / "modules" / module / "data").glob("*.csv"))
        if data:
            name = data[0].relative_to(materials / "modules" / module).as_posix()
            results["touch_data_file"] = name
            results["touch_data_s"], results["touch_data_rebuilt"] = touch(materials, module, name, build)
    results["load_after"] = round(os.getloadavg()[0], 2)
    for name in ("naive", "competent"):
        if f"{name}_s" in results:
            results[f"kit_vs_{name}"] = round(float(results[f"{name}_s"]) / float(results["cold_s"]), 2)  # type: ignore[arg-type]
    results["kit_vs_limit"] = round(float(results["cold_s"]) / float(results["limit_s"]), 2)  # type: ignore[arg-type]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "build_bench.json").write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))
    print(report(results))
    return 0


def report(r: dict[str, object]) -> str:
    """Return the human summary: baselines, the kit, the limit and the ratios."""
    lines = [f"\n{r['jobs']} handouts on {r['cores']} cores (load average {r['load_before']} -> {r['load_after']})"]
    if "naive_s" in r:
        lines.append(f"naive serial CLIs:            {r['naive_s']:>7.1f}s   kit is {r['kit_vs_naive']}x faster")
    if "competent_s" in r:
        lines.append(f"competent in-process pool:    {r['competent_s']:>7.1f}s   "
                     f"kit is {r['kit_vs_competent']}x faster")
    lines.append(f"seminarkit build --force:     {r['cold_s']:>7.1f}s")
    lines.append(f"physical limit:               {r['limit_s']:>7.1f}s   kit is {r['kit_vs_limit']}x the limit "
                 f"(cells {r['cells_s']}s + html {r['html_s']}s + pdf {r['pdf_s']}s, / {r['cores']} cores)")
    lines.append(f"kit job time {r['job_total_s']}s: {r['overhead_s']}s around the cells; cores busy "
                 f"{float(r['core_busy']):.0%}; PDF {r['pdf_per_handout_s']}s per handout")  # type: ignore[arg-type]
    if "leak_findings" in r:
        lines.append(f"leak gate findings in the cold build (content, not speed): {r['leak_findings']}")
        lines.append(f"no-op and touch rebuilds measured on {r['incremental_modules']}")
    lines.append(f"wall per handout: {float(r['cold_s']) / int(r['jobs']):.2f}s; peak memory per worker "  # type: ignore[arg-type]
                 f"{r['worker_peak_mb']} MiB ({r['worker_after_job_mb']} MiB at most between jobs; bound "
                 f"{WORKER_RSS_LIMIT_MB}) + its kernel {r['kernel_peak_mb']} MiB (bound {KERNEL_RSS_LIMIT_MB})")
    lines.append(f"no-op rebuild: {r['noop_s']}s")
    lines.append(f"touch {r['touch_module']}/glossary.yaml: {r['touch_glossary_rebuilt']} of {r['touch_module_jobs']} "
                 f"module jobs re-executed, {float(r['touch_glossary_s']):.1f}s")  # type: ignore[arg-type]
    if "touch_data_file" in r:
        lines.append(f"touch {r['touch_module']}/{r['touch_data_file']}: {r['touch_data_rebuilt']} of "
                     f"{r['touch_module_jobs']} module jobs re-executed, {float(r['touch_data_s']):.1f}s")  # type: ignore[arg-type]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
