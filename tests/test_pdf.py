"""Accessible PDFs: tagged (PDF/UA), with language, title, bookmarks, page numbers, running header.

The first tests print a handout made in memory (no kernel: real views and a real figure as
outputs) and read it back with pypdf. The last one builds a module with the real notebooks and
checks every PDF the build writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from seminarkit.content.materials import load_course
from seminarkit.editions import INSTRUCTOR, STUDENT
from seminarkit.fileio import import_nbformat

MODULE = "afghanistan-2018"


# -- reading a PDF back ------------------------------------------------------------------------------
def struct_elements(reader: PdfReader) -> Iterator[DictionaryObject]:
    """Every structure element of the tagged PDF, depth first."""
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, "the PDF is not tagged (no structure tree)"

    def walk(node: Any) -> Iterator[DictionaryObject]:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                yield from walk(kid)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                yield node
            if "/K" in node:
                yield from walk(node["/K"])

    yield from walk(root["/StructTreeRoot"].get_object()["/K"])


def outline_titles(reader: PdfReader) -> list[tuple[int, str]]:
    """Bookmarks as (depth, title)."""
    out: list[tuple[int, str]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, str(item.title)))

    walk(reader.outline, 0)
    return out


def pages_of(element: DictionaryObject) -> set[int]:
    """Object numbers of every page an element and its descendants are drawn on."""
    found: set[int] = set()
    if "/Pg" in element:
        found.add(element.raw_get("/Pg").idnum)
    kids = element.get("/K")
    if kids is not None:
        kids = kids.get_object()
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object()
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                found |= pages_of(kid)
    return found


# -- a handout made in memory ------------------------------------------------------------------------
def handout_pdf(edition: Any = STUDENT) -> tuple[bytes, dict[str, str]]:
    from seminarkit.handouts.export import export_html, export_pdf
    from seminarkit.render import views
    from seminarkit.render.explorers.evidence import plot_dataset
    from seminarkit.render.explorers.timeline import event_table

    nbformat = import_nbformat()
    v4 = nbformat.v4
    module = load_course().module(MODULE)
    figure = plot_dataset(module, "unodc_opium")
    bundle, meta = figure._repr_mimebundle_()

    def html_output(obj: Any) -> Any:
        return v4.new_output("display_data", data={"text/html": obj._repr_html_()})

    cells = [
        v4.new_markdown_cell("# Walkthrough\n\nA handout printed in a test."),
        v4.new_markdown_cell("## Key terms"),
        v4.new_code_cell("show(glossary)", outputs=[html_output(views.glossary(module))]),
        v4.new_markdown_cell("## Evidence"),
        v4.new_code_cell("show(figure)", outputs=[v4.new_output("display_data", data=bundle, metadata=meta)]),
        v4.new_markdown_cell("## All events"),
        v4.new_code_cell("show(events)", outputs=[html_output(event_table(module))]),
    ]
    nb = v4.new_notebook(cells=cells)
    html = export_html(nb, title="Module X — Walkthrough", course="Course title", module="Module X",
                       edition=edition, footer="Built in a test.")
    return export_pdf(html), {"alt": figure.alt, "caption": figure.caption}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[PdfReader, dict[str, str]]:
    pdf, facts = handout_pdf()
    path = tmp_path_factory.mktemp("pdf") / "handout.pdf"
    path.write_bytes(pdf)
    return PdfReader(str(path)), facts


def test_pdf_is_tagged_with_language_and_title(printed: tuple[PdfReader, dict[str, str]]) -> None:
    reader, _ = printed
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    assert reader.metadata is not None and reader.metadata.title == "Module X — Walkthrough"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]), \
        "PDF/UA: the viewer shows the title, not the file name"
    kinds = [str(e["/S"]) for e in struct_elements(reader)]
    for kind in ("/Document", "/H1", "/H2", "/Figure", "/Caption", "/Table", "/TR", "/TH", "/TD", "/L", "/LI"):
        assert kind in kinds, f"no {kind} element in the structure tree"


def test_figures_carry_alt_text_and_stay_on_the_page_of_their_caption(
        printed: tuple[PdfReader, dict[str, str]]) -> None:
    reader, facts = printed
    figures = [e for e in struct_elements(reader) if e["/S"] == "/Figure"]
    assert [str(f["/Alt"]) for f in figures] == [facts["alt"]]
    for figure in figures:
        parent = figure["/P"].get_object()
        captions = [k.get_object() for k in parent["/K"] if isinstance(k.get_object(), DictionaryObject)
                    and k.get_object().get("/S") == "/Caption"]
        assert captions, "the figure has no caption element beside it"
        assert pages_of(captions[0]) == pages_of(figure), "the caption is on another page than its figure"


def test_bookmarks_follow_the_headings(printed: tuple[PdfReader, dict[str, str]]) -> None:
    reader, _ = printed
    assert outline_titles(reader) == [(0, "Walkthrough"), (1, "Key terms"), (1, "Evidence"), (1, "All events")]


def test_pages_are_numbered_and_carry_a_running_header(printed: tuple[PdfReader, dict[str, str]]) -> None:
    reader, _ = printed
    total = len(reader.pages)
    assert total >= 3
    first = reader.pages[0].extract_text()
    assert f"Page 1 of {total}" in first
    assert "Module X · Student edition" not in first, "page 1 has the full header; no running header there"
    for number in range(2, total + 1):
        text = reader.pages[number - 1].extract_text()
        assert f"Page {number} of {total}" in text
        assert "Module X · Student edition" in text, f"page {number} lacks the running header"


def test_running_header_names_the_instructor_edition() -> None:
    import io

    reader = PdfReader(io.BytesIO(handout_pdf(INSTRUCTOR)[0]))
    assert "Module X · Instructor edition" in reader.pages[1].extract_text()


def test_event_table_prints_as_a_chronology_not_one_word_lines(printed: tuple[PdfReader, dict[str, str]]) -> None:
    """The 03-timeline table once took 17 pages of one-word lines; a row now reads across the page."""
    reader, _ = printed
    module = load_course().module(MODULE)
    text = "\n".join(page.extract_text() for page in reader.pages)
    table = text[text.index("All events"):]
    lines = [ln for ln in table.splitlines() if ln.strip()]
    one_word = [ln for ln in lines if len(ln.split()) == 1 and ln.strip().isalpha()]
    assert len(one_word) < len(lines) * 0.05, f"{len(one_word)} of {len(lines)} lines hold a single word"
    events = len(module.need_timeline().events)
    assert len(reader.pages) <= 2 + events // 5, f"{len(reader.pages)} pages for {events} events"


# -- every PDF of a real build ---------------------------------------------------------------------
@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_built_pdf_is_tagged_titled_and_bookmarked(
        tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    out = tmp_path / "build"
    code, _, err = run_cli("build", "--modules", "moldova-2025", "--formats", "pdf", "--out", str(out), "--quiet")
    assert code == 0, err
    pdfs = sorted(out.rglob("*.pdf"))
    course = load_course()
    notebooks = next(m for m in course.spec.modules if m.id == "moldova-2025").notebooks
    assert len(pdfs) == 2 * len(notebooks)
    for path in pdfs:
        reader = PdfReader(str(path))
        root = reader.trailer["/Root"]
        where = path.relative_to(out)
        assert bool(root["/MarkInfo"]["/Marked"]), where
        assert root["/Lang"] == "en", where
        title = reader.metadata.title if reader.metadata else ""
        assert title and title.startswith("Moldova's 2025 election — "), where
        kinds = {str(e["/S"]) for e in struct_elements(reader)}
        assert {"/Document", "/H1"} <= kinds, where
        outline = outline_titles(reader)
        assert outline and outline[0][0] == 0 and outline[0][1] == title.split(" — ", 1)[1], where
        assert all("¶" not in t for _, t in outline), f"{where}: a bookmark carries the anchor sign"
        for figure in (e for e in struct_elements(reader) if e["/S"] == "/Figure"):
            assert str(figure.get("/Alt", "")).strip(), f"{where}: a figure without alt text"
