"""Charts of a module's data sets, drawn by rules rather than by care (planning: ``dataplan``).

The rules, for every data set whatever its shape:

- one unit per axes: series are grouped by their unit (a column's ``unit``, else the data
  set's), and each unit gets its own panel, labelled with that unit. Panels share the x axis
  (years, dates) or the category axis (categories). A table whose rows carry their own unit
  (a ``unit`` text column) gets one panel per row unit;
- a missing value is a visible gap: an empty cell breaks the line and is marked "no data", and
  a year missing from an annual series keeps its place on the axis, marked "no data";
- bars start at zero; categories with long names are drawn as horizontal bars or dots, so
  their names read across;
- lines with several series are labelled at their ends instead of with a legend;
- medium-confidence (M) values are drawn hollow (dots, lines) or faded (bars).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from seminarkit.render.explorers.dataplan import (
    ChartPlan,
    Panel,
    category_column,
    end_label,
    format_number,
    plan_chart,
    step_of,
)
from seminarkit.render.figures import (
    LABEL_PT,
    LEGEND_PT,
    NOTE_PT,
    PRINT_WIDTH_IN,
    TICK_PT,
    FigureOutput,
    figure_output,
    join_names,
    key_below,
    label,
    new_figure,
    set_title,
    style,
    text_width_pt,
    wrap_to_width,
)

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from pandas import DataFrame

    from seminarkit.content.materials import Module
    from seminarkit.content.schema.data import DatasetProvenance

NO_DATA = "no data"
GREY = "#666666"


def plot_dataset(module: Module, name: str, series: Sequence[str] | None = None, *,
                 caption: str | None = None) -> FigureOutput:
    """Chart one data set by the rules in this module's docstring."""
    dataset = module.datasets[name]
    prov = dataset.provenance
    frame = dataset.frame()
    plan = plan_chart(prov, frame, series)
    notes: list[str] = []
    key: list[Artist] = []
    if not plan.panels:
        fig, key = _labelled(prov, plan, frame)
        what = f"dated entries labelled by {label(prov.label or plan.x_col)}"
    elif plan.x_kind == "category":
        fig = _horizontal(prov, plan, notes)
        what = join_names(list(plan.labels.values()))
    else:
        fig = _vertical(prov, plan, notes)
        what = join_names(list(plan.labels.values()))
    set_title(fig, prov.title)
    m_count = sum(plan.medium)
    if m_count:
        key.append(_medium_handle(faded=prov.chart == "bar" and bool(plan.panels)))
    if key:
        groups = category_column(prov, frame) if not plan.panels else None
        key_below(fig, key, title=label(groups).capitalize() if groups else None)
    units = "; ".join(f"{p.unit} ({join_names([plan.labels[c] for c in p.series])})" if len(plan.panels) > 1
                      else p.unit for p in plan.panels) or prov.unit
    panels = (f" in {len(plan.panels)} panels, one per unit ({units})" if len(plan.panels) > 1
              else f", unit {units}")
    alt = (f"{prov.chart.capitalize()} chart of {prov.title}: {what} by {label(plan.x_col)}, "
           f"{len(plan.xs)} rows{panels}" + "".join(f"; {n}" for n in notes)
           + (f"; {m_count} medium-confidence value(s) drawn hollow or faded." if m_count else "."))
    sources = "; ".join(module.sources[s].publisher for s in prov.sources if s in module.sources)
    caption = (f"{(caption or prov.title).rstrip('.')}. Unit{'s' if len(plan.panels) > 1 else ''}: {units}. "
               f"Source: {sources}.")
    return figure_output(fig, alt=alt, title=prov.title, caption=caption)


def _labelled(prov: DatasetProvenance, plan: ChartPlan, frame: DataFrame) -> tuple[Figure, list[Artist]]:
    """Draw a table without numeric series: one labelled marker per row on its axis (like a timeline).

    Rows are coloured and shaped by a kind column when one exists; returns the key's handles.
    """
    from seminarkit.render.explorers.timeline import AXES_WIDTH_PT, label_points, plan_labels

    column = prov.label or plan.x_col
    texts = [str(frame[column].iloc[i]) for i in plan.rows]
    points = plan_labels(plan.xs, texts, axes_width_pt=AXES_WIDTH_PT)
    fig, (ax,) = new_figure(1.25 + 0.2 * points.lane_count)
    groups = category_column(prov, frame)
    kinds = [str(frame[groups].iloc[i]) for i in plan.rows] if groups else [""] * len(plan.xs)
    key: list[Artist] = []
    for index, kind in enumerate(dict.fromkeys(kinds)):
        s = style(index)
        members = [i for i, k in enumerate(kinds) if k == kind]
        for hollow in (False, True):
            part = [i for i in members if plan.medium[i] == hollow]
            if part:
                dots = ax.scatter([plan.xs[i] for i in part], [points.lanes[i] for i in part], marker=s["marker"],
                                  s=30, zorder=3, linewidths=1.2 if hollow else 0.5,
                                  edgecolors=s["color"] if hollow else "black",
                                  facecolors="white" if hollow else s["color"], label=kind)
                if kind and not hollow:
                    key.append(dots)
    label_points(ax, plan.xs, points)
    if plan.x_kind == "category":
        ax.set_xticks([])
    else:
        ax.set_xlabel(label(plan.x_col).capitalize(), fontsize=LABEL_PT)
    return fig, key


def _medium_handle(*, faded: bool) -> Artist:
    """Return the key entry that explains hollow markers (or faded bars): medium confidence."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if faded:
        return Patch(facecolor="#0072B2", alpha=0.45, edgecolor="black", linestyle="--",
                     label="faded bar: medium-confidence value")
    return Line2D([], [], linestyle="none", marker="o", markerfacecolor="white", markeredgecolor="black",
                  markeredgewidth=1.4, label="hollow marker: medium-confidence value")


def _vertical(prov: DatasetProvenance, plan: ChartPlan, notes: list[str]) -> Figure:
    """Years, numbers or dates across; one stacked panel per unit, sharing the x axis."""
    from matplotlib.ticker import FuncFormatter

    from seminarkit.render.explorers.timeline import time_axis

    values = plan.values
    n = len(plan.panels)
    fig, axes = new_figure(0.8 + 2.0 * n, rows=n, sharex=True)
    step = step_of(plan)
    lo = min([*plan.xs, *plan.missing], default=0.0)
    hi = max([*plan.xs, *plan.missing], default=1.0)
    gap_rows = [x for i, x in enumerate(plan.xs)
                if all(math.isnan(values[c][i]) for c in plan.labels)]
    gaps = sorted([*plan.missing, *gap_rows])
    for ax, panel in zip(axes, plan.panels, strict=True):
        if prov.chart == "bar":
            _bars_vertical(ax, plan, panel, values, step)
        else:
            _lines(ax, prov, plan, panel, values, gaps, step)
        _mark_gaps(ax, gaps, step, bars=prov.chart == "bar")
        ax.set_ylabel(wrap_to_width(panel.unit, 130, LABEL_PT), fontsize=LABEL_PT)
        ax.yaxis.set_major_formatter(FuncFormatter(format_number))
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        if len(panel.series) == 1:
            ax.set_title(wrap_to_width(plan.labels[panel.series[0]], (PRINT_WIDTH_IN - 1) * 72, LABEL_PT),
                         fontsize=LABEL_PT, loc="left")
    bottom = axes[-1]
    if plan.x_kind in ("integer", "date"):
        if prov.chart == "bar":
            pad = step * 0.6
        elif plan.x_kind == "integer":
            pad = max((hi - lo) * 0.03, step * 0.3)
        else:
            pad = max((hi - lo) * 0.04, 0.02)
        room = _label_room(plan, prov)
        time_axis(bottom, lo - pad, hi + pad)
        if plan.x_kind == "integer":
            # Every step gets a tick when the labels fit side by side, else every k-th step.
            from matplotlib.ticker import FixedLocator

            slots = round((hi - lo) / step) + 1
            axis_pt = (PRINT_WIDTH_IN - 0.9) * 72 * (hi - lo + 2 * pad) / (hi - lo + 2 * pad + room)
            every = max(1, math.ceil(slots * (text_width_pt(f"{hi:.0f}", TICK_PT) + 8) / axis_pt))
            bottom.xaxis.set_major_locator(FixedLocator([lo + k * step for k in range(0, slots, every)]))
        for ax in axes:
            ax.set_xlim(lo - pad, hi + pad + room)
    bottom.set_xlabel(label(plan.x_col).capitalize(), fontsize=LABEL_PT)
    whole = "; ".join(f"{g:.0f}" for g in gaps) if plan.x_kind == "integer" else f"{len(gaps)} places"
    if gaps:
        notes.append(f"no data for {whole} (shown as a gap)")
    for col in plan.labels:
        own = [x for x, v in zip(plan.xs, values[col], strict=True) if math.isnan(v) and x not in gaps]
        if own:
            where = ", ".join(f"{x:.0f}" for x in own) if plan.x_kind == "integer" else f"{len(own)} places"
            notes.append(f"no {end_label(plan.labels[col])} value for {where} (the line breaks there)")
    return fig


def _label_room(plan: ChartPlan, prov: DatasetProvenance) -> float:
    """Extra x range on the right for direct labels at line ends."""
    if prov.chart == "bar" or not any(len(p.series) > 1 for p in plan.panels):
        return 0.0
    widest = max(text_width_pt(end_label(plan.labels[c]), NOTE_PT) for c in plan.labels) + 8
    lo, hi = min(plan.xs), max(plan.xs)
    axes_pt = (PRINT_WIDTH_IN - 0.9) * 72
    return (hi - lo) * widest / max(axes_pt - widest, 1.0)


def _lines(ax: Axes, prov: DatasetProvenance, plan: ChartPlan, panel: Panel, values: dict[str, list[float]],
           gaps: list[float], step: float) -> None:
    """Lines (or dots) with hollow M markers; a NaN breaks the line; ends labelled directly."""
    order = sorted(panel.rows, key=lambda i: plan.xs[i])
    ends: list[tuple[float, float, str]] = []
    for col in panel.series:
        s = style(list(plan.labels).index(col))
        xs = [plan.xs[i] for i in order]
        ys = [values[col][i] for i in order]
        if prov.chart == "line":
            # Missing years become NaN points so that no line is drawn across them.
            for gap in gaps:
                at = next((k for k, x in enumerate(xs) if x > gap), len(xs))
                xs.insert(at, gap)
                ys.insert(at, math.nan)
            ax.plot(xs, ys, color=s["color"], linestyle=s["linestyle"], linewidth=1.6, label=plan.labels[col])
        for hollow in (False, True):
            pts = [(plan.xs[i], values[col][i]) for i in order
                   if plan.medium[i] == hollow and not math.isnan(values[col][i])]
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=s["marker"], zorder=3,
                           s=40 if hollow else 28, facecolors="white" if hollow else s["color"],
                           edgecolors=s["color"] if hollow else "black", linewidths=1.4 if hollow else 0.5,
                           label=None if hollow or prov.chart == "line" else plan.labels[col])
        last = next(((plan.xs[i], values[col][i]) for i in reversed(order) if not math.isnan(values[col][i])), None)
        if last is not None:
            ends.append((last[0], last[1], end_label(plan.labels[col])))
    if len(panel.series) > 1:
        _end_labels(ax, ends)


def _end_labels(ax: Axes, ends: list[tuple[float, float, str]]) -> None:
    """Label each series at its last point, nudged apart so that no two labels overlap."""
    if not ends:
        return
    ax.relim()
    ax.autoscale_view()
    lo, hi = ax.get_ylim()
    ax.set_ylim(min(lo, 0.0) if lo >= 0 else lo, hi)
    lo, hi = ax.get_ylim()
    height_pt = 2.0 * 72
    spacing = (hi - lo) * (NOTE_PT * 1.4) / height_pt
    placed: list[float] = []
    for x, y, text in sorted(ends, key=lambda e: e[1]):
        target = max(y, placed[-1] + spacing) if placed else y
        placed.append(target)
        ax.annotate(text, (x, target), xytext=(7, 0), textcoords="offset points", fontsize=NOTE_PT,
                    va="center", ha="left", annotation_clip=False)


def _bars_vertical(ax: Axes, plan: ChartPlan, panel: Panel, values: dict[str, list[float]], step: float) -> None:
    """Draw grouped bars at their x values (a missing year keeps its slot), starting at zero."""
    n = len(panel.series)
    width = 0.8 * step / n
    for k, col in enumerate(panel.series):
        s = style(list(plan.labels).index(col))
        offsets = [plan.xs[i] + (k - (n - 1) / 2) * width for i in panel.rows]
        heights = [0.0 if math.isnan(values[col][i]) else values[col][i] for i in panel.rows]
        bars = ax.bar(offsets, heights, width=width, color=s["color"], hatch=s["hatch"], edgecolor="black",
                      linewidth=0.5, label=plan.labels[col])
        for bar, i in zip(bars, panel.rows, strict=True):
            if math.isnan(values[col][i]):
                bar.set_visible(False)
            elif plan.medium[i]:
                bar.set_alpha(0.45)
                bar.set_linestyle("--")
    ax.set_ylim(bottom=0)
    if n > 1:
        ax.legend(fontsize=LEGEND_PT, frameon=False, loc="best")


def _mark_gaps(ax: Axes, gaps: list[float], step: float, *, bars: bool) -> None:
    """Shade each missing x and write "no data" on it."""
    for gap in gaps:
        half = step * (0.4 if bars else 0.5)
        ax.axvspan(gap - half, gap + half, facecolor="#f2f2f2", edgecolor="#bbbbbb", hatch="///", linewidth=0,
                   zorder=0)
        ax.text(gap, 0.5, NO_DATA, transform=ax.get_xaxis_transform(), rotation=90, ha="center", va="center",
                fontsize=NOTE_PT, color=GREY)


def _horizontal(prov: DatasetProvenance, plan: ChartPlan, notes: list[str]) -> Figure:
    """Categories down the side (names read across); one panel per unit, side by side."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    values = plan.values
    n = len(plan.panels)
    shared = all(p.rows == plan.panels[0].rows for p in plan.panels)
    names_pt = 118.0
    wrapped = {i: wrap_to_width(plan.categories[i], names_pt, TICK_PT) for i in range(len(plan.categories))}

    def rows_in(panel: Panel) -> float:
        return sum(max(0.24 * len(panel.series), 0.15 * (wrapped[i].count("\n") + 1) + 0.1) for i in panel.rows)

    if shared:
        fig, axes = new_figure(1.0 + rows_in(plan.panels[0]), cols=n, sharey=True)
    else:
        ratios = [0.35 + rows_in(p) for p in plan.panels]
        fig, axes = new_figure(0.5 + 0.35 * n + sum(ratios), rows=n, height_ratios=ratios)
    empty: list[str] = []
    for ax, panel in zip(axes, plan.panels, strict=True):
        k = len(panel.series)
        thick = 0.8 / k
        for j, col in enumerate(panel.series):
            s = style(list(plan.labels).index(col))
            ys = [r + (j - (k - 1) / 2) * thick for r in range(len(panel.rows))]
            vals = [values[col][i] for i in panel.rows]
            if prov.chart == "bar":
                bars = ax.barh(ys, [0.0 if math.isnan(v) else v for v in vals], height=thick, color=s["color"],
                               hatch=s["hatch"], edgecolor="black", linewidth=0.5, label=plan.labels[col])
                for bar, i, v in zip(bars, panel.rows, vals, strict=True):
                    if math.isnan(v):
                        bar.set_visible(False)
                    elif plan.medium[i]:
                        bar.set_alpha(0.45)
                        bar.set_linestyle("--")
            else:
                for hollow in (False, True):
                    pts = [(v, y) for v, y, i in zip(vals, ys, panel.rows, strict=True)
                           if plan.medium[i] == hollow and not math.isnan(v)]
                    if pts:
                        ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=s["marker"], zorder=3,
                                   s=40 if hollow else 30, facecolors="white" if hollow else s["color"],
                                   edgecolors=s["color"] if hollow else "black", linewidths=1.4 if hollow else 0.5)
            for v, y in zip(vals, ys, strict=True):
                text = NO_DATA if math.isnan(v) else format_number(v)
                ax.annotate(text, (0.0 if math.isnan(v) else v, y), xytext=(5, 0), textcoords="offset points",
                            va="center", ha="left", fontsize=NOTE_PT, color=GREY if math.isnan(v) else "black")
                if math.isnan(v):
                    empty.append(plan.categories[panel.rows[ys.index(y)]] if plan.categories else "")
        ax.set_yticks(range(len(panel.rows)), [wrapped[i] for i in panel.rows], fontsize=TICK_PT)
        ax.set_ylim(len(panel.rows) - 0.5, -0.5)
        finite = [values[c][i] for c in panel.series for i in panel.rows if not math.isnan(values[c][i])]
        top = max(finite, default=1.0)
        if prov.chart == "bar":
            ax.set_xlim(0, top * 1.18 if top > 0 else 1)
        else:
            low = min(finite, default=0.0)
            pad = (top - low) * 0.15 or max(abs(top) * 0.05, 1.0)
            ax.set_xlim(low - pad, top + pad * 1.6)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.xaxis.set_major_formatter(FuncFormatter(format_number))
        ax.set_xlabel(wrap_to_width(panel.unit, (PRINT_WIDTH_IN - 1.8) * 72 / n, LABEL_PT), fontsize=LABEL_PT)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        title = plan.labels[panel.series[0]] if k == 1 and shared else ""
        if title:
            ax.set_title(wrap_to_width(title, (PRINT_WIDTH_IN - 1.8) * 72 / n, LABEL_PT), fontsize=LABEL_PT,
                         loc="left")
        if k > 1:
            ax.legend(fontsize=LEGEND_PT, frameon=False, loc="lower right")
    if not shared:
        notes.append("one panel per unit, each with its own rows")
    if empty:
        notes.append(f"no data for {join_names(empty)}")
    return fig

