"""Answer inputs for the live quiz, one per question type, from stock ipywidgets only.

Each :class:`AnswerInput` owns its widgets and converts between them and a *response* in
the form :mod:`seminarkit.quiz.check` expects (option text, list, bool, string, dict).
The widgets are the single source of truth: :meth:`AnswerInput.get` reads them and
:meth:`AnswerInput.set` writes them, so programmatic answers show up on screen too.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.select import shuffled_options

EMPTY_CHOICE = "—"
INPUT_CLASS = "seminarkit-input"


def _full_width() -> Any:
    # ipywidgets gives radio and checkbox widgets a fixed 300px width and fixed-height label
    # rows: a long option then wraps onto the next option (radio) or is cut off (checkbox).
    return widgets.Layout(width="auto")


def _classed(widget: Any, *classes: str) -> Any:
    for name in (INPUT_CLASS, *classes):
        widget.add_class(name)
    return widget


def _bad(question: Any, value: object, expected: str) -> QuizError:
    return QuizError(f"question {question.id!r}: cannot answer {value!r} (expected {expected})")


class AnswerInput:
    """The input widgets of one question and the conversion to and from a response."""

    def __init__(self, question: Any, seed: int):
        self.question = question
        self.choices = shuffled_options(question, seed)
        self.parts: list[Any] = []
        self.widget: Any = self._build()

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> Any:
        q = self.question
        if q.type == "single":
            self.parts = [_classed(widgets.RadioButtons(options=self.choices, value=None,
                                                        layout=_full_width()),
                                   "seminarkit-choice")]
            return self.parts[0]
        if q.type == "truefalse":
            self.parts = [_classed(widgets.RadioButtons(options=[("True", True),
                                                                 ("False", False)],
                                                        value=None), "seminarkit-choice")]
            return self.parts[0]
        if q.type == "multiple":
            self.parts = [_classed(widgets.Checkbox(value=False, description=opt, indent=False,
                                                    layout=_full_width()),
                                   "seminarkit-option") for opt in self.choices]
            return widgets.VBox(self.parts)
        if q.type in ("numeric", "text"):
            hint = "a number" if q.type == "numeric" else "your answer"
            box = _classed(widgets.Text(value="", placeholder=hint), f"seminarkit-{q.type}")
            self.parts = [box]
            if q.type == "numeric" and q.unit:
                return widgets.HBox([box, widgets.HTML(html.escape(q.unit))])
            return box
        if q.type == "ordering":
            options = [(EMPTY_CHOICE, None), *((c, c) for c in self.choices)]
            self.parts = [_classed(widgets.Dropdown(options=options, value=None,
                                                    description=f"{i + 1}."),
                                   "seminarkit-position") for i in range(len(self.choices))]
            note = widgets.HTML("<i>Choose the items from first (1) to last.</i>")
            return widgets.VBox([note, *self.parts])
        if q.type == "matching":
            options = [(EMPTY_CHOICE, None), *((c, c) for c in self.choices)]
            self.parts = [_classed(widgets.Dropdown(options=options, value=None),
                                   "seminarkit-match") for _ in q.left]
            rows = [widgets.HBox([widgets.HTML(html.escape(left)), drop])
                    for left, drop in zip(q.left, self.parts, strict=True)]
            return widgets.VBox(rows)
        raise QuizError(f"question {q.id!r}: unknown question type {q.type!r}")

    # -- reading and writing ------------------------------------------------------------------
    def get(self) -> Any:
        """Return the current response (``None`` or empty when nothing is chosen)."""
        q = self.question
        if q.type in ("single", "truefalse", "numeric", "text"):
            value = self.parts[0].value
            return value if value not in ("",) else None
        if q.type == "multiple":
            return [box.description for box in self.parts if box.value]
        if q.type == "ordering":
            return [drop.value for drop in self.parts]
        return {left: drop.value for left, drop in zip(q.left, self.parts, strict=True)}

    def set(self, value: Any) -> None:
        """Show ``value`` in the widgets; an impossible value is a :class:`QuizError`."""
        q = self.question
        if value is None:
            self.clear()
            return
        if q.type == "single":
            if value not in self.choices:
                raise _bad(q, value, "one of the options")
            self.parts[0].value = value
        elif q.type == "truefalse":
            if not isinstance(value, bool):
                raise _bad(q, value, "True or False")
            self.parts[0].value = value
        elif q.type in ("numeric", "text"):
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise _bad(q, value, "a number" if q.type == "numeric" else "a string")
            self.parts[0].value = str(value)
        elif q.type == "multiple":
            picks = [value] if isinstance(value, str) else list(value)
            unknown = [p for p in picks if p not in self.choices]
            if unknown:
                raise _bad(q, unknown[0], "options of this question")
            for box in self.parts:
                box.value = box.description in picks
        elif q.type == "ordering":
            order = list(value)
            if len(order) > len(self.parts) or any(v not in self.choices for v in order
                                                   if v is not None):
                raise _bad(q, value, "a list of this question's items")
            for i, drop in enumerate(self.parts):
                drop.value = order[i] if i < len(order) else None
        else:
            if not isinstance(value, Mapping) or any(k not in q.left for k in value) or any(
                    v not in self.choices for v in value.values() if v is not None):
                raise _bad(q, value, "a mapping from left items to options")
            for left, drop in zip(q.left, self.parts, strict=True):
                drop.value = value.get(left)

    def clear(self) -> None:
        """Reset every widget to 'no answer'."""
        for part in self.parts:
            if isinstance(part, widgets.Checkbox):
                part.value = False
            elif isinstance(part, widgets.Text):
                part.value = ""
            else:
                part.value = None
