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
        edition = key.split("/")[1]
        assert set(record["outputs"]) == {"html", "pdf", "ipynb"}
        for rel in record["outputs"].values():
            assert (out / rel).is_file()
        assert record["parameters"]["edition"] == edition and record["parameters"]["interactive"] is False
        assert record["inputs_hash"] and record["timings"]["total"] > 0

    # The site links every handout, and every link resolves.
    index = (out / "index.html").read_text()
    links = [v for tag, name, v in _refs(index) if tag == "a"]
    assert len(links) == 16
    assert all((out / link).is_file() for link in links)

    # Offline: no script, stylesheet or image from the network; images carry alt text.
    html = (out / "moldova-2025" / "student" / "03-timeline.html").read_text()
    for tag, _name, value in _refs(html):
        if tag in {"script", "link", "img"}:
            assert not value.startswith(("http:", "https:", "//")), (tag, value)
    assert "<script" not in html
    assert 'alt="Timeline of' in html

    # PDF pages render and carry the module title.
    reader = PdfReader(str(out / "moldova-2025" / "student" / "01-overview.pdf"))
    assert len(reader.pages) > 0
    assert "Moldova" in reader.pages[0].extract_text()

    # A second build executes nothing.
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    code, stdout, _ = _build(run_cli, kit, "--formats", "html,pdf")
    assert code == 0 and "built 0, cached 8, failed 0" in stdout

    # Touching one module's materials re-executes exactly that module's jobs.
    glossary = kit / "materials" / "modules" / "kazakhstan-2022" / "glossary.yaml"
    glossary.write_text(glossary.read_text() + "\n# touched\n")
    code, stdout, _ = _build(run_cli, kit, "--formats", "html,pdf")
    assert code == 0 and "built 4, cached 4, failed 0" in stdout
    rebuilt = json.loads((out / "manifest.json").read_text())["jobs"]
    changed = {k for k in rebuilt if rebuilt[k]["inputs_hash"] != manifest[k]["inputs_hash"]}
    assert changed == {k for k in rebuilt if k.startswith("kazakhstan-2022/")}

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
    good = out / "moldova-2025" / "student" / "99-broken.html"
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
    marked = out / "moldova-2025" / "student" / "99-broken.failed.ipynb"
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
    target = kit / "build" / "moldova-2025" / "student" / "01-overview.html"
    target.write_text(target.read_text().replace("</main>", f"<p>{secret}</p></main>"))
    code, _, err = run_cli("check-leaks", str(kit / "build"), "--materials", str(kit / "materials"))
    assert code == 1
    assert str(target) in err and field in err


def test_unknown_module_or_format_is_one_line(kit: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = _build(run_cli, kit, "--modules", "atlantis")
    assert code == 1 and "unknown module 'atlantis'; choose one of: afghanistan-2018" in err
    code, _, err = _build(run_cli, kit, "--formats", "docx")
    assert code == 1 and "choose one of: html, pdf" in err
    assert "Traceback" not in err
