"""Per-student feedback HTML and the class summary (with a score histogram).

Feedback is rendered from the report only. A report never holds hidden-test source or any
text the student process produced after it saw a hidden input: for a hidden check it stores
the words "hidden check" and whether it passed, nothing else. Pending manual items are shown
as pending, never as zero.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from seminarkit.fileio import write_atomic
from seminarkit.grading.exercise import Exercise
from seminarkit.grading.gradebook import PENDING, Gradebook, pending, totals
from seminarkit.grading.protocol import GradeReport

_CSS = """body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;
color:#222}h1{font-size:1.4em}table{border-collapse:collapse;width:100%}td,th{border-bottom:
1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}.ok,.repaired{color:#176f2c}
.partial{color:#8a5a00}.bad{color:#a11}.muted{color:#666;font-size:.9em}pre{white-space:
pre-wrap;background:#f6f6f6;padding:.5em}"""
GOOD = {"ok", "repaired"}


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _klass(status: str) -> str:
    if status in GOOD:
        return status
    return "partial" if status in ("partial", "needs-manual") else "bad"


def _score_line(report: GradeReport) -> str:
    points, maximum = totals(report)
    waiting = pending(report)
    line = f"{points:g} / {maximum:g} points"
    return line + (f" + {waiting:g} pending manual grading" if waiting else "")


def render_feedback(report: GradeReport, title: str) -> str:
    """Return the feedback page of one report."""
    rows = []
    for item in report["items"]:
        checks = []
        for check in item.get("checks", []):
            mark = "passed" if check["passed"] else "failed"
            text = "hidden check" if check.get("hidden") else check.get("message", "")
            extra = ""
            if not check["passed"] and check.get("detail") and not check.get("hidden"):
                extra = f" <span class='muted'>({_e(check['detail'])})</span>"
            checks.append(f"<li class='{'ok' if check['passed'] else 'bad'}'>{mark}: "
                          f"{_e(text)}{extra}</li>")
        listed = f"<ul>{''.join(checks)}</ul>" if checks else ""
        score = ("pending" if item["status"] == PENDING else f"{item['points']:g}")
        rows.append(f"<tr><td>{_e(item['item'])}</td><td class='{_klass(item['status'])}'>"
                    f"{_e(item['status'])}</td><td>{score} / {item['max']:g}</td>"
                    f"<td>{_e(item.get('detail', ''))}{listed}</td></tr>")
    repairs = "".join(f"<li>{_e(cell)}: {_e(what)}</li>" for cell, what in
                      report.get("repairs", []))
    repairs_html = (f"<h2>Repairs made to your notebook</h2><ul>{repairs}</ul>" if repairs
                    else "")
    notes = "".join(f"<li>{_e(cell)}: {_e(what)}</li>" for cell, what in report.get("notes", []))
    notes_html = (f"<h2>Notes on running your notebook</h2><ul>{notes}</ul>" if notes else "")
    note = f"<p>{_e(report['detail'])}</p>" if report.get("detail") else ""
    return (f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{_e(title)} — "
            f"{_e(report['student'])}</title><style>{_CSS}</style><body>"
            f"<h1>{_e(title)}: feedback for {_e(report['student'])}</h1>"
            f"<p><strong>{_e(_score_line(report))}</strong> "
            f"<span class='muted'>({_e(report['status'])}, graded {_e(report['graded_at'])})"
            f"</span></p>{note}<table><tr><th>item</th><th>status</th><th>points</th>"
            f"<th>details</th></tr>{''.join(rows)}</table>{repairs_html}{notes_html}</body></html>\n")


def write_feedback(report: GradeReport, exercise: Exercise, book: Gradebook) -> Path:
    """Write ``feedback/<report key>.html`` (the key of :meth:`Gradebook.key`)."""
    key = book.key(report["student"], exercise.id)
    path = book.out / "feedback" / f"{key}.html"
    write_atomic(path, render_feedback(report, exercise.title))
    return path


def _histogram(scores: list[float], maximum: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    bins = max(5, min(20, int(maximum) + 1)) if maximum else 10
    ax.hist(scores, bins=bins, range=(0, maximum or 1), color="#3b6ea8", edgecolor="white")
    ax.set_xlabel("points")
    ax.set_ylabel("students")
    ax.set_title(f"Score distribution ({len(scores)} submissions)")
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)


def write_summary(book: Gradebook, exercise: Exercise) -> dict[str, Any]:
    """Write ``summary.json``, ``summary.html`` and ``histogram.png`` for ``exercise``."""
    reports = [r for r in book.reports.values() if r.get("exercise") == exercise.id]
    scores = sorted(totals(r)[0] for r in reports)
    maximum = exercise.max_points
    statuses: dict[str, int] = {}
    for report in reports:
        for item in report.get("items", []):
            statuses[item["status"]] = statuses.get(item["status"], 0) + 1
    summary = {"exercise": exercise.id, "submissions": len(reports), "max": maximum,
               "mean": round(sum(scores) / len(scores), 3) if scores else None,
               "median": scores[len(scores) // 2] if scores else None,
               "pending_manual": sum(1 for r in reports if pending(r)),
               "statuses": dict(sorted(statuses.items()))}
    write_atomic(book.out / "summary.json", json.dumps(summary, indent=1))
    if scores:
        _histogram(scores, maximum, book.out / "histogram.png")
    rows = "".join(f"<tr><td>{_e(r['student'])}</td><td>{_e(_score_line(r))}"
                   f"</td><td>{_e(r['status'])}</td></tr>"
                   for r in sorted(reports, key=lambda r: r["student"]))
    counts = "".join(f"<li>{_e(k)}: {v}</li>" for k, v in sorted(statuses.items()))
    img = ("<img src='histogram.png' alt='Histogram of total scores per submission'>"
           if scores else "")
    page = (f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{_e(exercise.title)}"
            f" — class summary</title><style>{_CSS}</style><body><h1>{_e(exercise.title)}: "
            f"class summary</h1><p>{len(reports)} submissions; mean {summary['mean']} of "
            f"{maximum:g}; median {summary['median']}</p>{img}<h2>Item statuses</h2>"
            f"<ul>{counts}</ul><table><tr><th>student</th><th>points</th><th>run</th></tr>"
            f"{rows}</table></body></html>\n")
    write_atomic(book.out / "summary.html", page)
    return summary
