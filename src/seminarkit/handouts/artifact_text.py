"""Every piece of text a file carries, whatever its name says it is.

The leak gate reads files by their *content*, never by their suffix: a PDF renamed ``.txt``
is still read as a PDF, an SVG is text, a ZIP (``.docx``, ``.zip``, ``.whatever``) is opened
member by member, a PNG's text chunks (``tEXt``, ``zTXt``, ``iTXt``) are decompressed, JSON
strings are decoded (JSON ``u00ad`` escapes included), base64 payloads that are files in turn
(``data:`` URIs in HTML, images in notebook outputs) are decoded and read, and anything else
is decoded as UTF-8 (and as UTF-16 when it looks like it). PDF text comes from poppler's
``pdftotext`` where it is installed (as in CI) and from pypdf otherwise. :func:`texts` yields the text
*views* of a file; :mod:`seminarkit.handouts.leaks` normalises and matches them.

Nested content is bounded (depth and total decoded bytes), so a ZIP bomb costs at most
:data:`MAX_DECODED` bytes of work and says so instead of exhausting memory.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_DEPTH = 4
MAX_DECODED = 256 * 1024 * 1024  # bytes decoded from nested containers, per top-level file
_DATA_URI = re.compile(rb"data:[\w.+/-]*(?:;[\w=.+-]+)*;base64,([A-Za-z0-9+/=\s]{16,})")
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]{64,}$")
_TAG = re.compile(r"<[^<>]*>")  # [^<>]: linear even on a file of lone "<"
_MAGIC_FILES = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"\x1f\x8b")


class TooLarge(Exception):
    """Decoding a file's nested content would exceed :data:`MAX_DECODED`."""


@dataclass
class _Budget:
    left: int = field(default_factory=lambda: MAX_DECODED)
    notes: list[str] = field(default_factory=list)

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise TooLarge(f"more than {MAX_DECODED // (1024 * 1024)} MB of nested content")


def kind_of(data: bytes) -> str:
    """Return what ``data`` is, by its first bytes: pdf, png, zip, gzip, json or text."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(b"\x1f\x8b"):
        return "gzip"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    return "text"


_RUNS = re.compile(rb"(?:[\x20-\x7e\t\r\n]|[\xc2-\xf4][\x80-\xbf]{1,3}){4,}")


def decode_text(data: bytes) -> list[str]:
    """Decode bytes as text: UTF-8, plus UTF-16 when NUL bytes say it may be that.

    Bytes that are not UTF-8 (a binary file, a PDF's compressed streams) yield their runs of
    printable text, as ``strings`` does, instead of a page of replacement characters.
    """
    try:
        found = [data.decode("utf-8")]
    except UnicodeDecodeError:
        found = ["\n".join(run.decode("utf-8", errors="replace") for run in _RUNS.findall(data))]
    if data.count(b"\x00") * 8 > len(data):  # UTF-16 text is about half NUL bytes
        for codec in ("utf-16-le", "utf-16-be"):
            found.append(data.decode(codec, errors="replace"))
    return found


def texts(data: bytes, *, depth: int = 0, budget: _Budget | None = None) -> Iterator[str]:
    """Yield every text view of a file's bytes (see the module docstring)."""
    budget = budget if budget is not None else _Budget()
    if depth > MAX_DEPTH:
        return
    kind = kind_of(data)
    if kind == "pdf":
        yield from _pdf(data, depth, budget)
    elif kind == "png":
        yield from _png(data, depth, budget)
    elif kind == "zip":
        yield from _zip(data, depth, budget)
    elif kind == "gzip":
        yield from _gzip(data, depth, budget)
    else:
        yield from _text(data, depth, budget, as_json=kind == "json")


def _nested(data: bytes, depth: int, budget: _Budget) -> Iterator[str]:
    budget.spend(len(data))
    yield from texts(data, depth=depth + 1, budget=budget)


def _text(data: bytes, depth: int, budget: _Budget, *, as_json: bool) -> Iterator[str]:
    # Embedded files (data: URIs) are read as files, then cut out of the text (base64 is noise).
    for match in _DATA_URI.finditer(data):
        payload = _b64(match.group(1).decode("ascii"))
        if payload is not None:
            yield from _nested(payload, depth, budget)
    body = _DATA_URI.sub(b" ", data) if b"base64," in data else data
    for text in decode_text(body):
        yield text  # raw: attribute values, comments, markup-split text all stay
        if "<" in text:
            yield _TAG.sub("", text)  # as rendered: inline tags removed, text joined
    if as_json:
        try:
            value = json.loads(data.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            return
        yield from _json_strings(value, depth, budget)


def _json_strings(value: object, depth: int, budget: _Budget) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            if item and all(isinstance(x, str) for x in item):
                # A notebook stores multi-line text as a list of lines (each ending in a newline).
                lines = all(x.endswith("\n") for x in item[:-1])
                stack.append(("" if lines else "\n").join(item))
            else:
                stack.extend(item)
        elif isinstance(item, str):
            payload = _b64(item) if len(item) >= 64 and _BASE64.match(item) else None
            if payload is not None and payload.startswith(_MAGIC_FILES):
                yield from _nested(payload, depth, budget)
            else:
                yield from _text(item.encode("utf-8"), depth + 1, budget, as_json=False)


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def pdftotext(data: bytes) -> str | None:
    """Text of a PDF by poppler's ``pdftotext`` (about 30 times faster than pypdf), or None without it."""
    import shutil
    import subprocess

    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    try:
        done = subprocess.run([tool, "-q", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                              timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None


def _pdf(data: bytes, depth: int, budget: _Budget) -> Iterator[str]:
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = pdftotext(data)
        yield text if text is not None else "\n".join(page.extract_text() or "" for page in reader.pages)
        meta = dict(reader.metadata or {})
        yield "\n".join(str(v) for v in meta.values())
        for contents in reader.attachments.values():
            for content in contents:
                yield from _nested(content, depth, budget)
    except (PyPdfError, ValueError, KeyError, TypeError, struct.error, zlib.error):
        budget.notes.append("PDF could not be parsed; read as bytes")
    yield from decode_text(data)


def _png(data: bytes, depth: int, budget: _Budget) -> Iterator[str]:
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        try:
            if kind == b"tEXt":
                yield chunk.replace(b"\x00", b" ").decode("latin-1")
            elif kind == b"zTXt":
                key, _, rest = chunk.partition(b"\x00")
                yield key.decode("latin-1") + " " + _inflate(rest[1:], budget).decode("latin-1")
            elif kind == b"iTXt":
                key, _, rest = chunk.partition(b"\x00")
                compressed, rest = rest[0], rest[2:]
                _lang, _, rest = rest.partition(b"\x00")
                _translated, _, text = rest.partition(b"\x00")
                raw = _inflate(text, budget) if compressed else text
                yield key.decode("latin-1") + " " + raw.decode("utf-8", errors="replace")
        except (zlib.error, IndexError):
            budget.notes.append(f"PNG {kind.decode('latin-1')} chunk could not be decoded")
        if kind == b"IEND":
            break
    yield from decode_text(data[pos:])  # anything appended after the image


def _inflate(data: bytes, budget: _Budget) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, max(budget.left, 0) + 1)
    budget.spend(len(out))
    return out


def _zip(data: bytes, depth: int, budget: _Budget) -> Iterator[str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        for info in archive.infolist():
            yield info.filename
            if info.is_dir():
                continue
            budget.spend(info.file_size)
            try:
                member = archive.read(info)
            except RuntimeError:  # encrypted: nothing to read, and that is suspicious in itself
                budget.notes.append(f"ZIP member {info.filename} is encrypted")
                continue
            yield from texts(member, depth=depth + 1, budget=budget)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        budget.notes.append("ZIP could not be read; read as bytes")
    yield from decode_text(data)


def _gzip(data: bytes, depth: int, budget: _Budget) -> Iterator[str]:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            inner = handle.read(max(budget.left, 0) + 1)
    except (OSError, EOFError, zlib.error):
        yield from decode_text(data)
        return
    yield from _nested(inner, depth, budget)
