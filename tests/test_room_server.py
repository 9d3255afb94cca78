"""The live room over HTTP: a real ``seminarkit room serve`` process on 127.0.0.1 (issue 19, items 2-3).

Covers the instructor token, join codes, one answer per student per question, server-side
checking, input validation (4xx with a clear message), rate limits, the live event stream and
the reveal, as an attacker would try them.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from room_support import MATERIALS, MODULE, RoomProcess, instructor_questions, planned_answer

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


@pytest.fixture
def session(room: RoomProcess) -> dict[str, Any]:
    """Open a session over the module's whole practice pool, so that it holds every question type."""
    return room.open_session(n_questions=None)


def join(room: RoomProcess, code: str) -> str:
    response = httpx.post(f"{room.base}/api/join", json={"join_code": code}, timeout=10)
    assert response.status_code == 200, response.text
    credential: str = response.json()["student"]
    return credential


def post_answer(room: RoomProcess, credential: str, code: str, question: str, response: Any,
                seq: int = 1) -> httpx.Response:
    return httpx.post(f"{room.base}/api/answer", headers={"X-Seminarkit-Student": credential}, timeout=10,
                      json={"join_code": code, "question": question, "response": response, "seq": seq})


def bars(snapshot: dict[str, Any], question: str) -> dict[str, int]:
    q = next(q for q in snapshot["questions"] if q["id"] == question)
    return {b["label"]: b["count"] for b in q["bars"]}


def first_of(session: dict[str, Any], kind: str) -> Any:
    return next(q for q in instructor_questions(session["questions"]) if q.type == kind)


# -- start-up -------------------------------------------------------------------------------------
def test_binds_loopback_and_says_so(room: RoomProcess) -> None:
    log = room.log_text()
    assert f"listening on http://127.0.0.1:{room.port} (bound to 127.0.0.1 only" in log
    assert f"instructor token: {room.token}" in log
    assert f"/control#token={room.token}" in log


# -- the instructor token -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/modules", "/api/sessions", "/api/sessions/1", "/api/sessions/1/events"])
def test_instructor_endpoints_need_the_token_in_a_header(room: RoomProcess, path: str) -> None:
    assert httpx.get(f"{room.base}{path}", timeout=10).status_code == 401
    wrong = httpx.get(f"{room.base}{path}", headers={"Authorization": "Bearer " + "x" * 32}, timeout=10)
    assert wrong.status_code == 401
    assert "instructor token" in wrong.json()["error"]
    # A cookie (what a cross-site request would carry) and a query parameter do not count.
    cookie = httpx.get(f"{room.base}{path}?token={room.token}", headers={"Cookie": f"token={room.token}"},
                       timeout=10)
    assert cookie.status_code == 401


def test_control_post_from_a_cross_site_form_is_refused(room: RoomProcess, session: dict[str, Any]) -> None:
    # What a hostile page can send without a preflight: a form post, no Authorization header.
    form = httpx.post(f"{room.base}/api/sessions/{session['id']}/state", data={"state": "closed"},
                      headers={"Origin": "http://evil.example"}, timeout=10)
    assert form.status_code == 401
    assert room.snapshot(session["id"])["session"]["state"] == "open"
    # No CORS grant: a browser would never let another origin read or send with the header.
    preflight = httpx.options(f"{room.base}/api/sessions", timeout=10, headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization"})
    assert "access-control-allow-origin" not in preflight.headers


def test_pages_carry_a_strict_content_security_policy(room: RoomProcess) -> None:
    page = httpx.get(f"{room.base}/projector/1", timeout=10)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert room.token not in page.text


# -- sessions, joining, answering ------------------------------------------------------------------------
def test_open_session_selects_the_notebook_questions(room: RoomProcess) -> None:
    from seminarkit.content.materials import load_course
    from seminarkit.quiz.notebook import practice_quiz

    made = room.open_session(n_questions=10, seed=3)
    # What the students' 06-quiz (practice mode, same n_questions and seed) shows them.
    expected = [q.id for q in practice_quiz(MODULE, n_questions=10, seed=3, materials_dir=MATERIALS).questions]
    assert made["questions"] == expected
    exam_only = {q.id for q in load_course(MATERIALS).module(MODULE).need_quiz().questions if q.exam_only}
    assert exam_only and not exam_only & set(made["questions"])  # never a reserved exam question
    assert len(made["join_code"]) == 6


@pytest.mark.parametrize(("body", "status", "needle"), [
    ({"module": "no-such-module", "n_questions": 3, "seed": 0}, 422, "unknown module"),
    ({"module": MODULE, "n_questions": 0, "seed": 0}, 422, "n_questions"),
    ({"module": MODULE, "n_questions": 10_000, "seed": 0}, 422, "n_questions"),
    ({"module": MODULE, "n_questions": 3, "seed": -1}, 422, "seed"),
    ({"module": MODULE, "n_questions": "3", "seed": 0}, 422, "n_questions"),
])
def test_open_session_rejects_bad_settings(room: RoomProcess, body: dict[str, Any], status: int,
                                           needle: str) -> None:
    response = httpx.post(f"{room.base}/api/sessions", headers=room.auth, json=body, timeout=10)
    assert response.status_code == status
    assert needle in response.json()["error"]


def test_answers_are_checked_on_the_server_and_replaced(room: RoomProcess, session: dict[str, Any]) -> None:
    code, sid = session["join_code"], session["id"]
    question = first_of(session, "single")
    wrong = next(o for o in question.options if o != question.answer)
    alice, bob = join(room, code), join(room, code.lower()[:3] + "-" + code.lower()[3:])
    assert post_answer(room, alice, code, question.id, wrong, seq=1).json() == {"stored": True}
    assert post_answer(room, bob, code, question.id, wrong, seq=1).status_code == 200
    assert bars(room.snapshot(sid), question.id)[wrong] == 2
    # Alice changes her mind: her answer is replaced, not added.
    assert post_answer(room, alice, code, question.id, question.answer, seq=2).json() == {"stored": True}
    snap = room.snapshot(sid)
    assert bars(snap, question.id)[wrong] == 1 and bars(snap, question.id)[question.answer] == 1
    assert snap["joined"] == 2
    # A replayed older request does not undo the newer answer.
    assert post_answer(room, alice, code, question.id, wrong, seq=1).json() == {"stored": False}
    assert bars(room.snapshot(sid), question.id)[question.answer] == 1


def test_status_bars_count_right_and_wrong(room: RoomProcess, session: dict[str, Any]) -> None:
    code, sid = session["join_code"], session["id"]
    numeric = first_of(session, "numeric")
    for student in range(3):
        value, _ = planned_answer(numeric, student)
        assert post_answer(room, join(room, code), code, numeric.id, value).status_code == 200
    assert bars(room.snapshot(sid), numeric.id) == {"Correct": 2, "Not quite": 1}


def test_reveal_shows_key_and_explanation_on_demand_only(room: RoomProcess, session: dict[str, Any]) -> None:
    sid = session["id"]
    question = first_of(session, "single")
    before = next(q for q in room.snapshot(sid)["questions"] if q["id"] == question.id)
    assert before["key"] is None and before["explanation"] is None
    assert not any(b["key"] for b in before["bars"])
    assert question.answer not in json.dumps({k: v for k, v in before.items() if k != "bars"})
    shown = httpx.post(f"{room.base}/api/sessions/{sid}/reveal", headers=room.auth, timeout=10,
                       json={"question": question.id})
    assert shown.status_code == 200
    after = next(q for q in room.snapshot(sid)["questions"] if q["id"] == question.id)
    assert after["key"] == question.answer
    assert after["explanation"] == question.explanation
    assert [b["label"] for b in after["bars"] if b["key"]] == [question.answer]


# -- what students cannot do ---------------------------------------------------------------------------
def test_forged_and_borrowed_student_ids_are_refused(room: RoomProcess, session: dict[str, Any]) -> None:
    code = session["join_code"]
    question = first_of(session, "single")
    mine = join(room, code)
    student, mac = mine.split(".")
    forged = f"{'0' * 16}.{mac}"  # someone else's id with my signature
    flipped = f"{student}.{('0' if mac[0] != '0' else '1')}{mac[1:]}"
    for credential in (forged, flipped, "", "nonsense", mine + "x"):
        response = post_answer(room, credential, code, question.id, question.options[0])
        assert response.status_code == 403, credential
        assert "rejoin" in response.json()["error"]
    other = room.open_session(n_questions=10, seed=0)
    borrowed = post_answer(room, mine, other["join_code"], question.id, question.options[0])
    assert borrowed.status_code == 403, "a credential of one session must not work in another"


def test_wrong_join_codes_and_closed_sessions(room: RoomProcess, session: dict[str, Any]) -> None:
    code, sid = session["join_code"], session["id"]
    forged = "ABCDEF" if code != "ABCDEF" else "ABCDEG"
    for bad in (forged, "' OR 1=1 --", "", None, 12345):
        response = httpx.post(f"{room.base}/api/join", json={"join_code": bad}, timeout=10)
        assert response.status_code == 404
        assert "check the code on the projector" in response.json()["error"]
    credential = join(room, code)
    closed = httpx.post(f"{room.base}/api/sessions/{sid}/state", headers=room.auth, json={"state": "closed"},
                        timeout=10)
    assert closed.status_code == 200
    question = first_of(session, "single")
    refused = post_answer(room, credential, code, question.id, question.options[0])
    assert refused.status_code == 403 and "closed" in refused.json()["error"]
    assert httpx.post(f"{room.base}/api/join", json={"join_code": code}, timeout=10).status_code == 403
    assert bars(room.snapshot(sid), question.id)[question.options[0]] == 0


@pytest.mark.parametrize(("question_kind", "response", "needle"), [
    ("single", "an option that does not exist", "one of its options"),
    ("single", ["a", "list"], "one of its options"),
    ("truefalse", "maybe", "true or false"),
    ("numeric", "twelve", "a number"),
    ("numeric", True, "a number"),
    ("numeric", "9" * 100, "at most 64 characters"),
    ("text", "x" * 501, "at most 500"),
    ("ordering", ["not an item"], "items"),
    ("single", None, "blank"),
])
def test_invalid_answers_get_422_with_a_clear_message(room: RoomProcess, session: dict[str, Any],
                                                      question_kind: str, response: Any, needle: str) -> None:
    code = session["join_code"]
    question = first_of(session, question_kind)
    reply = post_answer(room, join(room, code), code, question.id, response)
    assert reply.status_code == 422, reply.text
    assert question.id in reply.json()["error"] and needle in reply.json()["error"]


def test_unknown_question_and_sql_in_fields(room: RoomProcess, session: dict[str, Any]) -> None:
    code, sid = session["join_code"], session["id"]
    credential = join(room, code)
    for qid in ("no-such-question", "x'; DROP TABLE answers; --", 42):
        reply = post_answer(room, credential, code, qid, "a")
        assert reply.status_code == 422
        assert "is not in session" in reply.json()["error"]
    text_q = first_of(session, "text")
    injection = "'); DELETE FROM answers; --"
    assert post_answer(room, credential, code, text_q.id, injection).status_code == 200
    snap = room.snapshot(sid)
    assert bars(snap, text_q.id) == {"Correct": 0, "Not quite": 1}
    assert injection not in json.dumps(snap), "free text never reaches the projector"


@pytest.mark.parametrize(("content", "headers", "status"), [
    (b'{"join_code": "' + b"A" * 20_000 + b'"}', {"Content-Type": "application/json"}, 413),
    (b"join_code=ABCDEF", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
    (b"join_code=ABCDEF", {"Content-Type": "text/plain"}, 415),
    (b"{not json", {"Content-Type": "application/json"}, 400),
    (b"[1, 2]", {"Content-Type": "application/json"}, 422),
])
def test_bodies_that_are_too_big_or_not_json(room: RoomProcess, content: bytes, headers: dict[str, str],
                                             status: int) -> None:
    reply = httpx.post(f"{room.base}/api/join", content=content, headers=headers, timeout=10)
    assert reply.status_code == status
    assert reply.json()["error"]


def test_oversized_body_without_length_is_cut_off(room: RoomProcess) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"join_code": "'
        for _ in range(64):
            yield b"A" * 1024
        yield b'"}'

    reply = httpx.post(f"{room.base}/api/join", content=chunks(), timeout=10,
                       headers={"Content-Type": "application/json"})
    assert reply.status_code == 413


def test_answers_are_rate_limited_per_student(room: RoomProcess, session: dict[str, Any]) -> None:
    code = session["join_code"]
    question = first_of(session, "single")
    credential = join(room, code)
    codes: list[int] = []
    for seq in range(1, 201):  # bounded; the limit is 20 at once, then 5 a second
        codes.append(post_answer(room, credential, code, question.id, question.options[0], seq=seq).status_code)
        if codes[-1] == 429:
            break
    assert codes[-1] == 429, "answers as fast as one notebook can send must hit the limit"
    assert len(codes) > 20 and set(codes[:-1]) == {200}, "the first burst of 20 is allowed"
    # Another student is not slowed down by this one.
    assert post_answer(room, join(room, code), code, question.id, question.options[0]).status_code == 200


# -- live updates ---------------------------------------------------------------------------------------
def _read_states(room: RoomProcess, sid: int, want: int, found: list[dict[str, Any]]) -> None:
    with httpx.stream("GET", f"{room.base}/api/sessions/{sid}/events", headers=room.auth, timeout=20) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in stream.iter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:") and kind == "state":
                found.append(json.loads(line[5:]))
                if len(found) >= want:
                    return


def test_event_stream_pushes_each_change(room: RoomProcess, session: dict[str, Any]) -> None:
    code, sid = session["join_code"], session["id"]
    question = first_of(session, "single")
    states: list[dict[str, Any]] = []
    reader = threading.Thread(target=_read_states, args=(room, sid, 3, states), daemon=True)
    reader.start()
    deadline = time.monotonic() + 10
    while not states and time.monotonic() < deadline:
        time.sleep(0.05)
    assert states and states[0]["joined"] == 0
    credential = join(room, code)
    time.sleep(0.3)
    assert post_answer(room, credential, code, question.id, question.options[1]).status_code == 200
    reader.join(timeout=15)
    assert len(states) == 3, f"expected the first state, a join and an answer; got {len(states)}"
    assert states[1]["joined"] == 1
    assert bars(states[2], question.id)[question.options[1]] == 1
    assert states[0]["version"] < states[1]["version"] < states[2]["version"]


def test_export_writes_counts_and_figures(room: RoomProcess, session: dict[str, Any], tmp_path: Path,
                                          run_cli: Any) -> None:
    import csv

    code, sid = session["join_code"], session["id"]
    question = first_of(session, "single")
    for student in range(5):
        option = question.options[0] if student < 3 else question.options[1]
        assert post_answer(room, join(room, code), code, question.id, option).status_code == 200
    out = tmp_path / "results.csv"
    exit_code, stdout, stderr = run_cli("room", "export", str(sid), "--out", str(out), "--db", str(room.db))
    assert exit_code == 0, stderr
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    mine = {r["label"]: r for r in rows if r["question"] == question.id}
    assert [int(mine[o]["count"]) for o in question.options[:2]] == [3, 2]
    assert mine[question.answer]["key"] == "yes"
    assert {r["answered"] for r in mine.values()} == {"5"}
    figures = sorted(tmp_path.glob("results-*.png"))
    assert [f.name for f in figures] == [f"results-{i:02d}-{qid}.png"
                                         for i, qid in enumerate(session["questions"], start=1)]
    assert f"wrote {out}" in stdout
    from PIL import Image

    number = session["questions"].index(question.id) + 1
    with Image.open(tmp_path / f"results-{number:02d}-{question.id}.png") as image:
        alt = image.text["Description"]
    assert alt.startswith(f"Horizontal bar chart of 5 answers to question {number} ({question.id})")
    assert f"{question.options[0]}{' (key)' if question.options[0] == question.answer else ''}: 3" in alt
    assert f"{question.options[1]}{' (key)' if question.options[1] == question.answer else ''}: 2" in alt


# -- slow and greedy clients ----------------------------------------------------------------------------
def _raw(room: RoomProcess) -> Any:
    import socket

    return socket.create_connection(("127.0.0.1", room.port), timeout=15)


def test_a_client_trickling_headers_is_cut_off(room: RoomProcess) -> None:
    from seminarkit.room.server import HEADER_TIMEOUT

    with _raw(room) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        began = time.monotonic()
        for _ in range(int(HEADER_TIMEOUT) + 5):  # one more header line a second, never the end
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                break
            sock.settimeout(1.0)
            try:
                if sock.recv(1024) == b"":
                    break
            except TimeoutError:
                continue
        waited = time.monotonic() - began
    assert waited < HEADER_TIMEOUT + 3, "the server kept a connection whose headers never ended"


def test_a_client_trickling_its_body_gets_408(room: RoomProcess) -> None:
    with _raw(room) as sock:
        sock.sendall(b"POST /api/join HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 40\r\n\r\n{\"join_code\":")
        began = time.monotonic()
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = sock.recv(4096)  # headers and body may come in separate packets
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    assert b"did not arrive" in reply
    assert time.monotonic() - began < 10


def test_live_views_are_limited(room: RoomProcess, session: dict[str, Any]) -> None:
    from seminarkit.room.app import RoomLimits

    limit = RoomLimits().max_streams
    url = f"{room.base}/api/sessions/{session['id']}/events"
    with httpx.Client(timeout=10, limits=httpx.Limits(max_connections=limit + 2)) as client:
        streams = [client.stream("GET", url, headers=room.auth) for _ in range(limit)]
        opened = [s.__enter__() for s in streams]
        try:
            assert all(r.status_code == 200 for r in opened)
            extra = client.get(url, headers=room.auth)
            assert extra.status_code == 429 and "live views are open" in extra.json()["error"]
        finally:
            for s in streams:
                s.__exit__(None, None, None)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # closed streams free their places
        with httpx.stream("GET", url, headers=room.auth, timeout=10) as again:
            if again.status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail("closed live views did not free their places")
