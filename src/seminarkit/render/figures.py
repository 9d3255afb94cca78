"""Figure conventions: a colourblind-safe palette, greyscale-safe markers, alt text, display.

Every figure the kit draws goes through :func:`figure_output`, which renders it to PNG with
its alt text stored in the image (PNG ``Description``) and shown as a caption line, and
returns a display bundle whose HTML form carries ``alt`` on the ``<img>``.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
)
# Marker shapes and line styles keep series apart when printed in greyscale.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES: tuple[Any, ...] = ("-", "--", ":", "-.", (0, (5, 1)), (0, (1, 1)), (0, (3, 1, 1, 1)), "-")
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "oo", "--", "++")


def style(index: int) -> dict[str, Any]:
    """Colour, marker, line style and hatch for the ``index``-th series."""
    i = index % len(PALETTE)
    return {"color": PALETTE[i], "marker": MARKERS[i], "linestyle": LINESTYLES[i], "hatch": HATCHES[i]}


def new_figure(width: float = 9.0, height: float = 4.5) -> tuple[Figure, Axes]:
    """Create a matplotlib figure and axes with the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def png_bytes(fig: Figure, alt: str, title: str) -> bytes:
    """Render ``fig`` to PNG with alt text and title in the PNG metadata (deterministic)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100,
                metadata={"Title": title, "Description": alt, "Software": None})
    return buffer.getvalue()


def figure_html(png: bytes, alt: str, caption: str) -> str:
    """Build an HTML ``<figure>`` with the PNG inline, ``alt`` set, and the caption below it."""
    data = base64.b64encode(png).decode("ascii")
    return (
        '<figure class="seminarkit-figure">'
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'
        f"<figcaption>{html.escape(caption)}<br><span class=\"seminarkit-alt\">"
        f"Figure description: {html.escape(alt)}</span></figcaption></figure>"
    )


class FigureOutput:
    """A rendered figure that Jupyter displays as HTML (with alt) and also as plain PNG."""

    def __init__(self, fig: Figure, *, alt: str, title: str, caption: str = ""):
        self.alt, self.title, self.caption = alt, title, caption
        self.png = png_bytes(fig, alt, title)

    def _repr_mimebundle_(self, include: object = None,
                          exclude: object = None) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        data = {
            "text/html": figure_html(self.png, self.alt, self.caption),
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/plain": f"<Figure: {self.title}>",
        }
        return data, {"image/png": {"alt": self.alt}}


def figure_output(fig: Figure, *, alt: str, title: str, caption: str = "") -> FigureOutput:
    """Wrap a finished figure for display."""
    return FigureOutput(fig, alt=alt, title=title, caption=caption)


def join_names(names: Sequence[str], limit: int = 6) -> str:
    """Join names as ``a, b and c`` (with ``and N more`` past ``limit``), for alt texts."""
    items = list(names)
    if len(items) > limit:
        items = [*items[:limit], f"{len(names) - limit} more"]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
