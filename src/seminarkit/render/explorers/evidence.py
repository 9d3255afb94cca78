"""Evidence explorer: charts of the module's data sets, M-confidence values visibly marked."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from seminarkit.dates import PartialDate
from seminarkit.render.figures import FigureOutput, figure_output, join_names, new_figure, style

if TYPE_CHECKING:
    from ipywidgets import VBox
    from pandas import DataFrame

    from seminarkit.content.materials import Module


def _x_values(frame: DataFrame, column: str, col_type: str) -> list[float]:
    if col_type == "date":
        return [PartialDate.parse(v).as_float() for v in frame[column]]
    return list(frame[column])


def plot_dataset(module: Module, name: str, series: Sequence[str] | None = None) -> FigureOutput:
    """Chart one data set (line, bar or dot chart as its provenance says)."""
    dataset = module.datasets[name]
    prov = dataset.provenance
    frame = dataset.frame()
    types = {c.name: c.type for c in prov.columns}
    units = {c.name: c.unit for c in prov.columns}
    chosen = [s for s in (series or prov.series) if s in frame.columns]
    x_col = prov.x or prov.columns[0].name
    xs = _x_values(frame, x_col, types.get(x_col, "str"))
    flags = list(frame[prov.confidence_column]) if prov.confidence_column else ["H"] * len(frame)
    is_m = [f == "M" for f in flags]
    fig, ax = new_figure(9, 4.6)
    width = 0.8 / max(len(chosen), 1)
    for index, col in enumerate(chosen):
        s = style(index)
        ys = list(frame[col])
        if prov.chart == "bar":
            offsets = [i + (index - (len(chosen) - 1) / 2) * width for i in range(len(xs))]
            bars = ax.bar(offsets, ys, width=width, color=s["color"], hatch=s["hatch"],
                          edgecolor="black", linewidth=0.5, label=col)
            for bar, m in zip(bars, is_m, strict=True):
                if m:
                    bar.set_alpha(0.45)
                    bar.set_linestyle("--")
            ax.set_xticks(range(len(xs)), [str(x) for x in frame[x_col]], rotation=30, ha="right")
        else:
            ax.plot(xs, ys, color=s["color"], linestyle=s["linestyle"] if prov.chart == "line" else "none",
                    label=col, linewidth=1.6)
            ax.scatter([x for x, m in zip(xs, is_m, strict=True) if not m],
                       [y for y, m in zip(ys, is_m, strict=True) if not m],
                       color=s["color"], marker=s["marker"], zorder=3, edgecolors="black", linewidths=0.5)
            ax.scatter([x for x, m in zip(xs, is_m, strict=True) if m],
                       [y for y, m in zip(ys, is_m, strict=True) if m],
                       facecolors="white", edgecolors=s["color"], marker=s["marker"], s=60, zorder=4,
                       linewidths=1.6)
    if not chosen and prov.label:
        # A dated table without numeric series: a dot per row on a time axis.
        ax.scatter(xs, [0] * len(xs), color=style(0)["color"], marker="o", zorder=3)
        for x, text in zip(xs, frame[prov.label], strict=True):
            ax.annotate(str(text)[:40], (x, 0), xytext=(0, 6), textcoords="offset points",
                        rotation=60, fontsize=7, ha="left")
        ax.set_yticks([])
    if any(is_m):
        ax.plot([], [], linestyle="none", marker="o", markerfacecolor="white", markeredgecolor="black",
                label="M: medium-confidence value")
    if chosen or any(is_m):
        ax.legend(fontsize=8, frameon=False)
    unit = next((units[c] for c in chosen if units.get(c)), None) or prov.unit
    ax.set_ylabel(unit if chosen else "")
    ax.set_xlabel(x_col)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_title(prov.title)
    m_count = sum(is_m)
    alt = (f"{prov.chart.capitalize()} chart of {prov.title}: {join_names(chosen) or 'dated entries'} "
           f"by {x_col}, {len(frame)} rows, unit {prov.unit}"
           + (f"; {m_count} medium-confidence value(s) drawn hollow or faded." if m_count else "."))
    sources = "; ".join(module.sources[s].publisher for s in prov.sources if s in module.sources)
    caption = f"{prov.title}. Unit: {prov.unit}. Source: {sources}."
    return figure_output(fig, alt=alt, title=prov.title, caption=caption)


def provenance_html(module: Module, name: str) -> str:
    """Provenance under a chart: title, unit, notes, confidence legend and source links."""
    prov = module.datasets[name].provenance
    e = html.escape
    links = ", ".join(
        f'<a href="{e(module.sources[s].url, quote=True)}">{e(module.sources[s].title)}</a> '
        f"({e(module.sources[s].publisher)})" for s in prov.sources if s in module.sources)
    notes = f"<br><i>Notes:</i> {e(prov.notes)}" if prov.notes else ""
    conf = ("<br><i>Confidence:</i> H = stated in a source read; M = several sources roughly agree "
            "or derived from a source figure (drawn hollow/faded)." if prov.confidence_column else "")
    return (f'<p class="seminarkit-provenance"><small><b>Provenance.</b> {e(prov.title)}; unit: '
            f"{e(prov.unit)}. Sources: {links}.{notes}{conf}</small></p>")


def evidence_explorer(module: Module, *, interactive: bool = True) -> FigureOutput | VBox:
    """Pick a data set and its series; the chart and its provenance follow."""
    names = sorted(module.datasets)
    if not interactive:
        return [plot_dataset(module, n) for n in names]
    import ipywidgets as w
    from IPython.display import HTML, display

    pick = w.Dropdown(options=[(module.datasets[n].provenance.title, n) for n in names],
                      value=names[0], description="Data set", layout=w.Layout(width="560px"))
    series = w.SelectMultiple(description="Series", rows=4)

    def refresh(*_: object) -> None:
        prov = module.datasets[pick.value].provenance
        series.options = list(prov.series)
        series.value = tuple(prov.series)

    pick.observe(refresh, names="value")
    refresh()

    def draw(name: str, chosen: tuple[str, ...]) -> None:
        display(plot_dataset(module, name, chosen or None))
        display(HTML(provenance_html(module, name)))

    out = w.interactive_output(draw, {"name": pick, "chosen": series})
    box = w.VBox([w.HBox([pick, series]), out])
    box.add_class("seminarkit-evidence-explorer")
    return box
