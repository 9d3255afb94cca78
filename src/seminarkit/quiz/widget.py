"""The live quiz: :class:`QuizWidget`, composed from stock ipywidgets (no custom JavaScript).

Two modes:

* ``practice`` — each question has a *Check* button; the feedback line says "Correct",
  "Partly right" or "Not quite", then the public explanation (if the question allows it)
  and its sources. A running score counts the latest check of each question; answers can be
  changed and checked again. *Finish* shows a summary.
* ``exam`` — no feedback and no key at all (sealed hashes are dropped from the questions it
  is given, see also :func:`seminarkit.quiz.notebook.exam_quiz`). *Save answers* writes
  ``<quiz_id>.responses.json`` into ``responses_dir`` atomically; saving again overwrites.

With ``room`` and ``join_code`` (practice mode), every checked answer is also sent to a live
room (:mod:`seminarkit.room`) in the background, anonymously; a one-line status
(``seminarkit-room-status``) says whether the room was reached, and the quiz works the same
when it was not.

Everything the buttons do is also a method (``answer``, ``check``, ``save``, ``summary``),
so scripts and tests drive the quiz without a browser or kernel. Stable CSS classes
(``seminarkit-quiz``, ``seminarkit-question``, ``seminarkit-feedback``, ``seminarkit-check``,
``seminarkit-save``...) let browser tests find the parts.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets

from seminarkit.errors import OutputError
from seminarkit.fileio import write_atomic
from seminarkit.quiz.check import CheckResult, check, is_blank
from seminarkit.quiz.common import (
    RESPONSES_FORMAT,
    RESPONSES_SUFFIX,
    RESPONSES_VERSION,
    css_id,
    fmt_points,
    source_links,
)
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.inputs import AnswerInput
from seminarkit.quiz.keys import strip_keys

if TYPE_CHECKING:
    from seminarkit.room.client import RoomLink

Mode = Literal["practice", "exam"]


class QuizWidget:
    """A live quiz over ``questions``; display it with ``display(qw)`` or ``qw.widget``."""

    def __init__(
        self,
        questions: Sequence[Any],
        *,
        quiz_id: str,
        mode: Mode = "practice",
        seed: int = 0,
        responses_dir: Path = Path("."),
        sources: Mapping[str, Any] | None = None,
        student: str | None = None,
        module: str | None = None,
        selection: Mapping[str, Any] | None = None,
        title: str | None = None,
        room: str | None = None,
        join_code: str | None = None,
    ):
        if mode not in ("practice", "exam"):
            raise QuizError(f"unknown quiz mode {mode!r}; choose one of: practice, exam")
        if not questions:
            raise QuizError(f"quiz {quiz_id!r} has no questions")
        # Exam mode never holds a checkable key, even when given sealed questions.
        self.questions = [strip_keys(q) for q in questions] if mode == "exam" else list(questions)
        self.quiz_id, self.mode, self.seed = quiz_id, mode, seed
        self.responses_dir, self.sources = Path(responses_dir), sources or {}
        self.student, self.module = student, module
        self.selection = dict(selection or {})
        self._by_id = {q.id: q for q in self.questions}
        self._inputs = {q.id: AnswerInput(q, seed) for q in self.questions}
        self._results: dict[str, CheckResult] = {}
        self._feedback: dict[str, widgets.HTML] = {}
        self.check_buttons: dict[str, widgets.Button] = {}
        self.score_html = widgets.HTML()
        self.summary_html = widgets.HTML()
        self.status_html = widgets.HTML()
        self.finish_button = widgets.Button(description="Finish", icon="flag")
        self.save_button = widgets.Button(description="Save answers", icon="save",
                                          button_style="primary")
        self.room_html = widgets.HTML()
        self.room_link: RoomLink | None = None
        self.widget = self._build(title or f"Quiz: {quiz_id}")
        if room is not None or join_code is not None:
            self._connect_room(room, join_code)

    # -- layout -------------------------------------------------------------------------------
    def _build(self, title: str) -> widgets.VBox:
        header = widgets.HTML(f"<h3>{html.escape(title)}</h3>")
        header.add_class("seminarkit-quiz-title")
        rows: list[Any] = [header]
        for number, question in enumerate(self.questions, start=1):
            rows.append(self._question_box(number, question))
        if self.mode == "practice":
            self.score_html.add_class("seminarkit-score")
            self.summary_html.add_class("seminarkit-summary")
            self.finish_button.add_class("seminarkit-finish")
            self.finish_button.on_click(lambda _b: self.summary())
            self._update_score()
            rows += [self.score_html, self.finish_button, self.summary_html]
        else:
            self.status_html.add_class("seminarkit-status")
            self.save_button.add_class("seminarkit-save")
            self.save_button.on_click(lambda _b: self._save_clicked())
            self.status_html.value = "<i>Answer the questions, then press Save answers.</i>"
            rows += [self.save_button, self.status_html]
        box = widgets.VBox(rows)
        box.add_class("seminarkit-quiz")
        box.add_class(f"seminarkit-quiz-{self.mode}")
        return box

    def _question_box(self, number: int, question: Any) -> widgets.VBox:
        unit = f" <i>({html.escape(question.unit)})</i>" if getattr(question, "unit", None) \
            else ""
        pts = fmt_points(question.points)
        prompt = widgets.HTML(f"<b>{number}.</b> {html.escape(question.prompt)}{unit} "
                              f"<small>({pts} pt{'s' if question.points != 1 else ''})</small>")
        prompt.add_class("seminarkit-prompt")
        parts: list[Any] = [prompt, self._inputs[question.id].widget]
        if self.mode == "practice":
            button = widgets.Button(description="Check", icon="check")
            button.add_class("seminarkit-check")
            button.on_click(lambda _b, qid=question.id: self.check(qid))
            feedback = widgets.HTML("")
            feedback.add_class("seminarkit-feedback")
            self.check_buttons[question.id], self._feedback[question.id] = button, feedback
            parts += [button, feedback]
        box = widgets.VBox(parts)
        box.add_class("seminarkit-question")
        box.add_class(css_id(question.id))
        return box

    # -- live room -------------------------------------------------------------------------------
    def _room_status(self, state: str, message: str) -> None:
        self.room_html.value = (f'<span class="seminarkit-room-{state}"><b>Live room:</b> '
                                f"{html.escape(message)}</span>")

    def _connect_room(self, room: str | None, join_code: str | None) -> None:
        """Link this quiz to a live room; any problem is a one-line status, never an exception."""
        from seminarkit.room.client import RoomLink, RoomUnavailable, room_address

        self.room_html.add_class("seminarkit-room-status")
        self.widget.children = (self.widget.children[0], self.room_html, *self.widget.children[1:])
        if self.mode != "practice":
            self._room_status("unavailable", "not used in exam mode; your answers stay in this notebook")
            return
        if room is None or join_code is None:
            self._room_status("unavailable", "set both room and join_code to join the live room")
            return
        try:
            address = room_address(room, join_code)
        except RoomUnavailable as exc:
            self._room_status("unavailable", f"{exc}; the quiz works as usual here")
            return
        self.room_link = RoomLink(address, self._room_status)

    # -- display -------------------------------------------------------------------------------
    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- programmatic API -------------------------------------------------------------------------
    def _question(self, question_id: str) -> Any:
        try:
            return self._by_id[question_id]
        except KeyError:
            raise QuizError(f"no question {question_id!r} in quiz {self.quiz_id!r} "
                            f"(questions: {', '.join(self._by_id)})") from None

    def answer(self, question_id: str, value: Any) -> None:
        """Set the answer to one question (shown in its widgets); ``None`` clears it."""
        self._question(question_id)
        self._inputs[question_id].set(value)

    def response(self, question_id: str) -> Any:
        """Return the current response to one question, as read from its widgets."""
        self._question(question_id)
        return self._inputs[question_id].get()

    def responses(self) -> dict[str, Any]:
        """Every current response, keyed by question id, in quiz order."""
        return {qid: inp.get() for qid, inp in self._inputs.items()}

    def feedback_html(self, question_id: str) -> str:
        """Return the feedback HTML currently shown under a question (practice mode)."""
        self._question(question_id)
        fb = self._feedback.get(question_id)
        return fb.value if fb is not None else ""

    def _practice_only(self, what: str) -> None:
        if self.mode != "practice":
            raise QuizError(f"{what} is not available in exam mode (the instructor scores "
                            "saved answers)")

    def check(self, question_id: str) -> CheckResult:
        """Check one answer (practice mode), show the feedback, update the running score."""
        self._practice_only("checking answers")
        question = self._question(question_id)
        result = check(question, self._inputs[question_id].get())
        self._results[question_id] = result
        self._feedback[question_id].value = self._feedback_for(question, result)
        self._update_score()
        if self.room_link is not None and result.status != "unanswered":
            self.room_link.send(question_id, self._inputs[question_id].get())
        return result

    def _feedback_for(self, question: Any, result: CheckResult) -> str:
        head = (f'<div class="seminarkit-result seminarkit-result-{result.status}">'
                f"<b>{html.escape(result.feedback)}</b> "
                f"{fmt_points(result.points)} / {fmt_points(result.max_points)}</div>")
        if result.status == "unanswered":
            return head
        extra = []
        if question.public_explanation:
            extra.append(f'<div class="seminarkit-explanation">'
                         f"{html.escape(question.public_explanation)}</div>")
        links = source_links(question.sources, self.sources)
        if links:
            extra.append(f'<div class="seminarkit-source">{links}</div>')
        return head + "".join(extra)

    @property
    def max_score(self) -> float:
        """The total points of the quiz."""
        return float(sum(q.points for q in self.questions))

    @property
    def score(self) -> float:
        """Points from the latest check of each question (practice mode)."""
        self._practice_only("a running score")
        return sum(r.points for r in self._results.values())

    def _update_score(self) -> None:
        self.score_html.value = (f"<b>Score: {fmt_points(self.score)} / "
                                 f"{fmt_points(self.max_score)}</b> "
                                 f"({len(self._results)} of {len(self.questions)} checked)")

    def summary(self) -> str:
        """Check every question (practice mode), show and return a plain-text summary."""
        self._practice_only("a summary")
        for question in self.questions:
            self.check(question.id)
        lines = [f"Score: {fmt_points(self.score)} / {fmt_points(self.max_score)}"]
        rows = []
        for number, q in enumerate(self.questions, start=1):
            r = self._results[q.id]
            lines.append(f"{number}. {q.id}: {r.status} ({fmt_points(r.points)}/"
                         f"{fmt_points(r.max_points)})")
            rows.append(f"<tr class='seminarkit-summary-{r.status}'><td>{number}</td>"
                        f"<td>{html.escape(q.id)}</td><td>{r.status}</td>"
                        f"<td>{fmt_points(r.points)} / {fmt_points(r.max_points)}</td></tr>")
        self.summary_html.value = (f"<p><b>{html.escape(lines[0])}</b></p><table>"
                                   + "".join(rows) + "</table>")
        return "\n".join(lines)

    @property
    def responses_path(self) -> Path:
        """Where :meth:`save` writes: ``<responses_dir>/<quiz_id>.responses.json``."""
        return self.responses_dir / f"{self.quiz_id}{RESPONSES_SUFFIX}"

    def payload(self) -> dict[str, Any]:
        """Return the responses document :meth:`save` writes (see docs/quiz.md)."""
        return {
            "format": RESPONSES_FORMAT,
            "version": RESPONSES_VERSION,
            "quiz_id": self.quiz_id,
            "module": self.module,
            "seed": self.seed,
            "selection": self.selection,
            "student": self.student,
            "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "questions": [q.id for q in self.questions],
            "answers": self.responses(),
        }

    def save(self) -> Path:
        """Write the responses atomically (temp file + ``os.replace``); return the path."""
        text = json.dumps(self.payload(), ensure_ascii=False, indent=2) + "\n"
        return write_atomic(self.responses_path, text)

    def _save_clicked(self) -> None:
        try:
            path = self.save()
        except (QuizError, OutputError) as exc:
            self.status_html.value = (f'<span class="seminarkit-save-failed">Not saved: '
                                      f"{html.escape(str(exc))}</span>")
            return
        answered = sum(1 for qid in self._inputs if not is_blank(self.response(qid)))
        stamp = datetime.now().strftime("%H:%M:%S")
        self.status_html.value = (f'<span class="seminarkit-saved">Saved {answered} of '
                                  f"{len(self.questions)} answers to {html.escape(path.name)} "
                                  f"at {stamp}.</span>")

