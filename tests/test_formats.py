"""The output-format registry: names, suffixes, defaults, and what each format writes."""

from __future__ import annotations

import pytest

from seminarkit.editions import INSTRUCTOR, STUDENT
from seminarkit.errors import UnknownChoiceError
from seminarkit.fileio import import_nbformat
from seminarkit.handouts.formats import DEFAULT_FORMATS, FORMATS, Handout, output_format


def _handout(edition=STUDENT) -> Handout:  # type: ignore[no-untyped-def]
    nbf = import_nbformat()
    nb = nbf.v4.new_notebook(cells=[nbf.v4.new_markdown_cell("# Heading one\n\nSome *text*."),
                                    nbf.v4.new_code_cell("print('hidden input')", outputs=[
                                        nbf.v4.new_output("stream", name="stdout", text="visible output\n")])])
    return Handout(nb, title="Mod — Overview", course_title="The course", module_title="Mod", edition=edition,
                   footer="Built for a test.")


def test_registry_names_suffixes_and_defaults() -> None:
    assert {name: (f.suffix, f.needs) for name, f in FORMATS.items()} == {"html": ("html", "html"),
                                                                        "pdf": ("pdf", "html"),
                                                                        "slides": ("slides.html", "notebook")}
    assert DEFAULT_FORMATS == ("html", "pdf")  # slides only on request (they need reveal.js from npm)
    assert output_format("pdf") is FORMATS["pdf"]
    slides = FORMATS["slides"]
    assert [nb for nb in ("01-overview", "02-walkthrough", "03-timeline", "06-quiz", "07-simulation")
            if slides.applies_to(nb)] == ["01-overview", "02-walkthrough", "07-simulation"]
    assert FORMATS["html"].applies_to("03-timeline")


def test_unknown_format_lists_the_registered_ones() -> None:
    with pytest.raises(UnknownChoiceError, match="unknown format 'docx'; choose one of: html, pdf, slides"):
        output_format("docx")


def test_html_format_writes_the_handout_with_titles_edition_and_no_code() -> None:
    html = FORMATS["html"].render(_handout()).decode("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Heading one" in html and "visible output" in html
    assert "print(&#39;hidden input&#39;)" not in html and "print('hidden input')" not in html
    assert "Student edition" in html and "Instructor edition" not in html
    assert "The course" in html and "Built for a test." in html
    assert "Instructor edition" in FORMATS["html"].render(_handout(INSTRUCTOR)).decode("utf-8")


def test_pdf_format_prints_the_same_handout(monkeypatch: pytest.MonkeyPatch) -> None:
    from seminarkit.handouts import export

    calls: list[str] = []
    real = export.export_html

    def counting(*args: object, **kwargs: object) -> str:
        calls.append("html")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "export_html", counting)
    handout = _handout()
    html = FORMATS["html"].render(handout)
    pdf = FORMATS["pdf"].render(handout)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
    assert html and calls == ["html"]  # the HTML is rendered once and shared

    from io import BytesIO

    from pypdf import PdfReader

    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert "Heading one" in text and "visible output" in text
