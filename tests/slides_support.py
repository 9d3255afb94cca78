"""Build real slide decks for the deck tests (one module, both editions) into a temp folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup, Tag

REPO = Path(__file__).resolve().parents[1]
MATERIALS = REPO / "materials"
MODULE = "moldova-2025"
DECK_NOTEBOOKS = ("01-overview", "02-walkthrough", "07-simulation")


def require_reveal() -> None:
    """Skip (fail in CI) when reveal.js is not installed: `make slides-assets` installs it."""
    from browser_support import unavailable
    from seminarkit.handouts.deck import RevealMissing
    from seminarkit.handouts.deck import require_reveal as installed

    try:
        installed()
    except RevealMissing as exc:
        unavailable(str(exc))


def build_decks(out: Path, module: str = MODULE, formats: str = "slides",
                editions: str = "student,instructor") -> subprocess.CompletedProcess[str]:
    """Run ``seminarkit build --formats slides`` for one module into ``out`` (never build/)."""
    return subprocess.run(
        [sys.executable, "-m", "seminarkit", "build", "--materials", str(MATERIALS), "--modules", module,
         "--editions", editions, "--formats", formats, "--out", str(out), "--quiet", "--jobs", "2"],
        cwd=REPO, capture_output=True, text=True, timeout=900, check=False)


def deck(out: Path, edition: str, notebook: str, module: str = MODULE) -> Path:
    """Where a deck is written."""
    return out / edition / module / f"{notebook}.slides.html"


def slides(path: Path) -> list[Tag]:
    """Return the deck's slides (``<section>`` elements directly in ``.slides``), in order."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    container = soup.select_one("div.reveal > div.slides")
    assert container is not None, f"{path}: no reveal.js slides container"
    return container.find_all("section", recursive=False)


def title_of(slide: Tag) -> str:
    """Return the slide's heading text."""
    heading = slide.find(["h1", "h2"])
    return " ".join(heading.get_text(" ").split()) if heading is not None else ""


def shown_text(slide: Tag) -> str:
    """Return what the slide projects: its text without the speaker notes."""
    copy = BeautifulSoup(str(slide), "html.parser")
    for aside in copy.select("aside.notes"):
        aside.decompose()
    return " ".join(copy.get_text(" ").split())


def notes_text(slide: Tag) -> str:
    """Return the slide's speaker notes as text ("" when it has none)."""
    return " ".join(" ".join(a.get_text(" ").split()) for a in slide.select("aside.notes"))
