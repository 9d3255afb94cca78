"""Split an executed notebook into slides: the structure of a reveal.js deck, without the page.

The notebooks already show each part of a module as its own display output (a block's
heading, its view, its figure, its practice questions; one brief per delegation), so a deck is
cut along those outputs, read with BeautifulSoup:

- the first ``#`` heading becomes the title slide (with the notebook's edition line);
- a ``##`` heading opens a slide that takes the outputs after it while they fit;
- a block heading (``<h3>`` alone in an output) opens the block's slide: its summary;
  then **one slide per thesis**, the reading guide and discussion on their own slide;
- a figure gets a slide of its own, full width;
- a practice quiz becomes **one question slide per question** (prompt and options);
- a delegation brief gets its own slide;
- a long list or glossary continues on further slides instead of overflowing.

Instructor material never reaches a projected slide: instructor boxes (facilitation notes,
model answers, assessments) and each question's answer key become the slide's speaker notes,
and cells tagged ``instructor-only`` (the session plan, the role assignment) become notes of
the title slide. The student edition's notebook holds none of these, and its slides carry no
notes at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Literal

from seminarkit.markers import TAG_INJECTED_PARAMETERS, TAG_INSTRUCTOR_ONLY, TAG_PARAMETERS

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

    from seminarkit.handouts.transforms import Notebook

Kind = Literal["title", "section", "block", "thesis", "figure", "question", "content"]
TEXT_BUDGET = 900  # characters of text a slide holds before the rest continues on the next
LINE_COST = 60  # what a paragraph, list item or table row costs beyond its text (its line break and spacing)
_BLOCKS = ("p", "li", "tr", "dt", "h3", "h4", "figure")
ITEMS_BUDGET = 8  # list items (terms, sources, developments) per slide
INSTRUCTOR_BOX = "seminarkit-instructor"
ANSWER_KEY = "seminarkit-answer-key"
_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)
_LISTS = ("ul", "ol", "dl")


@dataclass
class Slide:
    """One slide: a title, its body (HTML fragments) and its speaker notes (HTML fragments)."""

    title: str
    kind: Kind
    body: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    size: int = 0  # characters of text in the body

    def add(self, fragment: str, size: int) -> None:
        """Append one HTML fragment holding ``size`` characters of text."""
        self.body.append(fragment)
        self.size += size


def _soup(markup: str) -> BeautifulSoup:
    from bs4 import BeautifulSoup

    return BeautifulSoup(_STYLE.sub("", markup), "html.parser")


def _text(node: Tag | str) -> str:
    from bs4 import Tag

    return " ".join((node.get_text(" ") if isinstance(node, Tag) else str(node)).split())


def _source(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _children(node: Tag) -> list[Tag]:
    """Top-level elements of an output (inside the views' wrapper), whitespace dropped."""
    from bs4 import Tag

    elements = [c for c in node.children if isinstance(c, Tag)]
    if len(elements) == 1 and "seminarkit-view" in (elements[0].get("class") or []):
        return _children(elements[0])
    return elements


class DeckBuilder:
    """Collects slides from an executed notebook's cells; see the module docstring."""

    def __init__(self, title: str, *, notes: bool) -> None:
        self.notes = notes
        self.slides: list[Slide] = [Slide(title, "title")]
        self.open: Slide | None = None  # the slide further content may join
        self.block = ""  # the current block's title (theses and figures are titled by it)

    # -- slides ------------------------------------------------------------------------------
    def start(self, title: str, kind: Kind) -> Slide:
        """Open a new slide that following content joins."""
        slide = Slide(title, kind)
        self.slides.append(slide)
        self.open = slide
        return slide

    def note(self, fragment: str, slide: Slide | None = None) -> None:
        """Add a speaker note to ``slide`` (default: the last one); dropped in the student edition."""
        if self.notes and fragment.strip():
            (slide or self.slides[-1]).notes.append(fragment)

    def place(self, fragment: str, size: int, items: int = 0) -> None:
        """Put content on the open slide, or continue it on a new one when it would not fit."""
        slide = self.open
        crowded = slide is not None and bool(slide.body) and (slide.size + size > TEXT_BUDGET or items > ITEMS_BUDGET)
        if slide is None or crowded:
            title = _continued(slide.title) if slide is not None else (self.block or self.slides[0].title)
            slide = self.start(title, "content")
        slide.add(fragment, size)

    # -- cells -------------------------------------------------------------------------------
    def markdown(self, html: str) -> None:
        """Take a markdown cell: ``#`` titles the deck, ``##`` opens a section slide."""
        soup = _soup(html)
        nodes = _children(soup)
        if nodes and nodes[0].name in ("h1", "h2"):
            heading = nodes.pop(0)
            for anchor in heading.select("a.anchor-link"):
                anchor.decompose()
            if heading.name == "h1":
                self.slides[0].add("".join(str(n) for n in nodes), sum(len(_text(n)) for n in nodes))
                self.open = None
                return
            self.block = ""
            self.start(_text(heading), "section")
        for node in nodes:
            self.place(str(node), _cost(node))

    def instructor_cell(self, html: str) -> None:
        """Take an ``instructor-only`` cell's output: notes of the title slide, never a slide."""
        self.note(_STYLE.sub("", html), self.slides[0])

    def output(self, html: str) -> None:
        """One display output of a code cell."""
        soup = _soup(html)
        nodes = _children(soup)
        special = any(soup.select_one(sel) is not None for sel in (
            "figure.seminarkit-figure", ".seminarkit-edition", "section.seminarkit-quiz-static"))
        # Content places each element's instructor boxes as notes of the slide it lands on; the
        # other kinds are projected whole, so their boxes come out first.
        boxes = [str(box.extract()) for box in soup.select(f".{INSTRUCTOR_BOX}")] if special else []
        if soup.select_one("figure.seminarkit-figure") is not None:
            self.figure(soup)
        elif len(nodes) == 1 and nodes[0].name == "h3":
            self.block = _text(nodes[0])
            self.start(self.block, "block")
        elif soup.select_one(".seminarkit-edition") is not None:
            self.slides[0].add(str(soup), len(_text(soup)))
        elif soup.select_one("section.seminarkit-quiz-static") is not None:
            self.questions(soup)
        elif soup.select_one(".seminarkit-brief") is not None:
            self.brief(soup)
        else:
            self.content(nodes)
        boxes += [str(box.extract()) for box in soup.select(f".{INSTRUCTOR_BOX}")]  # any not placed above
        for box in boxes:
            self.note(box)

    def figure(self, soup: BeautifulSoup) -> None:
        """Put a figure on a slide of its own, titled by the block (or section) it illustrates."""
        title = self.block or (self.open.title if self.open is not None else self.slides[0].title)
        slide = Slide(title, "figure")
        slide.add(str(soup), 0)
        self.slides.append(slide)
        self.open = None

    def questions(self, soup: BeautifulSoup) -> None:
        """Turn a static quiz into one question slide per question; its key entry is that slide's note."""
        quiz = soup.select_one("section.seminarkit-quiz-static")
        assert quiz is not None
        heading = quiz.find("h2")
        title = _text(heading) if heading is not None else "Questions"
        key = quiz.select_one(f".{ANSWER_KEY}")
        answers = [str(li) for li in key.select("ol.seminarkit-key > li")] if key is not None else []
        items = quiz.select("ol.seminarkit-questions > li.seminarkit-question")
        for number, item in enumerate(items, start=1):
            slide = Slide(f"{title} — question {number} of {len(items)}", "question")
            slide.add(f'<div class="seminarkit-question">{item.decode_contents()}</div>', len(_text(item)))
            self.slides.append(slide)
            if number <= len(answers):
                self.note(f'<div class="{ANSWER_KEY}">{answers[number - 1]}</div>', slide)
        self.open = None

    def brief(self, soup: BeautifulSoup) -> None:
        """Give a delegation brief its own slide (continued when long), titled by the delegation."""
        brief = soup.select_one(".seminarkit-brief")
        assert brief is not None
        heading = brief.find("h3")
        name = _text(heading.extract()) if heading is not None else "Delegation"
        self.block = ""
        self.start(name, "content")
        self.content(_children(brief))

    def content(self, nodes: Iterable[Tag]) -> None:
        """Top-level elements of an output: theses one per slide, long lists split, the rest packed."""
        nodes = list(nodes)
        label: Tag | None = None  # a label paragraph waits to go on the slide of what it labels
        for at, node in enumerate(nodes):
            following = nodes[at + 1] if at + 1 < len(nodes) else None
            if _is_label(node) and following is not None and _is_theses(following):
                continue  # "Theses": each thesis slide says it is one
            if _is_label(node) and following is not None and following.name in _LISTS:
                label = node
                continue
            if INSTRUCTOR_BOX in (node.get("class") or []):
                self.note(str(node.extract()))
            elif _is_theses(node):
                self.theses(node)
            elif node.name in _LISTS and (len(_items(node)) > ITEMS_BUDGET or _cost(node) > TEXT_BUDGET):
                self.long_list(node, label)
            elif node.name == "p" and _cost(node) > TEXT_BUDGET and not node.find(True):
                for part in _sentences(_text(node)):
                    self.place(f"<p>{escape(part)}</p>", len(part) + LINE_COST)
            else:
                boxes = _boxes(node)
                head = str(label) if label is not None else ""
                self.place(head + str(node), _cost(node) + (_cost(label) if label is not None else 0),
                           len(_items(node)))
                for box in boxes:
                    self.note(box)
            label = None

    def theses(self, node: Tag) -> None:
        """Give each of a block's theses its own slide, titled by the block."""
        items = _items(node)
        for number, item in enumerate(items, start=1):
            slide = Slide(f"{self.block} — thesis {number} of {len(items)}" if self.block else "Thesis", "thesis")
            slide.add(f'<p class="seminarkit-thesis">{item.decode_contents()}</p>', len(_text(item)))
            self.slides.append(slide)
        self.open = None

    def long_list(self, node: Tag, label: Tag | None = None) -> None:
        """Spread a list longer than a slide over consecutive slides of at most :data:`ITEMS_BUDGET` items."""
        attrs = "".join(f' {k}="{escape(" ".join(v) if isinstance(v, list) else v)}"' for k, v in node.attrs.items())
        first = 0
        for chunk in _chunks(_items(node)):
            boxes = [box for item in chunk for box in _boxes(item)]
            start = f' start="{first + 1}"' if node.name == "ol" and first else ""
            fragment = f"<{node.name}{attrs}{start}>{''.join(str(i) for i in chunk)}</{node.name}>"
            if label is not None and not first:
                fragment = str(label) + fragment
            if self.open is not None and self.open.body:
                self.start(_continued(self.open.title), "content")
            self.place(fragment, sum(_cost(i) for i in chunk), len(chunk))
            for box in boxes:
                self.note(box)
            first += len(chunk)


CONTINUED = " (continued)"


def _continued(title: str) -> str:
    """Return the title of a slide that continues one titled ``title``."""
    return title if title.endswith(CONTINUED) else title + CONTINUED


def _cost(node: Tag) -> int:
    """Estimate the room ``node`` takes on a slide: its text, plus a line for each paragraph, item or row."""
    blocks = len(node.find_all(_BLOCKS)) + (node.name in _BLOCKS)
    return len(_text(node)) + LINE_COST * blocks


def _boxes(node: Tag) -> list[str]:
    """Take the instructor boxes out of ``node``; return them as HTML (they become notes)."""
    return [str(box.extract()) for box in node.select(f".{INSTRUCTOR_BOX}")]


def _chunks(items: list[Tag]) -> list[list[Tag]]:
    """Group list items into slides: at most :data:`ITEMS_BUDGET` and about :data:`TEXT_BUDGET` each."""
    chunks: list[list[Tag]] = []
    size = 0
    for item in items:
        length = _cost(item)
        if not chunks or len(chunks[-1]) >= ITEMS_BUDGET or (chunks[-1] and size + length > TEXT_BUDGET):
            chunks.append([])
            size = 0
        chunks[-1].append(item)
        size += length
    return chunks


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(“‘])")


def _sentences(text: str) -> list[str]:
    """Cut a long plain paragraph at sentence ends into parts of about :data:`TEXT_BUDGET` characters."""
    parts: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if parts and len(parts[-1]) + len(sentence) < TEXT_BUDGET:
            parts[-1] += " " + sentence
        else:
            parts.append(sentence)
    return parts


def _is_theses(node: Tag) -> bool:
    return node.name == "ul" and "seminarkit-theses" in (node.get("class") or [])


def _is_label(node: Tag) -> bool:
    """Tell whether a paragraph only labels what follows (``<p><b>Theses</b></p>``)."""
    from bs4 import Tag

    inner = [c for c in node.children if isinstance(c, Tag) or str(c).strip()]
    return node.name == "p" and len(inner) == 1 and getattr(inner[0], "name", None) == "b"


def _items(node: Tag) -> list[Tag]:
    """Return the items of a list: ``li`` for ``ul``/``ol``; term groups (or ``dt``) for ``dl``."""
    from bs4 import Tag

    if node.name not in _LISTS:
        return []
    return [c for c in node.children if isinstance(c, Tag)]


def split(executed: Notebook, title: str, *, notes: bool) -> list[Slide]:
    """Return the slides of an executed notebook (see the module docstring).

    ``notes``: keep speaker notes (instructor edition); without it no slide has any.
    """
    from seminarkit.handouts.export import markdown_html

    deck = DeckBuilder(title, notes=notes)
    for cell in executed["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {TAG_PARAMETERS, TAG_INJECTED_PARAMETERS}:
            continue
        instructor = TAG_INSTRUCTOR_ONLY in tags
        if cell["cell_type"] == "markdown":
            if not instructor:
                deck.markdown(markdown_html(_source(cell["source"])))
            continue
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html")
            if html is None:
                continue
            if instructor:
                deck.instructor_cell(_source(html))
            else:
                deck.output(_source(html))
    return [s for s in deck.slides if s.body or s.kind in ("title", "section")]
