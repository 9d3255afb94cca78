"""Chart rules, checked on the Matplotlib artists of every figure the notebooks draw, for every module.

The rules (issue 15): one unit per axes, labelled with it; a missing year or an empty cell is a
visible gap (no line across it, "no data" where a whole row or year is missing); bar axes start
at zero; every visible text lies inside the figure; no text under 7 pt at print size; series,
categories and relation types differ in more than colour (dash pattern, marker or hatch); lines
with several series are labelled at their ends rather than with a legend.

The oracle here is independent of the figure code: units come from the provenance files, the
series drawn on an axes are recognised by their data values, gaps from the CSV itself, print
size from A4 (210 mm less 14 mm margins), and text extents from Matplotlib's renderer.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.text import Annotation, Text

from seminarkit.content.materials import Dataset, Module, load_course
from seminarkit.content.schema.data import DatasetProvenance
from seminarkit.render.figures import FigureOutput

A4_TEXT_WIDTH_IN = (210 - 2 * 14) / 25.4
MIN_PT = 7.0
COURSE = load_course()
NO_DATA = "no data"


# -- every figure the notebooks draw ---------------------------------------------------------------
def notebook_figures(module_id: str) -> Iterator[tuple[str, Callable[[], FigureOutput]]]:
    """Yield (name, draw) for each figure 02-walkthrough, 03-timeline, 04-actors and 05-evidence draw."""
    from seminarkit.render.explorers.actors import plot_relations, plot_stances
    from seminarkit.render.explorers.evidence import plot_dataset
    from seminarkit.render.explorers.timeline import timeline_explorer
    from seminarkit.render.notebook import figure_for, start

    module = COURSE.module(module_id)
    entry = next(m for m in COURSE.spec.modules if m.id == module_id)
    if "02-walkthrough" in entry.notebooks:
        session = start("02-walkthrough", module=module_id, interactive=False)
        for blk in module.meta.blocks:
            if blk.figure is not None:
                yield f"walkthrough-{blk.id}", lambda s=session, spec=blk.figure: figure_for(s, spec)
    if module.timeline is not None:
        yield "timeline", lambda: timeline_explorer(module, interactive=False)
    if module.actors is not None:
        yield "relations", lambda: plot_relations(module)
        yield "relations-highlight", lambda: plot_relations(module, highlight=module.actors.actors[0].id)
        if module.meta.blocks:
            yield "stances", lambda: plot_stances(module)
    for name, dataset in sorted(module.datasets.items()):
        yield f"data-{name}", lambda n=name: plot_dataset(module, n)
        if len(dataset.provenance.series) > 1:  # the evidence explorer lets students pick one series
            for col in dataset.provenance.series:
                yield f"data-{name}-{col}", lambda n=name, c=col: plot_dataset(module, n, [c])


CASES = [(m, name) for m in COURSE.modules for name, _ in notebook_figures(m)]
_CACHE: dict[tuple[str, str], FigureOutput] = {}


def drawn(module_id: str, name: str) -> FigureOutput:
    key = (module_id, name)
    if key not in _CACHE:
        _CACHE[key] = dict(notebook_figures(module_id))[name]()
        assert _CACHE[key] is not None, f"{module_id}: {name} drew nothing"
    return _CACHE[key]


def dataset_of(module_id: str, name: str) -> Dataset | None:
    """Return the data set a figure charts (by name, or through the block's figure spec)."""
    module = COURSE.module(module_id)
    if name.startswith("data-"):
        return next(d for n, d in module.datasets.items() if name == f"data-{n}" or name.startswith(f"data-{n}-"))
    if name.startswith("walkthrough-"):
        blk = next(b for b in module.meta.blocks if name == f"walkthrough-{b.id}")
        if blk.figure is not None and blk.figure.kind == "data" and blk.figure.dataset:
            return module.datasets[blk.figure.dataset]
    return None


# -- the rules, as functions of a figure -----------------------------------------------------------
def text_extents(fig: Figure) -> list[tuple[Text, Any]]:
    """Every text the figure draws, with its extent in pixels (tick labels outside the limits are not drawn)."""
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    hidden = {id(t) for ax in fig.axes for t in undrawn_tick_labels(ax)}
    return [(t, t.get_window_extent(renderer)) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def undrawn_tick_labels(axes: Axes) -> list[Text]:
    out = []
    for axis in (axes.xaxis, axes.yaxis):
        lo, hi = sorted(float(v) for v in axis.get_view_interval())
        for tick in [*axis.majorTicks, *axis.minorTicks]:
            loc = tick.get_loc()
            if not tick.get_visible() or loc is None or not lo - 1e-9 <= loc <= hi + 1e-9:
                out += [tick.label1, tick.label2]
    return out


def texts_outside(fig: Figure) -> list[str]:
    box = fig.bbox
    return [f"{t.get_text()[:60]!r} at x {e.x0:.0f}..{e.x1:.0f}, y {e.y0:.0f}..{e.y1:.0f} "
            f"(figure {box.x1:.0f}x{box.y1:.0f})"
            for t, e in text_extents(fig)
            if e.x0 < box.x0 - 1 or e.y0 < box.y0 - 1 or e.x1 > box.x1 + 1 or e.y1 > box.y1 + 1]


def small_texts(fig: Figure) -> list[str]:
    scale = min(1.0, A4_TEXT_WIDTH_IN / fig.get_figwidth())
    return [f"{t.get_text()[:40]!r}: {t.get_fontsize() * scale:.1f} pt"
            for t, _ in text_extents(fig) if t.get_fontsize() * scale < MIN_PT - 1e-6]


def dash(artist: Any) -> tuple[str, ...]:
    """How a line's dash pattern looks, in classes a reader can tell apart in greyscale.

    Each dash is a dot (at most 1.5 line widths), a dash (up to 7) or a long dash, and each gap
    tight (up to 2.5) or wide; the cycle is rotated to a canonical start. Patterns that differ
    only in their exact lengths (``:`` and ``(0, (1, 1))``) look alike and get the same class.
    Matplotlib keeps the pattern as given in ``_unscaled_dash_pattern``.
    """
    _, seq = artist._unscaled_dash_pattern
    if not seq:
        return ("solid",)
    pairs = [("dot" if on <= 1.5 else "dash" if on <= 7 else "long", "tight" if off <= 2.5 else "wide")
             for on, off in zip(seq[::2], seq[1::2], strict=False)]
    rotations = [tuple(f"{a}-{b}" for a, b in pairs[i:] + pairs[:i]) for i in range(len(pairs))]
    return min(rotations)


def marker_shape(collection: PathCollection) -> tuple[Any, ...]:
    path = collection.get_paths()[0]
    return tuple(tuple(round(float(v), 3) for v in vertex) for vertex in path.vertices)


def legend_encodings(fig: Figure) -> list[list[tuple[str, tuple[Any, ...]]]]:
    """For every legend of the figure, each entry's label and its non-colour encoding."""
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]
    out = []
    for legend in legends:
        entries = []
        for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
            if isinstance(handle, Line2D):
                code: tuple[Any, ...] = ("line", dash(handle) if handle.get_linestyle() not in ("None", "")
                                         else None, str(handle.get_marker()),
                                         handle.get_markerfacecolor() == "white")
            elif isinstance(handle, PathCollection):
                code = ("marker", marker_shape(handle), _is_hollow(handle))
            elif isinstance(handle, Rectangle):
                code = ("patch", handle.get_hatch() or "", round(handle.get_alpha() or 1.0, 2), dash(handle))
            else:
                code = (type(handle).__name__,)
            entries.append((text.get_text(), code))
        out.append(entries)
    return out


def _is_hollow(collection: PathCollection) -> bool:
    face = collection.get_facecolor()
    return len(face) > 0 and tuple(face[0][:3]) == (1.0, 1.0, 1.0)


# -- real figures ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("module_id", "name"), CASES)
def test_every_text_lies_inside_the_figure(module_id: str, name: str) -> None:
    fig = drawn(module_id, name).figure
    assert texts_outside(fig) == [], f"{module_id} {name}: text cut at the figure edge"


@pytest.mark.parametrize(("module_id", "name"), CASES)
def test_prints_at_its_own_size_with_no_text_under_7_pt(module_id: str, name: str) -> None:
    out = drawn(module_id, name)
    fig = out.figure
    assert fig.get_figwidth() <= A4_TEXT_WIDTH_IN, "wider than the A4 text width: it would be shrunk on paper"
    html = out._repr_mimebundle_()[0]["text/html"]
    width = int(re.search(r'<img [^>]*width="(\d+)"', html).group(1))
    assert width == round(fig.get_figwidth() * 96), "the page shows the figure at its print size (96 px/in)"
    assert small_texts(fig) == []


@pytest.mark.parametrize(("module_id", "name"), CASES)
def test_keys_tell_entries_apart_without_colour(module_id: str, name: str) -> None:
    fig = drawn(module_id, name).figure
    for entries in legend_encodings(fig):
        codes = [code for _, code in entries]
        assert len(set(codes)) == len(codes), f"{module_id} {name}: two key entries look alike in greyscale: {entries}"
    for ax in fig.axes:
        lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1 and ln.get_visible()]
        patterns = [dash(ln) for ln in lines]
        assert len(set(patterns)) == len(patterns), f"{name}: two lines share a dash pattern"
        # Markers: one shape per colour (hollow and filled markers of one series share theirs).
        shape_of: dict[tuple[float, ...], set[tuple[Any, ...]]] = {}
        for coll in ax.collections:
            if isinstance(coll, PathCollection) and len(coll.get_offsets()) and coll.get_visible():
                colour = coll.get_edgecolor()[0] if _is_hollow(coll) else coll.get_facecolor()[0]
                shape_of.setdefault(tuple(round(float(c), 3) for c in colour[:3]), set()).add(marker_shape(coll))
        shapes = [s for group in shape_of.values() for s in group]
        assert len(set(shapes)) == len(shapes), f"{name}: two colours share a marker shape"
        hatches = [c.patches[0].get_hatch() or "" for c in ax.containers
                   if isinstance(c, BarContainer) and c.patches]
        assert len(set(hatches)) == len(hatches), f"{name}: two bar series share a hatch"
        arrows: dict[tuple[float, ...], set[tuple[Any, ...]]] = {}
        for patch in ax.patches:
            if isinstance(patch, FancyArrowPatch):
                arrows.setdefault(tuple(round(float(c), 3) for c in patch.get_edgecolor()[:3]), set()).add(dash(patch))
        styles = [next(iter(s)) for s in arrows.values()]
        assert all(len(s) == 1 for s in arrows.values()) and len(set(styles)) == len(styles), \
            f"{name}: relation types must each have their own dash pattern"


DATA_CASES = [(m, n) for m, n in CASES if dataset_of(m, n) is not None]


@pytest.mark.parametrize(("module_id", "name"), DATA_CASES)
def test_data_chart_rules(module_id: str, name: str) -> None:
    dataset = dataset_of(module_id, name)
    assert dataset is not None
    prov = dataset.provenance
    chosen = [c for c in prov.series if name == f"data-{dataset.name}-{c}"] or list(prov.series)
    check_data_chart(drawn(module_id, name).figure, prov, dataset.frame(), chosen)


def test_every_module_draws_figures() -> None:
    for module_id in COURSE.modules:
        names = [n for m, n in CASES if m == module_id]
        assert any(n.startswith("data-") for n in names), f"{module_id} charts no data set"
        assert "timeline" in names and "relations" in names


# -- the data-chart oracle -------------------------------------------------------------------------
def units_of(prov: DatasetProvenance) -> dict[str, str]:
    return {c.name: c.unit or prov.unit for c in prov.columns}


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if not math.isnan(v)]


def _cells(frame: Any, col: str) -> list[float]:
    out = []
    for v in frame[col]:
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            out.append(math.nan)
    return out


def series_on(ax: Axes, prov: DatasetProvenance, frame: Any) -> dict[str, str]:
    """Which data-set columns an axes draws, recognised by their values; -> column: how drawn."""
    found: dict[str, str] = {}
    columns = {c: _finite(_cells(frame, c)) for c in prov.series}

    def match(values: list[float], how: str) -> None:
        values = [round(v, 6) for v in values]
        if not values:
            return
        for col, data in columns.items():
            if values and set(values) <= {round(v, 6) for v in data}:
                found.setdefault(col, how)
                return

    for line in ax.get_lines():
        if line.get_visible() and len(line.get_xdata()) > 1:
            match(_finite([float(y) for y in line.get_ydata()]), "line")
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and len(coll.get_offsets()):
            offsets = coll.get_offsets()
            ys, xs = [float(o[1]) for o in offsets], [float(o[0]) for o in offsets]
            before = len(found)
            match(ys, "dots")
            if len(found) == before:
                match(xs, "dots-across")
    for container in ax.containers:
        if isinstance(container, BarContainer):
            bars = [b for b in container.patches if b.get_visible()]
            heights = [b.get_height() for b in bars]
            widths = [b.get_width() for b in bars]
            horizontal = container.orientation == "horizontal"
            match(widths if horizontal else heights, "bars-across" if horizontal else "bars")
    return found


def check_data_chart(fig: Figure, prov: DatasetProvenance, frame: Any, chosen: list[str] | None = None) -> None:
    units = units_of(prov)
    row_unit = "unit" in frame.columns and any(c.name == "unit" and c.type == "str" for c in prov.columns)
    drawn_anywhere: set[str] = set()
    for ax in fig.axes:
        on = series_on(ax, prov, frame)
        if not on:
            continue
        drawn_anywhere |= set(on)
        across = any(how.endswith("across") for how in on.values())
        axis_label = (ax.get_xlabel() if across else ax.get_ylabel()).replace("\n", " ")
        if row_unit:
            continue  # checked below, by rows
        ax_units = {units[c] for c in on}
        assert len(ax_units) == 1, f"{prov.title}: one axes mixes units {ax_units}"
        assert axis_label == next(iter(ax_units)), \
            f"{prov.title}: the value axis says {axis_label!r}, its series are in {ax_units}"
        if any(how.startswith("bars") for how in on.values()):
            lo = ax.get_xlim()[0] if across else ax.get_ylim()[0]
            assert lo == 0, f"{prov.title}: a bar axis starts at {lo}, not at zero"
        lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1]
        if len([c for c, how in on.items() if how == "line"]) > 1:
            assert ax.get_legend() is None, f"{prov.title}: several lines take a legend; label their ends"
            for ln in lines:
                xs = [float(x) for x, y in zip(ln.get_xdata(), ln.get_ydata(), strict=True) if not math.isnan(y)]
                labelled = [a for a in ax.texts if isinstance(a, Annotation) and abs(a.xy[0] - xs[-1]) < 1e-9]
                assert labelled, f"{prov.title}: a line has no label at its end"
        check_gaps(ax, prov, frame, on)
    if row_unit:
        for ax in fig.axes:
            on = series_on(ax, prov, frame)
            if on:
                across = any(how.endswith("across") for how in on.values())
                shown = [t.get_text() for t in (ax.get_yticklabels() if across else ax.get_xticklabels())]
                rows = [i for i, name in enumerate(frame[prov.x]) if any(name.startswith(s.split("\n")[0])
                                                                       for s in shown if s)]
                label = (ax.get_xlabel() if across else ax.get_ylabel()).replace("\n", " ")
                assert {frame["unit"][i] for i in rows} == {label}, \
                    f"{prov.title}: rows in different units share an axes labelled {label!r}"
    expected = set(chosen if chosen is not None else prov.series)
    assert drawn_anywhere == expected, f"{prov.title}: series drawn {drawn_anywhere}, expected {expected}"


def check_gaps(ax: Axes, prov: DatasetProvenance, frame: Any, on: dict[str, str]) -> None:
    x_type = next(c.type for c in prov.columns if c.name == prov.x)
    xs_raw = list(frame[prov.x])
    yearish = x_type == "int" or all(re.fullmatch(r"\d{4}", str(v)) for v in xs_raw if v == v)
    if not yearish:
        return
    years = [int(float(v)) for v in xs_raw if v == v]
    present = set(years)
    missing = {y for y in range(min(years), max(years) + 1) if y not in present}
    empty_rows = {int(float(x)) for i, x in enumerate(xs_raw)
                  if x == x and all(math.isnan(_cells(frame, c)[i]) for c in prov.series)}
    notes = [t for t in ax.texts if t.get_text() == NO_DATA]
    for year in sorted(missing | empty_rows):
        assert any(abs(float(t.get_position()[0]) - year) < 0.01 for t in notes), \
            f"{prov.title}: {year} has no data but the chart does not say so"
    for col, how in on.items():
        if how != "line":
            continue
        values = dict(zip(years, _cells(frame, col), strict=False))
        gaps = missing | {y for y, v in values.items() if math.isnan(v)}
        for line in ax.get_lines():
            pts = list(zip(line.get_xdata(), line.get_ydata(), strict=True))
            for (x0, y0), (x1, y1) in pairwise(pts):
                if not (math.isnan(y0) or math.isnan(y1)):
                    crossed = [g for g in gaps if float(x0) < g < float(x1)]
                    assert not crossed, f"{prov.title}: the {col} line is drawn across {crossed}"


# -- synthetic data sets: mixed units, gaps on both kinds of year axis, long titles, many series -----
LONG_TITLE = ("A deliberately long chart title that goes on and on about the provenance of these figures, "
              "the agencies that published them and the years they cover, 1990-2030")


def synthetic(tmp_path: Path, name: str, csv: str, **prov: Any) -> Module:
    base = COURSE.module("afghanistan-2018")
    (tmp_path / f"{name}.csv").write_text(csv, encoding="utf-8")
    record = DatasetProvenance.model_validate({"sources": [next(iter(base.sources))], **prov})
    return dataclasses.replace(base, datasets={name: Dataset(name, tmp_path / f"{name}.csv", record)})


SYNTHETIC: dict[str, tuple[str, dict[str, Any]]] = {
    "mixed-units-line": (
        "year,area,output,price,confidence\n2001,10,5,1.5,H\n2002,12,,1.6,H\n2004,15,7,1.9,M\n"
        "2005,,,,H\n2006,18,9,2.2,H\n",
        {"title": LONG_TITLE, "unit": "hectares", "chart": "line", "x": "year",
         "series": ["area", "output", "price"], "confidence_column": "confidence",
         "columns": [{"name": "year", "type": "int"}, {"name": "area", "type": "int", "unit": "ha", "required": False},
                     {"name": "output", "type": "int", "unit": "t", "required": False},
                     {"name": "price", "type": "float", "unit": "US$ per kg", "required": False},
                     {"name": "confidence", "type": "str"}]}),
    "mixed-units-bars-years": (
        "year,area,output\n2010,100,5\n2011,120,6\n2014,90,\n2015,,\n2016,80,4\n",
        {"title": "Bars over years, with a missing year and an empty row", "unit": "ha", "chart": "bar",
         "x": "year", "series": ["area", "output"],
         "columns": [{"name": "year", "type": "int"}, {"name": "area", "type": "int", "required": False},
                     {"name": "output", "type": "int", "unit": "t", "required": False}]}),
    "text-years-bars": (
        "year,count\n2016,4\n2017,6\n2019,5\n2020,\n",
        {"title": "Years written as text on a bar chart", "unit": "meetings", "chart": "bar", "x": "year",
         "series": ["count"], "columns": [{"name": "year", "type": "str"},
                                          {"name": "count", "type": "int", "required": False}]}),
    "long-categories": (
        "name,share,seats\nA party with a very long official name (and an acronym),41.5,40\n"
        "Another electoral bloc whose name wraps over lines,30.1,\nShort,9.9,7\n",
        {"title": LONG_TITLE, "unit": "%", "chart": "bar", "x": "name", "series": ["share", "seats"],
         "columns": [{"name": "name", "type": "str"}, {"name": "share", "type": "float"},
                     {"name": "seats", "type": "int", "unit": "seats", "required": False}]}),
    "many-series": (
        "year," + ",".join(f"s{i}" for i in range(8)) + "\n"
        + "".join(f"{2000 + y}," + ",".join(str(10 * i + y + (3 if i % 2 else 0)) for i in range(8)) + "\n"
                  for y in range(6)),
        {"title": "Eight series in one unit", "unit": "persons", "chart": "line", "x": "year",
         "series": [f"s{i}" for i in range(8)],
         "columns": [{"name": "year", "type": "int"}, *({"name": f"s{i}", "type": "int",
                                                         "description": f"Series number {i} of eight"}
                                                        for i in range(8))]}),
    "row-units": (
        "indicator,value,unit\nTroops announced,2500,troops\nTroops at withdrawal,2000,troops\n"
        "Sites guarded,14,sites\nDeaths,225,persons\n",
        {"title": "One row per figure, each with its own unit", "unit": "mixed", "chart": "bar",
         "x": "indicator", "series": ["value"],
         "columns": [{"name": "indicator", "type": "str"}, {"name": "value", "type": "int"},
                     {"name": "unit", "type": "str"}]}),
    "dated-labels": (
        "date,milestone,kind\n2000-05-27," + "A very long milestone description that has to fit somewhere " * 2
        + ",treaty\n2001,Short one,doctrine\n2020-06,Another milestone,treaty\n2024-11-19,Last,doctrine\n",
        {"title": LONG_TITLE, "unit": "dated milestones", "chart": "dot", "x": "date", "label": "milestone",
         "columns": [{"name": "date", "type": "date"}, {"name": "milestone", "type": "str"},
                     {"name": "kind", "type": "str"}]}),
}


@pytest.mark.parametrize("case", sorted(SYNTHETIC))
def test_synthetic_data_sets_follow_the_rules(tmp_path: Path, case: str) -> None:
    from seminarkit.render.explorers.evidence import plot_dataset

    csv, prov = SYNTHETIC[case]
    module = synthetic(tmp_path, case, csv, **prov)
    dataset = module.datasets[case]
    out = plot_dataset(module, case)
    fig = out.figure
    assert texts_outside(fig) == []
    assert small_texts(fig) == []
    check_data_chart(fig, dataset.provenance, dataset.frame())
    for entries in legend_encodings(fig):
        codes = [c for _, c in entries]
        assert len(set(codes)) == len(codes)


def test_mixed_units_get_one_panel_each_sharing_the_year_axis(tmp_path: Path) -> None:
    from seminarkit.render.explorers.evidence import plot_dataset

    csv, prov = SYNTHETIC["mixed-units-line"]
    fig = plot_dataset(synthetic(tmp_path, "m", csv, **prov), "m").figure
    labelled = [ax for ax in fig.axes if ax.get_ylabel()]
    assert sorted(ax.get_ylabel() for ax in labelled) == ["US$ per kg", "ha", "t"]
    xlims = {ax.get_xlim() for ax in labelled}
    assert len(xlims) == 1, "the panels share one x axis"


def test_a_row_with_no_values_and_a_missing_year_are_both_gaps_on_the_bar_axis(tmp_path: Path) -> None:
    from seminarkit.render.explorers.evidence import plot_dataset

    csv, prov = SYNTHETIC["text-years-bars"]
    fig = plot_dataset(synthetic(tmp_path, "t", csv, **prov), "t").figure
    (ax,) = [a for a in fig.axes if a.containers]
    notes = sorted(round(float(t.get_position()[0])) for t in ax.texts if t.get_text() == NO_DATA)
    assert notes == [2018, 2020]
    lo, hi = ax.get_xlim()
    assert lo < 2016 and hi > 2020 and ax.get_ylim()[0] == 0


def test_timeline_labels_never_overlap_and_stay_inside_the_axes() -> None:
    for module_id in COURSE.modules:
        fig = drawn(module_id, "timeline").figure
        renderer = fig.canvas.get_renderer()
        (ax,) = fig.axes
        box = ax.get_window_extent(renderer)
        labels = [a.get_window_extent(renderer) for a in ax.texts if isinstance(a, Annotation)]
        assert labels
        for i, one in enumerate(labels):
            assert box.x0 - 1 <= one.x0 and one.x1 <= box.x1 + 1, f"{module_id}: a label leaves the axes"
            for other in labels[:i]:
                assert not one.overlaps(other), f"{module_id}: two timeline labels overlap"
