"""The live room end to end (issue 19, item 4), in headless Chromium on 127.0.0.1 only.

Two student notebooks in a real JupyterLab answer, and the projector page's histogram changes
without a reload.

The room runs as a real ``seminarkit room serve`` process; JupyterLab serves a temp copy of the
notebooks with two copies of 06-quiz pointed at the room (two kernels: two anonymous students).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import (
    NOTEBOOKS,
    LabServer,
    chromium_browser,
    error_outputs,
    open_notebook,
    require_chromium,
    run_all,
    set_parameters,
)
from room_support import REPO, RoomProcess, instructor_questions

pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.slow, pytest.mark.timeout(300)]
SHOTS = REPO / "test-results" / "screenshots"


def screenshot(page: Any, name: str, locator: Any | None = None) -> None:
    """Save a PNG of the page (or one element) under test-results/screenshots/ (git-ignored)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    (locator or page).screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoomProcess]:
    require_chromium()
    home = tmp_path_factory.mktemp("room")
    server = RoomProcess(db=home / "room.sqlite3", log=home / "room.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def session(room: RoomProcess) -> dict[str, Any]:
    return room.open_session(n_questions=10, seed=0)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, room: RoomProcess, session: dict[str, Any]) -> Iterator[LabServer]:
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    root.mkdir()
    for name in ("student-a.ipynb", "student-b.ipynb"):
        shutil.copy(NOTEBOOKS / "06-quiz.ipynb", root / name)
        set_parameters(root / name, mode="practice", n_questions=10, seed=0, room=room.base,
                       join_code=session["join_code"])
    server = LabServer(root=root, home=home)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _answer(page: Any, lab: LabServer, notebook: str, question_id: str, option: str) -> None:
    from playwright.sync_api import expect

    from seminarkit.quiz.common import css_id

    open_notebook(page, lab, notebook)
    run_all(page)
    assert error_outputs(page) == [], f"{notebook} wrote errors"
    expect(page.locator(".seminarkit-room-status")).to_contain_text("joined", timeout=20_000)
    box = page.locator(f".seminarkit-question.{css_id(question_id)}")
    box.scroll_into_view_if_needed()
    box.get_by_role("radio", name=option, exact=True).check()
    box.locator(".seminarkit-check").click()
    expect(box.locator(".seminarkit-feedback")).not_to_be_empty(timeout=20_000)
    expect(page.locator(".seminarkit-room-status")).to_contain_text("1 answer shared", timeout=20_000)


def test_two_notebooks_move_the_projector_histogram_live(browser: Any, lab: LabServer, room: RoomProcess,
                                                         session: dict[str, Any], tmp_path: Path) -> None:
    from playwright.sync_api import expect

    question = next(q for q in instructor_questions(session["questions"]) if q.type == "single")
    wrong = next(o for o in question.options if o != question.answer)
    right_bar, wrong_bar = question.options.index(question.answer), question.options.index(wrong)

    projector_context = browser.new_context(viewport={"width": 1600, "height": 1000})
    projector_context.set_default_timeout(30_000)
    projector = projector_context.new_page()
    console_errors: list[str] = []
    projector.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    projector.goto(f"{room.base}/projector/{session['id']}#token={room.token}")
    card = projector.locator(f'.question[data-question="{question.id}"]')
    expect(card.locator(".bar")).to_have_count(len(question.options))
    expect(projector.locator("#join-code")).to_have_text(session["join_code"])
    assert room.token not in projector.url, "the token must leave the address bar"
    projector.evaluate("() => { window.__noReload = 'still here'; }")
    expect(card.locator(f'.bar[data-bar="{right_bar}"]')).to_have_attribute("data-count", "0")

    students = [browser.new_context(viewport={"width": 1400, "height": 1800}) for _ in range(2)]
    try:
        pages = []
        for context in students:
            context.set_default_timeout(60_000)
            pages.append(context.new_page())
        _answer(pages[0], lab, "student-a.ipynb", question.id, question.answer)
        expect(card.locator(f'.bar[data-bar="{right_bar}"]')).to_have_attribute("data-count", "1", timeout=10_000)
        expect(projector.locator("#joined")).to_have_text("1")
        _answer(pages[1], lab, "student-b.ipynb", question.id, wrong)
        expect(card.locator(f'.bar[data-bar="{wrong_bar}"]')).to_have_attribute("data-count", "1", timeout=10_000)
        expect(projector.locator("#joined")).to_have_text("2")
        expect(card.locator(".answered")).to_have_text("2 answers")
        assert projector.evaluate("() => window.__noReload") == "still here", "the projector page reloaded"
        width = card.locator(f'.bar[data-bar="{right_bar}"] .fill').evaluate("e => e.style.width")
        assert width == "100%"
        screenshot(projector, "room-projector-live")

        # The key appears on demand only.
        expect(card.locator(".key")).to_be_hidden()
        card.locator(".reveal").click()
        expect(card.locator(".key")).to_contain_text(question.answer)
        expect(card.locator(f'.bar[data-bar="{right_bar}"]')).to_have_class("bar bar-key")
        screenshot(projector, "room-projector-revealed", card)
        assert console_errors == []
    finally:
        for context in students:
            context.close()
        projector_context.close()


def test_control_page_opens_a_session_and_links_its_projector(browser: Any, room: RoomProcess) -> None:
    from playwright.sync_api import expect

    from browser_support import axe_violations, format_violations, require_axe

    axe = require_axe()
    # The pages' CSP (script-src 'self') would block axe's injected script: that is the CSP
    # working. Bypass it in this context only, to audit the pages.
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(f"{room.base}/control#token={room.token}")
        expect(page.locator("#status")).to_have_text("Ready.")
        assert room.token not in page.url
        page.select_option("#module", "kazakhstan-2022")
        page.fill("#n-questions", "5")
        page.fill("#seed", "7")
        page.get_by_role("button", name="Open session").click()
        expect(page.locator("#status")).to_contain_text("is open: join code")
        code = page.locator("#status").inner_text().rsplit(" ", 1)[-1].rstrip(".")
        row = page.locator("#sessions tbody tr", has=page.locator("td.code", has_text=code))
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2)).to_have_text("kazakhstan-2022")
        screenshot(page, "room-control")
        made = next(s for s in httpx_sessions(room) if s["join_code"] == code)
        assert (made["n_questions"], made["seed"], made["state"]) == (5, 7, "open")
        violations = axe_violations(page, axe)
        assert violations == [], format_violations(violations)
        with context.expect_page() as opened:
            row.get_by_role("link", name="Projector").click()
        projector = opened.value
        expect(projector.locator("#join-code")).to_have_text(code)
        expect(projector.get_by_role("heading", level=1)).to_have_text(
            "Kazakhstan after 2022")  # the module's short title
        expect(projector.locator(".question")).to_have_count(5)
        violations = axe_violations(projector, axe)
        assert violations == [], format_violations(violations)
        row.get_by_role("button", name="Close").click()
        expect(projector.locator("#status")).to_contain_text("closed")
    finally:
        context.close()


def httpx_sessions(room: RoomProcess) -> list[dict[str, Any]]:
    import httpx

    response = httpx.get(f"{room.base}/api/sessions", headers=room.auth, timeout=10)
    assert response.status_code == 200
    sessions: list[dict[str, Any]] = response.json()["sessions"]
    return sessions
