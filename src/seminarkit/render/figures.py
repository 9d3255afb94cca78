"""Figure conventions: print size, fonts, greyscale-safe styles, text that fits, alt text, display.

Every figure is drawn at its print size (at most :data:`PRINT_WIDTH_IN` wide, the A4 text
width less a margin) with no text smaller than :data:`MIN_FONT_PT`, and shown at that size in
the HTML (``<img width>`` in CSS pixels), so the point sizes chosen here are the sizes a
reader gets on paper. Every figure goes through :func:`figure_output`, which renders it to PNG
with its alt text stored in the image (PNG ``Description``), then checks that every visible
text lies inside the figure and wraps (or, failing that, shrinks to the minimum) any that
does not, before rendering again. The display bundle's HTML form carries ``alt`` on the
``<img>`` and the caption below it.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, TypedDict

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

PRINT_WIDTH_IN = 6.8
"""Widest figure: A4 (210 mm) less 2 x 14 mm page margins is 7.17 in; 6.8 in leaves room for
the padding of instructor boxes, so a figure is never scaled down on paper."""
MIN_FONT_PT = 7.0
"""Smallest text at print size."""
PAGE_FIGURE_MAX_IN = 7.2
"""Tallest figure that fits on the first A4 page of a handout, under its header, with its caption."""
DPI = 150
CSS_PX_PER_IN = 96

# Font sizes in points at print size (all >= MIN_FONT_PT).
TITLE_PT = 10.0
LABEL_PT = 8.5
TICK_PT = 8.0
NOTE_PT = 7.5
LEGEND_PT = 8.0

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
)
# Marker shapes, dash patterns and hatches keep series apart in greyscale: each index has its
# own marker, its own dash rhythm (solid, dashed, dotted, dash-dot, dash-dot-dot, long dash,
# dash-dash-dot, sparse dots) and its own hatch, so no two series share all three.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
LineStyle = Literal["-"] | tuple[float, tuple[float, ...]]
DASHES: tuple[LineStyle, ...] = (
    "-", (0, (5.0, 2.0)), (0, (1.0, 1.6)), (0, (6.0, 2.0, 1.0, 2.0)), (0, (6.0, 2.0, 1.0, 2.0, 1.0, 2.0)),
    (0, (11.0, 3.0)), (0, (4.0, 1.5, 4.0, 1.5, 1.0, 1.5)), (0, (1.0, 4.0)),
)
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "oo", "--", "++")


class SeriesStyle(TypedDict):
    """How one series (or relation type, or category) is drawn."""

    color: str
    marker: str
    linestyle: LineStyle
    hatch: str


def style(index: int) -> SeriesStyle:
    """Colour, marker, dash pattern and hatch for the ``index``-th series."""
    i = index % len(PALETTE)
    return {"color": PALETTE[i], "marker": MARKERS[i], "linestyle": DASHES[i], "hatch": HATCHES[i]}


def new_figure(height: float, width: float = PRINT_WIDTH_IN, *, rows: int = 1, cols: int = 1,
               sharex: bool = False, sharey: bool = False,
               height_ratios: Sequence[float] | None = None) -> tuple[Figure, list[Axes]]:
    """Create a figure at print size (Agg canvas, constrained layout) with a grid of axes.

    The figure is never wider than :data:`PRINT_WIDTH_IN` nor taller than
    :data:`PAGE_FIGURE_MAX_IN`; axes are returned row by row.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(min(width, PRINT_WIDTH_IN), min(height, PAGE_FIGURE_MAX_IN)), dpi=DPI,
                 layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.subplots(rows, cols, sharex=sharex, sharey=sharey, squeeze=False,
                        height_ratios=list(height_ratios) if height_ratios else None)
    axes = [ax for row in grid for ax in row]
    for ax in axes:
        ax.tick_params(labelsize=TICK_PT)
    return fig, axes


def text_width_pt(text: str, size: float) -> float:
    """Width in points of ``text`` (its widest line) in the default font at ``size`` points.

    Sums the font's advance widths (kerning ignored: within 1% of Matplotlib's own layout,
    and a few hundred times faster than shaping the string).
    """
    return max((sum(_advance(ch) for ch in line) for line in text.split("\n")), default=0.0) * size


@lru_cache(maxsize=1024)
def _advance(char: str) -> float:
    """Advance width of one character of the default font, per point of font size."""
    from matplotlib.font_manager import FontProperties, findfont, get_font

    font = get_font(findfont(FontProperties()))
    font.set_size(100, 72)
    # linearHoriAdvance is the unhinted advance (16.16 fixed point), whatever the load flags.
    return float(font.load_char(ord(char)).linearHoriAdvance) / 65536 / 100


def wrap_to_width(text: str, width_pt: float, size: float) -> str:
    """Wrap ``text`` at spaces so that no line is wider than ``width_pt`` at ``size`` points.

    A single word wider than the width keeps its own line (it is never cut).
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and text_width_pt(candidate, size) > width_pt:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return "\n".join(lines)


def set_title(fig: Figure, text: str) -> None:
    """Title the figure (a suptitle) wrapped to the figure width."""
    width = fig.get_figwidth() * 72 - 12
    fig.suptitle(wrap_to_width(text, width, TITLE_PT), fontsize=TITLE_PT)


def key_columns(labels: Sequence[str], width_in: float = PRINT_WIDTH_IN) -> int:
    """Return how many columns a key (legend) below the figure can have without leaving it."""
    widest = max((text_width_pt(t, LEGEND_PT) for t in labels), default=0.0)
    column_pt = widest + 3.8 * LEGEND_PT  # handle, padding and column spacing (Matplotlib's defaults)
    return max(1, min(len(labels), int((width_in * 72 - 16) // column_pt)))


def key_below(fig: Figure, handles: Sequence[Artist], *, title: str | None = None) -> None:
    """Put a key (legend) below the axes, in as many columns as fit the figure width."""
    labels = [str(h.get_label()) for h in handles]
    fig.legend(handles=list(handles), labels=labels, loc="outside lower center",
               ncol=key_columns(labels, fig.get_figwidth()), fontsize=LEGEND_PT, frameon=False, title=title,
               title_fontsize=LEGEND_PT)


def label(text: str | None) -> str:
    """Turn a column name into words (``cultivation_ha`` -> ``cultivation ha``)."""
    return (text or "").replace("_", " ").strip()


# -- keeping text inside the figure --------------------------------------------------------------
def visible_texts(fig: Figure) -> list[Text]:
    """Every text artist the figure draws: titles, labels, drawn tick labels, notes, legends."""
    from matplotlib.text import Text

    every_tick, drawn_ticks = _tick_labels(fig)
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
            and (id(t) not in every_tick or id(t) in drawn_ticks)]


def _tick_labels(fig: Figure) -> tuple[set[int], set[int]]:
    """Ids of every tick label object, and of those drawn (tick inside the axis limits)."""
    every: set[int] = set()
    drawn: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in [*axis.majorTicks, *axis.minorTicks]:
                every.update((id(tick.label1), id(tick.label2)))
            lo, hi = sorted(axis.get_view_interval())
            slack = (hi - lo) * 1e-9
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                loc = tick.get_loc()
                if tick.get_visible() and loc is not None and lo - slack <= loc <= hi + slack:
                    drawn.update(id(t) for t in (tick.label1, tick.label2) if t.get_visible())
    return every, drawn


def overflowing_texts(fig: Figure, tolerance_px: float = 0.5) -> list[Text]:
    """Texts whose drawn extent leaves the figure (they would be cut in the PNG)."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    box = fig.bbox
    out = []
    for text in visible_texts(fig):
        ext = text.get_window_extent(renderer)
        if (ext.x0 < box.x0 - tolerance_px or ext.y0 < box.y0 - tolerance_px
                or ext.x1 > box.x1 + tolerance_px or ext.y1 > box.y1 + tolerance_px):
            out.append(text)
    return out


def _refit(fig: Figure, texts: Sequence[Text]) -> None:
    """Wrap each text to the figure width (tick labels to a third of it); shrink if still too wide."""
    every_tick, _ = _tick_labels(fig)
    full = fig.get_figwidth() * 72 - 12
    for text in texts:
        size = float(text.get_fontsize())
        limit = full / 3 if id(text) in every_tick else full
        wrapped = wrap_to_width(text.get_text(), limit, size)
        if wrapped != text.get_text():
            text.set_text(wrapped)
        elif size > MIN_FONT_PT:
            text.set_fontsize(max(MIN_FONT_PT, size * 0.85))


def png_bytes(fig: Figure, alt: str, title: str) -> bytes:
    """Render ``fig`` to an RGB PNG with alt text and title in its metadata (deterministic).

    No alpha channel: the figure is opaque anyway, and an RGBA image costs the PDF printer two
    re-encodings (colour and a separate alpha mask) where RGB costs one.

    One draw of the canvas (which runs the constrained layout, then paints), then its pixels:
    ``savefig`` would draw twice (once with rendering disabled, for the layout, then for real)
    and give the same pixels (checked on every figure of the kit's walkthroughs), a quarter
    slower.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    if fig.dpi != DPI:
        fig.set_dpi(DPI)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.canvas.draw()
    pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]  # backend_agg has no type hints
    image = Image.frombuffer("RGBA", fig.canvas.get_width_height(), pixels, "raw", "RGBA", 0, 1).convert("RGB")
    info = PngInfo()
    info.add_text("Title", title)
    info.add_text("Description", alt)
    buffer = io.BytesIO()
    image.save(buffer, format="png", pnginfo=info, compress_level=3)  # smaller and faster than 6 here
    return buffer.getvalue()


def figure_html(png: bytes, alt: str, caption: str, width_px: int | None = None,
                height_px: int | None = None) -> str:
    """Build an HTML ``<figure>`` with the PNG inline at print size, ``alt`` set, caption below."""
    data = base64.b64encode(png).decode("ascii")
    size = f' width="{width_px}" height="{height_px}"' if width_px and height_px else ""
    return (
        '<figure class="seminarkit-figure">'
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}"{size}'
        ' style="max-width:100%;height:auto">'
        f"<figcaption>{html.escape(caption)}<br><span class=\"seminarkit-alt\">"
        f"Figure description: {html.escape(alt)}</span></figcaption></figure>"
    )


class FigureOutput:
    """A rendered figure that Jupyter displays as HTML (with alt) and also as plain PNG.

    ``figure`` keeps the Matplotlib figure so that tests can check its artists.
    """

    def __init__(self, fig: Figure, *, alt: str, title: str, caption: str = ""):
        self.alt, self.title, self.caption = alt, title, caption
        self.figure = fig
        self.png = png_bytes(fig, alt, title)
        for _ in range(3):  # the layout of the first draw decides what overflows
            cut = overflowing_texts(fig)
            if not cut:
                break
            _refit(fig, cut)
            self.png = png_bytes(fig, alt, title)
        self.width_px = round(fig.get_figwidth() * CSS_PX_PER_IN)
        self.height_px = round(fig.get_figheight() * CSS_PX_PER_IN)

    def _repr_mimebundle_(self, include: object = None,
                          exclude: object = None) -> tuple[dict[str, str], dict[str, dict[str, str | int]]]:
        data = {
            "text/html": figure_html(self.png, self.alt, self.caption, self.width_px, self.height_px),
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/plain": f"<Figure: {self.title}>",
        }
        return data, {"image/png": {"alt": self.alt, "width": self.width_px}}


def figure_output(fig: Figure, *, alt: str, title: str, caption: str = "") -> FigureOutput:
    """Wrap a finished figure for display (text kept inside the figure, see the module doc)."""
    return FigureOutput(fig, alt=alt, title=title, caption=caption)


def join_names(names: Sequence[str], limit: int = 6) -> str:
    """Join names as ``a, b and c`` (with ``and N more`` past ``limit``), for alt texts."""
    items = list(names)
    if len(items) > limit:
        items = [*items[:limit], f"{len(names) - limit} more"]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
