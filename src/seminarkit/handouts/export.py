"""export_handout: the only place nbconvert (and weasyprint) is called.

An executed notebook becomes a self-contained HTML handout with the kit's template (course
header, module and edition badges, print CSS; no scripts or anything from the network; no
input code unless a cell is tagged ``show-input``), and a PDF is printed from that HTML.

The PDF is tagged (weasyprint's PDF/UA-1 variant: a structure tree, the document language and
title from the HTML, figures with their alt text), has bookmarks from the headings, page
numbers and a running header naming the module and the edition, and keeps each figure on
the page of its caption.
"""

from __future__ import annotations

import copy
import html
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from seminarkit.editions import PRIVATE_NOTICE, STUDENT, Edition
from seminarkit.fileio import import_nbformat
from seminarkit.handouts.transforms import Notebook
from seminarkit.markers import (
    TAG_INJECTED_PARAMETERS,
    TAG_PARAMETERS,
    TAG_REMOVE_INPUT,
    TAG_SHOW_INPUT,
)

TEMPLATES = Path(__file__).parent / "templates"
CSS_FILE = TEMPLATES / "handout" / "handout.css"


def template_files() -> list[Path]:
    """Every file of the handout template (part of the build cache key)."""
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file())


if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from weasyprint.text.fonts import FontConfiguration

    from seminarkit.handouts.formats import Handout


@lru_cache(maxsize=1)
def _exporter() -> HTMLExporter:
    import_nbformat()
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="handout", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input_prompt=True, exclude_output_prompt=True)
    remover = TagRemovePreprocessor(remove_input_tags={TAG_REMOVE_INPUT},
                                    remove_cell_tags={TAG_PARAMETERS, TAG_INJECTED_PARAMETERS})
    exporter.register_preprocessor(remover, enabled=True)
    return exporter


def warm_up() -> None:
    """Compile the template and load weasyprint once (pool workers call this at start)."""
    nbformat = import_nbformat()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("warm-up")])
    export_pdf(export_html(nb, title="warm-up", course="", module="", edition=STUDENT, footer=""))


def _hide_inputs(nb: Notebook) -> Notebook:
    new = copy.deepcopy(nb)
    for cell in new["cells"]:
        tags = cell["metadata"].setdefault("tags", [])
        if cell["cell_type"] == "code" and TAG_SHOW_INPUT not in tags and TAG_REMOVE_INPUT not in tags:
            tags.append(TAG_REMOVE_INPUT)
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
    new["metadata"].pop("papermill", None)
    return new


def export_html(nb: Notebook, *, title: str, course: str, module: str, edition: Edition, footer: str) -> str:
    """Render an executed notebook as a self-contained HTML handout."""
    resources = {
        "metadata": {"name": title},
        "seminarkit": {"course": course, "module": module, "edition": edition.name, "edition_label": edition.label,
                       "footer": footer, "css": handout_css()},
    }
    node = import_nbformat().from_dict(_hide_inputs(nb))
    body, _ = _exporter().from_notebook_node(node, resources=resources)
    # Each view output carries the views' stylesheet for JupyterLab; the handout has it once.
    page = _VIEW_STYLE.sub("", str(body))
    return mark_private(page) if edition.private else page


def markdown_html(source: str) -> str:
    """Render a markdown cell's source as HTML, as the handout does (nbconvert's mistune renderer)."""
    import_nbformat()
    from nbconvert.filters import markdown2html_mistune

    return str(markdown2html_mistune(source))


def export_slides(handout: Handout) -> str:
    """Render a handout's executed notebook as a reveal.js deck (see :mod:`seminarkit.handouts.deck`)."""
    from seminarkit.handouts.deck import render_deck

    return render_deck(handout)


def handout_css() -> str:
    """Return the handout's stylesheet: the template's own, then the views' (tables, glossary)."""
    from seminarkit.render.views import view_css

    return CSS_FILE.read_text(encoding="utf-8") + "\n" + view_css()


_VIEW_STYLE = re.compile(r"<style data-seminarkit-views=\"1\">.*?</style>", re.S)
_BODY = re.compile(r"<body\b[^>]*>", re.I)
PRIVATE_CLASS = "seminarkit-private"
_ROBOTS = '<meta name="robots" content="noindex, nofollow">'


def private_banner(extra: str = "") -> str:
    """Return the banner every page of a private edition carries (inline style: no template change).

    An ``<aside>`` with a label: a landmark of its own, so assistive technology lists it and no
    page content sits outside landmarks (axe's ``region`` rule).
    """
    return (f'<aside class="{PRIVATE_CLASS}" aria-label="Private edition" style="border:2px solid #8a1c00;'
            f'background:#fff0ea;color:#5a1200;padding:.4rem .7rem;margin:.6rem 0;font-weight:bold">'
            f"{html.escape(PRIVATE_NOTICE)}{extra}</aside>")


def mark_private(page: str) -> str:
    """Mark a page private: a ``noindex`` robots tag in the head and the banner atop the body."""
    page = page.replace("</head>", f"{_ROBOTS}</head>", 1)
    match = _BODY.search(page)
    at = match.end() if match else 0
    return page[:at] + private_banner() + page[at:]


_STYLE = re.compile(r"<style\b(?![^>]*id=\"seminarkit-css\")[^>]*>.*?</style>", re.S | re.I)
PRINT_CSS = """
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.35; }
h1 { font-size: 17pt; } h2 { font-size: 14pt; } h3 { font-size: 12pt; } h4 { font-size: 11pt; }
pre, code { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; white-space: pre-wrap; }
table { border-collapse: collapse; } th, td { vertical-align: top; }
a.anchor-link { display: none; }
"""


def print_html(page: str, *, private: bool = False) -> str:
    """Return the handout HTML for printing: JupyterLab's screen stylesheets replaced by a lean one.

    The lab CSS is ~300 KB of selectors for widgets and the notebook UI that a handout does
    not use; cascading it dominates PDF time (seconds per page) without changing the page.
    ``private`` adds the private notice as a running header on every printed page.
    """
    lean = _STYLE.sub("", page)
    css = PRINT_CSS
    if private:
        notice = PRIVATE_NOTICE.replace("\\", "\\\\").replace('"', '\\"')
        css += f'@page {{ @top-center {{ content: "{notice}"; font-size: 8pt; color: #8a1c00; }} }}\n'
    return lean.replace("</head>", f'<style type="text/css">{css}</style></head>', 1)


PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF for assistive technology (structure tree, language, title shown in the window)."""

# Weasyprint's image cache, shared by the PDFs one process prints. Keys are the images' data:
# URIs (their full content) and digests of them, so only identical images share an entry: the
# student and instructor editions, or a chart shown in two notebooks, are decoded and
# re-encoded once. Bounded: emptied when it grows past _IMAGE_CACHE_LIMIT entries.
_IMAGE_CACHE: dict[str, object] = {}
_IMAGE_CACHE_LIMIT = 96


@lru_cache(maxsize=1)
def _fonts() -> FontConfiguration:
    """Return the process's one font configuration, shared by every PDF it prints.

    The handouts load no web fonts, so every PDF can share the same set-up instead of building
    its own (about 5% of a PDF's time).
    """
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def drop_caches() -> None:
    """Forget the images kept between PDFs (a worker over its memory bound calls this)."""
    _IMAGE_CACHE.clear()


def export_pdf(page: str, *, private: bool = False) -> bytes:
    """Print handout HTML to a tagged A4 PDF (weasyprint, in-process): see the module docstring.

    ``private`` (instructor editions) prints the private notice at the top of every page.
    """
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from weasyprint import HTML

    if len(_IMAGE_CACHE) > _IMAGE_CACHE_LIMIT:
        _IMAGE_CACHE.clear()
    document = HTML(string=print_html(page, private=private), base_url=None)
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT, cache=_IMAGE_CACHE, font_config=_fonts()))
