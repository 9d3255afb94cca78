"""Turn a run's reported values into item scores, in the grader process.

Each test cell is one item. Its checks run here (:func:`probes.run_checks`) on decoded plain
values; the item's status says why it did not get full marks: ``missing-answer`` (left as
released, or the answer variable was never defined), ``timeout``, ``memory``, ``crashed``,
``error`` (the answer cell raised), ``failed`` or ``partial``. Items that passed after the
submission needed repairs are ``repaired``; manual items wait as ``needs-manual``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from seminarkit.grading.codec import decode
from seminarkit.grading.exercise import ExCell, Exercise
from seminarkit.grading.probes import Decoded, TestPlan, plan_test, run_checks
from seminarkit.grading.protocol import CheckJson, ItemJson, ProbeSpec, RunResult, StepOutcome
from seminarkit.grading.sanitize import Sanitized

SEVERE = ("timeout", "memory", "crashed")
NOISY_OUTPUT = 1_000_000


@dataclass
class ItemResult:
    """One graded item of one submission."""

    item: str
    kind: str  # test | manual | quiz
    points: float
    max: float
    status: str
    detail: str = ""
    checks: list[CheckJson] = field(default_factory=list)

    def to_json(self) -> ItemJson:
        """As a JSON-able dict."""
        return ItemJson(item=self.item, kind=self.kind, points=self.points, max=self.max, status=self.status,
                        detail=self.detail, checks=[CheckJson(**c) for c in self.checks])


@lru_cache(maxsize=256)
def _plan(source: str) -> TestPlan:
    return plan_test(source)


def all_probes(exercise: Exercise) -> list[ProbeSpec]:
    """Every value the student process must report, per test cell, in notebook order.

    A probe is public when a statement of its test cell outside the hidden regions reads
    it; the others are hidden-only (evaluated in a snapshot, their error text never shown).
    """
    found: list[ProbeSpec] = []
    for cell in exercise.tests:
        plan = _plan(cell.source)
        found.extend(ProbeSpec(test=cell.id, key=f"{cell.id}/{key}", expr=expr,
                               public=key in plan.public) for key, expr in plan.probes.items())
    return found


def _decoded(run: RunResult, test: str, plan: TestPlan) -> dict[str, Decoded]:
    values: dict[str, Decoded] = {}
    prefix = f"{test}/"
    hidden = set(plan.probes) - plan.public
    for full, entry in (run.get("values") or {}).items():
        if not full.startswith(prefix):
            continue
        key = full[len(prefix):]
        if isinstance(entry, dict) and "value" in entry:
            try:
                values[key] = {"value": decode(entry["value"])}
            except Exception:  # malformed data from the student process
                values[key] = {"error": {"kind": "unreportable", "detail": "malformed value"}}
        elif isinstance(entry, dict) and isinstance(entry.get("error"), dict):
            error = entry["error"]
            if key in hidden:  # text from the student process after it saw hidden inputs
                error = {"kind": str(error.get("kind", "error")), "detail": ""}
            values[key] = {"error": error}
    return values


def _round(value: float) -> float:
    return round(value + 0.0, 4)


def _score_test(cell: ExCell, plan: TestPlan, values: dict[str, Decoded], run: RunResult,
                sub: Sanitized, repaired: set[str]) -> ItemResult:
    results = run_checks(plan, values)
    checks = [CheckJson(passed=r.passed, hidden=r.hidden, message=r.message, reason=r.reason, detail=r.detail)
              for r in results]
    total, passed = len(results), sum(r.passed for r in results)
    deps = list(cell.answers)
    steps = run.get("steps") or {}
    item = ItemResult(cell.id, "test", 0.0, cell.points, "failed", checks=checks)
    if deps and all(d in sub.untouched for d in deps):
        item.status, item.detail = "missing-answer", "not answered (the cell is as released)"
        for check in checks:
            check["passed"], check["reason"] = False, "missing"
        return item
    if passed == total:
        item.points = cell.points
        touched = repaired & ({cell.id, *deps})
        item.status = "repaired" if touched else "ok"
        item.detail = "passed after repairs to the notebook" if touched else ""
        return item
    partial = bool(cell.meta.get("partial", True))
    if passed and partial:
        item.points = _round(cell.points * passed / total)
        item.status, item.detail = "partial", f"{passed} of {total} checks passed"
        return item
    outcomes: list[StepOutcome | dict[str, str]] = [steps.get(d, {}) for d in deps]
    severe = next((o for o in outcomes if o.get("status") in SEVERE), None)
    reasons = {r.reason for r in results if not r.passed}
    run_status = run.get("status")
    if severe is not None:
        item.status = str(severe["status"])
        item.detail = {"timeout": "the answer cell ran past its time limit",
                       "memory": "the answer cell ran out of memory",
                       "crashed": "the answer cell killed its process"}[item.status]
    elif run_status in SEVERE and reasons <= {"missing"}:
        item.status, item.detail = str(run_status), "the run stopped before this answer"
    elif reasons & {"timeout", "too-large"}:
        item.status = "timeout" if "timeout" in reasons else "failed"
        item.detail = ("computing the answer took too long" if item.status == "timeout"
                       else "the answer value is too large to check")
    else:
        errored = next((o for o in outcomes if o.get("status") in ("error",)), None)
        if errored is not None:
            item.status = "error"
            item.detail = f"the answer cell raised {errored.get('ename')}: " \
                          f"{errored.get('evalue', '')}".rstrip(": ")
        elif reasons <= {"missing"}:
            item.status, item.detail = "missing-answer", "the answer was never defined"
        elif "unreportable" in reasons:
            item.detail = "the answer is not a plain value (number, text, list, table...)"
        else:
            item.detail = f"{passed} of {total} checks passed"
    return item


def score(exercise: Exercise, sub: Sanitized, run: RunResult) -> list[ItemResult]:
    """Score every item of ``exercise`` for one sanitized and executed submission."""
    repaired = {ident for ident, _ in sub.repairs}
    items: list[ItemResult] = []
    for cell in exercise.cells:
        if cell.role == "test":
            plan = _plan(cell.source)
            items.append(_score_test(cell, plan, _decoded(run, cell.id, plan), run, sub,
                                     repaired))
        elif cell.role == "manual":
            if cell.id in sub.untouched:
                items.append(ItemResult(cell.id, "manual", 0.0, cell.points, "missing-answer",
                                        "not answered"))
            else:
                items.append(ItemResult(cell.id, "manual", 0.0, cell.points, "needs-manual",
                                        "waiting for manual grading"))
    return items


def failed_items(exercise: Exercise, status: str, detail: str) -> list[ItemResult]:
    """Every item of ``exercise`` at zero with one submission-level status."""
    return [ItemResult(c.id, c.role, 0.0, c.points, status, detail)
            for c in exercise.cells if c.role in ("test", "manual")]
