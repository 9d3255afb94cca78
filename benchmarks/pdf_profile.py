#!/usr/bin/env python3
"""Profile the PDF step of one handout: where weasyprint spends its time (issue #20).

Takes built HTML handouts (from ``seminarkit build``), prints each one to PDF ``--repeat``
times in this process with the kit's own :func:`seminarkit.handouts.export.export_pdf`
(after one warm-up print, as a build worker does), reports the median seconds per handout,
and with ``--profile`` the cProfile breakdown of one print by weasyprint stage. ``--gc`` prints
every handout twice more, side by side: with Python's default garbage collector settings, and
with a build worker's (imports frozen, :data:`seminarkit.handouts.worker.GC_THRESHOLDS`).
``--before`` also prints each handout as a plain weasyprint call would (``HTML(string=page)
.write_pdf()``, tagged the same: the page's own stylesheets, a new font set-up and image cache
per PDF), the per-handout before/after of the kit's PDF step.
Usage: python benchmarks/pdf_profile.py build/student/*/*.html [--profile] [--gc] [--before]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="+", type=Path, help="built HTML handouts")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the cProfile breakdown of one print")
    parser.add_argument("--gc", action="store_true", help="compare default GC settings with a build worker's")
    parser.add_argument("--before", action="store_true", help="also print each page as a plain weasyprint call")
    args = parser.parse_args()
    from seminarkit.handouts.export import export_pdf, warm_up

    warm_up()
    pages = [(path, path.read_text(encoding="utf-8")) for path in args.html]
    per: list[float] = []
    plain: list[float] = []
    for path, page in pages:
        private = "seminarkit-private" in page
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            pdf = export_pdf(page, private=private)
            times.append(time.perf_counter() - start)
        per.append(statistics.median(times))
        line = f"{path}: {per[-1]:.3f}s, {len(pdf) // 1024} KiB"
        if args.before:
            plain.append(statistics.median(_plain_print(page) for _ in range(args.repeat)))
            line += f"; plain weasyprint {plain[-1]:.3f}s ({plain[-1] / per[-1]:.1f}x)"
        print(line)
    print(f"median per handout: {statistics.median(per):.3f}s over {len(per)} handouts")
    if plain:
        print(f"plain weasyprint: median {statistics.median(plain):.3f}s per handout; total {sum(plain):.1f}s "
              f"before, {sum(per):.1f}s after")
    if args.gc:
        gc_comparison(pages, args.repeat)
    if args.profile:
        path, page = max(pages, key=lambda p: len(p[1]))
        profile = cProfile.Profile()
        profile.runcall(export_pdf, page, private="seminarkit-private" in page)
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
        stats.print_stats(40)
        print(out.getvalue())
    return 0


def _plain_print(page: str) -> float:
    """Print ``page`` as a plain weasyprint call would (same tagging); return the seconds."""
    from weasyprint import HTML

    from seminarkit.handouts.export import PDF_VARIANT

    start = time.perf_counter()
    HTML(string=page).write_pdf(pdf_variant=PDF_VARIANT)
    return time.perf_counter() - start


def gc_comparison(pages: list[tuple[Path, str]], repeat: int) -> None:
    """Print every page with default GC settings, then with a build worker's; report CPU seconds per handout."""
    from seminarkit.handouts.export import export_pdf
    from seminarkit.handouts.worker import GC_THRESHOLDS

    def per_handout() -> float:
        runs = []
        for _ in range(repeat):
            start = time.process_time()
            for _path, page in pages:
                export_pdf(page, private="seminarkit-private" in page)
            runs.append((time.process_time() - start) / len(pages))
        return statistics.median(runs)

    default = per_handout()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    worker = per_handout()
    print(f"CPU per handout: default GC {default:.3f}s, build worker's GC {worker:.3f}s "
          f"({(1 - worker / default):.0%} less)")


if __name__ == "__main__":
    raise SystemExit(main())
