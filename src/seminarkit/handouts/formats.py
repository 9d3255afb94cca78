"""Output formats as a registry: each declares what it needs and how it writes.

A build job executes its notebook once, then asks every chosen format to render a
:class:`Handout` (the executed notebook plus its titles and edition). A format that needs the
handout HTML reads ``handout.html``, which is rendered once per job and shared (PDF prints
it). Adding a format means adding one :class:`OutputFormat` to :data:`FORMATS`; nothing else
in the build branches on format names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
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


def _html(handout: Handout) -> bytes:
    return handout.html.encode("utf-8")


def _pdf(handout: Handout) -> bytes:
    from seminarkit.handouts.export import export_pdf

    return export_pdf(handout.html, private=handout.edition.private)


FORMATS: dict[str, OutputFormat] = {
    fmt.name: fmt
    for fmt in (
        OutputFormat("html", "html", "self-contained HTML handout", "html", _html),
        OutputFormat("pdf", "pdf", "tagged A4 PDF printed from the HTML handout", "html", _pdf),
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
