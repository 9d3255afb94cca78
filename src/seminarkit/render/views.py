"""HTML views of module content for notebooks and handouts (no widgets, no scripts).

Each function takes an *edition-filtered* module (see :mod:`seminarkit.editions`) and returns
an :class:`Html` object that Jupyter displays. Instructor-only parts appear only when the
module still holds them, i.e. in the instructor edition.

Every piece of prose from the materials goes through :func:`prose`, the one place where
materials text becomes HTML. Tables are built by :func:`table` (text left-aligned, numbers
right-aligned, widths from content) and every view ships the small stylesheet ``views.css``,
which works inside JupyterLab's output area as well as in the handout and on paper.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from seminarkit.content.schema.module import PROVENANCE_LABELS
from seminarkit.content.xrefs import thesis_numbers

if TYPE_CHECKING:
    from seminarkit.content.materials import Module
    from seminarkit.content.schema.course import NotebookEntry
    from seminarkit.content.schema.module import Block

NOT_RECORDED = "not recorded"
e = html.escape


CSS_FILE = Path(__file__).with_name("views.css")
STYLE_MARK = "data-seminarkit-views"


@lru_cache(maxsize=1)
def view_css() -> str:
    """Return the views' stylesheet (``views.css``, comments and spacing dropped).

    Every view output carries it, so it is kept small; the handout prints it once.
    """
    text = re.sub(r"/\*.*?\*/", "", CSS_FILE.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s*([{};:,>])\s*", r"\1", re.sub(r"\s+", " ", text)).strip()


class Html:
    """A fragment of HTML that Jupyter renders (``_repr_html_``) with the views' stylesheet.

    ``str()`` gives the bare fragment (for composing views); the notebook display wraps it in
    ``<div class="seminarkit-view">`` after a ``<style>`` element marked with
    :data:`STYLE_MARK`, which the handout export drops (the handout carries the sheet once).
    """

    def __init__(self, body: str):
        self.body = body

    def _repr_html_(self) -> str:
        return f'<style {STYLE_MARK}="1">{view_css()}</style><div class="seminarkit-view">{self.body}</div>'

    def __str__(self) -> str:
        return self.body


def prose(module: Module, text: str) -> str:
    """Render one piece of student-visible prose from the materials as HTML.

    Every summary, thesis, question, definition, event text, brief... passes through here.
    Cross-references such as ``[[thesis:t5]]`` were already replaced by their labels
    ("Thesis 5") when the module was loaded (content/xrefs.resolve), so this only escapes.
    ``module`` is the module the text belongs to (kept so views share one signature).
    """
    del module
    return html.escape(text)


Align = Literal["text", "num", "date", "key"]
Width = Literal["auto", "narrow", "medium", "wide"]


@dataclass(frozen=True)
class Column:
    """A table column: its heading, how its cells align (text left, numbers right) and its width.

    ``date`` and ``key`` columns take the width of their content and do not wrap; ``wide``
    columns get the rest (event text, descriptions).
    """

    heading: str
    align: Align = "text"
    width: Width = "auto"

    @property
    def classes(self) -> str:
        """CSS classes of the column's cells."""
        names = [f"sk-{self.align}"] + ([f"sk-{self.width}"] if self.width != "auto" else [])
        return " ".join(names)


def table(kind: str, columns: Sequence[Column], rows: Iterable[Sequence[str]], *, caption: str = "") -> str:
    """Build an HTML table: a header row, then ``rows`` of cell HTML (already escaped).

    ``kind`` names the table (``seminarkit-<kind>`` class) for styling and tests.
    """
    head = "".join(f'<th scope="col" class="{c.classes}">{e(c.heading)}</th>' for c in columns)
    body = "".join("<tr>" + "".join(f'<td class="{c.classes}">{cell}</td>'
                                    for c, cell in zip(columns, row, strict=True)) + "</tr>" for row in rows)
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    return (f'<table class="seminarkit-table seminarkit-{kind}">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def cite(module: Module, ids: Iterable[str]) -> str:
    """Inline source links ``[publisher]`` for source ids."""
    out = []
    for sid in ids:
        src = module.sources.get(sid)
        if src is not None:
            out.append(f'<a class="seminarkit-cite" href="{e(src.url, quote=True)}" '
                       f'title="{e(src.title, quote=True)}">[{e(src.publisher)}]</a>')
    return " ".join(out)


def _ul(items: Iterable[str], cls: str = "") -> str:
    body = "".join(f"<li>{i}</li>" for i in items)
    return f'<ul class="{cls}">{body}</ul>' if cls else f"<ul>{body}</ul>"


def instructor_box(title: str, body: str) -> str:
    """Wrap text in a visibly marked instructor-only box."""
    return (f'<div class="seminarkit-instructor"><p><b>For instructors — {e(title)}</b></p>{body}</div>')


def bib_card(module: Module) -> Html:
    """Render the bibliographic card; unknown fields say 'not recorded'."""
    rec = module.meta.record
    authors = "; ".join(e(a.name) + (f" ({e(a.affiliation)})" if a.affiliation else "")
                        for a in rec.authors) or NOT_RECORDED
    rows = [
        ("Title", e(rec.title)),
        ("Author(s)", authors),
        ("Series", e(" No. ".join(x for x in (rec.series, rec.number) if x)) or NOT_RECORDED),
        ("Publisher", e(rec.publisher)),
        ("Date", e(rec.date.display()) if rec.date else NOT_RECORDED),
        ("ISBN", e(rec.isbn) if rec.isbn else NOT_RECORDED),
        ("Read it at", f'<a href="{e(rec.url, quote=True)}">{e(rec.url)}</a>' if rec.url else NOT_RECORDED),
    ]
    body = "".join(f'<tr><th scope="row" class="sk-key">{k}</th><td class="sk-text sk-wide">{v}</td></tr>'
                   for k, v in rows)
    return Html(f'<table class="seminarkit-table seminarkit-bib"><tbody>{body}</tbody></table>'
                f"<p><b>Suggested citation:</b> {prose(module, module.meta.citation)}</p>"
                f"<p><small>Record sources: {cite(module, rec.sources)}</small></p>")


def summary(module: Module) -> Html:
    """Summary and what the module is based on."""
    return Html(f"<p>{prose(module, module.meta.summary)}</p>"
                f'<p class="seminarkit-note"><b>What this module is based on.</b> '
                f"{prose(module, module.meta.based_on)}</p>")


def objectives(module: Module) -> Html:
    """Learning objectives as a numbered list."""
    items = "".join(f"<li>{prose(module, o.text)}</li>" for o in module.meta.objectives)
    return Html(f"<ol class=\"seminarkit-objectives\">{items}</ol>" if items else
                "<p>No learning objectives recorded yet.</p>")


def reading_advice(module: Module, notebooks: Iterable[NotebookEntry]) -> Html:
    """How to read the analysis alongside the kit, with the notebooks that apply."""
    url = module.meta.record.url
    link = f'<a href="{e(url, quote=True)}">the publisher\'s page</a>' if url else "the publisher's page"
    nbs = "".join(f"<li><b>{e(n.title)}</b> — {e(n.description)}</li>" for n in notebooks)
    return Html(
        f"<p>Get the analysis itself from {link}; the kit does not redistribute it. Read it with the "
        "reading guide of each block in the walkthrough open beside it, note where the text supports "
        "or qualifies each thesis, and bring page references to the discussion.</p>"
        f"<p>The notebooks for this module:</p><ul>{nbs}</ul>")


PLAN_COLUMNS = (Column("Time", "num"), Column("Activity", width="medium"), Column("What happens", width="wide"))


def session_plan(module: Module, minutes: int) -> Html:
    """Render the timed session plan of the given length (instructor edition)."""
    plans = [p for p in module.meta.session_plans if p.minutes == minutes]
    if not plans:
        return Html(f"<p>No {minutes}-minute plan is recorded for this module.</p>")
    parts = []
    for plan in plans:
        clock = 0
        rows = []
        for act in plan.activities:
            note = f'<span class="sk-meta"><i>{prose(module, act.notes)}</i></span>' if act.notes else ""
            nb = f" <code>{e(act.notebook)}</code>" if act.notebook else ""
            rows.append((f"{clock}–{clock + act.minutes}′", f"<b>{e(act.title)}</b>{nb}",
                         f"{prose(module, act.description)}{note}"))
            clock += act.minutes
        parts.append(f"<h3>{e(plan.title)} ({plan.minutes} minutes)</h3>" + table("plan", PLAN_COLUMNS, rows))
    for seq in module.meta.sequences:
        names = {p.id: p.title for p in module.meta.session_plans}
        parts.append(f"<p><b>{e(seq.title)}:</b> " + " → ".join(e(names.get(s, s)) for s in seq.sessions) + "</p>")
    return Html("".join(parts))


def block(module: Module, blk: Block) -> Html:
    """One argument block: theses with provenance, reading guide, discussion, facilitation."""
    numbers = thesis_numbers(module)
    theses = _ul((f"<b>Thesis {numbers[t.id]}.</b> {prose(module, t.text)} "
                  f"<span class=\"seminarkit-provenance\">— from "
                  f"{e(PROVENANCE_LABELS[t.provenance])}"
                  f"{', medium confidence' if t.confidence == 'M' else ''}</span> {cite(module, t.sources)}"
                  for t in blk.theses), "seminarkit-theses")
    parts = [f"<p>{prose(module, blk.summary)}</p><p><b>Theses</b></p>{theses}"]
    if blk.reading_guide:
        parts.append("<p><b>Reading guide</b> — read the report with these questions:</p>"
                     + _ul(prose(module, q) for q in blk.reading_guide))
    if blk.discussion:
        parts.append("<p><b>Discussion</b></p>" + _ul(prose(module, d.question) for d in blk.discussion))
    extra = []
    if blk.facilitation:
        extra.append(f"<p>{prose(module, blk.facilitation)}</p>")
    for d in blk.discussion:
        if d.notes or d.model_answer:
            extra.append(f"<p><i>{prose(module, d.question)}</i><br>"
                         + (f"Notes: {prose(module, d.notes)}<br>" if d.notes else "")
                         + (f"Model answer: {prose(module, d.model_answer)}" if d.model_answer else "") + "</p>")
    if extra:
        parts.append(instructor_box("facilitation notes and model answers", "".join(extra)))
    return Html("".join(parts))


def developments(module: Module) -> Html:
    """'After the report': developments, the thesis each tests, and a prompt."""
    theses = {t.id: t.text for b in module.meta.blocks for t in b.theses}
    numbers = thesis_numbers(module)
    rows = []
    for dev in sorted(module.meta.after_report, key=lambda d: d.date):
        assess = (instructor_box("assessment", f"<p>{prose(module, dev.assessment)}</p>")
                  if dev.assessment else "")
        tested = (f"Thesis {numbers[dev.tests]} — {prose(module, theses[dev.tests])}"
                  if dev.tests in theses else e(dev.tests))
        rows.append(f"<li><b>{e(dev.date.display())} — {e(dev.title)}.</b> {prose(module, dev.text)} "
                    f"{cite(module, dev.sources)}"
                    f"<br><i>Tests the thesis:</i> {tested}"
                    f"<br><i>Discuss:</i> {prose(module, dev.prompt)}{assess}</li>")
    return Html(f'<ul class="seminarkit-developments">{"".join(rows)}</ul>' if rows else
                "<p>No later developments recorded for this module.</p>")


def glossary(module: Module) -> Html:
    """Key terms as a definition list: one row per term, the term beside its definition.

    Each term and its definition are grouped in their own ``<div>`` (valid inside ``<dl>``),
    so a term that wraps onto several lines can never push later terms out of line.
    """
    if module.glossary is None:
        return Html("<p>No glossary for this module.</p>")
    items = "".join(f"<div><dt>{e(t.term)}</dt><dd>{prose(module, t.definition)} {cite(module, t.sources)}</dd></div>"
                    for t in sorted(module.glossary.terms, key=lambda t: t.term.lower()))
    return Html(f'<dl class="seminarkit-glossary">{items}</dl>')


def sources(module: Module) -> Html:
    """Render the module's bibliography."""
    items = []
    for src in sorted(module.sources.values(), key=lambda s: (s.publisher.lower(), s.title.lower())):
        who = f"{e(src.author)}, " if src.author else ""
        when = f" ({e(src.date.display())})" if src.date else ""
        items.append(f'{who}<i>{e(src.title)}</i>, {e(src.publisher)}{when}. '
                     f'<a href="{e(src.url, quote=True)}">{e(src.url)}</a>')
    return Html(_ul(items, "seminarkit-sources"))


def links(module: Module, titles: dict[str, str]) -> Html:
    """Links from this module to others through shared themes."""
    if not module.meta.links:
        return Html("")
    return Html("<p><b>Links to other modules</b></p>" + _ul(
        f"<i>{e(titles.get(link.module, link.module))}</i> — {e(link.theme)}: {prose(module, link.text)}"
        for link in module.meta.links))
