"""The live room under a class's load, and through a crash (issue 19, item 4).

* 60 simulated students join one session and answer its 10 questions at the same time (one
  thread and one keep-alive connection each, bounded in count and time, 127.0.0.1 only); each
  also changes one answer. Every answer must be counted exactly once. The answers' p95 latency
  is reported (printed and written to test-results/room-load.json), not asserted: speed lives in
  benchmarks/room_bench.py.
* The same class with the server killed (SIGKILL) in the middle and started again on the same
  port and database: every answer it acknowledged is still there, the students' ids still work,
  and the final counts are exact.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from room_support import REPO, RoomProcess, instructor_questions, percentile, planned_answer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

STUDENTS = 60
RESULTS = REPO / "test-results"


@pytest.fixture
def room(tmp_path: Path) -> Iterator[RoomProcess]:
    # Port 0: the room picks a free port and prints it; a restart reuses that port.
    server = RoomProcess(db=tmp_path / "room.sqlite3", log=tmp_path / "room.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def expected_counts(questions: list[Any]) -> dict[str, Counter[str]]:
    expected: dict[str, Counter[str]] = {q.id: Counter() for q in questions}
    for student in range(STUDENTS):
        for offset, question in enumerate(questions):
            expected[question.id][planned_answer(question, student + offset)[1]] += 1
    return expected


def assert_counted_once(room: RoomProcess, session: dict[str, Any], questions: list[Any]) -> None:
    snap = room.snapshot(session["id"])
    assert snap["joined"] == STUDENTS
    expected = expected_counts(questions)
    for q in snap["questions"]:
        got = {b["label"]: b["count"] for b in q["bars"] if b["count"]}
        assert got == dict(expected[q["id"]]), f"question {q['id']}"
        assert q["answered"] == STUDENTS, f"question {q['id']}"
    with sqlite3.connect(f"file:{room.db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT count(*), count(DISTINCT student || '/' || question) FROM answers "
                          "WHERE session_id = ?", (session["id"],)).fetchone()
    assert rows == (STUDENTS * len(questions), STUDENTS * len(questions))


def post(client: httpx.Client, credential: str, code: str, question: str, response: Any, seq: int) -> httpx.Response:
    return client.post("/api/answer", headers={"X-Seminarkit-Student": credential},
                       json={"join_code": code, "question": question, "response": response, "seq": seq})


def test_sixty_students_answer_ten_questions_at_once(room: RoomProcess, capsys: pytest.CaptureFixture[str]) -> None:
    session = room.open_session(n_questions=10, seed=0)
    code = session["join_code"]
    questions = instructor_questions(session["questions"])
    start = threading.Barrier(STUDENTS)
    latencies: list[float] = []
    lock = threading.Lock()

    def student(index: int) -> list[int]:
        statuses = []
        with httpx.Client(base_url=room.base, timeout=30) as client:
            joined = client.post("/api/join", json={"join_code": code})
            statuses.append(joined.status_code)
            credential = joined.json()["student"]
            start.wait(timeout=60)
            first = questions[0]
            # A first try at question 1, replaced below by the planned answer.
            retry = planned_answer(first, index + 1)[0]
            statuses.append(post(client, credential, code, first.id, retry, 1).status_code)
            for offset, question in enumerate(questions):
                began = time.perf_counter()
                reply = post(client, credential, code, question.id, planned_answer(question, index + offset)[0],
                             offset + 2)
                with lock:
                    latencies.append(time.perf_counter() - began)
                statuses.append(reply.status_code)
        return statuses

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=STUDENTS) as pool:
        results = list(pool.map(student, range(STUDENTS)))
    elapsed = time.perf_counter() - began
    assert all(code == 200 for statuses in results for code in statuses), Counter(
        c for statuses in results for c in statuses)
    assert_counted_once(room, session, questions)

    report = {"students": STUDENTS, "questions": len(questions), "answers": len(latencies),
              "seconds": round(elapsed, 3), "answers_per_second": round(len(latencies) / elapsed, 1),
              "p50_ms": round(1000 * percentile(latencies, 0.50), 1),
              "p95_ms": round(1000 * percentile(latencies, 0.95), 1),
              "max_ms": round(1000 * max(latencies), 1)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "room-load.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    with capsys.disabled():
        print(f"\nroom load: {report}")


def test_a_crash_in_the_middle_keeps_every_stored_answer(room: RoomProcess) -> None:
    session = room.open_session(n_questions=10, seed=0)
    code = session["join_code"]
    questions = instructor_questions(session["questions"])
    with httpx.Client(base_url=room.base, timeout=10) as client:
        credentials = [client.post("/api/join", json={"join_code": code}).json()["student"]
                       for _ in range(STUDENTS)]
    acknowledged: list[tuple[int, str]] = []
    lock = threading.Lock()
    errors: list[str] = []

    def student(index: int) -> None:
        with httpx.Client(base_url=room.base, timeout=5) as client:
            for offset, question in enumerate(questions):
                deadline = time.monotonic() + 60
                while True:
                    try:
                        reply = post(client, credentials[index], code, question.id,
                                     planned_answer(question, index + offset)[0], offset + 1)
                    except httpx.TransportError:
                        if time.monotonic() > deadline:
                            errors.append(f"student {index} gave up on {question.id}")
                            return
                        time.sleep(0.1)
                        continue
                    if reply.status_code != 200:
                        errors.append(f"student {index}, {question.id}: {reply.status_code} {reply.text}")
                        return
                    with lock:
                        acknowledged.append((index, question.id))
                    break
                time.sleep(0.02)  # a class answers over a few seconds, not all in one burst

    with ThreadPoolExecutor(max_workers=STUDENTS) as pool:
        futures = [pool.submit(student, i) for i in range(STUDENTS)]
        deadline = time.monotonic() + 60
        while len(acknowledged) < STUDENTS * len(questions) // 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        before_crash = set(acknowledged)
        assert 0 < len(before_crash) < STUDENTS * len(questions), "the crash must come in the middle"
        room.stop(signal.SIGKILL)
        with sqlite3.connect(f"file:{room.db}?mode=ro", uri=True) as db:
            stored = set(db.execute("SELECT student, question FROM answers WHERE session_id = ?",
                                    (session["id"],)).fetchall())
        room.start()
        for future in futures:
            future.result(timeout=120)
    assert errors == []
    students = {c.split(".")[0]: i for i, c in enumerate(credentials)}
    stored_pairs = {(students[s], q) for s, q in stored}
    assert before_crash <= stored_pairs, "an answer acknowledged before the crash was lost"
    assert_counted_once(room, session, questions)


def test_ctrl_c_with_a_projector_open_stops_cleanly(room: RoomProcess) -> None:
    session = room.open_session()
    proc = room.process
    assert proc is not None
    received: list[str] = []

    def watch() -> None:
        with httpx.stream("GET", f"{room.base}/api/sessions/{session['id']}/events", headers=room.auth,
                          timeout=20) as stream:
            received.extend(stream.iter_lines())

    viewer = threading.Thread(target=watch, daemon=True)
    viewer.start()
    deadline = time.monotonic() + 10
    while not any(line.startswith("data:") for line in received) and time.monotonic() < deadline:
        time.sleep(0.05)
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=15)
    took = time.monotonic() - began
    viewer.join(timeout=5)
    assert code == 0
    assert took < 6, f"the room took {took:.1f} s to stop with a live view open"
    assert not viewer.is_alive(), "the live view was not ended"
    log = room.log_text()
    assert f"seminarkit room: stopped; every answer is kept in {room.db}" in log
    assert "ERROR" not in log and "Traceback" not in log
