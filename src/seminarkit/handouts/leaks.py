"""The leak gate: find instructor-only content in anything meant for students.

**What is read.** Every file of the folder, whatever its suffix, through
:mod:`seminarkit.handouts.artifact_text` (PDF text, PNG text chunks, ZIP members, JSON strings,
embedded ``data:`` files, anything else as bytes). When the folder's manifest says which files
a build step produced (a build's student site, a student kit), every other file is a finding
too: a screenshot or a key file dropped there is never published by accident.

**What is looked for.** Every instructor-only prose value of the materials (facilitation and
instructor notes, model answers, quiz explanations not marked public, debrief notes...),
the marker every instructor rendering of a quiz key carries, and files that pair question
ids with their right answers (a key file).

**How text is compared.** Both sides are normalised the same way (:func:`normalise`): HTML
entities decoded (repeatedly), invisible format characters removed (soft hyphens, zero-width
spaces and joiners, word joiners, BOMs, bidi controls: Unicode category Cf), Unicode NFKC
(full-width letters, ligatures), accents dropped, case folded; then split into words, so
whitespace, line breaks and punctuation do not matter. A value is found when any run of
:data:`FRAGMENT_WORDS` consecutive words of it occurs in the file (the whole value when it is
shorter). Eight words are about 50 characters: long enough that no run of the real student
site's own text matches one by chance (``tests/test_notebooks.py`` checks the real site),
short enough that half of a two-sentence note is still caught. Runs that occur in the public
(student-edition) materials are not probes: a model answer may quote a public thesis, and
that quotation is not a leak. Nor is a run that is seven public words plus one word on either
side: pages label public titles with words of their own ("Block: ..."), and a note naming such
a title would otherwise match the label (:func:`_is_public`).

The gate catches mistakes and the transformations tools apply on the way to a page; it does
not defeat someone determined to smuggle text out (encryption, homoglyphs, paraphrase).
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from seminarkit.errors import LeakError

if TYPE_CHECKING:
    from seminarkit.content.materials import Module

# Every instructor rendering of a quiz key carries this marker (class name / attribute).
KEY_MARKER = "seminarkit-answer-key"
FRAGMENT_WORDS = 8
KEY_PAIR_GAP = 6  # words allowed between a question id and its right answer in a key file (CSV, JSON)
KEY_PAIRS_MIN = 3  # question/answer pairs that make a file an answer key
UNEXPECTED = "file that no build step produced (remove it: only what the build writes may be published)"
_WORD = re.compile(r"\w+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_TOKEN_EDGE = re.compile(r"[\s\"'<>]")


@dataclass(frozen=True)
class Leak:
    """One finding in one file: instructor-only content, or a file no build step produced."""

    artifact: Path
    field: str
    detail: str = ""

    def __str__(self) -> str:
        if self.field == UNEXPECTED:
            return f"{self.artifact}: {UNEXPECTED}"
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.artifact}: contains instructor-only {self.field}{detail}"


def _char_class(codes: list[int]) -> re.Pattern[str]:
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]+")


@cache
def _tables() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns to delete: invisible format characters (category Cf), and combining marks."""
    import sys

    chars = [chr(c) for c in range(sys.maxunicode + 1)]
    return (_char_class([ord(ch) for ch in chars if unicodedata.category(ch) == "Cf"]),
            _char_class([ord(ch) for ch in chars if unicodedata.combining(ch)]))


def normalise(text: str) -> str:
    """Fold text for comparison: entities, invisible characters, NFKC, accents, case."""
    for _ in range(3):  # "&amp;shy;" and friends: decode until nothing changes
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    if not text.isascii():
        invisible, combining = _tables()
        text = unicodedata.normalize("NFKC", _delete(invisible, text))
        text = _delete(combining, unicodedata.normalize("NFKD", text))
    return text.casefold()


def _delete(chars: re.Pattern[str], text: str) -> str:
    """Delete the characters of the class ``chars`` (all non-ASCII) from ``text``.

    Only the non-ASCII runs are searched: a class of hundreds of ranges costs the regular
    expression engine a walk through them for every ASCII character (ten times slower).
    """
    return _NON_ASCII.sub(lambda run: chars.sub("", run.group()), text)


def words(text: str) -> list[str]:
    """Return the normalised words of ``text`` (punctuation and whitespace are separators)."""
    return _WORD.findall(normalise(text))


def _runs(seq: list[str], size: int) -> Iterable[tuple[str, ...]]:
    return (tuple(seq[i:i + size]) for i in range(max(len(seq) - size + 1, 0)))


@dataclass
class Probes:
    """What the gate looks for, built once from the materials (see the module docstring)."""

    fragments: dict[tuple[str, ...], str] = field(default_factory=dict)  # run of words -> field
    key_pairs: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = field(default_factory=dict)  # qid -> answer

    @cached_property
    def _runs_by_size(self) -> dict[int, set[tuple[str, ...]]]:
        """The fragments grouped by length (derived on first use: probes are not changed once built)."""
        return _by_length(self.fragments)

    @cached_property
    def _qids_by_size(self) -> dict[int, set[tuple[str, ...]]]:
        """The key pairs' question ids grouped by length."""
        return _by_length(self.key_pairs)

    @classmethod
    def build(cls, modules: Iterable[Module]) -> Probes:
        """Probes for ``modules``: instructor-only prose minus runs found in public text, and keys."""
        from seminarkit.editions import instructor_texts

        modules = list(modules)
        probes = cls()
        prose = [(path, words(text)) for module in modules for path, text in instructor_texts(module)]
        sizes = {min(FRAGMENT_WORDS, len(seq)) for _, seq in prose} - {0}
        public = _public_runs(modules, sizes | {FRAGMENT_WORDS - 1})
        for path, seq in prose:
            size = min(FRAGMENT_WORDS, len(seq))
            for run in _runs(seq, size):
                if size and not _is_public(run, public):
                    probes.fragments.setdefault(run, path)
        for module in modules:
            for qid, pair in _key_pairs(module).items():
                probes.key_pairs[qid] = pair
        return probes

    def digest(self) -> str:
        """Fingerprint: a clean scan stays valid while this and the file are unchanged."""
        h = hashlib.sha256(f"{KEY_MARKER}\0{FRAGMENT_WORDS}\0{KEY_PAIR_GAP}\0{KEY_PAIRS_MIN}".encode())
        for run, path in sorted(self.fragments.items()):
            h.update(("\0".join(run) + "\0" + path + "\1").encode())
        for qid, (answer, path) in sorted(self.key_pairs.items()):
            h.update(("\0".join(qid) + "\0" + "\0".join(answer) + "\0" + path + "\1").encode())
        return h.hexdigest()

    def find(self, text: str) -> list[tuple[str, str]]:
        """Return (field, detail) for every probe found in one text view."""
        found: dict[str, str] = {}
        folded = normalise(text)
        if KEY_MARKER in folded:
            found["quiz answer key"] = f"the marker {KEY_MARKER!r}"
        seq = _WORD.findall(folded)
        for _at, size, run in _occurrences(seq, self._runs_by_size):
            path = self.fragments[run]
            if path not in found:
                # Two words locate the run; echoing the whole run would copy it into logs.
                found[path] = f'{size} consecutive words of it, from "{" ".join(run[:2])} ..."'
        pairs: set[str] = set()
        for i, size, qid in _occurrences(seq, self._qids_by_size):
            answer, path = self.key_pairs[qid]
            if _answer_follows(seq, i + size, answer):
                pairs.add(path)
        if len(pairs) >= KEY_PAIRS_MIN:
            found["quiz answer key"] = ("question ids paired with their right answers: "
                                        + ", ".join(sorted(pairs)[:5]) + (" ..." if len(pairs) > 5 else ""))
        return list(found.items())


def _by_length(runs: Iterable[tuple[str, ...]]) -> dict[int, set[tuple[str, ...]]]:
    grouped: dict[int, set[tuple[str, ...]]] = {}
    for run in runs:
        grouped.setdefault(len(run), set()).add(run)
    return grouped


def _occurrences(seq: list[str], by_size: Mapping[int, set[tuple[str, ...]]]
                 ) -> list[tuple[int, int, tuple[str, ...]]]:
    """Return (position, length, run) for every run of ``by_size`` in ``seq``, in order of position.

    Each length is first tested as a whole, in C (``set.isdisjoint`` over the text's runs of that
    length): a clean page, the usual case, costs no Python loop over its words.
    """
    hits: list[tuple[int, int, tuple[str, ...]]] = []
    for size, runs in by_size.items():
        if len(seq) < size or runs.isdisjoint(zip(*(seq[k:] for k in range(size)), strict=False)):
            continue
        grams = zip(*(seq[k:] for k in range(size)), strict=False)
        hits.extend((i, size, gram) for i, gram in enumerate(grams) if gram in runs)
    return sorted(hits)


def _answer_follows(seq: list[str], at: int, answer: tuple[str, ...]) -> bool:
    width = len(answer)
    return any(tuple(seq[at + gap:at + gap + width]) == answer for gap in range(KEY_PAIR_GAP + 1))


def _is_public(run: tuple[str, ...], public: Mapping[int, set[tuple[str, ...]]]) -> bool:
    """Tell whether ``run`` is public text, or public text with one word added on either side.

    Pages wrap public titles in words of their own ("the ... block", "Block: ..."), so an
    instructor note that names a public title ("the US/NATO block (The US/NATO factor and
    Trump's 2017 strategy)") shares a full-length run with the page without leaking anything.
    A note that leaks has many runs with two or more words of its own; they are still probes.
    """
    size = len(run)
    if run in public.get(size, set()):
        return True
    shorter = public.get(size - 1, set()) if size == FRAGMENT_WORDS else set()
    return run[1:] in shorter or run[:-1] in shorter


def _public_runs(modules: list[Module], sizes: set[int]) -> dict[int, set[tuple[str, ...]]]:
    """Collect the runs of words found in the student edition of the materials (public by definition)."""
    from seminarkit.editions import STUDENT, module_for_edition

    runs: dict[int, set[tuple[str, ...]]] = {}
    for module in modules:
        student = module_for_edition(module, STUDENT)
        parts = [student.meta, student.timeline, student.actors, student.glossary, student.quiz, student.roles,
                 *student.sources.values(), *(d.provenance for d in student.datasets.values())]
        texts = [text for part in parts if part is not None for text in json_strings(part.model_dump(mode="json"))]
        texts.extend(d.csv_path.read_text(encoding="utf-8", errors="replace") for d in student.datasets.values())
        for text in texts:
            seq = words(text)
            for size in sizes:
                runs.setdefault(size, set()).update(_runs(seq, size))
    return runs


def json_strings(value: object) -> Iterable[str]:
    """Yield every string inside a JSON-like value (dicts and lists walked, keys skipped)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def _key_pairs(module: Module) -> dict[tuple[str, ...], tuple[tuple[str, ...], str]]:
    """Question id -> its right answer as words, for answers specific enough to pair (2+ words)."""
    from seminarkit.quiz.common import answer_text

    pairs: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
    for question in module.quiz.questions if module.quiz is not None else []:
        if question.answer is None:
            continue
        answer = tuple(words(answer_text(question)))
        if len(answer) >= 2:
            pairs[tuple(words(question.id))] = (answer, f"{module.id}:quiz.questions[{question.id}].answer")
    return pairs


def scan_bytes(data: bytes, probes: Probes) -> list[tuple[str, str]]:
    """Return (field, detail) for everything instructor-only found in one file's bytes."""
    from seminarkit.handouts.artifact_text import TooLarge, texts

    found: dict[str, str] = {}
    try:
        for text in texts(data):
            escaped = _percent_tokens(text)
            views = [text, _unquote("\n".join(escaped))] if escaped else [text]
            for view in views:
                for name, detail in probes.find(view):
                    found.setdefault(name, detail)
    except TooLarge as exc:
        found["unreadable content"] = f"{exc}: the gate cannot vouch for it"
    return list(found.items())


def _percent_tokens(text: str) -> list[str]:
    """Return the words or URLs of ``text`` that hold %-escapes, each once.

    Found from each escape outwards (linear time: a pattern scanning every word for a ``%``
    would be quadratic on the long unbroken runs of base64 that notebooks hold).
    """
    tokens: list[str] = []
    done = -1
    for match in _PERCENT.finditer(text):
        if match.start() < done:
            continue
        start = max(text.rfind(ch, 0, match.start()) for ch in " \t\r\n\"'<>") + 1
        edge = _TOKEN_EDGE.search(text, match.end())
        done = edge.start() if edge else len(text)
        tokens.append(text[start:done])
    return tokens


def _unquote(text: str) -> str:
    from urllib.parse import unquote

    return unquote(text)


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (the scan cache key)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class TreeScan:
    """What :func:`scan_tree` found, and the digest of every file it read (for the cache)."""

    leaks: list[Leak] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # relative path -> sha256 of a clean file


def scan_tree(root: Path, probes: Probes, *, expected: Iterable[str] | None = None,
              clean: Mapping[str, str] | None = None) -> TreeScan:
    """Scan every file under ``root``; a file whose digest is in ``clean`` was scanned clean before.

    ``expected`` (paths relative to ``root``) lists what a build step produced there; any other
    file, and any symbolic link, is a finding.
    """
    wanted = set(expected) if expected is not None else None
    result = TreeScan()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            result.leaks.append(Leak(path, UNEXPECTED))
            continue
        if not path.is_file():
            continue
        if wanted is not None and rel not in wanted:
            result.leaks.append(Leak(path, UNEXPECTED))
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            result.leaks.append(Leak(path, "unreadable file", f"{exc.strerror or exc}: the gate cannot vouch for it"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if clean is not None and clean.get(rel) == digest:
            result.digests[rel] = digest
            continue
        found = scan_bytes(data, probes)
        result.leaks.extend(Leak(path, name, detail) for name, detail in found)
        if not found:
            result.digests[rel] = digest
    return result


def scan(paths: Iterable[Path], modules: Iterable[Module]) -> list[Leak]:
    """Return every leak found in ``paths`` (files or folders, every file read) against ``modules``."""
    probes = Probes.build(modules)
    leaks: list[Leak] = []
    for path in paths:
        if path.is_dir():
            leaks.extend(scan_tree(path, probes).leaks)
        else:
            leaks.extend(Leak(path, name, detail) for name, detail in scan_bytes(path.read_bytes(), probes))
    return leaks


def check_leaks(paths: Iterable[Path], modules: Iterable[Module]) -> None:
    """Raise LeakError naming every artifact and leaked field, if any."""
    leaks = scan(paths, modules)
    if leaks:
        listed = "\n".join(str(leak) for leak in leaks)
        raise LeakError(f"instructor-only content found in student artifacts:\n{listed}")
