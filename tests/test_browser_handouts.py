"""Built HTML handouts in a real browser, opened from file:// (issue 9, scenarios 4 and 5).

The handouts are built once per module run into a temp folder (afghanistan-2018, html only).
Scenario 4 checks that a handout opens offline cleanly (no console errors, no failed or
network requests, every image loaded with alt text) and that only the instructor edition
shows the answer key. Scenario 5 injects the vendored axe-core (tests/tooling, installed by
``make bootstrap`` / ``.ci/run``) and fails on any violation of impact moderate, serious or
critical. Scenario 6 (issue 15) checks that the pages read: every glossary term beside its
definition on the same row, no text cell right-aligned, nothing wider than the page, no
figure cut or distorted, at a desktop and a narrow width.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from browser_support import (
    MATERIALS,
    REPO,
    axe_violations,
    broken_images,
    chromium_browser,
    format_violations,
    layout_problems,
    require_axe,
    require_chromium,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

MODULE = "afghanistan-2018"
KEY = "seminarkit-answer-key"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the module's HTML handouts (both editions) and the site index, once."""
    require_chromium()  # skip before spending a minute on a build nobody will look at
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "seminarkit", "build", "--materials", str(MATERIALS),
         "--modules", MODULE, "--formats", "html", "--out", str(out), "--quiet"],
        cwd=REPO, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, f"build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert (out / "student" / "index.html").is_file() and (out / "instructor" / "index.html").is_file()
    return out


@dataclass
class Visit:
    """What a page did while it loaded: console errors, failed requests, any non-file request."""

    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def visit(page: Any, path: Path) -> Visit:
    seen = Visit()
    page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.console_errors.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: seen.failed.append(f"{r.url[:120]} ({r.failure})"))
    page.on("request", lambda r: seen.remote.append(r.url[:120])
            if not r.url.startswith(("file:", "data:", "about:")) else None)
    assert path.is_file(), f"not built: {path}"
    page.goto(path.as_uri(), wait_until="load")
    return seen


def handout(site: Path, edition: str, notebook: str) -> Path:
    return site / edition / MODULE / f"{notebook}.html"


# -- scenario 4 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("notebook", ["02-walkthrough", "06-quiz"])
@pytest.mark.parametrize("edition", ["student", "instructor"])
def test_handout_opens_offline(page: Any, site: Path, edition: str, notebook: str) -> None:
    path = handout(site, edition, notebook)
    seen = visit(page, path)
    screenshot(page, f"4-handout-{edition}-{notebook}")

    assert seen.console_errors == []
    assert seen.failed == []
    assert seen.remote == [], "a handout must open offline: no requests beyond file: and data:"
    assert page.locator("img").count() >= (1 if notebook == "02-walkthrough" else 0)
    assert broken_images(page) == [], "every image must load and carry non-empty alt text"
    assert page.locator(f".seminarkit-badge-{edition}").count() == 1

    key = page.locator(f".{KEY}")
    if edition == "instructor":
        assert key.count() >= 1, "the instructor handout must carry the answer key"
        key.first.scroll_into_view_if_needed()
        assert key.first.is_visible()
        assert key.first.inner_text().strip(), "the answer key is empty"
        screenshot(page, f"4-handout-{edition}-{notebook}-answer-key", key.first)
    else:
        assert key.count() == 0, "the student handout shows an answer key"
        assert KEY not in path.read_text(encoding="utf-8"), "the student handout contains the key marker"


# -- scenario 5 -------------------------------------------------------------------------------------
AXE_PAGES = [
    "student/index.html",
    "instructor/index.html",
    f"student/{MODULE}/02-walkthrough.html",
    f"instructor/{MODULE}/02-walkthrough.html",
    f"student/{MODULE}/06-quiz.html",
    f"instructor/{MODULE}/06-quiz.html",
    f"student/{MODULE}/03-timeline.html",
    f"instructor/{MODULE}/01-overview.html",
    f"student/{MODULE}/04-actors.html",
    f"student/{MODULE}/05-evidence.html",
    f"instructor/{MODULE}/07-simulation.html",
]


@pytest.fixture(scope="module")
def axe_js() -> Path:
    return require_axe()


@pytest.mark.parametrize("relpath", AXE_PAGES)
def test_accessibility(axe_js: Path, page: Any, site: Path, relpath: str) -> None:
    visit(page, site / relpath)
    violations = axe_violations(page, axe_js)
    name = relpath.replace("/", "-").removesuffix(".html")
    screenshot(page, f"5-axe-{name}")
    assert not violations, f"axe-core found moderate/serious/critical problems in {relpath}:\n" \
        f"{format_violations(violations)}"


# -- scenario 6 -------------------------------------------------------------------------------------
LAYOUT_PAGES = [
    f"student/{MODULE}/02-walkthrough.html",
    f"instructor/{MODULE}/02-walkthrough.html",
    f"student/{MODULE}/03-timeline.html",
    f"instructor/{MODULE}/01-overview.html",
    f"student/{MODULE}/04-actors.html",
    f"student/{MODULE}/05-evidence.html",
    f"instructor/{MODULE}/07-simulation.html",
]


@pytest.mark.parametrize("width", [1280, 760])
@pytest.mark.parametrize("relpath", LAYOUT_PAGES)
def test_pages_read(browser: Any, site: Path, relpath: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 1000})
    try:
        page = context.new_page()
        visit(page, site / relpath)
        problems = layout_problems(page, "main")
        name = relpath.replace("/", "-").removesuffix(".html")
        screenshot(page, f"6-layout-{name}-{width}", full_page=True)
        assert problems == [], f"{relpath} at {width} px:\n" + "\n".join(problems[:20])
        if "02-walkthrough" in relpath:
            assert page.locator("dl.seminarkit-glossary dt").count() >= 5, "the glossary is missing"
        if "03-timeline" in relpath:
            rows = page.locator("table.seminarkit-events tbody tr")
            assert rows.count() >= 10
            date = rows.first.locator("td").nth(0).bounding_box()
            event = rows.first.locator("td").nth(2).bounding_box()
            assert date and event and event["width"] > 2.5 * date["width"], "the event column is the wide one"
    finally:
        context.close()


# -- the student site is closed ---------------------------------------------------------------------
_HREFS_JS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"


def test_student_site_links_stay_inside_and_reach_no_instructor_artifact(page: Any, site: Path) -> None:
    """Crawl build/student/ from its index, following every link a student could click."""
    from urllib.parse import unquote, urlparse

    student = (site / "student").resolve()
    instructor_files = {p.read_bytes() for p in (site / "instructor").rglob("*") if p.is_file()}
    queue, seen, external = [student / "index.html"], set(), set()
    followed = 0
    while queue:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        followed += 1
        visit(page, current)
        assert page.locator(".seminarkit-private").count() == 0, f"{current} is marked private"
        assert page.locator(f".{KEY}").count() == 0, f"{current} shows an answer key"
        for href in page.evaluate(_HREFS_JS):
            url = urlparse(href)
            if url.scheme in ("http", "https", "mailto"):
                external.add(url.netloc)  # a source citation on the web, not a file of the build
                continue
            assert url.scheme == "file", f"{current}: link {href!r}"
            target = Path(unquote(url.path)).resolve()
            assert target.is_relative_to(student), f"{current} links outside build/student/: {href}"
            assert target.is_file(), f"{current}: broken link {href}"
            assert target.read_bytes() not in instructor_files, f"{current} reaches an instructor file: {href}"
            if target.suffix == ".html":
                queue.append(target)
            else:
                seen.add(target)  # a PDF: checked above, nothing in it to follow
    pages = {p.resolve() for p in (site / "student").rglob("*") if p.is_file()}
    assert seen == pages, f"files no link reaches: {sorted(map(str, pages - seen))}"
    assert followed >= 8  # the index and every HTML handout of the module
    assert "127.0.0.1" not in external and "localhost" not in external
