"""Slide decks in a real browser, opened from file:// with the network blocked (issue 19, item 1).

One module's decks (both editions) are built once into a temp folder. Every deck must load
with no console error and no failed or remote request, advance with the right arrow key, keep
every slide within the deck's height, show its figures at the slide's full width, and carry
speaker notes in the instructor edition only (``Reveal.getSlideNotes()``, the ``aside.notes`` in
the page, and the speaker view that ``S`` opens). axe-core finds nothing moderate or worse on the
title slide and a question slide.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import (
    axe_violations,
    chromium_browser,
    format_violations,
    require_axe,
    require_chromium,
    screenshot,
)
from slides_support import DECK_NOTEBOOKS, build_decks, deck, require_reveal

pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_chromium()  # skip (or fail in CI) before spending a build nobody will look at
    require_reveal()
    folder = tmp_path_factory.mktemp("decks")
    done = build_decks(folder)
    assert done.returncode == 0, f"build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return folder


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    blocked: list[str] = []

    def offline(route: Any) -> None:  # the network is blocked: only file: and data: load
        url = route.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", offline)
    pg = context.new_page()
    pg.blocked = blocked
    try:
        yield pg
    finally:
        context.close()


@pytest.mark.parametrize("notebook", DECK_NOTEBOOKS)
@pytest.mark.parametrize("edition", ["student", "instructor"])
def test_deck_opens_offline_advances_and_has_notes_for_instructors_only(page: Any, out: Path, edition: str,
                                                                        notebook: str) -> None:
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: failed.append(f"{r.url[:120]} ({r.failure})"))
    path = deck(out, edition, notebook)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function("window.Reveal && Reveal.isReady()")

    total = page.evaluate("Reveal.getTotalSlides()")
    assert total >= 5
    before = page.evaluate("Reveal.getIndices()")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"Reveal.getIndices().h !== {before['h']}")
    after = page.evaluate("Reveal.getIndices()")
    assert after["h"] == before["h"] + 1

    notes = page.evaluate("Reveal.getSlides().map(s => Reveal.getSlideNotes(s) || '')")
    asides = page.locator("aside.notes").count()
    if edition == "instructor":
        assert asides >= 1 and any(n.strip() for n in notes), "the instructor deck has no speaker notes"
        assert notes[0].strip(), "the title slide's notes (timing, instructor-only sections) are empty"
    else:
        assert asides == 0 and not any(n.strip() for n in notes), "the student deck carries speaker notes"

    overflowing = page.evaluate("""() => {
        const height = Reveal.getConfig().height, out = [];
        Reveal.getSlides().forEach((s, i) => {
            Reveal.slide(i);
            if (s.scrollHeight > height) out.push(`${i} ${s.querySelector('h1, h2').textContent}: ${s.scrollHeight}px`);
        });
        Reveal.slide(0);
        return out;
    }""")
    assert overflowing == [], f"slides taller than the {page.evaluate('Reveal.getConfig().height')}px deck"

    if notebook == "02-walkthrough":  # the speaker view (S) shows the current slide's notes
        question = page.evaluate("Reveal.getSlides().findIndex(s => s.dataset.slideKind === 'question')")
        page.evaluate(f"Reveal.slide({question})")
        with page.context.expect_page() as opened:
            page.keyboard.press("s")
        speaker = opened.value
        panel = speaker.locator(".speaker-controls-notes")
        if edition == "instructor":
            panel.wait_for(state="visible")  # shown once the deck has sent the slide's notes
            words = " ".join(panel.locator(".value").inner_text().split())
            aside = " ".join(page.evaluate("Reveal.getCurrentSlide().querySelector('aside.notes').innerText").split())
            assert words and words[:40] in aside, "the speaker view does not show the question's notes"
        else:
            panel.wait_for(state="attached")
            speaker.wait_for_timeout(1500)  # the deck has sent its state by now (it does within moments)
            assert not panel.is_visible(), "the student speaker view shows a notes panel"
            assert panel.locator(".value").inner_text().strip() == ""
        speaker.close()

    if notebook == "02-walkthrough":  # figures take the slide's full width
        first = page.evaluate("Reveal.getSlides().findIndex(s => s.dataset.slideKind === 'figure')")
        assert first > 0
        page.evaluate(f"Reveal.slide({first})")
        page.wait_for_function(f"Reveal.getIndices().h === {first}")
        widths = page.evaluate("""() => {
            const s = Reveal.getCurrentSlide(), img = s.querySelector('img');
            return [img.naturalWidth, img.getBoundingClientRect().width, s.getBoundingClientRect().width];
        }""")
        assert widths[0] > 0, "the figure did not load"
        assert widths[1] >= 0.95 * widths[2], f"figure {widths[1]:.0f}px on a {widths[2]:.0f}px slide"
        screenshot(page, f"slides-{edition}-{notebook}-figure")

    assert errors == []
    assert failed == []
    assert page.blocked == [], "a deck must open offline: no requests beyond file: and data:"

    # Last: axe-core reads the linked stylesheets with XMLHttpRequest, which file:// pages refuse
    # (console errors of axe's own, not the deck's).
    for at in (0, "question"):  # the title slide, and a question slide where there is one
        index = at if at == 0 else page.evaluate(
            "Reveal.getSlides().findIndex(s => s.dataset.slideKind === 'question')")
        if index >= 0:
            page.evaluate(f"Reveal.slide({index})")
            page.wait_for_function(f"Reveal.getIndices().h === {index}")
            violations = axe_violations(page, require_axe())
            assert violations == [], format_violations(violations)
