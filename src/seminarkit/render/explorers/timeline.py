"""Timeline explorer: events on a time axis, coloured by category, labels that never overlap."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seminarkit.content.schema.timeline import Event, TimelineFile
from seminarkit.render.figures import (
    LABEL_PT,
    NOTE_PT,
    PAGE_FIGURE_MAX_IN,
    PRINT_WIDTH_IN,
    TICK_PT,
    FigureOutput,
    figure_output,
    join_names,
    key_below,
    key_columns,
    new_figure,
    set_title,
    style,
    text_width_pt,
    wrap_to_width,
)

if TYPE_CHECKING:
    from ipywidgets import VBox
    from matplotlib.axes import Axes

    from seminarkit.content.materials import Module
    from seminarkit.render.views import Html

LANE_IN = 0.2
"""Vertical distance between two label lanes (7.5 pt text with room to breathe)."""
MIN_LANE_IN = 0.12
"""The closest lanes may be when a timeline is long: 8.6 pt, single-spaced 7.5 pt labels."""
_FRAME_IN = 1.0  # title, axis, ticks and margins
_GAP_PT = 6.0  # marker to label, and between two labels in a lane
_SLACK_PT = 4.0  # measuring and rendering text differ by a point or two
AXES_WIDTH_PT = (PRINT_WIDTH_IN - 0.3) * 72
"""Width of a full-width axes without y tick labels (constrained layout keeps small margins)."""


def filter_events(
    timeline: TimelineFile,
    *,
    start: int | None = None,
    end: int | None = None,
    categories: Iterable[str] | None = None,
    actors: Iterable[str] | None = None,
) -> list[Event]:
    """Events within ``start..end`` (years, inclusive), in the categories, involving any actor."""
    cats = set(categories) if categories else None
    who = set(actors) if actors else None
    chosen = [
        e for e in timeline.events
        if (start is None or e.date.year >= start)
        and (end is None or e.date.year <= end)
        and (cats is None or e.category in cats)
        and (who is None or who & set(e.actors))
    ]
    return sorted(chosen, key=lambda e: (e.date, e.id))


def assign_lanes(positions: Sequence[float], widths: Sequence[float], gap: float = 0.1) -> list[int]:
    """Place intervals ``[start, start + width]`` in lanes so that no two in a lane overlap.

    Intervals are taken by start; each goes to the lowest lane whose last interval ends at
    least ``gap`` before it starts (the fewest lanes possible). Returns lanes in input order.
    """
    lane_end: list[float] = []
    lanes = [0] * len(positions)
    for index in sorted(range(len(positions)), key=lambda i: positions[i]):
        x, width = positions[index], widths[index]
        for lane, last in enumerate(lane_end):
            if x >= last + gap:
                lane_end[lane] = x + width
                lanes[index] = lane
                break
        else:
            lane_end.append(x + width)
            lanes[index] = len(lane_end) - 1
    return lanes


@dataclass(frozen=True)
class LabelPlan:
    """Where the labels of dated points go: x limits, a lane and a side per label, the texts."""

    x_lo: float
    x_hi: float
    lanes: list[int]
    right: list[bool]
    texts: list[str]

    @property
    def lane_count(self) -> int:
        """How many lanes the labels need."""
        return max(self.lanes, default=0) + 1


def plan_labels(xs: Sequence[float], texts: Sequence[str], *, axes_width_pt: float,
                size: float = NOTE_PT, max_rows: int | None = None) -> LabelPlan:
    """Lay out one label per point: right of its marker where it fits, else left; then lanes.

    Points are ``xs`` in time order. When they fit in ``max_rows`` rows, each gets its own row
    in time order (a timeline read top to bottom); otherwise labels share lanes (the fewest).
    Widths are measured in the font, so labels in a lane never overlap and none leaves the
    axes; a label wider than the room on both sides is wrapped to the wider side.
    """
    if not xs:
        return LabelPlan(0.0, 1.0, [], [], [])
    lo, hi = min(xs), max(xs)
    pad = max((hi - lo) * 0.015, 0.02)
    x_lo, x_hi = lo - pad, hi + pad
    per_pt = (x_hi - x_lo) / axes_width_pt
    starts, widths, right, shown = [], [], [], []
    for x, text in zip(xs, texts, strict=True):
        room_right, room_left = (x_hi - x) / per_pt, (x - x_lo) / per_pt
        width = text_width_pt(text, size) + _GAP_PT + _SLACK_PT
        if width > max(room_right, room_left):
            text = wrap_to_width(text, max(room_right, room_left) - _GAP_PT - _SLACK_PT, size)
            width = text_width_pt(text, size) + _GAP_PT + _SLACK_PT
        prefer_right = x <= (x_lo + x_hi) / 2
        fits_right, fits_left = width <= room_right, width <= room_left
        goes_right = fits_right if fits_right != fits_left else prefer_right
        starts.append(x if goes_right else x - width * per_pt)
        widths.append(width * per_pt)
        right.append(goes_right)
        shown.append(text)
    if max_rows is None or len(xs) <= max_rows:
        order = sorted(range(len(xs)), key=lambda i: xs[i])
        lanes = [0] * len(xs)
        for row, index in enumerate(order):
            lanes[index] = row
    else:
        lanes = assign_lanes(starts, widths, gap=_GAP_PT * per_pt)
    return LabelPlan(x_lo, x_hi, lanes, right, shown)


def label_points(ax: Axes, xs: Sequence[float], plan: LabelPlan) -> None:
    """Write the planned labels beside their markers (lane 0 at the top)."""
    for x, lane, right, text in zip(xs, plan.lanes, plan.right, plan.texts, strict=True):
        note = ax.annotate(text, (x, lane), xytext=(_GAP_PT - 1 if right else 1 - _GAP_PT, 0),
                           textcoords="offset points", va="center", ha="left" if right else "right",
                           fontsize=NOTE_PT, annotation_clip=False)
        note.set_in_layout(False)  # planned to fit inside the axes; the layout need not make room
    ax.set_yticks([])
    ax.set_ylim(plan.lane_count - 0.4, -0.6)
    ax.set_xlim(plan.x_lo, plan.x_hi)
    time_axis(ax, plan.x_lo, plan.x_hi)


def time_axis(ax: Axes, lo: float, hi: float) -> None:
    """Tick a decimal-year axis with whole years, or with months when it spans little time."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    if hi - lo <= 1.6:
        months = [y + m / 12 for y in range(int(lo), int(hi) + 1) for m in range(12)
                  if lo <= y + m / 12 <= hi]
        step = max(1, -(-len(months) // 8))
        ticks = months[::step]
        first = ticks[0] if ticks else None

        def month(value: float, _: int | None = None) -> str:
            year, index = divmod(round(value * 12), 12)
            name = calendar.month_abbr[index + 1]
            return f"{name} {year}" if index == 0 or value == first else name

        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(month))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=9, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    ax.tick_params(axis="x", labelsize=TICK_PT)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)


def plot_timeline(timeline: TimelineFile, events: Sequence[Event], *, title: str,
                  caption: str | None = None) -> FigureOutput:
    """Draw ``events`` on a time axis, every event labelled; return the figure with alt text."""
    cats = [c.id for c in timeline.categories]
    labels = {c.id: c.label for c in timeline.categories}
    xs = [e.date.as_float() for e in events]
    used = [c for c in cats if any(e.category == c for e in events)]
    frame = _FRAME_IN + 0.2 * -(-len(used) // key_columns([labels[c] for c in used]))
    plan = plan_labels(xs, [e.title for e in events], axes_width_pt=AXES_WIDTH_PT,
                       max_rows=int((PAGE_FIGURE_MAX_IN - frame) / MIN_LANE_IN))
    fig, (ax,) = new_figure(frame + LANE_IN * plan.lane_count)
    handles = []
    for cat_index, cat in enumerate(cats):
        members = [i for i, e in enumerate(events) if e.category == cat]
        if not members:
            continue
        s = style(cat_index)
        handles.append(ax.scatter([xs[i] for i in members], [plan.lanes[i] for i in members], color=s["color"],
                                  marker=s["marker"], s=30, zorder=3, label=labels[cat], edgecolors="black",
                                  linewidths=0.5))
    label_points(ax, xs, plan)
    ax.set_xlabel("Year", fontsize=LABEL_PT)
    set_title(fig, title)
    if handles:
        key_below(fig, handles)
    first = events[0].date.display() if events else ""
    last = events[-1].date.display() if events else ""
    shown = join_names(sorted({labels[e.category] for e in events}))
    alt = (f"Timeline of {len(events)} events from {first} to {last}, one marker per event, "
           f"coloured and shaped by category ({shown}), each labelled with its title."
           if events else "Empty timeline: no event matches the chosen filters.")
    return figure_output(fig, alt=alt, title=title, caption=caption or f"{title} ({len(events)} events)")


def timeline_view(module: Module, *, start: int | None = None, end: int | None = None,
                  categories: Iterable[str] | None = None,
                  actors: Iterable[str] | None = None, caption: str | None = None) -> FigureOutput:
    """Draw the timeline figure of a module for the given filters."""
    if module.timeline is None:
        raise ValueError(f"module {module.id!r} has no timeline")
    events = filter_events(module.timeline, start=start, end=end, categories=categories, actors=actors)
    span = f"{start or events[0].date.year if events else ''}–{end or ''}".strip("–")
    return plot_timeline(module.timeline, events, title=f"{module.meta.short_title}: timeline {span}",
                         caption=caption)


def timeline_explorer(module: Module, *, interactive: bool = True) -> FigureOutput | VBox:
    """Build controls for years, categories and actors above the timeline figure.

    The years are two labelled drop-downs (first and last year): unlike a range slider's
    handles, they have accessible names, so screen readers can use them. With
    ``interactive=False`` returns the default view as a static figure.
    """
    timeline = module.need_timeline()
    years = [e.date.year for e in timeline.events]
    lo, hi = min(years), max(years)
    if not interactive:
        return timeline_view(module, start=lo, end=hi)
    import ipywidgets as w
    from IPython.display import display

    first = w.Dropdown(options=list(range(lo, hi + 1)), value=lo, description="From year")
    last = w.Dropdown(options=list(range(lo, hi + 1)), value=hi, description="To year")
    cats = w.SelectMultiple(options=[(c.label, c.id) for c in timeline.categories],
                            value=[c.id for c in timeline.categories], description="Categories", rows=6)
    names = {a.id: a.name for a in (module.actors.actors if module.actors else [])}
    used = sorted({a for e in timeline.events for a in e.actors}, key=lambda a: names.get(a, a))
    who = w.SelectMultiple(options=[(names.get(a, a), a) for a in used], value=[],
                           description="Actors", rows=6)
    hint = w.HTML("<small>Actors: select none to show every actor; Ctrl/Cmd-click to pick several.</small>")

    def draw(start: int, end: int, categories: tuple[str, ...], actors: tuple[str, ...]) -> None:
        start, end = min(start, end), max(start, end)
        display(timeline_view(module, start=start, end=end, categories=categories, actors=actors or None))

    out = w.interactive_output(draw, {"start": first, "end": last, "categories": cats, "actors": who})
    out.add_class("seminarkit-explorer-output")
    years_box = w.HBox([first, last])
    years_box.add_class("seminarkit-years")
    box = w.VBox([years_box, w.HBox([cats, who]), hint, out])
    box.add_class("seminarkit-timeline-explorer")
    return box


def event_table(module: Module) -> Html:
    """Every event as a table row, for reading and print: a narrow date, a category, a wide event.

    The event cell holds the title, the text and a line with the actors and the sources, so the
    table keeps three columns and reads as a chronology on screen and on an A4 page.
    """
    import html

    from seminarkit.render.views import Column, Html, cite, prose, table

    e = html.escape
    timeline = module.need_timeline()
    labels = {c.id: c.label for c in timeline.categories}
    names = {a.id: a.name for a in (module.actors.actors if module.actors else [])}
    rows = []
    for ev in sorted(timeline.events, key=lambda x: (x.date, x.id)):
        conf = " <i>(medium confidence)</i>" if ev.confidence == "M" else ""
        who = ", ".join(e(names.get(a, a)) for a in ev.actors)
        meta = "; ".join(part for part in (f"<i>Actors:</i> {who}" if who else "",
                                           f"<i>Sources:</i> {cite(module, ev.sources)}") if part)
        rows.append((e(ev.date.display()), e(labels.get(ev.category, ev.category)),
                     f"<b>{e(ev.title)}</b><br>{prose(module, ev.text)}{conf}"
                     f'<span class="sk-meta">{meta}</span>'))
    columns = (Column("Date", "date"), Column("Category", width="narrow"), Column("Event", width="wide"))
    return Html(table("events", columns, rows))
