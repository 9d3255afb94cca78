"""Export a session's results: per-question counts as CSV and one bar chart per question.

``results.csv`` gets one row per bar (question, bar label, count, whether the bar is the key);
beside it, ``results-01-<question>.png`` and so on, drawn with the kit's figure conventions
(palette, hatching for the key so it reads in greyscale, alt text in the PNG, one unit per axes,
bars from zero). Everything is rendered in memory first, then written atomically, so a failure
leaves nothing half-written. Free-text answers are never exported, only counts.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seminarkit.errors import OutputError
from seminarkit.fileio import write_atomic
from seminarkit.room.errors import RoomError
from seminarkit.room.questions import PollQuestion
from seminarkit.room.security import normalise_join_code
from seminarkit.room.sessions import Room
from seminarkit.room.store import SessionRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CSV_COLUMNS = ("session", "join_code", "module", "number", "question", "bar", "label", "count",
               "answered", "key")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class QuestionCounts:
    """The counts of one question in one session."""

    question: PollQuestion
    counts: tuple[int, ...]
    answered: int


def find_session(room: Room, ref: str) -> SessionRow:
    """Find a session by id (``3``) or join code (``K7QX2M``); a clear error otherwise."""
    ref = ref.strip()
    found = room.store.session(int(ref)) if ref.isdigit() else None
    if found is None:
        code = normalise_join_code(ref)
        found = room.store.session_by_code(code) if code else None
    if found is None:
        known = ", ".join(f"{s.id} ({s.join_code})" for s in room.store.sessions()[:10]) or "none yet"
        raise RoomError(404, f"no session {ref!r} in {room.store.path}; sessions: {known}")
    return found


def session_counts(room: Room, session: SessionRow) -> list[QuestionCounts]:
    """Count the stored answers of a session, per question and bar."""
    questions = room.questions(session)
    counts, answered = room.counts(session)
    return [QuestionCounts(q, tuple(counts[q.id]), answered[q.id]) for q in questions]


def counts_csv(session: SessionRow, results: list[QuestionCounts]) -> str:
    """Return the CSV text: one row per bar of every question."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in results:
        keys = set(item.question.key_bars())
        for index, (label, count) in enumerate(zip(item.question.bars, item.counts, strict=True)):
            writer.writerow([session.id, session.join_code, session.module, item.question.number,
                             item.question.id, index + 1, label, count, item.answered,
                             "yes" if index in keys else "no"])
    return buffer.getvalue()


def _alt(item: QuestionCounts, unit: str) -> str:
    keys = set(item.question.key_bars())
    bars = "; ".join(f"{label}{' (key)' if i in keys else ''}: {count}"
                     for i, (label, count) in enumerate(zip(item.question.bars, item.counts, strict=True)))
    return (f"Horizontal bar chart of {item.answered} answers to question {item.question.number} "
            f"({item.question.id}), counting {unit}. {bars}.")


def question_figure(item: QuestionCounts) -> tuple[Figure, str, str]:
    """Draw one question's bars; return the figure, its alt text and its title."""
    from matplotlib.ticker import MaxNLocator

    from seminarkit.render.figures import PALETTE, new_figure, set_title

    q = item.question
    unit = "students who picked each option" if q.counts_picks else "students"
    labels = [textwrap.fill(label, 38) for label in q.bars]
    keys = set(q.key_bars())
    fig, (ax,) = new_figure(1.2 + 0.45 * len(labels) + 0.2 * sum(lab.count("\n") for lab in labels))
    positions = list(range(len(labels)))[::-1]
    bars = ax.barh(positions, item.counts, color=[PALETTE[2] if i in keys else PALETTE[0] for i in range(len(labels))],
                   hatch=None, edgecolor="black", linewidth=0.6)
    for index, bar in enumerate(bars):
        if index in keys:
            bar.set_hatch("//")
    ax.set_yticks(positions, [lab + (" (key)" if i in keys else "") for i, lab in enumerate(labels)])
    top = max(item.counts, default=0)
    ax.set_xlim(0, max(1, top) * 1.12)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"Number of {unit}")
    for bar, count in zip(bars, item.counts, strict=True):
        ax.annotate(str(count), (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(4, 0),
                    textcoords="offset points", va="center")
    title = f"{q.number}. {q.question.prompt}"
    set_title(fig, title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, _alt(item, unit), title


def figure_path(out: Path, item: QuestionCounts) -> Path:
    """Where one question's figure goes: ``<out stem>-<nn>-<question id>.png`` beside the CSV."""
    slug = _UNSAFE.sub("_", item.question.id).strip("_") or "question"
    return out.with_name(f"{out.stem}-{item.question.number:02d}-{slug}.png")


def export_results(room: Room, session_ref: str, out: Path) -> list[Path]:
    """Write the session's counts CSV to ``out`` and one PNG per question beside it."""
    from seminarkit.render.figures import png_bytes

    out = Path(out)
    if out.is_dir():
        raise OutputError(out, "is a folder; give a file name for the CSV (e.g. results.csv)")
    if out.suffix.lower() != ".csv":
        raise OutputError(out, "give the CSV a .csv name (the figures are written beside it)")
    session = find_session(room, session_ref)
    results = session_counts(room, session)
    rendered: list[tuple[Path, bytes]] = []
    for item in results:
        fig, alt, title = question_figure(item)
        rendered.append((figure_path(out, item), png_bytes(fig, alt, title)))
    written = [write_atomic(out, counts_csv(session, results))]
    written += [write_atomic(path, data) for path, data in rendered]
    return written
