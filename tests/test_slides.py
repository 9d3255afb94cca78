"""Slide decks (issue 19, item 1): which notebooks make decks and how they are cut into slides.

Also: speaker notes only in the instructor deck, the leak gate over decks and reveal.js, and a
clear failure when reveal.js is not installed.

The deck tests build one module's real decks (both editions) once into a temp folder and read
the deck HTML; the expected slides come from the materials, not from the code under test.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seminarkit.content.materials import Module, load_course
from seminarkit.content.schema.quiz import MultipleChoice, SingleChoice
from seminarkit.editions import INSTRUCTOR, STUDENT, Edition, module_for_edition
from seminarkit.fileio import import_nbformat
from seminarkit.handouts.build import kept_outputs
from seminarkit.handouts.deck import ASSETS_DIR
from seminarkit.handouts.leaks import KEY_MARKER
from seminarkit.handouts.plan import plan_jobs
from seminarkit.handouts.slides import split
from seminarkit.handouts.transforms import Notebook
from seminarkit.quiz.common import answer_text
from seminarkit.quiz.render import render_static
from seminarkit.quiz.select import pool_of, select_questions
from seminarkit.render import views
from slides_support import (
    DECK_NOTEBOOKS,
    MATERIALS,
    MODULE,
    REPO,
    build_decks,
    deck,
    notes_text,
    require_reveal,
    shown_text,
    slides,
    title_of,
)

Run = Callable[..., tuple[int, str, str]]


def _flat(text: str) -> str:
    return " ".join(html.unescape(text).split())


@pytest.fixture(scope="module")
def module() -> Module:
    return load_course(MATERIALS).module(MODULE)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One module's decks, both editions, built once (real kernels)."""
    require_reveal()
    folder = tmp_path_factory.mktemp("decks")
    for formats, editions in (("html", "student"), ("slides", "student,instructor")):  # slides after html
        done = build_decks(folder, formats=formats, editions=editions)
        assert done.returncode == 0, f"build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return folder


# -- which notebooks make decks (no kernel) -------------------------------------------------------
def test_only_the_overview_walkthrough_and_simulation_get_slides_jobs() -> None:
    course = load_course(MATERIALS)
    jobs = plan_jobs(course, modules=[MODULE], formats=["slides"])
    assert sorted({j.notebook for j in jobs}) == list(DECK_NOTEBOOKS)
    assert {j.edition.name for j in jobs} == {"student", "instructor"}
    mixed = {j.notebook: j.formats for j in plan_jobs(course, modules=[MODULE], formats=["html", "slides"])}
    assert mixed["03-timeline"] == ("html",) and mixed["02-walkthrough"] == ("html", "slides")
    assert all(j.formats == ("html", "pdf") for j in plan_jobs(course, modules=[MODULE])), "default formats changed"


def test_without_reveal_js_the_build_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out"
    env = {**os.environ, "SEMINARKIT_REVEAL": str(tmp_path / "no-reveal")}
    done = subprocess.run([sys.executable, "-m", "seminarkit", "build", "--materials", str(MATERIALS),
                           "--modules", MODULE, "--formats", "html,slides", "--out", str(target), "--quiet"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "reveal.js is not installed" in lines[0] and "make slides-assets" in lines[0]
    assert not target.exists(), "nothing may be written when the slides cannot be built"


def test_a_rebuild_in_one_format_keeps_the_other_formats_outputs(tmp_path: Path) -> None:
    (tmp_path / "student" / "m").mkdir(parents=True)
    (tmp_path / "student" / "m" / "01.html").write_text("x")
    previous = {"outputs": {"html": "student/m/01.html", "pdf": "student/m/01.pdf",
                            "slides": "student/m/01.slides.html"}}
    new = {"slides": "student/m/01.slides.html", "ipynb": "executed/student/m/01.ipynb"}
    # html still exists: kept; pdf is gone: dropped; slides and ipynb: the new ones.
    assert kept_outputs(previous, new, tmp_path) == {"html": "student/m/01.html", **new}
    assert kept_outputs(None, new, tmp_path) == new


# -- the split, on outputs the real views render (no kernel) ---------------------------------------
def _walkthrough_block(module: Module, edition: Edition) -> Notebook:
    """Return a walkthrough-like executed notebook: the first block's heading, view and practice quiz."""
    nbf = import_nbformat()
    seen = module_for_edition(module, edition)
    blk = seen.meta.blocks[0]
    questions = [q for q in seen.quiz.questions if q.block == blk.id][:2]  # type: ignore[union-attr]

    def out(markup: str) -> dict[str, Any]:
        return nbf.v4.new_output("display_data", data={"text/html": markup, "text/plain": ""})

    outputs = [out(views.Html(f"<h3>1. {views.e(blk.title)}</h3>")._repr_html_()),
               out(views.block(seen, blk)._repr_html_()),
               out(views.Html(render_static(questions, edition=edition, title=f"Practice: {blk.title}"))._repr_html_())]
    return nbf.v4.new_notebook(cells=[
        nbf.v4.new_markdown_cell("# Walkthrough\n\nThe argument block by block."),
        nbf.v4.new_code_cell("module = 'x'", metadata={"tags": ["parameters"]}),
        nbf.v4.new_markdown_cell("## The argument, block by block"),
        nbf.v4.new_code_cell("show(...)", outputs=outputs),
        nbf.v4.new_markdown_cell("## Session plan (instructors)", metadata={"tags": ["instructor-only"]}),
        nbf.v4.new_code_cell("show(plan)", metadata={"tags": ["instructor-only"]},
                             outputs=[out("<p>Plan: twenty minutes of jigsaw</p>")]),
    ])


@pytest.mark.parametrize("edition", [STUDENT, INSTRUCTOR])
def test_split_makes_block_thesis_and_question_slides(module: Module, edition: Edition) -> None:
    nb = _walkthrough_block(module, edition)
    blk = module.meta.blocks[0]
    found = split(nb, "Deck", notes=edition.instructor_material)
    kinds = [s.kind for s in found]
    assert kinds[:3] == ["title", "section", "block"]
    assert found[2].title == f"1. {blk.title}" and _flat(blk.summary) in _flat("".join(found[2].body))
    theses = [s for s in found if s.kind == "thesis"]
    assert [s.title for s in theses] == [f"1. {blk.title} — thesis {i} of {len(blk.theses)}"
                                         for i in range(1, len(blk.theses) + 1)]
    assert [_flat(t.text) in _flat("".join(s.body)) for s, t in zip(theses, blk.theses, strict=True)] == \
        [True] * len(blk.theses)
    questions = [s for s in found if s.kind == "question"]
    assert [s.title for s in questions] == [f"Practice: {blk.title} — question {i} of 2" for i in (1, 2)]
    assert "Session plan" not in " ".join(s.title for s in found), "an instructor-only section became a slide"
    body = _flat(" ".join("".join(s.body) for s in found))
    assert "For instructors" not in body and KEY_MARKER not in body, "instructor material is projected"
    notes = _flat(" ".join("".join(s.notes) for s in found))
    if edition is INSTRUCTOR:
        assert blk.facilitation and _flat(blk.facilitation) in notes
        assert "Plan: twenty minutes of jigsaw" in _flat("".join(found[0].notes))
        assert all(s.notes for s in questions), "every question slide carries its answer as a note"
    else:
        assert notes == ""


# -- the built decks (real kernels) ---------------------------------------------------------------
@pytest.mark.kernel
@pytest.mark.slow
def test_decks_land_beside_the_other_outputs_with_reveal_js(out: Path) -> None:
    for edition in ("student", "instructor"):
        site = out / edition
        decks = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.slides.html"))
        assert decks == [f"{MODULE}/{nb}.slides.html" for nb in DECK_NOTEBOOKS]
        assets = sorted(p.relative_to(site / ASSETS_DIR).as_posix() for p in (site / ASSETS_DIR).rglob("*")
                        if p.is_file())
        assert assets == ["LICENSE", "plugin/notes.js", "reset.css", "reveal.css", "reveal.js", "theme/white.css"]
        page = deck(out, edition, "02-walkthrough").read_text(encoding="utf-8")
        for rel in ("reveal.js", "plugin/notes.js", "reveal.css", "theme/white.css"):
            assert f'"../{ASSETS_DIR}/{rel}"' in page
        assert "http://" not in page.split("<body", 1)[0] and "https://" not in page.split("<body", 1)[0]
        index = (site / "index.html").read_text(encoding="utf-8")
        assert f'href="{MODULE}/02-walkthrough.slides.html"' in index
    # the HTML handouts built before the slides are kept, linked and leak-gated with them
    records = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["jobs"]
    assert sorted(records[f"{MODULE}/student/02-walkthrough"]["outputs"]) == ["html", "ipynb", "slides"]
    assert sorted(records[f"{MODULE}/student/03-timeline"]["outputs"]) == ["html", "ipynb"]
    index = (out / "student" / "index.html").read_text(encoding="utf-8")
    assert f'href="{MODULE}/02-walkthrough.html"' in index and f'href="{MODULE}/03-timeline.html"' in index


@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.parametrize("edition", ["student", "instructor"])
def test_walkthrough_is_one_slide_per_block_thesis_figure_and_question(out: Path, module: Module,
                                                                       edition: str) -> None:
    found = slides(deck(out, edition, "02-walkthrough"))
    kinds = [s.get("data-slide-kind") for s in found]
    titles = [title_of(s) for s in found]
    assert kinds[0] == "title"
    blocks = module.meta.blocks
    block_titles = [t for t, k in zip(titles, kinds, strict=True) if k == "block"]
    assert block_titles == [f"{n}. {b.title}" for n, b in enumerate(blocks, start=1)]

    theses = [s for s in found if s.get("data-slide-kind") == "thesis"]
    assert len(theses) == sum(len(b.theses) for b in blocks)
    for slide, thesis in zip(theses, [t for b in blocks for t in b.theses], strict=True):
        assert _flat(thesis.text) in shown_text(slide)

    figures = [s for s in found if s.get("data-slide-kind") == "figure"]
    assert len(figures) == sum(b.figure is not None for b in blocks)
    for slide in figures:
        images = slide.find_all("img")
        assert len(images) == 1 and images[0].get("alt", "").strip()
        assert images[0]["src"].startswith("data:image/png;base64,")

    questions = [s for s in found if s.get("data-slide-kind") == "question"]
    expected = []
    for blk in blocks:
        available = sum(q.block == blk.id for q in pool_of(module.quiz, "practice"))  # type: ignore[arg-type]
        chosen = select_questions(module.quiz, n=min(3, available), seed=0, blocks=[blk.id],  # type: ignore[arg-type]
                                  pool="practice") if available else []
        expected += [(f"Practice: {blk.title} — question {i} of {len(chosen)}", q) for i, q in enumerate(chosen, 1)]
    assert [title_of(s) for s in questions] == [t for t, _ in expected]
    for slide, (_, question) in zip(questions, expected, strict=True):
        shown = shown_text(slide)
        assert _flat(question.prompt) in shown
        if isinstance(question, (SingleChoice, MultipleChoice)):
            assert all(_flat(opt) in shown for opt in question.options)
        if edition == "instructor":
            assert _flat(answer_text(question)) in notes_text(slide)
            if question.explanation:
                assert _flat(question.explanation) in notes_text(slide)
                assert _flat(question.explanation) not in shown, "the key is projected"
        else:
            assert notes_text(slide) == ""


@pytest.mark.kernel
@pytest.mark.slow
def test_instructor_material_is_only_in_the_instructor_decks_notes(out: Path, module: Module) -> None:
    facilitation = [_flat(b.facilitation) for b in module.meta.blocks if b.facilitation]
    answers = [_flat(d.model_answer) for b in module.meta.blocks for d in b.discussion if d.model_answer]
    assert facilitation and answers, "the module should carry instructor material to test with"
    instructor = slides(deck(out, "instructor", "02-walkthrough"))
    notes = " ".join(notes_text(s) for s in instructor)
    shown = " ".join(shown_text(s) for s in instructor)
    for text in facilitation + answers:
        assert text in notes, f"missing from the speaker notes: {text[:60]}"
        assert text not in shown, f"projected on a slide: {text[:60]}"
    title_notes = notes_text(instructor[0])
    assert "Timing (session plan)" in title_notes
    for plan in module.meta.session_plans:
        for act in plan.activities:
            assert (act.title in title_notes) == (act.notebook == "02-walkthrough"), act.title

    for notebook in DECK_NOTEBOOKS:
        page = deck(out, "student", notebook).read_text(encoding="utf-8")
        assert "<aside" not in page and 'class="notes"' not in page
        assert KEY_MARKER not in page and "For instructors" not in page
        assert "Private: instructor material" not in page
        assert 'name="robots"' in deck(out, "instructor", notebook).read_text(encoding="utf-8")
        whole = _flat(page)
        for text in facilitation + answers:
            assert text not in whole


@pytest.mark.kernel
@pytest.mark.slow
def test_overview_and_simulation_decks(out: Path, module: Module) -> None:
    roles = module.need_roles()
    for edition in ("student", "instructor"):
        sim = slides(deck(out, edition, "07-simulation"))
        titles = [title_of(s) for s in sim]
        for role in roles.roles:
            assert role.name in titles, f"no slide for the delegation {role.name}"
        assert "The chair's agenda" in titles and "Debrief" in titles
        overview = [title_of(s) for s in slides(deck(out, edition, "01-overview"))]
        assert [t for t in overview if not t.endswith(" (continued)")][1:4] == [
            "The analysis", "Summary", "Learning objectives"]
        assert "Summary (continued)" in overview, "a long summary continues on a second slide"
        assert not any("Session plan" in t for t in overview), "the session plan is never a slide"
    instructor = slides(deck(out, "instructor", "07-simulation"))
    assert "role assignment" in notes_text(instructor[0])
    if roles.debrief_notes:
        debrief = next(s for s in instructor if title_of(s) == "Debrief")
        assert _flat(roles.debrief_notes) in notes_text(debrief)
    overview = slides(deck(out, "instructor", "01-overview"))
    assert "minutes" in notes_text(overview[0]) and "Timing (session plan)" in notes_text(overview[0])


# -- the leak gate over decks and reveal.js ---------------------------------------------------------
@pytest.mark.kernel
@pytest.mark.slow
def test_leak_gate_passes_real_decks_and_catches_an_injected_note(out: Path, module: Module, run_cli: Run,
                                                                   tmp_path: Path) -> None:
    code, stdout, err = run_cli("check-leaks", str(out), "--materials", str(MATERIALS))
    assert code == 0, err
    assert f"no leaks in {out / 'student'}" in stdout

    facilitation = next(b.facilitation for b in module.meta.blocks if b.facilitation)
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    target = deck(copy, "student", "02-walkthrough")
    page = target.read_text(encoding="utf-8")
    target.write_text(page.replace("</section>", f'<aside class="notes">{facilitation}</aside></section>', 1),
                      encoding="utf-8")
    asset = copy / "student" / ASSETS_DIR / "reveal.js"
    answer = next(d.model_answer for b in module.meta.blocks for d in b.discussion if d.model_answer)
    asset.write_text(asset.read_text(encoding="utf-8") + f"\n/* {answer} */\n", encoding="utf-8")
    (copy / "student" / ASSETS_DIR / "notes.html").write_text("speaker view", encoding="utf-8")

    code, _, err = run_cli("check-leaks", str(copy), "--materials", str(MATERIALS))
    assert code == 1
    leaks = [line for line in err.splitlines() if line.startswith("LEAK ")]
    assert any(str(target) in line and "facilitation" in line for line in leaks), err
    assert any(str(asset) in line and "model_answer" in line for line in leaks), err
    assert any("notes.html" in line and "no build step produced" in line for line in leaks), err
