"""Timeline explorer: events on a time axis, coloured by category, labels that never overlap."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from seminarkit.content.schema.timeline import Event, TimelineFile
from seminarkit.render.figures import FigureOutput, figure_output, join_names, new_figure, style

if TYPE_CHECKING:
    from ipywidgets import VBox

    from seminarkit.content.materials import Module
    from seminarkit.render.views import Html

# Label geometry at the default figure size: 7.5 pt DejaVu Sans averages about 5.2 px a
# character at 100 dpi, and the axes are about 900 px wide. Used to place labels in lanes
# so that no two overlap.
_PX_PER_CHAR = 5.2
_AXES_PX = 900.0
_FONT = 7.5


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
    """Place each label (x, width) in the lowest lane where it does not overlap the previous one."""
    lane_end: list[float] = []
    lanes: list[int] = []
    for x, width in zip(positions, widths, strict=True):
        for index, last in enumerate(lane_end):
            if x >= last + gap:
                lane_end[index] = x + width
                lanes.append(index)
                break
        else:
            lane_end.append(x + width)
            lanes.append(len(lane_end) - 1)
    return lanes


def plot_timeline(timeline: TimelineFile, events: Sequence[Event], *, title: str) -> FigureOutput:
    """Draw ``events`` on a time axis; return the figure with alt text."""
    cats = [c.id for c in timeline.categories]
    labels = {c.id: c.label for c in timeline.categories}
    xs = [e.date.as_float() for e in events]
    span = max((max(xs) - min(xs)) if xs else 1.0, 1.0)
    longest = max((len(e.title) for e in events), default=10)
    # The x range covers the data plus room for the last labels; labels are sized in years
    # by the pixels they take on that range.
    x_range = span / (1 - min(0.6, (longest * _PX_PER_CHAR + 20) / _AXES_PX))
    years_per_px = x_range / _AXES_PX
    widths = [(len(e.title) * _PX_PER_CHAR + 14) * years_per_px for e in events]
    lanes = assign_lanes(xs, widths, gap=6 * years_per_px)
    height = 1.6 + 0.32 * (max(lanes) + 1 if lanes else 1)
    fig, ax = new_figure(10.5, min(height, 14.0))
    for cat_index, cat in enumerate(cats):
        members = [i for i, e in enumerate(events) if e.category == cat]
        if not members:
            continue
        s = style(cat_index)
        ax.scatter([xs[i] for i in members], [lanes[i] for i in members], color=s["color"],
                   marker=s["marker"], s=36, zorder=3, label=labels[cat], edgecolors="black",
                   linewidths=0.5)
    for x, lane, event in zip(xs, lanes, events, strict=True):
        ax.annotate(event.title, (x, lane), xytext=(5, 0), textcoords="offset points",
                    va="center", fontsize=_FONT)
    ax.set_yticks([])
    ax.set_ylim(-0.8, (max(lanes) if lanes else 0) + 0.8)
    if xs:
        ax.set_xlim(min(xs) - 10 * years_per_px, min(xs) + x_range)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_xlabel("Year")
    ax.set_title(title)
    if events:
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.12), ncol=min(len(cats), 6), fontsize=8,
                  frameon=False)
    first = events[0].date.display() if events else ""
    last = events[-1].date.display() if events else ""
    shown = join_names(sorted({labels[e.category] for e in events}))
    alt = (f"Timeline of {len(events)} events from {first} to {last}, one marker per event, "
           f"coloured and shaped by category ({shown}), each labelled with its title."
           if events else "Empty timeline: no event matches the chosen filters.")
    return figure_output(fig, alt=alt, title=title, caption=f"{title} ({len(events)} events)")


def timeline_view(module: Module, *, start: int | None = None, end: int | None = None,
                  categories: Iterable[str] | None = None,
                  actors: Iterable[str] | None = None) -> FigureOutput:
    """Draw the timeline figure of a module for the given filters."""
    if module.timeline is None:
        raise ValueError(f"module {module.id!r} has no timeline")
    events = filter_events(module.timeline, start=start, end=end, categories=categories, actors=actors)
    span = f"{start or events[0].date.year if events else ''}–{end or ''}".strip("–")
    return plot_timeline(module.timeline, events, title=f"{module.meta.short_title}: timeline {span}")


def timeline_explorer(module: Module, *, interactive: bool = True) -> FigureOutput | VBox:
    """Build controls for years, categories and actors above the timeline figure.

    With ``interactive=False`` returns the default view as a static figure.
    """
    timeline = module.need_timeline()
    years = [e.date.year for e in timeline.events]
    lo, hi = min(years), max(years)
    if not interactive:
        return timeline_view(module, start=lo, end=hi)
    import ipywidgets as w
    from IPython.display import display

    span = w.IntRangeSlider(value=(lo, hi), min=lo, max=hi, description="Years",
                            continuous_update=False, layout=w.Layout(width="520px"))
    cats = w.SelectMultiple(options=[(c.label, c.id) for c in timeline.categories],
                            value=[c.id for c in timeline.categories], description="Categories", rows=6)
    names = {a.id: a.name for a in (module.actors.actors if module.actors else [])}
    used = sorted({a for e in timeline.events for a in e.actors}, key=lambda a: names.get(a, a))
    who = w.SelectMultiple(options=[(names.get(a, a), a) for a in used], value=[],
                           description="Actors", rows=6)
    hint = w.HTML("<small>Actors: select none to show every actor; Ctrl/Cmd-click to pick several.</small>")

    def draw(years: tuple[int, int], categories: tuple[str, ...], actors: tuple[str, ...]) -> None:
        display(timeline_view(module, start=years[0], end=years[1], categories=categories,
                              actors=actors or None))

    out = w.interactive_output(draw, {"years": span, "categories": cats, "actors": who})
    out.add_class("seminarkit-explorer-output")
    box = w.VBox([span, w.HBox([cats, who]), hint, out])
    box.add_class("seminarkit-timeline-explorer")
    return box


def event_table(module: Module) -> Html:
    """Every event as a table row (date, category, event, actors, sources), for reading and print."""
    import html

    from seminarkit.render.views import Html, cite

    e = html.escape
    timeline = module.need_timeline()
    labels = {c.id: c.label for c in timeline.categories}
    names = {a.id: a.name for a in (module.actors.actors if module.actors else [])}
    rows = []
    for ev in sorted(timeline.events, key=lambda x: (x.date, x.id)):
        conf = " <i>(medium confidence)</i>" if ev.confidence == "M" else ""
        who = ", ".join(e(names.get(a, a)) for a in ev.actors)
        rows.append(f"<tr><td>{e(ev.date.display())}</td><td>{e(labels.get(ev.category, ev.category))}</td>"
                    f"<td><b>{e(ev.title)}</b><br>{e(ev.text)}{conf}</td><td>{who}</td>"
                    f"<td>{cite(module, ev.sources)}</td></tr>")
    return Html('<table class="seminarkit-events"><tr><th>Date</th><th>Category</th><th>Event</th>'
                f'<th>Actors</th><th>Sources</th></tr>{"".join(rows)}</table>')
