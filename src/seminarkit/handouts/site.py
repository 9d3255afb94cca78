"""The two course sites: ``build/student/index.html`` and ``build/instructor/index.html``.

Each edition's handouts live in that edition's own folder, and its index links only them,
with links relative to the folder: ``build/student/`` can be copied to a web server as it
is and never links outside itself. Every page of a private edition (the instructor site)
says so in a banner and asks search engines not to index it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from seminarkit.editions import Edition

if TYPE_CHECKING:
    from seminarkit.content.materials import Course
    from seminarkit.handouts.build import ManifestRecord

e = html.escape
INDEX = "index.html"
SITE_FORMATS = ("html", "pdf", "slides")  # what an index links; executed notebooks stay private

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
h1 { color: #0b2f52; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
th, td { border: 1px solid #bbb; padding: .3rem .5rem; text-align: left; }
a { color: #0b4f8a; text-decoration: underline; }
"""


def site_files(manifest: Mapping[str, ManifestRecord], edition: Edition) -> dict[str, str]:
    """Every file the build produced for ``edition``'s site, as {path relative to the site: job key}.

    The index itself is included (as ``index.html``).
    """
    files = {INDEX: ""}
    prefix = f"{edition.site}/"
    for key, record in manifest.items():
        for rel in record.get("outputs", {}).values():
            if rel.startswith(prefix):
                files[rel[len(prefix):]] = key
    files.update({rel: "" for rel in site_assets(manifest, edition)})
    return files


def site_assets(manifest: Mapping[str, ManifestRecord], edition: Edition) -> dict[str, Path]:
    """Files the site holds beside its handouts (reveal.js for decks): site-relative path -> source.

    A format's assets belong to a site when any handout of that format is in it.
    """
    from seminarkit.handouts.formats import FORMATS

    prefix = f"{edition.site}/"
    assets: dict[str, Path] = {}
    for fmt in FORMATS.values():
        if fmt.assets is not None and any(rel.startswith(prefix) for record in manifest.values()
                                          for name, rel in record.get("outputs", {}).items() if name == fmt.name):
            assets.update(fmt.assets())
    return assets


def _links(record: ManifestRecord, site_dir: Path, edition: Edition) -> list[str]:
    links = []
    for fmt, rel in sorted(record.get("outputs", {}).items()):
        path = PurePosixPath(rel)
        if fmt not in SITE_FORMATS or path.parts[0] != edition.site or not (site_dir.parent / rel).is_file():
            continue
        href = str(path.relative_to(edition.site))
        links.append(f'<a href="{e(href)}">{fmt.upper()}</a>')
    return links


def render_index(course: Course, manifest: Mapping[str, ManifestRecord], site_dir: Path, edition: Edition) -> str:
    """HTML for one edition's site index (``site_dir``); lists only that edition's handouts whose files exist."""
    title = f"{course.spec.title} — {edition.label}"
    head = f'<meta charset="utf-8"><title>{e(title)}</title><style>{_CSS}</style>'
    banner = ""
    if edition.private:
        from seminarkit.handouts.export import private_banner

        head += '<meta name="robots" content="noindex, nofollow">'
        banner = private_banner(" The student site, which may be published, is the folder "
                                "student/ beside this one.")
    parts = [f'<!DOCTYPE html><html lang="en"><head>{head}</head><body>{banner}<main>'
             f"<h1>{e(course.spec.title)}</h1><p><b>{e(edition.label)}</b></p>"]
    if course.spec.subtitle:
        parts.append(f"<p>{e(course.spec.subtitle)}</p>")
    titles = {n.id: n.title for n in course.spec.notebooks}
    for entry in course.spec.modules:
        module = course.modules.get(entry.id)
        if module is None:
            continue
        rows = []
        for nb in entry.notebooks:
            record = manifest.get(f"{entry.id}/{edition.name}/{nb}")
            links = _links(record, site_dir, edition) if record else []
            if links:
                rows.append(f"<tr><td>{e(titles.get(nb, nb))}</td><td>{' · '.join(links)}</td></tr>")
        if rows:
            parts.append(f"<section><h2>{e(module.meta.short_title)}</h2><p><i>{e(module.meta.title)}</i></p>"
                         f"<table><tr><th>Handout</th><th>Formats</th></tr>{''.join(rows)}</table></section>")
    parts.append("</main></body></html>\n")
    return "".join(parts)


def published_listing(folder: Path) -> tuple[Path, dict[str, str] | None]:
    """Return the folder to scan for ``folder`` and what a build step produced there (None: unknown).

    A build folder (``manifest.json`` beside ``student/``) or its ``student/`` site is checked
    against the build's manifest; a student kit against its own listing; any other folder is
    read for content only.
    """
    from seminarkit.editions import STUDENT

    for build_dir, site in ((folder, folder / STUDENT.site), (folder.parent, folder)):
        if site.name == STUDENT.site and site.is_dir() and (build_dir / "manifest.json").is_file():
            from seminarkit.handouts.build import read_manifest

            return site, site_files(read_manifest(build_dir), STUDENT)
    from seminarkit.content.paths import KIT_LISTING
    from seminarkit.studentkit import read_listing

    if (folder / KIT_LISTING).is_file():
        return folder, {rel: "student kit" for rel in read_listing(folder)}
    return folder, None
