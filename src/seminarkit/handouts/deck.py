"""reveal.js decks: the page around the slides, and the reveal.js files copied beside the decks.

reveal.js comes from the npm registry at install time, pinned in ``slides/package-lock.json``
(``make slides-assets`` runs ``npm ci --prefix slides``); ``$SEMINARKIT_REVEAL`` may point at
another reveal.js package folder. A build copies the few files a deck uses (:data:`ASSETS`)
into ``<site>/_reveal/``, and every deck links them relatively, so a deck opens from
``file://`` with no network: figures are data URIs, the theme embeds its fonts.

Speaker notes are ``<aside class="notes">`` in each slide (instructor decks only); reveal.js's
notes plugin opens the speaker view on ``S``.
"""

from __future__ import annotations

import html
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from seminarkit.errors import SeminarkitError
from seminarkit.fileio import write_atomic

if TYPE_CHECKING:
    from seminarkit.content.materials import Module
    from seminarkit.handouts.formats import Handout
    from seminarkit.handouts.slides import Slide

e = html.escape
ASSETS_DIR = "_reveal"  # beside the module folders of a site
INSTALL_HINT = "install it with `make slides-assets` (runs npm ci --prefix slides in the kit's folder)"
# reveal.js package path -> path under _reveal/: only what a deck uses.
ASSETS: dict[str, str] = {
    "dist/reset.css": "reset.css",
    "dist/reveal.css": "reveal.css",
    "dist/theme/white.css": "theme/white.css",
    "dist/reveal.js": "reveal.js",
    "dist/plugin/notes.js": "plugin/notes.js",
    "LICENSE": "LICENSE",
}
REVEAL_OPTIONS = "hash: true, slideNumber: 'c/t', transition: 'fade', plugins: [RevealNotes]"
DECK_CSS = """
.reveal .slides section { text-align: left; font-size: 0.62em; }
.reveal .slides section.sk-title { text-align: center; }
.reveal h1, .reveal h2 { text-transform: none; }
.reveal h1 { font-size: 2.1em; } .reveal h2 { font-size: 1.4em; margin-bottom: .5em; }
.reveal .slides section ul, .reveal .slides section ol { display: block; margin-left: 1.2em; }
.reveal p.seminarkit-thesis { font-size: 1.35em; line-height: 1.35; }
.reveal figure.seminarkit-figure { margin: 0; width: 100%; }
.reveal figure.seminarkit-figure img { width: 100%; height: auto; max-height: 540px; object-fit: contain;
  margin: 0; max-width: 100% !important; }
.reveal figure.seminarkit-figure figcaption { font-size: .55em; line-height: 1.25; }
.reveal .seminarkit-alt { display: none; }
.reveal ul.seminarkit-options { list-style: none; margin-left: .4em; }
.reveal .seminarkit-provenance, .reveal .seminarkit-cite, .reveal small { font-size: .75em; color: #555; }
.reveal table { font-size: .8em; }
.reveal .seminarkit-private { font-size: .6em; }
.reveal .slide-number { background-color: #333; color: #fff; }
"""


class RevealMissing(SeminarkitError):
    """reveal.js is not installed where the build looks for it."""


def reveal_dir() -> Path:
    """Return the reveal.js package folder: ``$SEMINARKIT_REVEAL``, else ``slides/node_modules/reveal.js``."""
    env = os.environ.get("SEMINARKIT_REVEAL")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "slides" / "package.json").is_file():
            return parent / "slides" / "node_modules" / "reveal.js"
    return here.parents[3] / "slides" / "node_modules" / "reveal.js"


def require_reveal() -> Path:
    """Return the reveal.js folder; raise one line naming the install command when a file is missing."""
    folder = reveal_dir()
    missing = [rel for rel in ASSETS if not (folder / rel).is_file()]
    if missing:
        raise RevealMissing(f"reveal.js is not installed ({folder / missing[0]} is missing): {INSTALL_HINT}, "
                            "then build the slides again")
    return folder


def asset_sources() -> dict[str, Path]:
    """Return the files a site with decks holds, by path relative to the site (``_reveal/...``), and their sources.

    The paths are fixed (the leak gate expects exactly these); the sources may not be installed.
    """
    folder = reveal_dir()
    return {f"{ASSETS_DIR}/{target}": folder / rel for rel, target in ASSETS.items()}


def copy_assets(site: Path, assets: dict[str, Path]) -> None:
    """Copy ``assets`` (site-relative path -> file) into ``site``, rewriting only files that changed."""
    for rel, source in assets.items():
        data = source.read_bytes()
        path = site / rel
        if not path.is_file() or path.read_bytes() != data:
            write_atomic(path, data)


@lru_cache(maxsize=4)
def _module(materials_dir: str, module_id: str, digest: str) -> Module:
    del digest  # part of the cache key only
    from seminarkit.content.materials import load_course

    return load_course(Path(materials_dir)).module(module_id)


def timing_notes(handout: Handout) -> str:
    """Return the session plans' activities that use this notebook, with their clock times (instructors)."""
    params = handout.executed.get("metadata", {}).get("papermill", {}).get("parameters", {})
    materials, module_id = params.get("materials_dir"), params.get("module")
    notebook = handout.notebook
    if not (isinstance(materials, str) and isinstance(module_id, str) and notebook):
        return ""
    from seminarkit.render.notebook import materials_digest
    from seminarkit.render.views import prose

    module = _module(materials, module_id, materials_digest(Path(materials)))
    rows = []
    for plan in module.meta.session_plans:
        clock = 0
        for act in plan.activities:
            if act.notebook == notebook:
                note = f" <i>{prose(module, act.notes)}</i>" if act.notes else ""
                rows.append(f"<li><b>{e(plan.title)}</b>, minutes {clock}–{clock + act.minutes} "
                            f"({act.minutes} min): <b>{e(act.title)}</b>. {prose(module, act.description)}{note}</li>")
            clock += act.minutes
    if not rows:
        return ""
    return f'<div class="seminarkit-timing"><p><b>Timing (session plan)</b></p><ul>{"".join(rows)}</ul></div>'


def _section(slide: Slide, notes: bool) -> str:
    heading = f"<h1>{e(slide.title)}</h1>" if slide.kind == "title" else f"<h2>{e(slide.title)}</h2>"
    aside = f'<aside class="notes">{"".join(slide.notes)}</aside>' if notes and slide.notes else ""
    body = "".join(slide.body)
    return (f'<section class="sk-{slide.kind}" data-slide-kind="{slide.kind}">{heading}'
            f'<div class="seminarkit-view">{body}</div>{aside}</section>')


def render_deck(handout: Handout) -> str:
    """Render a handout's executed notebook as a reveal.js deck (one HTML page)."""
    from seminarkit.handouts.export import private_banner
    from seminarkit.handouts.slides import split
    from seminarkit.render.views import view_css

    instructor = handout.edition.instructor_material
    slides = split(handout.executed, handout.title, notes=instructor)
    title = slides[0]
    title.body.insert(0, f"<p><b>{e(handout.course_title)}</b></p>")
    if instructor:
        timing = timing_notes(handout)
        if timing:
            title.notes.insert(0, timing)
    if handout.edition.private:  # on the title slide: a banner above the deck would break its layout
        title.body.insert(0, private_banner())
    sections = "\n".join(_section(slide, instructor) for slide in slides)
    up = "../" + ASSETS_DIR
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">'
            f"<title>{e(handout.title)} — slides</title>"
            f'<link rel="stylesheet" href="{up}/reset.css"><link rel="stylesheet" href="{up}/reveal.css">'
            f'<link rel="stylesheet" href="{up}/theme/white.css">'
            f"<style>{view_css()}{DECK_CSS}</style></head>"
            f'<body><div class="reveal"><div class="slides">\n{sections}\n</div></div>'
            f'<script src="{up}/reveal.js"></script><script src="{up}/plugin/notes.js"></script>'
            f"<script>Reveal.initialize({{{REVEAL_OPTIONS}}});</script>"
            f"</body></html>\n")
    if handout.edition.private:
        page = page.replace("</head>", '<meta name="robots" content="noindex, nofollow"></head>', 1)
    return page
