"""Views: every piece of materials prose goes through ``prose``; glossary and tables are built to read.

Layout itself (rows, alignment, overflow) is checked in a real browser by the browser tests;
these tests check the markup those layouts rely on, for every module.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from seminarkit.content.materials import Module, load_course
from seminarkit.render import simulation, views
from seminarkit.render.explorers import actors, evidence, timeline

COURSE = load_course()
MODULES = list(COURSE.modules)
OPEN, CLOSE = "\u27e6", "\u27e7"


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``prose`` wrap its output in markers, wherever a view module imported it."""
    real = views.prose

    def fake(module: Module, text: str) -> str:
        return f"{OPEN}{real(module, text)}{CLOSE}"

    monkeypatch.setattr(views, "prose", fake)
    for mod in (actors, evidence, simulation):
        monkeypatch.setattr(mod, "prose", fake)


def rendered(module: Module) -> str:
    """Everything the notebooks show of a module, as HTML (every view, both editions' parts)."""
    parts: list[Any] = [views.bib_card(module), views.summary(module), views.objectives(module),
                        views.developments(module), views.glossary(module), views.links(module, {})]
    parts += [views.session_plan(module, p.minutes) for p in module.meta.session_plans]
    parts += [views.block(module, b) for b in module.meta.blocks]
    if module.timeline is not None:
        parts.append(timeline.event_table(module))
    if module.actors is not None:
        parts += [actors.actor_card(module, a.id) for a in module.actors.actors]
    parts += [evidence.provenance_html(module, name) for name in module.datasets]
    if module.roles is not None:
        seats = simulation.assign_roles(module.roles, 12)
        parts += [simulation.agenda(module), simulation.debrief(module),
                  *(simulation.brief(module, r, seats.get(r.id, [])) for r in module.roles.roles)]
    return "\n".join(str(p) for p in parts)


def prose_fields(module: Module) -> list[str]:
    """List the free-text fields of the materials that students (or instructors) read."""
    meta = module.meta
    texts = [meta.summary, meta.based_on, meta.citation, *(o.text for o in meta.objectives)]
    for blk in meta.blocks:
        texts += [blk.summary, *(t.text for t in blk.theses), *blk.reading_guide,
                  *(d.question for d in blk.discussion), *(d.model_answer or "" for d in blk.discussion),
                  blk.facilitation or ""]
    for dev in meta.after_report:
        texts += [dev.text, dev.prompt, dev.assessment or ""]
    for plan in meta.session_plans:
        texts += [a.description for a in plan.activities] + [a.notes or "" for a in plan.activities]
    texts += [link.text for link in meta.links]
    if module.glossary is not None:
        texts += [t.definition for t in module.glossary.terms]
    if module.timeline is not None:
        texts += [e.text for e in module.timeline.events]
    if module.actors is not None:
        for actor in module.actors.actors:
            texts += [actor.description, *actor.interests, *actor.concerns, *(s.stance for s in actor.stances)]
        texts += [r.description for r in module.actors.relations]
    texts += [d.provenance.notes or "" for d in module.datasets.values()]
    if module.roles is not None:
        roles = module.roles
        texts += [roles.setting, *(i.item for i in roles.chair_agenda), *roles.debrief, roles.debrief_notes or ""]
        for role in roles.roles:
            texts += [role.public_position, *role.private_interests, *role.red_lines, *(f.text for f in role.facts)]
    return [t for t in texts if t]


@pytest.mark.parametrize("module_id", MODULES)
def test_every_piece_of_prose_goes_through_prose(marked: None, module_id: str) -> None:
    module = COURSE.module(module_id)
    out = rendered(module)
    missing = [t[:70] for t in prose_fields(module) if f"{OPEN}{html.escape(t)}{CLOSE}" not in out]
    assert missing == [], f"prose shown without prose(): {missing[:5]}"


def test_prose_escapes_markup() -> None:
    module = COURSE.module(MODULES[0])
    assert views.prose(module, "<script>alert(1)</script> & [[thesis:t5]]") == \
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; [[thesis:t5]]"


class Tree(HTMLParser):
    """A minimal element tree: (tag, attrs, children, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.root: dict[str, Any] = {"tag": "root", "attrs": {}, "kids": [], "text": ""}
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = {"tag": tag, "attrs": dict(attrs), "kids": [], "text": ""}
        self.stack[-1]["kids"].append(node)
        if tag not in ("br", "img", "meta", "link", "hr", "input"):
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        while len(self.stack) > 1:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data: str) -> None:
        for node in self.stack:
            node["text"] += data


def parse(fragment: str) -> dict[str, Any]:
    tree = Tree()
    tree.feed(fragment)
    return tree.root


def find(node: dict[str, Any], tag: str) -> list[dict[str, Any]]:
    out = [node] if node["tag"] == tag else []
    for kid in node["kids"]:
        out += find(kid, tag)
    return out


@pytest.mark.parametrize("module_id", [m for m in MODULES if COURSE.module(m).glossary is not None])
def test_glossary_pairs_each_term_with_its_definition(module_id: str) -> None:
    module = COURSE.module(module_id)
    (dl,) = find(parse(str(views.glossary(module))), "dl")
    terms = sorted(module.glossary.terms, key=lambda t: t.term.lower())  # type: ignore[union-attr]
    groups = dl["kids"]
    assert [g["tag"] for g in groups] == ["div"] * len(terms), "each term and definition in their own group"
    for group, term in zip(groups, terms, strict=True):
        assert [k["tag"] for k in group["kids"]] == ["dt", "dd"]
        assert group["kids"][0]["text"] == term.term
        assert group["kids"][1]["text"].startswith(term.definition)


# A quantity: 7, 2,500, 52.2%, or a time range such as 10–25′ (not a year, an ISBN or a list).
NUMBER = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?(–\d{1,3})?[′%]?$")


def tables(module: Module) -> list[str]:
    out = [str(views.bib_card(module))]
    out += [str(views.session_plan(module, p.minutes)) for p in module.meta.session_plans]
    if module.timeline is not None:
        out.append(str(timeline.event_table(module)))
    if module.roles is not None:
        seats = simulation.assign_roles(module.roles, 12)
        out += [str(simulation.agenda(module)), str(simulation.assignment_table(module.roles, seats))]
    return out


@pytest.mark.parametrize("module_id", MODULES)
def test_table_cells_align_text_left_and_numbers_right(module_id: str) -> None:
    """Cells holding numbers carry the number class (right-aligned); every other cell the text class."""
    checked = 0
    for fragment in tables(COURSE.module(module_id)):
        for table in find(parse(fragment), "table"):
            assert "seminarkit-table" in (table["attrs"].get("class") or "")
            for cell in find(table, "td") + find(table, "th"):
                classes = (cell["attrs"].get("class") or "").split()
                text = cell["text"].strip()
                numeric = bool(text) and bool(NUMBER.match(text)) and cell["tag"] == "td"
                if numeric:
                    assert "sk-num" in classes, f"number {text!r} is not right-aligned"
                elif cell["tag"] == "td":
                    assert "sk-num" not in classes, f"text {text[:40]!r} would be right-aligned"
                checked += 1
    assert checked > 0


def test_view_stylesheet_outranks_jupyterlab_for_tables_and_glossary() -> None:
    """JupyterLab right-aligns ``.jp-RenderedHTMLCommon td`` and floats ``dt``; the views' rules must win."""
    css = re.sub(r"\s+", "", views.view_css())
    assert "table-layout:auto" in css
    for selector in (".seminarkit-view table.seminarkit-table th, .seminarkit-view table.seminarkit-table td",
                     ".seminarkit-view dl.seminarkit-glossary dt"):
        assert selector.replace(" ", "") in css
    shown = views.glossary(COURSE.module(MODULES[0]))._repr_html_()
    assert shown.startswith("<style data-seminarkit-views") and '<div class="seminarkit-view">' in shown


@pytest.mark.parametrize("module_id", MODULES)
def test_theses_carry_the_number_that_developments_and_cross_references_use(module_id: str) -> None:
    """A student reads "Thesis 3." in the block and "Tests the thesis: Thesis 3 — ..." later on."""
    import yaml

    materials = Path(__file__).resolve().parents[1] / "materials"
    raw = yaml.safe_load((materials / "modules" / module_id / "module.yaml").read_text(encoding="utf-8"))
    order = [t["id"] for b in raw["blocks"] for t in b["theses"]]
    module = COURSE.modules[module_id]
    shown = "".join(views.block(module, b).body for b in module.meta.blocks)
    numbers = [int(n) for n in re.findall(r"<b>Thesis (\d+)\.</b>", shown)]
    assert numbers == list(range(1, len(order) + 1))
    devs = views.developments(module).body
    for dev in raw.get("after_report", []):
        if dev.get("tests") in order:
            n = order.index(dev["tests"]) + 1
            assert f"<i>Tests the thesis:</i> Thesis {n} — " in devs, (module_id, dev["id"])
