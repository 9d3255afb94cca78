"""The leak gate: scan student artifacts for instructor-only content.

Probes are the instructor-only prose of the materials (facilitation notes, model answers,
quiz explanations, debrief notes...) plus the marker that instructor renderings of quiz keys
carry. Text is compared after folding whitespace and HTML entities, so a note that was
re-wrapped or escaped on its way into HTML or PDF is still found.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seminarkit.errors import LeakError

if TYPE_CHECKING:
    from seminarkit.content.materials import Module

# Every instructor rendering of a quiz key carries this marker (class name / attribute).
KEY_MARKER = "seminarkit-answer-key"
PROBE_CHARS = 60
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Leak:
    """One instructor-only item found in one student artifact."""

    artifact: Path
    field: str

    def __str__(self) -> str:
        return f"{self.artifact}: contains instructor-only {self.field}"


def fold(text: str) -> str:
    """Normalise text for comparison: unescape HTML, drop tags, fold whitespace, lower-case."""
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACE.sub(" ", text).strip().lower()


def probes_for(modules: Iterable[Module]) -> list[tuple[str, str]]:
    """Build (field path, folded probe text) pairs from the modules' instructor-only prose."""
    from seminarkit.editions import instructor_texts

    found: list[tuple[str, str]] = []
    for module in modules:
        for path, text in instructor_texts(module):
            probe = fold(text)[:PROBE_CHARS]
            found.append((path, probe))
    return found


def probes_digest(modules: Iterable[Module]) -> str:
    """Fingerprint of the probes: a clean scan stays valid while this and the file are unchanged."""
    import hashlib

    h = hashlib.sha256(KEY_MARKER.encode())
    for field, probe in probes_for(modules):
        h.update(f"{field}\0{probe}\0".encode())
    return h.hexdigest()


def artifact_text(path: Path) -> str:
    """Extract searchable text from an ipynb, HTML, PDF, JSON, YAML or text artifact."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        import logging

        from pypdf import PdfReader

        logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # a damaged PDF is not an error here
        try:
            return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
        except Exception:  # not a readable PDF: scan its bytes as text instead
            pass
    raw = path.read_text(encoding="utf-8", errors="replace")
    if suffix == ".ipynb":
        try:
            raw = json.dumps(json.loads(raw), ensure_ascii=False)
            raw = raw.encode().decode("unicode_escape", errors="replace")
        except (ValueError, UnicodeDecodeError, RecursionError):
            pass
    return raw


def scan(paths: Iterable[Path], modules: Iterable[Module]) -> list[Leak]:
    """Return every leak found in ``paths`` (files or folders) against ``modules``."""
    probes = probes_for(modules)
    leaks: list[Leak] = []
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    for file in files:
        if file.suffix.lower() not in {".ipynb", ".html", ".pdf", ".json", ".yaml", ".md", ".txt",
                                       ".csv", ".gift"}:
            continue
        raw = artifact_text(file)
        if KEY_MARKER in raw:
            leaks.append(Leak(file, "quiz answer key"))
        folded = fold(raw)
        leaks.extend(Leak(file, field) for field, probe in probes if probe and probe in folded)
    return leaks


def check_leaks(paths: Iterable[Path], modules: Iterable[Module]) -> None:
    """Raise LeakError naming every artifact and leaked field, if any."""
    leaks = scan(paths, modules)
    if leaks:
        listed = "\n".join(str(leak) for leak in leaks)
        raise LeakError(f"instructor-only content found in student artifacts:\n{listed}")
