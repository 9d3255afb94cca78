"""The room's rules: open sessions, let students join and answer, build the projector snapshot.

:class:`Room` ties the store, the instructor course and the student signer together. It knows
nothing of HTTP beyond the status carried by :class:`~seminarkit.room.errors.RoomError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from seminarkit.quiz.select import pool_of, select_questions
from seminarkit.room.errors import RoomError
from seminarkit.room.questions import PollQuestion, session_questions
from seminarkit.room.security import StudentSigner, normalise_join_code
from seminarkit.room.store import RoomStore, SessionRow

if TYPE_CHECKING:
    from seminarkit.content.materials import Course, Module

MAX_SEQ = 2**53
MAX_SEED = 2**31


@dataclass(frozen=True)
class Joined:
    """What a notebook gets when it joins: the session, its anonymous id and credential."""

    session: SessionRow
    student: str
    credential: str


class Room:
    """One room: a database of sessions over one course's instructor materials."""

    def __init__(self, store: RoomStore, course: Course):
        self.store, self.course = store, course
        self.signer = StudentSigner(store.secret())
        self._questions: dict[int, list[PollQuestion]] = {}

    # -- instructor side --------------------------------------------------------------------------
    def modules(self) -> list[dict[str, object]]:
        """List the modules with a quiz: id, title and number of questions."""
        return [{"id": m.id, "title": m.meta.short_title, "questions": len(m.quiz.questions)}
                for m in self.course.modules.values() if m.quiz is not None]

    def _module(self, module_id: object) -> Module:
        if not isinstance(module_id, str) or module_id not in self.course.modules:
            names = ", ".join(str(m["id"]) for m in self.modules())
            raise RoomError(422, f"unknown module {module_id!r}; choose one of: {names}")
        module = self.course.modules[module_id]
        if module.quiz is None:
            raise RoomError(422, f"module {module_id} has no quiz (add quiz.yaml)")
        return module

    def open_session(self, module_id: object, n_questions: object, seed: object) -> SessionRow:
        """Open a session polling ``n_questions`` questions of a module chosen with ``seed``.

        The selection is the one :func:`~seminarkit.quiz.select.select_questions` makes in the
        students' practice notebooks with the same ``n_questions`` and ``seed``: from the practice
        pool, so an ``exam_only`` question (and its key, on reveal) never reaches the room.
        """
        module = self._module(module_id)
        quiz = module.need_quiz()
        available = len(pool_of(quiz, "practice"))
        if n_questions is not None and (isinstance(n_questions, bool) or not isinstance(n_questions, int)
                                        or not 1 <= n_questions <= available):
            raise RoomError(422, f"n_questions must be a whole number from 1 to {available} "
                                 f"(or null for all), got {n_questions!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < MAX_SEED:
            raise RoomError(422, f"seed must be a whole number from 0 to {MAX_SEED - 1}, got {seed!r}")
        chosen = select_questions(quiz, n=n_questions, seed=seed, pool="practice")
        return self.store.create_session(module.id, seed, n_questions, [q.id for q in chosen])

    def session(self, session_id: int) -> SessionRow:
        """Return a session, or a 404."""
        found = self.store.session(session_id)
        if found is None:
            raise RoomError(404, f"no session {session_id} in this room")
        return found

    def questions(self, session: SessionRow) -> list[PollQuestion]:
        """Return the poll questions of a session (instructor edition, cached)."""
        if session.id not in self._questions:
            self._questions[session.id] = session_questions(self._module(session.module), session.questions)
        return self._questions[session.id]

    def set_state(self, session_id: int, state: str) -> SessionRow:
        """Open or close a session."""
        self.session(session_id)
        self.store.set_state(session_id, state)
        return self.session(session_id)

    def reveal(self, session_id: int, question_id: object, shown: bool) -> None:
        """Show or hide one question's key and explanation on the projector."""
        session = self.session(session_id)
        self._question(session, question_id)
        assert isinstance(question_id, str)
        self.store.reveal(session_id, question_id, shown)

    def _question(self, session: SessionRow, question_id: object) -> PollQuestion:
        for question in self.questions(session):
            if question.id == question_id:
                return question
        raise RoomError(422, f"question {str(question_id)[:80]!r} is not in session {session.id} "
                             f"(its questions: {', '.join(session.questions)})")

    # -- student side ------------------------------------------------------------------------------
    def open_by_code(self, join_code: object) -> SessionRow:
        """Return the open session with this join code, or a 404/403 saying what to check."""
        code = normalise_join_code(join_code)
        found = self.store.session_by_code(code) if code else None
        if found is None:
            shown = str(join_code)[:12] if isinstance(join_code, str) else "(missing)"
            raise RoomError(404, f"no session has join code {shown!r}; check the code on the projector",
                            strike=True)
        if not found.is_open:
            raise RoomError(403, f"the session with join code {found.join_code} is closed; "
                                 "ask your instructor to open it")
        return found

    def join(self, join_code: object) -> Joined:
        """Join an open session: a new anonymous student id and its signed credential."""
        session = self.open_by_code(join_code)
        student, credential = self.signer.issue(session.id)
        self.store.join(session.id, student)
        return Joined(session, student, credential)

    def answer(self, join_code: object, credential: object, question_id: object, response: object,
               seq: object) -> tuple[SessionRow, bool]:
        """Check and store one answer; return the session and whether the stored answer changed."""
        session = self.open_by_code(join_code)
        student = self.signer.verify(credential, session.id)
        if student is None or not self.store.is_student(session.id, student):
            raise RoomError(403, "this notebook's student id was not issued for this session; "
                                 "run the quiz cell again to rejoin", strike=True)
        question = self._question(session, question_id)
        if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < MAX_SEQ:
            raise RoomError(422, f"seq must be a whole number from 0 to {MAX_SEQ - 1}")
        value = question.validate(response)
        buckets, status = question.bucket(value)
        changed = self.store.record_answer(session.id, question.id, student, value, buckets, status, seq)
        return session, changed

    def counts(self, session: SessionRow) -> tuple[dict[str, list[int]], dict[str, int]]:
        """Count a session's current answers: per question, per bar; and answers per question."""
        counts = {q.id: [0] * len(q.bars) for q in self.questions(session)}
        answered = dict.fromkeys(counts, 0)
        for question, bars in self.store.bucket_rows(session.id):
            if question in counts:
                answered[question] += 1
                for index in bars:
                    counts[question][index] += 1
        return counts, answered

    # -- the projector's view -----------------------------------------------------------------------
    def snapshot(self, session_id: int) -> dict[str, object]:
        """Everything the projector shows: join code, joined count, one histogram per question.

        Keys and explanations appear only for revealed questions.
        """
        session = self.session(session_id)
        questions = self.questions(session)
        counts, answered = self.counts(session)
        revealed = self.store.revealed(session.id)
        module = self.course.modules.get(session.module)
        out = []
        for q in questions:
            shown = q.id in revealed
            keys = set(q.key_bars()) if shown else set()
            out.append({
                "id": q.id, "number": q.number, "prompt": q.question.prompt, "type": q.question.type,
                "unit": getattr(q.question, "unit", None), "answered": answered[q.id],
                "counts_picks": q.counts_picks, "revealed": shown,
                "bars": [{"label": label, "count": counts[q.id][i], "key": i in keys}
                         for i, label in enumerate(q.bars)],
                "key": q.key_text() if shown else None,
                "explanation": q.explanation() if shown else None,
            })
        return {
            "session": {"id": session.id, "join_code": session.join_code, "module": session.module,
                        "module_title": module.meta.short_title if module else session.module,
                        "state": session.state, "seed": session.seed, "n_questions": session.n_questions,
                        "created_at": session.created_at},
            "joined": self.store.joined(session.id),
            "questions": out,
        }
