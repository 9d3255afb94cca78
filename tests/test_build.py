"""Tests: ``seminarkit build`` — outputs, cache, failure isolation, determinism, offline HTML, PDF, leaks."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from seminarkit.handouts.leaks import UNEXPECTED

REPO = Path(__file__).resolve().parents[1]
MODULES = ["moldova-2025", "kazakhstan-2022"]
NOTEBOOKS = "[01-overview, 03-timeline]"

BROKEN = {
    "cells": [
        {"cell_type": "markdown", "id": "t", "metadata": {}, "source": "# Broken on purpose"},
        {"cell_type": "code", "id": "parameters", "metadata": {"tags": ["parameters"]}, "execution_count": None,
         "outputs": [], "source": 'module = "moldova-2025"\nedition = "student"\nmaterials_dir = None\n'
                                  "interactive = True\nfail = False"},
        {"cell_type": "code", "id": "ok", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "print('before the failure')"},
        {"cell_type": "code", "id": "boom", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "if FAIL_NOW:\n    raise ZeroDivisionError('planted failure')"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def _kit(tmp_path: Path, *, broken: bool = False) -> Path:
    """Copy the real kit; its whose two tested modules list two notebooks (plus an optional extra)."""
    kit = tmp_path / "kit"
    shutil.copytree(REPO / "materials", kit / "materials")
    shutil.copytree(REPO / "notebooks", kit / "notebooks")
    path = kit / "materials" / "course.yaml"
    course = path.read_text()
    for module in MODULES:
        extra = ", 99-broken" if broken and module == MODULES[0] else ""
        course = re.sub(rf"(  - id: {module}\n    notebooks: )\[[^\]]*\]", rf"\g<1>{NOTEBOOKS[:-1]}{extra}]", course)
    if broken:
        course = course.replace("notebooks:\n", "notebooks:\n  - id: 99-broken\n    file: 99-broken.ipynb\n"
                                "    title: Broken\n    description: A notebook that fails on demand.\n", 1)
        (kit / "notebooks" / "99-broken.ipynb").write_text(json.dumps(BROKEN).replace("FAIL_NOW", "False"))
    path.write_text(course)
    return kit


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    return _kit(tmp_path)


def _build(run_cli: Callable[..., tuple[int, str, str]], kit: Path, *extra: str) -> tuple[int, str, str]:
    modules = [] if "--modules" in extra else ["--modules", ",".join(MODULES)]
    return run_cli("build", "--materials", str(kit / "materials"), "--out", str(kit / "build"), "--quiet",
                   *modules, *extra)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.refs.append((tag, name, value))


def _refs(html: str) -> list[tuple[str, str, str]]:
    parser = _Refs()
    parser.feed(html)
    return parser.refs


@pytest.mark.kernel
@pytest.mark.slow
def test_build_outputs_manifest_site_cache_and_determinism(
    kit: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    out = kit / "build"
    code, stdout, err = _build(run_cli, kit, "--formats", "html,pdf")
    assert code == 0, err
    assert "built 8, cached 0, failed 0" in stdout
    manifest = json.loads((out / "manifest.json").read_text())["jobs"]
    assert len(manifest) == 8
    for key, record in manifest.items():
        module, edition, notebook = key.split("/")
        # Handouts in their edition's site; the executed notebook (build paths inside) outside both.
        assert record["outputs"] == {"html": f"{edition}/{module}/{notebook}.html",
                                     "pdf": f"{edition}/{module}/{notebook}.pdf",
                                     "ipynb": f"executed/{edition}/{module}/{notebook}.ipynb"}
        for rel in record["outputs"].values():
            assert (out / rel).is_file()
        assert record["parameters"]["edition"] == edition and record["parameters"]["interactive"] is False
        assert record["inputs_hash"] and record["timings"]["total"] > 0
    assert not (out / "index.html").exists()  # no page links both sites

    # Each site's index links exactly its own edition's 8 handout files, relatively.
    for edition in ("student", "instructor"):
        index = (out / edition / "index.html").read_text()
        links = [v for tag, name, v in _refs(index) if tag == "a"]
        expected = {f"{m}/{nb}.{fmt}" for m in MODULES for nb in ("01-overview", "03-timeline")
                    for fmt in ("html", "pdf")}
        assert set(links) == expected, edition
        assert all((out / edition / link).is_file() for link in links)
    # The student site is closed: everything in it was produced for students, nothing links out of it.
    student_files = {p.relative_to(out / "student").as_posix() for p in (out / "student").rglob("*") if p.is_file()}
    assert student_files == {"index.html"} | expected
    for page in (out / "student").rglob("*.html"):
        for _tag, _name, value in _refs(page.read_text()):
            if not value.startswith(("http:", "https:", "#", "data:")):
                target = (page.parent / value.split("#")[0]).resolve()
                assert target.is_relative_to((out / "student").resolve()), (page, value)
    # Every instructor page is marked private (HTML banner and noindex), every printed page too.
    from seminarkit.editions import PRIVATE_NOTICE

    for page in (out / "instructor").rglob("*.html"):
        text = page.read_text()
        assert PRIVATE_NOTICE in text and 'name="robots" content="noindex, nofollow"' in text, page
    for page in (out / "student").rglob("*.html"):
        assert PRIVATE_NOTICE not in page.read_text(), page
    reader = PdfReader(str(out / "instructor" / "moldova-2025" / "03-timeline.pdf"))
    assert len(reader.pages) > 1
    for number, pdf_page in enumerate(reader.pages, start=1):
        assert "Private: instructor material" in pdf_page.extract_text(), f"page {number}"
    for pdf_page in PdfReader(str(out / "student" / "moldova-2025" / "03-timeline.pdf")).pages:
        assert "Private" not in pdf_page.extract_text()

    # Offline: no script, stylesheet or image from the network; images carry alt text.
    html = (out / "student" / "moldova-2025" / "03-timeline.html").read_text()
    for tag, _name, value in _refs(html):
        if tag in {"script", "link", "img"}:
            assert not value.startswith(("http:", "https:", "//")), (tag, value)
    assert "<script" not in html
    assert 'alt="Timeline of' in html

    # PDF pages render and carry the module title.
    reader = PdfReader(str(out / "student" / "moldova-2025" / "01-overview.pdf"))
    assert len(reader.pages) > 0
    assert "Moldova" in reader.pages[0].extract_text()

    # A second build executes nothing.
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    code, stdout, _ = _build(run_cli, kit, "--formats", "html,pdf")
    assert code == 0 and "built 0, cached 8, failed 0" in stdout

    # Touching a materials file re-executes exactly the jobs that read it (issue #20): neither
    # notebook of this kit shows the glossary; the timeline notebook reads the timeline.
    glossary = kit / "materials" / "modules" / "kazakhstan-2022" / "glossary.yaml"
    glossary.write_text(glossary.read_text() + "\n# touched\n")
    code, stdout, _ = _build(run_cli, kit, "--formats", "html,pdf")
    assert code == 0 and "built 0, cached 8, failed 0" in stdout
    timeline = kit / "materials" / "modules" / "kazakhstan-2022" / "timeline.yaml"
    timeline.write_text(timeline.read_text() + "\n# touched\n")
    code, stdout, _ = _build(run_cli, kit, "--formats", "html,pdf")
    assert code == 0 and "built 2, cached 6, failed 0" in stdout
    rebuilt = json.loads((out / "manifest.json").read_text())["jobs"]
    changed = {k for k in rebuilt if rebuilt[k]["inputs_hash"] != manifest[k]["inputs_hash"]}
    assert changed == {"kazakhstan-2022/student/03-timeline", "kazakhstan-2022/instructor/03-timeline"}

    # Rebuilding from the same inputs gives byte-identical HTML.
    code, _, _ = _build(run_cli, kit, "--formats", "html,pdf", "--force")
    assert code == 0
    assert {p: p.read_bytes() for p in out.rglob("*.html")} == before


@pytest.mark.kernel
def test_failing_notebook_keeps_previous_outputs_and_names_the_cell(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    kit = _kit(tmp_path, broken=True)
    out = kit / "build"
    code, _, err = _build(run_cli, kit, "--formats", "html", "--modules", "moldova-2025", "--editions", "student")
    assert code == 0, err
    good = out / "student" / "moldova-2025" / "99-broken.html"
    previous = good.read_bytes()
    (kit / "notebooks" / "99-broken.ipynb").write_text(json.dumps(BROKEN).replace("FAIL_NOW", "True"))
    code, stdout, err = _build(run_cli, kit, "--formats", "html", "--modules", "moldova-2025",
                               "--editions", "student")
    assert code == 1
    assert "built 0, cached 2, failed 1" in stdout
    line = next(x for x in err.splitlines() if x.startswith("FAILED"))
    assert "moldova-2025/student/99-broken" in line
    assert "cell 3" in line and "ZeroDivisionError: planted failure" in line
    assert good.read_bytes() == previous  # the last good handout is untouched
    marked = out / "failed" / "student" / "moldova-2025" / "99-broken.failed.ipynb"
    assert marked.is_file() and "planted failure" in marked.read_text()
    assert not list(out.rglob("*.tmp"))


@pytest.mark.kernel
def test_leak_gate_catches_a_planted_leak(kit: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    from seminarkit.content.materials import load_course
    from seminarkit.editions import instructor_texts

    code, _, err = _build(run_cli, kit, "--formats", "html", "--modules", "moldova-2025")
    assert code == 0, err
    code, stdout, _ = run_cli("check-leaks", str(kit / "build"), "--materials", str(kit / "materials"))
    assert code == 0 and "no leaks" in stdout
    course = load_course(kit / "materials")
    field, secret = instructor_texts(course.module("moldova-2025"))[0]
    target = kit / "build" / "student" / "moldova-2025" / "01-overview.html"
    target.write_text(target.read_text().replace("</main>", f"<p>{secret}</p></main>"))
    code, _, err = run_cli("check-leaks", str(kit / "build"), "--materials", str(kit / "materials"))
    assert code == 1
    assert str(target) in err and field in err

    # Files nobody built: a screenshot and a key file dropped into the site. A build with no
    # input changed must still notice (the fast path checks the site) and fail, naming each.
    site = kit / "build" / "student"
    (site / "screenshots").mkdir()
    (site / "screenshots" / "answer-key.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (site / "quiz-key.csv").write_text("student,question_id,answer\nada,q1,B\n")
    code, _, err = _build(run_cli, kit, "--formats", "html", "--modules", "moldova-2025")
    assert code == 1
    leak_lines = [line for line in err.splitlines() if line.startswith("LEAK ")]
    assert len(leak_lines) == 3, err
    assert any(line.startswith(f"LEAK {target}: contains instructor-only {field} (") for line in leak_lines)
    assert f"LEAK {site / 'quiz-key.csv'}: {UNEXPECTED}" in leak_lines
    assert f"LEAK {site / 'screenshots' / 'answer-key.png'}: {UNEXPECTED}" in leak_lines
    # The leaking handout left the site (kept in quarantine/), and the index no longer links it.
    assert not target.exists()
    assert (kit / "build" / "quarantine" / "student" / "moldova-2025" / "01-overview.html").is_file()
    assert "01-overview" not in (site / "index.html").read_text()
    # The files someone else put there are theirs: left in place, and they keep failing the build.
    assert (site / "quiz-key.csv").is_file()
    # The next build rebuilds the quarantined handout (clean now) but still fails on them.
    code, stdout, err = _build(run_cli, kit, "--formats", "html", "--modules", "moldova-2025")
    assert code == 1 and "built 1, cached 3, failed 0" in stdout
    assert [line for line in err.splitlines() if line.startswith("LEAK ")] == [
        f"LEAK {site / 'quiz-key.csv'}: {UNEXPECTED}", f"LEAK {site / 'screenshots' / 'answer-key.png'}: {UNEXPECTED}"]
    assert target.is_file() and secret not in target.read_text()
    (site / "quiz-key.csv").unlink()
    shutil.rmtree(site / "screenshots")
    code, stdout, err = _build(run_cli, kit, "--formats", "html", "--modules", "moldova-2025")
    assert code == 0, err
    assert "built 0, cached 4, failed 0" in stdout
    assert "01-overview.html" in (site / "index.html").read_text()
    code, stdout, _ = _build(run_cli, kit, "--formats", "html", "--modules", "moldova-2025")
    assert code == 0 and "nothing changed" in stdout  # clean again: the fast path is back


def test_unknown_module_or_format_is_one_line(kit: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = _build(run_cli, kit, "--modules", "atlantis")
    assert code == 1 and "unknown module 'atlantis'; choose one of: afghanistan-2018" in err
    code, _, err = _build(run_cli, kit, "--formats", "docx")
    assert code == 1 and "choose one of: html, pdf" in err
    assert "Traceback" not in err
