"""Output formats as a registry: each declares what it needs and how it writes.

A build job executes its notebook once, then asks every chosen format to render a
:class:`Handout` (the executed notebook plus its titles and edition). A format that needs the
handout HTML reads ``handout.html``, which is rendered once per job and shared (PDF prints
it). Adding a format means adding one :class:`OutputFormat` to :data:`FORMATS`; nothing else
in the build branches on format names. A format may apply to some notebooks only (slides:
:data:`SLIDE_NOTEBOOKS`); a job of another notebook does not build it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from seminarkit.editions import Edition
from seminarkit.handouts.transforms import Notebook

Need = Literal["notebook", "html"]


@dataclass(frozen=True)
class Handout:
    """What formats render from: one executed notebook, its titles and its edition."""

    executed: Notebook
    title: str
    course_title: str
    module_title: str
    edition: Edition
    footer: str
    notebook: str = ""  # the notebook's id in the course catalogue (slides look up its session-plan timing)

    @cached_property
    def html(self) -> str:
        """The handout as self-contained HTML (rendered on first use, then shared)."""
        from seminarkit.handouts.export import export_html

        return export_html(self.executed, title=self.title, course=self.course_title, module=self.module_title,
                           edition=self.edition, footer=self.footer)


@dataclass(frozen=True)
class OutputFormat:
    """One output format: its name, file suffix, what it needs, and how it writes bytes."""

    name: str
    suffix: str
    description: str
    needs: Need
    render: Callable[[Handout], bytes]
    default: bool = True
    notebooks: frozenset[str] | None = None  # the notebooks it applies to (None: every notebook)
    prepare: Callable[[], object] | None = None  # raises (one line) when the format cannot be built here
    assets: Callable[[], dict[str, Path]] | None = None  # site-relative path -> file, copied into each site

    def ready(self) -> None:
        """Raise before any work when this format cannot be built here (e.g. reveal.js not installed)."""
        if self.prepare is not None:
            self.prepare()

    def applies_to(self, notebook: str) -> bool:
        """Tell whether this format is built for ``notebook`` (a job of another notebook skips it)."""
        return self.notebooks is None or notebook in self.notebooks


def _html(handout: Handout) -> bytes:
    return handout.html.encode("utf-8")


def _pdf(handout: Handout) -> bytes:
    from seminarkit.handouts.export import export_pdf

    return export_pdf(handout.html, private=handout.edition.private)


def _reveal_ready() -> object:
    from seminarkit.handouts.deck import require_reveal

    return require_reveal()


def _reveal_assets() -> dict[str, Path]:
    from seminarkit.handouts.deck import asset_sources

    return asset_sources()


def _slides(handout: Handout) -> bytes:
    from seminarkit.handouts.export import export_slides

    return export_slides(handout).encode("utf-8")


SLIDE_NOTEBOOKS = frozenset({"01-overview", "02-walkthrough", "07-simulation"})
"""The notebooks that make decks: the overview, the argument block by block, the role-play."""

FORMATS: dict[str, OutputFormat] = {
    fmt.name: fmt
    for fmt in (
        OutputFormat("html", "html", "self-contained HTML handout", "html", _html),
        OutputFormat("pdf", "pdf", "tagged A4 PDF printed from the HTML handout", "html", _pdf),
        OutputFormat("slides", "slides.html", "reveal.js deck that opens offline (speaker notes in the "
                     "instructor edition); only for " + ", ".join(sorted(SLIDE_NOTEBOOKS)), "notebook", _slides,
                     default=False, notebooks=SLIDE_NOTEBOOKS, prepare=_reveal_ready, assets=_reveal_assets),
    )
}
DEFAULT_FORMATS: tuple[str, ...] = tuple(name for name, fmt in FORMATS.items() if fmt.default)


def output_format(name: str) -> OutputFormat:
    """Return a registered format by name; an unknown name lists the valid ones."""
    from seminarkit.errors import UnknownChoiceError

    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownChoiceError("format", name, list(FORMATS)) from None
