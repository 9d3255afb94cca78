"""Tests: the leak gate reads every file whatever its suffix and sees through the usual disguises.

Each row of the evasion table hides a real instructor-only note of the kit's materials (or a
quiz key) in one way a tool or a careless hand could; the gate must name the field. The
innocent rows must pass: the gate is useless if it cries wolf on public text.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from seminarkit.content.materials import Module, load_course
from seminarkit.editions import STUDENT, instructor_texts, module_for_edition
from seminarkit.handouts.leaks import FRAGMENT_WORDS, UNEXPECTED, Probes, scan_bytes, scan_tree, words

MODULE = "afghanistan-2018"


@cache
def _module() -> Module:
    return load_course().module(MODULE)


@cache
def _probes() -> Probes:
    return Probes.build(load_course().modules.values())


@cache
def _note() -> tuple[str, str]:
    """Return a facilitation note long enough that half of it is several fragments long."""
    field, text = next((f, t) for f, t in instructor_texts(_module())
                       if f.endswith(".facilitation") and len(t.split()) >= 3 * FRAGMENT_WORDS)
    return field, text


def _png(chunks: list[tuple[bytes, bytes]]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    for kind, data in chunks:
        body += chunk(kind, data)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _pdf(text: str) -> bytes:
    from seminarkit.handouts.export import export_pdf

    return export_pdf(f"<html><head></head><body><p>{text}</p></body></html>")


def _between_letters(text: str, sep: str) -> str:
    return " ".join(sep.join(word) for word in text.split())


def _half(text: str) -> str:
    words = text.split()
    return " ".join(words[len(words) // 2:])


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _accented(text: str) -> str:
    return "".join(c + "\u0301" if c in "aeiou" else c for c in text)


# name, file name, how the note is hidden (note text -> file bytes)
EVASIONS: list[tuple[str, str, Callable[[str], bytes]]] = [
    ("html paragraph", "page.html", lambda t: f"<p>{t}</p>".encode()),
    ("svg text (any suffix is read)", "figure.svg", lambda t: f'<svg><text x="1">{t}</text></svg>'.encode()),
    ("half of the note", "half.html", lambda t: f"<p>{_half(t)}</p>".encode()),
    ("soft hyphens inside words", "shy.html", lambda t: _between_letters(t, "\u00ad").encode()),
    ("&shy; entities inside words", "shy-entity.html", lambda t: _between_letters(t, "&shy;").encode()),
    ("zero-width spaces inside words", "zw.txt", lambda t: _between_letters(t, "\u200b").encode()),
    ("word joiners and ZWJ", "wj.md", lambda t: _between_letters(t, "\u2060\u200d").encode()),
    ("inline tags inside words", "tags.html", lambda t: _between_letters(t, "<span></span>").encode()),
    ("numeric entities for every letter", "ents.html", lambda t: "".join(f"&#{ord(c)};" for c in t).encode()),
    ("upper case", "upper.txt", lambda t: t.upper().encode()),
    ("full-width letters (NFKC)", "wide.txt", lambda t: _fullwidth(t).encode()),
    ("ligatures (NFKC)", "lig.txt", lambda t: t.replace("fi", "\ufb01").replace("fl", "\ufb02").encode()),
    ("accents added", "accents.txt", lambda t: _accented(t).encode()),
    ("line breaks, tabs and no-break spaces", "wrap.txt",
     lambda t: t.replace(" ", "\n\t", 3).replace(" ", "\u00a0").encode()),
    ("alt text attribute", "img.html", lambda t: f'<img src="x.png" alt="{t}">'.encode()),
    ("percent-encoded link", "link.html",
     lambda t: f'<a href="mailto:x@example.org?body={t.replace(" ", "%20")}">mail</a>'.encode()),
    ("JSON with \\u escapes", "data.json", lambda t: json.dumps({"note": t}, ensure_ascii=True).encode()),
    ("notebook output split in lines", "run.ipynb", lambda t: json.dumps({"cells": [{"outputs": [{"data": {
        "text/html": [w + "\n" for w in t.split(". ")]}}]}]}).encode()),
    ("CSV cell", "notes.csv", lambda t: f'id,text\n1,"{t}"\n'.encode()),
    ("UTF-16 file, .bin suffix", "blob.bin", lambda t: t.encode("utf-16")),
    ("no suffix at all", "README", lambda t: t.encode()),
    ("PNG tEXt chunk", "chart.png", lambda t: _png([(b"tEXt", b"Comment\x00" + t.encode("latin-1", "replace"))])),
    ("PNG zTXt chunk (compressed)", "chart2.png",
     lambda t: _png([(b"zTXt", b"Comment\x00\x00" + zlib.compress(t.encode("latin-1", "replace")))])),
    ("PNG iTXt chunk (compressed UTF-8)", "chart3.png",
     lambda t: _png([(b"iTXt", b"Description\x00\x01\x00en\x00\x00" + zlib.compress(t.encode()))])),
    ("ZIP member", "handouts.zip", lambda t: _zip({"notes/page.html": f"<p>{t}</p>".encode()})),
    ("ZIP inside a ZIP, odd suffix", "bundle.dat", lambda t: _zip({"inner.zip": _zip({"n.txt": t.encode()})})),
    ("gzip", "notes.txt.gz", lambda t: gzip.compress(t.encode())),
    ("PDF text, renamed .txt", "handout.txt", lambda t: _pdf(t)),
    ("data: URI of an SVG in HTML", "embed.html", lambda t: (
        '<img src="data:image/svg+xml;base64,'
        + base64.b64encode(f"<svg><text>{t}</text></svg>".encode()).decode() + '">').encode()),
    ("base64 PNG in a notebook output", "fig.ipynb", lambda t: json.dumps({"cells": [{"outputs": [{"data": {
        "image/png": base64.b64encode(_png([(b"tEXt", b"Title\x00" + t.encode("latin-1", "replace"))])).decode()
    }}]}]}).encode()),
]


@pytest.mark.parametrize(("name", "filename", "hide"), EVASIONS, ids=[e[0] for e in EVASIONS])
def test_every_evasion_is_caught(tmp_path: Path, name: str, filename: str, hide: Callable[[str], bytes]) -> None:
    field, note = _note()
    (tmp_path / filename).write_bytes(hide(note))
    leaks = scan_tree(tmp_path, _probes()).leaks
    assert [(leak.artifact.name, leak.field) for leak in leaks] == [(filename, field)], name
    assert "consecutive words" in leaks[0].detail


def test_the_whole_note_is_never_echoed_into_logs() -> None:
    field, note = _note()
    ((found, detail),) = scan_bytes(note.encode(), _probes())
    assert found == field
    assert len(detail.split('"')[1].split()) <= 3, detail  # two words and an ellipsis, not the note


def test_a_fragment_shorter_than_the_window_is_not_a_match() -> None:
    _, note = _note()
    seq = words(note)  # words as the gate counts them ("2015-17" is two)
    # Seven consecutive words of the note, each run padded by unrelated text, never match.
    text = " lorem ".join(" ".join(seq[i:i + FRAGMENT_WORDS - 1]) for i in range(0, len(seq), FRAGMENT_WORDS))
    assert scan_bytes(text.encode(), _probes()) == []


def test_key_marker_and_key_files_are_caught(tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    (tmp_path / "page.html").write_text('<div class="seminarkit-answer-key">1. b</div>')
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nada,Ada\nbo,Bo\n")
    code, _, err = run_cli("quiz", "variants", MODULE, "--roster", str(roster), "--out", str(tmp_path / "exam"))
    assert code == 0, err
    roster.unlink()
    key_csv = tmp_path / "exam" / "instructor" / f"{MODULE}-quiz-key.csv"
    key_json = key_csv.with_suffix(".json")
    found = {(leak.artifact, leak.field) for leak in scan_tree(tmp_path, _probes()).leaks}
    assert found == {(tmp_path / "page.html", "quiz answer key"), (key_csv, "quiz answer key"),
                     (key_json, "quiz answer key")}
    # The students' own exam notebooks from the same command are clean.
    assert scan_tree(tmp_path / "exam" / "students", _probes()).leaks == []


def test_files_no_build_step_produced_are_findings(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>Course</p>")
    (tmp_path / "shot.png").write_bytes(_png([]))
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "link.html").symlink_to(tmp_path / "index.html")
    leaks = scan_tree(tmp_path, _probes(), expected={"index.html", "keys/link.html"}).leaks
    assert sorted((leak.artifact.name, leak.field) for leak in leaks) == [("link.html", UNEXPECTED),
                                                                         ("shot.png", UNEXPECTED)]


def test_public_text_is_not_flagged() -> None:
    """Every public string of every module's student edition, in one file: no finding."""
    course = load_course()
    texts = []
    for module in course.modules.values():
        student = module_for_edition(module, STUDENT)
        for part in (student.meta, student.timeline, student.actors, student.glossary, student.quiz, student.roles):
            if part is not None:
                texts.append(json.dumps(part.model_dump(mode="json"), ensure_ascii=False))
    assert scan_bytes("\n".join(texts).encode(), _probes()) == []


def test_public_titles_inside_a_page_label_are_not_flagged() -> None:
    """Pages wrap public titles in words of their own; notes that name those titles are not leaked by that.

    Found on the real site: a facilitation note naming "the US/NATO block (The US/NATO factor and
    Trump's 2017 strategy)" matched the actors page, which labels the same title "Block ...".
    """
    labels = []
    for module in load_course().modules.values():
        for block in module.meta.blocks:
            labels += [f"<p>Block: {block.title}</p>", f"<p>Read the {block.title} block first.</p>"]
    assert scan_bytes("\n".join(labels).encode(), _probes()) == []


def test_a_zip_bomb_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nested content beyond the budget stops the read with a finding (budget lowered to keep this fast)."""
    from seminarkit.handouts import artifact_text

    monkeypatch.setattr(artifact_text, "MAX_DECODED", 4 * 1024 * 1024)
    bomb = _zip({f"zeros{index}.txt": b"\0" * (3 * 1024 * 1024) for index in range(3)})
    assert len(bomb) < 64 * 1024  # 9 MB of zeros in a few kilobytes
    ((field, detail),) = scan_bytes(bomb, _probes())
    assert field == "unreadable content" and "4 MB of nested content" in detail


def test_check_leaks_cli_reads_any_folder(tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    field, note = _note()
    folder = tmp_path / "for-students"
    folder.mkdir()
    (folder / "clean.html").write_text("<p>Read the report's summary first.</p>")
    code, out, _ = run_cli("check-leaks", str(folder))
    assert code == 0 and "no leaks" in out and "content only" in out
    (folder / "figure.svg").write_text(f"<svg><text>{_half(note)}</text></svg>")
    code, _, err = run_cli("check-leaks", str(folder))
    assert code == 1
    assert f"LEAK {folder / 'figure.svg'}: contains instructor-only {field}" in err
    assert "Traceback" not in err


def test_pdf_text_is_read_without_poppler_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where ``pdftotext`` is not installed, pypdf reads the PDF's text layer instead."""
    from seminarkit.handouts import artifact_text

    field, note = _note()
    pdf = _pdf(_half(note))
    assert artifact_text.pdftotext(pdf) is not None  # poppler is here (CI installs it) ...
    monkeypatch.setattr(artifact_text, "pdftotext", lambda data: None)  # ... and now it is not
    assert [name for name, _ in scan_bytes(pdf, _probes())] == [field]


@pytest.mark.timeout(60)
def test_long_unbroken_runs_are_read_in_linear_time() -> None:
    """A notebook's base64 outputs are megabytes without a space: reading them must not stall."""
    field, note = _note()
    blob = base64.b64encode(bytes(range(256)) * 8192).decode()  # 2.8 MB, no whitespace, no '%'
    page = json.dumps({"cells": [{"outputs": [{"data": {"application/octet-stream": blob}}]}]})
    page += f'\n<a href="mailto:x@example.org?body={_half(note).replace(" ", "%20")}">m</a>\n' + blob
    page += "<" * 1_000_000  # a million lone "<": no tag ends, none may be searched for to the end
    assert [name for name, _ in scan_bytes(page.encode(), _probes())] == [field]
