"""Planning a data-set chart: which panels (one per unit), x positions, gaps, confidence.

Pure functions of a data set's provenance record and its rows (no drawing), so the decisions
the chart rules make can be read and tested on their own: a series' unit is its column's
``unit``, else the data set's; a ``unit`` text column gives each row its own unit; an empty
cell is NaN; a year missing between present years of an integer (or four-digit text) axis is
a gap that keeps its place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

from seminarkit.dates import PartialDate
from seminarkit.render.figures import label

if TYPE_CHECKING:
    from pandas import DataFrame

    from seminarkit.content.schema.data import DatasetProvenance

XKind = Literal["integer", "number", "date", "category"]
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Panel:
    """One axes: the series it draws (all in ``unit``) and the rows it shows."""

    unit: str
    series: list[str]
    rows: list[int]


@dataclass
class ChartPlan:
    """What a data-set chart draws: x values and kind, panels, gaps, confidence per row."""

    x_col: str
    x_kind: XKind
    xs: list[float]
    categories: list[str]
    panels: list[Panel]
    missing: list[float] = field(default_factory=list)
    medium: list[bool] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    values: dict[str, list[float]] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    """Row numbers (in the frame) of the points, in the order of ``xs``."""


def column_unit(prov: DatasetProvenance, column: str) -> str:
    """Return the unit of a column: its own ``unit``, else the data set's."""
    spec = next((c for c in prov.columns if c.name == column), None)
    return (spec.unit if spec and spec.unit else None) or prov.unit


def series_label(prov: DatasetProvenance, column: str) -> str:
    """How a series is named on the chart: its description when short, else its name in words."""
    spec = next((c for c in prov.columns if c.name == column), None)
    if spec and spec.description and len(spec.description) <= 60:
        return spec.description
    return label(column)


def row_unit_column(prov: DatasetProvenance) -> str | None:
    """Return the text column named ``unit`` that gives each row its own unit, if any."""
    return next((c.name for c in prov.columns if c.name == "unit" and c.type == "str"), None)


def _value(v: object) -> float:
    """Read a cell as a float; empty cells (NaN, None, "") are NaN."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return math.nan
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def plan_chart(prov: DatasetProvenance, frame: DataFrame, series: Sequence[str] | None = None) -> ChartPlan:
    """Decide panels, x positions and gaps for a data set (pure: no drawing)."""
    chosen = [s for s in (series or prov.series) if s in frame.columns]
    x_col = prov.x or prov.columns[0].name
    x_type = next((c.type for c in prov.columns if c.name == x_col), "str")
    raw = list(frame[x_col])
    keep = [i for i, v in enumerate(raw) if not (isinstance(v, float) and math.isnan(v))]
    if x_type == "str" and keep and all(_YEAR.match(str(raw[i]).strip()) for i in keep):
        x_type = "int"  # years written as text are still a year axis (gaps keep their place)
    categories: list[str] = []
    missing: list[float] = []
    if x_type == "date":
        kind: XKind = "date"
        xs = [PartialDate.parse(raw[i]).as_float() for i in keep]
    elif x_type in ("int", "float"):
        kind = "integer" if x_type == "int" else "number"
        xs = [float(raw[i]) for i in keep]
        if kind == "integer":
            missing = missing_steps(xs)
    else:
        kind = "category"
        categories = [str(raw[i]) for i in keep]
        xs = [float(n) for n in range(len(keep))]
    flags = list(frame[prov.confidence_column]) if prov.confidence_column in frame.columns else []
    medium = [bool(flags) and flags[i] == "M" for i in keep]
    unit_col = row_unit_column(prov)
    panels: list[Panel] = []
    if unit_col is not None and chosen:
        units = [str(frame[unit_col][i]) for i in keep]
        for unit in dict.fromkeys(units):
            rows = [n for n, u in enumerate(units) if u == unit]
            panels.append(Panel(unit, chosen, rows))
    else:
        by_unit: dict[str, list[str]] = {}
        for col in chosen:
            by_unit.setdefault(column_unit(prov, col), []).append(col)
        panels = [Panel(unit, cols, list(range(len(keep)))) for unit, cols in by_unit.items()]
    return ChartPlan(x_col, kind, xs, categories, panels, missing, medium,
                     {c: series_label(prov, c) for c in chosen},
                     {c: [_value(frame[c].iloc[i]) for i in keep] for c in chosen}, keep)


def missing_steps(xs: Sequence[float]) -> list[float]:
    """Values missing from a regular integer series (years absent between present ones)."""
    ordered = sorted(set(xs))
    steps = [b - a for a, b in pairwise(ordered) if b > a]
    if not steps:
        return []
    step = min(steps)
    out: list[float] = []
    for a, b in pairwise(ordered):
        value = a + step
        while value < b - step / 2:
            out.append(value)
            value += step
    return out if len(out) <= 3 * len(ordered) else []


def step_of(plan: ChartPlan) -> float:
    """Return the smallest distance between two x values (the width of one slot)."""
    ordered = sorted(set(plan.xs))
    steps = [b - a for a, b in pairwise(ordered) if b > a]
    return min(steps) if steps else 1.0


def category_column(prov: DatasetProvenance, frame: DataFrame) -> str | None:
    """Find a text column that sorts rows into a few kinds (2 to 8), for colouring dated entries."""
    skip = {prov.x, prov.label, prov.confidence_column, prov.sources_column}
    for col in prov.columns:
        if col.type == "str" and col.name not in skip and col.name in frame.columns:
            kinds = frame[col.name].dropna().nunique()
            if 2 <= kinds <= 8 and kinds < len(frame):
                return col.name
    return None


def end_label(text: str) -> str:
    """Return a series name short enough to sit at the end of its line (no trailing parenthesis)."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", text) or text


def format_number(value: float, _: int | None = None) -> str:
    """Format tick and value labels: thousands separated, no needless decimals."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
