"""What the course notebooks call: validate parameters, load edition-filtered content, show it.

Every notebook starts with :func:`start`, which checks the parameter values *before*
anything is rendered and returns a :class:`Session` holding the module as the chosen
edition may see it (instructor-only material is never loaded into a student run).

Importing this module in an IPython kernel installs :func:`install_error_display`: a
:class:`SeminarkitError` (a bad parameter, a module that does not exist...) then shows as one
line naming what was wrong and the valid choices, not as a traceback, in JupyterLab and in
builds alike. The cell still fails (Run All stops there; papermill reports it).
"""

from __future__ import annotations

import html
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from seminarkit.content.paths import default_materials_dir
from seminarkit.editions import STUDENT, Edition, module_for_edition
from seminarkit.editions import edition as lookup_edition
from seminarkit.errors import SeminarkitError, UnknownChoiceError
from seminarkit.render.views import Html

if TYPE_CHECKING:
    from seminarkit.content.materials import Course, Module
    from seminarkit.content.schema.course import NotebookEntry
    from seminarkit.content.schema.module import FigureSpec
    from seminarkit.content.schema.quiz import Question
    from seminarkit.quiz.widget import QuizWidget
    from seminarkit.render.figures import FigureOutput

SESSION_LENGTHS = (60, 90)
QUIZ_MODES = ("practice", "exam")


class ParameterError(SeminarkitError):
    """A notebook parameter has a value the notebook cannot use."""


TRACEBACKS_ENV = "SEMINARKIT_TRACEBACKS"  # set to 1 to see full tracebacks again (debugging the kit)


def one_line_error(shell: Any, etype: type[BaseException], value: BaseException, tb: object,
                   tb_offset: int | None = None) -> list[str]:
    """IPython custom exception handler: show the error as one line (red name, then the message).

    ``_showtraceback`` is how IPython and ipykernel display a structured traceback: the kernel
    sends it as the cell's ``error`` output (ename, evalue, and this one line as traceback).
    """
    stb = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb


def install_error_display() -> bool:
    """In an IPython kernel, show every :class:`SeminarkitError` as one line; return True if installed.

    Uses IPython's documented hook, ``InteractiveShell.set_custom_exc``. Outside IPython, or
    with ``SEMINARKIT_TRACEBACKS=1``, nothing changes.
    """
    if "IPython" not in sys.modules or os.environ.get(TRACEBACKS_ENV, "") not in ("", "0"):
        return False
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((SeminarkitError,), one_line_error)
    return True


@dataclass(frozen=True)
class Session:
    """One notebook run: the course, the edition-filtered module, and the run's parameters."""

    notebook: str
    course: Course
    module: Module
    edition: Edition
    interactive: bool

    @property
    def instructor(self) -> bool:
        """True when this edition shows instructor material."""
        return self.edition.instructor_material

    @property
    def notebooks(self) -> list[NotebookEntry]:
        """The notebooks that apply to this module, in course order."""
        entry = next(m for m in self.course.spec.modules if m.id == self.module.id)
        catalogue = {n.id: n for n in self.course.spec.notebooks}
        return [catalogue[n] for n in entry.notebooks]

    def module_titles(self) -> dict[str, str]:
        """Map module id -> short title, for cross-module links."""
        return {mid: m.meta.short_title for mid, m in self.course.modules.items()}

    def heading(self, subtitle: str) -> Html:
        """Render the notebook's heading: module title, notebook title, edition badge (and a stub's banner)."""
        banner = ""
        if self.module.meta.status == "stub":
            banner = ('<p class="seminarkit-stub" role="note"><b>DRAFT: stub module.</b> Its content is '
                      "scaffolding (values marked EXAMPLE are placeholders), not material to teach from.</p>")
        return Html(f'<p class="seminarkit-edition seminarkit-edition-{self.edition.name}"><b>Module:</b> '
                    f"{html.escape(self.module.meta.title)} · <b>{html.escape(subtitle)}</b> · "
                    f"{self.edition.label}</p>{banner}")


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(f"parameter {name} must be True or False, got {value!r}")
    return value


def check_int(name: str, value: object, *, minimum: int = 0) -> int:
    """Validate an integer parameter."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ParameterError(f"parameter {name} must be a whole number >= {minimum}, got {value!r}")
    return value


def check_choice(name: str, value: object, choices: tuple[Any, ...]) -> Any:
    """Validate a parameter that must be one of ``choices``."""
    if value not in choices:
        raise UnknownChoiceError(f"value for parameter {name}", value, choices)
    return value


def start(notebook: str, *, module: str, edition: str = "student", materials_dir: str | Path | None = None,
          interactive: bool = True, session_minutes: int | None = None) -> Session:
    """Validate the common parameters and load the module for ``edition``."""
    chosen = lookup_edition(edition)
    _check_bool("interactive", interactive)
    if session_minutes is not None:
        check_choice("session_minutes", session_minutes, SESSION_LENGTHS)
    course = _course(Path(materials_dir) if materials_dir else default_materials_dir())
    if chosen.instructor_material and lookup_edition(course.spec.edition).redacts:
        raise ParameterError(f"this is a student kit: its materials hold no instructor material, so edition "
                             f"must be {STUDENT.name!r} (got {edition!r})")
    mod = course.module(module)
    entry = next(m for m in course.spec.modules if m.id == module)
    if notebook not in entry.notebooks:
        applies = [m.id for m in course.spec.modules if notebook in m.notebooks]
        raise ParameterError(f"notebook {notebook} does not apply to module {module!r}; "
                             f"choose one of: {', '.join(applies)}")
    from seminarkit.content.reads import watch

    # From here on the notebook's reads are noted: the build's cache covers exactly those files.
    watched_course, watched_module = watch(course, module_for_edition(mod, chosen))
    return Session(notebook, watched_course, watched_module, chosen, interactive)


_COURSES: dict[tuple[str, str], bytes] = {}


def forget_courses() -> None:
    """Drop the courses cached in this process."""
    _COURSES.clear()


def _course(materials_dir: Path) -> Course:
    """Load the course, validated once per process while its files are unchanged.

    A reused build kernel makes many handouts from the same materials. The validated course is
    cached as pickled bytes keyed by a digest of every materials file, and each call returns
    its own copy (unpickling costs about 5 ms, validating about 100 ms), so nothing one
    notebook does to its course can be seen by the next.
    """
    import pickle

    from seminarkit.content.materials import load_course

    key = (str(materials_dir.resolve()), materials_digest(materials_dir))
    if key not in _COURSES:
        _COURSES.clear()
        _COURSES[key] = pickle.dumps(load_course(materials_dir, note_reads=False),
                                    protocol=pickle.HIGHEST_PROTOCOL)
    course: Course = pickle.loads(_COURSES[key])
    return course


def materials_digest(materials_dir: Path) -> str:
    """Hash of every file under the materials folder (names and contents)."""
    import hashlib

    from seminarkit.fileio import hash_tree

    h = hashlib.sha256()
    hash_tree(h, materials_dir)
    return h.hexdigest()


def show(*objects: Any) -> None:
    """Display each object (figures, HTML views, widgets) in the notebook."""
    from IPython.display import display

    for obj in objects:
        if isinstance(obj, list):
            show(*obj)
        elif obj is not None:
            display(obj)


def figure_for(session: Session, spec: FigureSpec | None) -> FigureOutput | None:
    """Draw the figure a block's ``figure`` spec asks for (timeline slice, data chart or actor map).

    The spec's caption, when given, captions the figure; an actor map shows only the spec's
    actors (the first one highlighted).
    """
    module = session.module
    if spec is None:
        return None
    if spec.kind == "timeline" and module.timeline is not None:
        from seminarkit.render.explorers.timeline import timeline_view

        return timeline_view(module, start=spec.start, end=spec.end, categories=spec.categories or None,
                             actors=spec.actors or None, caption=spec.caption)
    if spec.kind == "data" and spec.dataset in module.datasets:
        from seminarkit.render.explorers.evidence import plot_dataset

        return plot_dataset(module, spec.dataset, caption=spec.caption)
    if spec.kind == "actors" and module.actors is not None:
        from seminarkit.render.explorers.actors import plot_relations

        return plot_relations(module, highlight=spec.actors[0] if spec.actors else None,
                              only=spec.actors or None, caption=spec.caption)
    return None


def quiz(session: Session, *, questions: list[Question], quiz_id: str, mode: str = "practice", seed: int = 0,
         title: str = "Questions", selection: dict[str, Any] | None = None, room: str | None = None,
         join_code: str | None = None) -> Html | QuizWidget:
    """Return a live quiz widget (interactive) or its static rendering (batch builds).

    ``selection`` records how the questions were chosen (e.g. ``{"n": 10}``) so that exam
    responses can be scored by replaying the same selection. With ``room`` and ``join_code``
    the practice widget also sends each checked answer to that live room (batch builds ignore
    them).
    """
    check_choice("mode", mode, QUIZ_MODES)
    if not questions:
        return Html("<p><i>No questions for this part yet.</i></p>")
    from seminarkit.quiz.render import render_static

    if not session.interactive:
        return Html(render_static(questions, edition=session.edition, sources=session.module.sources,
                                  title=title))
    from seminarkit.quiz.widget import QuizWidget

    widget_mode: Literal["practice", "exam"] = "exam" if mode == "exam" else "practice"
    return QuizWidget(questions, quiz_id=quiz_id, mode=widget_mode, seed=seed, responses_dir=Path.cwd(),
                      sources=session.module.sources, module=session.module.id,
                      selection={k: v for k, v in (selection or {}).items() if v is not None},
                      title=title, room=room, join_code=join_code)


def block_questions(session: Session, block_id: str, n: int = 3, seed: int = 0) -> list[Question]:
    """Up to ``n`` practice questions of one block, chosen deterministically (never ``exam_only`` ones)."""
    if session.module.quiz is None:
        return []
    from seminarkit.quiz.select import pool_of, select_questions

    available = sum(q.block == block_id for q in pool_of(session.module.quiz, "practice"))
    if not available:
        return []
    return list(select_questions(session.module.quiz, n=min(n, available), seed=seed, blocks=[block_id],
                                 pool="practice"))


install_error_display()
