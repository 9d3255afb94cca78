#!/usr/bin/env python3
"""Benchmark the handout build against the naive way, side by side in one run.

(a) naive: for each job, the papermill CLI, then ``jupyter nbconvert --to html``, then the
    weasyprint CLI, serially;
(b) ``seminarkit build --force`` cold (fresh output folder);
(c) a no-op rebuild (median of 3);
(d) a rebuild after touching one module's materials: how many jobs re-executed, and how long.

Everything runs on a temporary copy of the kit, so the repository is never modified.
Usage: python benchmarks/build_bench.py [--modules a,b] [--skip-naive] [--out build/bench]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str], **kw: object) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise SystemExit(f"command failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return time.perf_counter() - start, done.stdout


def jobs_of(materials: Path, modules: list[str] | None) -> list[tuple[str, str, str, Path]]:
    sys.path.insert(0, str(REPO / "src"))
    from seminarkit.content.materials import load_course

    course = load_course(materials)
    files = {n.id: n.file for n in course.spec.notebooks}
    return [(m.id, nb, ed, course.notebooks_dir / files[nb]) for m in course.spec.modules
            if not modules or m.id in modules for nb in m.notebooks for ed in ("student", "instructor")]


def naive(jobs: list[tuple[str, str, str, Path]], materials: Path, work: Path) -> float:
    total = 0.0
    for module, nb, edition, path in jobs:
        out = work / f"{module}-{edition}-{nb}.ipynb"
        params = ["-p", "module", module, "-p", "edition", edition, "-p", "materials_dir", str(materials),
                  "-p", "interactive", "False"]
        if nb == "01-overview":
            params += ["-p", "session_minutes", "60"]
        t1, _ = timed([str(BIN / "papermill"), "--no-progress-bar", str(path), str(out), *params])
        t2, _ = timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)])
        t3, _ = timed([str(BIN / "weasyprint"), "-q", str(out.with_suffix(".html")), str(out.with_suffix(".pdf"))])
        total += t1 + t2 + t3
        print(f"  naive {module}/{edition}/{nb}: {t1 + t2 + t3:.1f}s", flush=True)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", default="", help="comma-separated module ids (default: all)")
    parser.add_argument("--skip-naive", action="store_true", help="only time seminarkit (no ratio)")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "bench")
    args = parser.parse_args()
    modules = [m for m in args.modules.split(",") if m] or None
    with tempfile.TemporaryDirectory(prefix="seminarkit-bench-") as tmp:
        kit = Path(tmp)
        shutil.copytree(REPO / "materials", kit / "materials")
        shutil.copytree(REPO / "notebooks", kit / "notebooks")
        materials = kit / "materials"
        jobs = jobs_of(materials, modules)
        build = [str(BIN / "seminarkit"), "build", "--materials", str(materials), "--out", str(kit / "out"),
                 "--quiet"] + (["--modules", ",".join(modules)] if modules else [])
        print(f"{len(jobs)} jobs (notebook x module x edition), HTML + PDF each")
        results: dict[str, float | int] = {"jobs": len(jobs)}
        if not args.skip_naive:
            (kit / "naive").mkdir()
            results["naive_s"] = naive(jobs, materials, kit / "naive")
        results["cold_s"], _ = timed([*build, "--force"])
        results["noop_s"] = statistics.median(timed(build)[0] for _ in range(3))
        touched = materials / "modules" / jobs[0][0] / "glossary.yaml"
        touched.write_text(touched.read_text() + "\n# touched by the benchmark\n")
        results["touch_s"], out = timed(build)
        built = re.search(r"built (\d+), cached (\d+)", out)
        results["touch_rebuilt"] = int(built.group(1)) if built else -1
        results["touch_module_jobs"] = sum(1 for j in jobs if j[0] == jobs[0][0])
    if "naive_s" in results:
        results["speedup"] = round(float(results["naive_s"]) / float(results["cold_s"]), 2)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "build_bench.json").write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))
    print(f"\ncold build: {results['cold_s']:.1f}s"
          + (f" vs naive {results['naive_s']:.1f}s -> {results['speedup']}x faster" if "speedup" in results else "")
          + f"\nno-op rebuild: {results['noop_s']:.2f}s"
          + f"\nafter touching one module: {results['touch_rebuilt']} of {results['jobs']} jobs re-executed "
            f"(that module has {results['touch_module_jobs']}), {results['touch_s']:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
