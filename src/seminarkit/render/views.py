"""HTML views of module content for notebooks and handouts (no widgets, no scripts).

Each function takes an *edition-filtered* module (see :mod:`seminarkit.editions`) and returns
an :class:`Html` object that Jupyter displays. Instructor-only parts appear only when the
module still holds them, i.e. in the instructor edition.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING

from seminarkit.content.schema.module import PROVENANCE_LABELS

if TYPE_CHECKING:
    from seminarkit.content.materials import Module
    from seminarkit.content.schema.course import NotebookEntry
    from seminarkit.content.schema.module import Block

NOT_RECORDED = "not recorded"
e = html.escape


class Html:
    """A fragment of HTML that Jupyter renders (``_repr_html_``)."""

    def __init__(self, body: str):
        self.body = body

    def _repr_html_(self) -> str:
        return self.body

    def __str__(self) -> str:
        return self.body


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
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return Html(f'<table class="seminarkit-bib">{table}</table>'
                f"<p><b>Suggested citation:</b> {e(module.meta.citation)}</p>"
                f"<p><small>Record sources: {cite(module, rec.sources)}</small></p>")


def summary(module: Module) -> Html:
    """Summary and what the module is based on."""
    return Html(f"<p>{e(module.meta.summary)}</p>"
                f'<p class="seminarkit-note"><b>What this module is based on.</b> {e(module.meta.based_on)}</p>')


def objectives(module: Module) -> Html:
    """Learning objectives as a numbered list."""
    items = "".join(f"<li>{e(o.text)}</li>" for o in module.meta.objectives)
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
            note = f"<br><i>{e(act.notes)}</i>" if act.notes else ""
            nb = f" <code>{e(act.notebook)}</code>" if act.notebook else ""
            rows.append(f"<tr><td>{clock}–{clock + act.minutes}′</td><td><b>{e(act.title)}</b>{nb}</td>"
                        f"<td>{e(act.description)}{note}</td></tr>")
            clock += act.minutes
        parts.append(f"<h3>{e(plan.title)} ({plan.minutes} minutes)</h3>"
                     f'<table class="seminarkit-plan"><tr><th>Time</th><th>Activity</th><th>What happens</th></tr>'
                     f'{"".join(rows)}</table>')
    for seq in module.meta.sequences:
        names = {p.id: p.title for p in module.meta.session_plans}
        parts.append(f"<p><b>{e(seq.title)}:</b> " + " → ".join(e(names.get(s, s)) for s in seq.sessions) + "</p>")
    return Html("".join(parts))


def block(module: Module, blk: Block) -> Html:
    """One argument block: theses with provenance, reading guide, discussion, facilitation."""
    theses = _ul((f"{e(t.text)} <span class=\"seminarkit-provenance\">— from "
                  f"{e(PROVENANCE_LABELS[t.provenance])}"
                  f"{', medium confidence' if t.confidence == 'M' else ''}</span> {cite(module, t.sources)}"
                  for t in blk.theses), "seminarkit-theses")
    parts = [f"<p>{e(blk.summary)}</p><p><b>Theses</b></p>{theses}"]
    if blk.reading_guide:
        parts.append("<p><b>Reading guide</b> — read the report with these questions:</p>"
                     + _ul(e(q) for q in blk.reading_guide))
    if blk.discussion:
        parts.append("<p><b>Discussion</b></p>" + _ul(e(d.question) for d in blk.discussion))
    extra = []
    if blk.facilitation:
        extra.append(f"<p>{e(blk.facilitation)}</p>")
    for d in blk.discussion:
        if d.notes or d.model_answer:
            extra.append(f"<p><i>{e(d.question)}</i><br>"
                         + (f"Notes: {e(d.notes)}<br>" if d.notes else "")
                         + (f"Model answer: {e(d.model_answer)}" if d.model_answer else "") + "</p>")
    if extra:
        parts.append(instructor_box("facilitation notes and model answers", "".join(extra)))
    return Html("".join(parts))


def developments(module: Module) -> Html:
    """'After the report': developments, the thesis each tests, and a prompt."""
    theses = {t.id: t.text for b in module.meta.blocks for t in b.theses}
    rows = []
    for dev in sorted(module.meta.after_report, key=lambda d: d.date):
        assess = instructor_box("assessment", f"<p>{e(dev.assessment)}</p>") if dev.assessment else ""
        rows.append(f"<li><b>{e(dev.date.display())} — {e(dev.title)}.</b> {e(dev.text)} {cite(module, dev.sources)}"
                    f"<br><i>Tests the thesis:</i> {e(theses.get(dev.tests, dev.tests))}"
                    f"<br><i>Discuss:</i> {e(dev.prompt)}{assess}</li>")
    return Html(f'<ul class="seminarkit-developments">{"".join(rows)}</ul>' if rows else
                "<p>No later developments recorded for this module.</p>")


def glossary(module: Module) -> Html:
    """Key terms as a definition list."""
    if module.glossary is None:
        return Html("<p>No glossary for this module.</p>")
    items = "".join(f"<dt>{e(t.term)}</dt><dd>{e(t.definition)} {cite(module, t.sources)}</dd>"
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
        f"<i>{e(titles.get(link.module, link.module))}</i> — {e(link.theme)}: {e(link.text)}"
        for link in module.meta.links))
