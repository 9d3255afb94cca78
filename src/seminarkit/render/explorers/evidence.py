"""Evidence explorer: pick a data set and its series; the chart (see ``datachart``) and its provenance."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from seminarkit.render.explorers.datachart import plot_dataset as plot_dataset  # the chart the explorer shows
from seminarkit.render.figures import FigureOutput
from seminarkit.render.views import prose

if TYPE_CHECKING:
    from ipywidgets import VBox

    from seminarkit.content.materials import Module


def provenance_html(module: Module, name: str) -> str:
    """Provenance under a chart: title, unit, notes, confidence legend and source links."""
    prov = module.datasets[name].provenance
    e = html.escape
    links = ", ".join(
        f'<a href="{e(module.sources[s].url, quote=True)}">{e(module.sources[s].title)}</a> '
        f"({e(module.sources[s].publisher)})" for s in prov.sources if s in module.sources)
    notes = f"<br><i>Notes:</i> {prose(module, prov.notes)}" if prov.notes else ""
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
