"""The course site: ``build/index.html`` linking every handout, grouped by module and edition."""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from seminarkit.editions import EDITIONS

if TYPE_CHECKING:
    from seminarkit.content.materials import Course
    from seminarkit.handouts.build import ManifestRecord

e = html.escape

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
h1 { color: #0b2f52; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
th, td { border: 1px solid #bbb; padding: .3rem .5rem; text-align: left; }
a { color: #0b4f8a; }
"""


def render_index(course: Course, manifest: Mapping[str, ManifestRecord], out_dir: Path) -> str:
    """HTML for the site index; lists only handouts whose files exist."""
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{e(course.spec.title)}"
             f"</title><style>{_CSS}</style></head><body><main><h1>{e(course.spec.title)}</h1>"]
    if course.spec.subtitle:
        parts.append(f"<p>{e(course.spec.subtitle)}</p>")
    titles = {n.id: n.title for n in course.spec.notebooks}
    for entry in course.spec.modules:
        module = course.modules.get(entry.id)
        if module is None:
            continue
        sections = []
        for edition in EDITIONS:
            rows = []
            for nb in entry.notebooks:
                record = manifest.get(f"{entry.id}/{edition.name}/{nb}")
                if not record:
                    continue
                outputs = sorted(record.get("outputs", {}).items())
                links = [f'<a href="{e(rel)}">{fmt.upper()}</a>' for fmt, rel in outputs
                         if fmt in {"html", "pdf"} and (out_dir / rel).is_file()]
                if links:
                    rows.append(f"<tr><td>{e(titles.get(nb, nb))}</td><td>{' · '.join(links)}</td></tr>")
            if rows:
                sections.append(f"<h3>{e(edition.label)}</h3><table><tr><th>Handout</th>"
                                f"<th>Formats</th></tr>{''.join(rows)}</table>")
        if sections:
            parts.append(f"<section><h2>{e(module.meta.short_title)}</h2><p><i>{e(module.meta.title)}</i></p>"
                         + "".join(sections) + "</section>")
    parts.append("</main></body></html>\n")
    return "".join(parts)
