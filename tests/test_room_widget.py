"""The practice quiz as a live-room client (issue 19, item 2).

Answers reach a real room; the quiz works as before, with one status line and no delay, when the
room is absent, down or wrong.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import free_port
from room_support import MATERIALS, MODULE, RoomProcess, instructor_questions
from seminarkit.room import client

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoomProcess]:
    home = tmp_path_factory.mktemp("room")
    server = RoomProcess(db=home / "room.sqlite3", log=home / "room.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def student_quiz(ids: list[str], **kwargs: Any) -> Any:
    """Build the practice widget as 06-quiz does it: student edition (sealed keys), these questions."""
    from seminarkit.content.materials import load_course
    from seminarkit.editions import module_for_edition
    from seminarkit.quiz.widget import QuizWidget

    module = module_for_edition(load_course(MATERIALS).module(MODULE), "student")
    bank = {q.id: q for q in module.need_quiz().questions}
    return QuizWidget([bank[i] for i in ids], quiz_id="room-quiz", sources=module.sources, module=MODULE,
                      **kwargs)


def status(qw: Any) -> str:
    import re

    return re.sub(r"<[^>]+>", "", qw.room_html.value)


def single(session: dict[str, Any]) -> Any:
    return next(q for q in instructor_questions(session["questions"]) if q.type == "single")


def bar_count(room: RoomProcess, session: dict[str, Any], qid: str, label: str) -> int:
    q = next(q for q in room.snapshot(session["id"])["questions"] if q["id"] == qid)
    return next(b["count"] for b in q["bars"] if b["label"] == label)


def test_checked_answers_reach_the_room_anonymously(room: RoomProcess) -> None:
    session = room.open_session()
    question = single(session)
    wrong = next(o for o in question.options if o != question.answer)
    qw = student_quiz(session["questions"], room=room.base, join_code=session["join_code"].lower())
    assert qw.room_link is not None and qw.room_link.flush(10)
    assert "joined" in status(qw)
    qw.answer(question.id, wrong)
    assert qw.check(question.id).status == "wrong"
    assert qw.room_link.flush(10)
    assert bar_count(room, session, question.id, wrong) == 1
    assert "1 answer shared anonymously" in status(qw)
    # Changing the answer replaces it in the room; an unanswered check sends nothing.
    qw.answer(question.id, question.answer)
    qw.check(question.id)
    other = next(q for q in instructor_questions(session["questions"]) if q.id != question.id)
    qw.check(other.id)
    assert qw.room_link.flush(10)
    assert bar_count(room, session, question.id, wrong) == 0
    assert bar_count(room, session, question.id, question.answer) == 1
    snap = room.snapshot(session["id"])
    assert next(q for q in snap["questions"] if q["id"] == other.id)["answered"] == 0
    # Running the cell again in the same kernel keeps the same anonymous student.
    again = student_quiz(session["questions"], room=room.base, join_code=session["join_code"])
    assert again.room_link is not None and again.room_link.flush(10)
    assert room.snapshot(session["id"])["joined"] == 1


def _check(qw: Any, question: Any) -> None:
    qw.answer(question.id, question.options[0])
    result = qw.check(question.id)
    assert result.status in ("correct", "wrong")
    assert "seminarkit-result" in qw.feedback_html(question.id), "the feedback shows as before"


def test_room_down_is_one_line(room: RoomProcess) -> None:
    session = room.open_session()
    question = single(session)
    qw = student_quiz(session["questions"], room=f"http://127.0.0.1:{free_port()}", join_code="ABCDEF")
    _check(qw, question)
    assert qw.room_link.flush(5)
    line = status(qw)
    assert line.startswith("Live room: cannot reach the room") and "works as usual" in line
    assert "\n" not in line and "Traceback" not in line


def test_checking_never_waits_for_the_room(room: RoomProcess) -> None:
    """A room that accepts connections and never answers: the check returns while the send is pending.

    Structural, not timed: the feedback is already there while the room still holds the request,
    so however slow the machine, a student never waits for the room.
    """
    session = room.open_session()
    question = single(session)
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        qw = student_quiz(session["questions"], room=f"http://127.0.0.1:{silent.getsockname()[1]}",
                          join_code="ABCDEF")
        _check(qw, question)
        assert not qw.room_link.flush(0), "the answer was sent before the check returned"
        assert qw.room_link.flush(30)
    assert "timed out" in status(qw)
    assert client.TIMEOUT == 1.0, "each request gives up after a second"


@pytest.mark.parametrize(("room_value", "code", "needle"), [
    ("not a url", "ABCDEF", "is not an http:// address"),
    ("http://127.0.0.1:9", "no", "is not a join code"),
    (None, "ABCDEF", "set both room and join_code"),
])
def test_bad_parameters_are_a_notice(room: RoomProcess, room_value: Any, code: Any, needle: str) -> None:
    session = room.open_session()
    qw = student_quiz(session["questions"], room=room_value, join_code=code)
    assert qw.room_link is None
    assert needle in status(qw)
    question = single(session)
    _check(qw, question)


def test_wrong_join_code_says_what_to_check(room: RoomProcess) -> None:
    session = room.open_session()
    wrong = "ABCDEF" if session["join_code"] != "ABCDEF" else "ABCDEG"
    qw = student_quiz(session["questions"], room=room.base, join_code=wrong)
    assert qw.room_link is not None and qw.room_link.flush(10)
    assert "no session has join code" in status(qw) and "check the code on the projector" in status(qw)


def test_exam_mode_never_sends(room: RoomProcess, tmp_path: Path) -> None:
    session = room.open_session()
    qw = student_quiz(session["questions"], room=room.base, join_code=session["join_code"], mode="exam",
                      responses_dir=tmp_path)
    assert qw.room_link is None
    assert "not used in exam mode" in status(qw)
    assert room.snapshot(session["id"])["joined"] == 0
