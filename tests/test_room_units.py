"""The live room's parts without a server: secrets, rate limits, the store, answer buckets, the CLI."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from room_support import MATERIALS, MODULE
from seminarkit.errors import OutputError
from seminarkit.room.errors import RoomError
from seminarkit.room.security import Rate, RateLimiter, StudentSigner, normalise_join_code, token_matches
from seminarkit.room.store import RoomStore, RoomStoreError

CLI = Callable[..., tuple[int, str, str]]


# -- secrets ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "code"), [
    ("k7qx2m", "K7QX2M"), (" K7Q-X2M ", "K7QX2M"), ("k7q x2m", "K7QX2M"),
    ("K7QX2", None), ("K7QX2MM", None), ("I0O1AB", None), ("' OR 1=1", None), (None, None), (123456, None),
])
def test_join_codes_are_normalised_or_refused(typed: Any, code: str | None) -> None:
    assert normalise_join_code(typed) == code


def test_tokens_compare_exactly() -> None:
    assert token_matches("s3cret-token-value", "s3cret-token-value")
    assert not token_matches("s3cret-token-valuE", "s3cret-token-value")
    assert not token_matches("", "s3cret-token-value")
    assert not token_matches(None, "s3cret-token-value")


def test_student_credentials_are_bound_to_secret_and_session() -> None:
    signer = StudentSigner(b"k" * 32)
    student, credential = signer.issue(7)
    assert credential.startswith(student + ".")
    assert signer.verify(credential, 7) == student
    assert signer.verify(credential, 8) is None
    assert StudentSigner(b"j" * 32).verify(credential, 7) is None
    other, _ = signer.issue(7)
    assert other != student
    assert signer.verify(f"{other}.{credential.split('.')[1]}", 7) is None


def test_rate_limiter_bursts_refills_and_forgets() -> None:
    limiter = RateLimiter(Rate(burst=3, per_second=1), max_keys=2)
    assert [limiter.hit("a", now=0.0) for _ in range(3)] == [None, None, None]
    wait = limiter.hit("a", now=0.0)
    assert wait == pytest.approx(1.0)
    assert limiter.blocked("a", now=0.5) == pytest.approx(0.5)
    assert limiter.blocked("a", now=0.5) == pytest.approx(0.5), "blocked() takes no token"
    assert limiter.hit("a", now=1.0) is None
    assert limiter.hit("b", now=1.0) is None
    limiter.hit("c", now=1.0)
    assert limiter.blocked("a", now=1.0) is None, "the oldest key is forgotten past max_keys"


# -- the store --------------------------------------------------------------------------------------
def test_store_survives_reopening_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "room.sqlite3"
    store = RoomStore(path)
    made = store.create_session(MODULE, 0, 2, ["q1", "q2"])
    store.join(made.id, "s1")
    assert store.record_answer(made.id, "q1", "s1", "A", [0], "correct", 5)
    secret = store.secret()
    store.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = RoomStore(path)
    assert again.secret() == secret
    assert again.session_by_code(made.join_code) == made
    assert [(a.question, a.response, a.seq) for a in again.answers(made.id)] == [("q1", "A", 5)]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    again.close()


def test_store_keeps_the_newest_answer_only(tmp_path: Path) -> None:
    store = RoomStore(tmp_path / "room.sqlite3")
    sid = store.create_session(MODULE, 0, 1, ["q1"]).id
    assert store.record_answer(sid, "q1", "s1", "A", [0], "wrong", 2)
    assert not store.record_answer(sid, "q1", "s1", "B", [1], "correct", 1), "an older seq is a replay"
    assert not store.record_answer(sid, "q1", "s1", "B", [1], "correct", 2), "the same seq is a replay"
    assert store.record_answer(sid, "q1", "s1", "C", [2], "wrong", 3)
    assert [(a.response, a.buckets) for a in store.answers(sid)] == [("C", (2,))]
    quoted = "Robert'); DROP TABLE answers;--"
    assert store.record_answer(sid, "q1", quoted, quoted, [0], "wrong", 1)
    assert {a.student for a in store.answers(sid)} == {"s1", quoted}
    store.close()


def test_store_refuses_a_file_that_is_not_a_room_database(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("these are my notes, not a database\n" * 50)
    with pytest.raises(RoomStoreError, match="not a usable room database"):
        RoomStore(bogus)
    assert bogus.read_text().startswith("these are my notes"), "the file is left as it was"
    with pytest.raises(OutputError, match="is a folder"):
        RoomStore(tmp_path)
    with pytest.raises(OutputError, match="folder does not exist"):
        RoomStore(tmp_path / "missing" / "room.sqlite3")


# -- answers, checked and bucketed with the real key ----------------------------------------------------
def _room(tmp_path: Path) -> Any:
    from seminarkit.content.materials import load_course
    from seminarkit.room.sessions import Room

    return Room(RoomStore(tmp_path / "room.sqlite3"), load_course(MATERIALS))


def test_every_question_type_lands_in_the_right_bar(tmp_path: Path) -> None:
    from room_support import planned_answer

    room = _room(tmp_path)
    session = room.open_session(MODULE, None, 0)  # the whole bank: every question type
    polls = room.questions(session)
    assert {p.question.type for p in polls} == {"single", "multiple", "truefalse", "numeric", "text",
                                                "ordering", "matching"}
    for poll in polls:
        for student in range(2):
            response, label = planned_answer(poll.question, student)
            bars, _status = poll.bucket(poll.validate(response))
            assert [poll.bars[i] for i in bars] == [label], poll.id


def test_reveal_keys_point_at_the_answer(tmp_path: Path) -> None:
    room = _room(tmp_path)
    session = room.open_session(MODULE, 10, 0)
    for poll in room.questions(session):
        q = poll.question
        marked = [poll.bars[i] for i in poll.key_bars()]
        if q.type == "single":
            assert marked == [q.answer]
        elif q.type == "multiple":
            assert sorted(marked) == sorted(q.answer)
        elif q.type == "truefalse":
            assert marked == ["True" if q.answer else "False"]
        else:
            assert marked == ["Correct"]


def test_room_error_for_unknown_module(tmp_path: Path) -> None:
    with pytest.raises(RoomError, match="unknown module 'nope'; choose one of: afghanistan-2018"):
        _room(tmp_path).open_session("nope", 3, 0)


# -- the command line ----------------------------------------------------------------------------------
def test_room_without_action_prints_help(run_cli: CLI) -> None:
    code, _out, err = run_cli("room")
    assert code == 2 and "serve" in err and "export" in err


def test_export_without_database_is_one_line(run_cli: CLI, tmp_path: Path) -> None:
    code, _out, err = run_cli("room", "export", "1", "--out", str(tmp_path / "r.csv"),
                              "--db", str(tmp_path / "none.sqlite3"))
    assert code == 1
    assert err.strip().count("\n") == 0 and "no room database here" in err
    assert not (tmp_path / "none.sqlite3").exists(), "a failed export creates no database"


def test_export_of_unknown_session_lists_the_sessions(run_cli: CLI, tmp_path: Path) -> None:
    db = tmp_path / "room.sqlite3"
    store = RoomStore(db)
    made = store.create_session(MODULE, 0, 2, ["s10", "s11"])
    store.close()
    code, _out, err = run_cli("room", "export", "99", "--out", str(tmp_path / "r.csv"), "--db", str(db))
    assert code == 1 and f"sessions: {made.id} ({made.join_code})" in err
    code, _out, err = run_cli("room", "export", "1", "--out", str(tmp_path), "--db", str(db))
    assert code == 1 and "is a folder" in err
    assert list(tmp_path.glob("*.png")) == []


def test_serve_on_a_busy_port_is_one_line(run_cli: CLI, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code, _out, err = run_cli("room", "serve", "--port", str(port), "--db", str(tmp_path / "room.sqlite3"))
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err and err.strip().count("\n") == 0
    assert not (tmp_path / "room.sqlite3").exists()


def test_serve_refuses_a_short_token(run_cli: CLI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEMINARKIT_ROOM_TOKEN", "short")
    code, _out, err = run_cli("room", "serve", "--port", "0", "--db", str(tmp_path / "room.sqlite3"))
    assert code == 1 and "SEMINARKIT_ROOM_TOKEN is too short" in err


@pytest.mark.parametrize(("given", "expected"), [
    ("http://10.0.0.5:8765", "http://10.0.0.5:8765"), ("http://10.0.0.5:8765/", "http://10.0.0.5:8765"),
    ("https://room.example.edu", "https://room.example.edu"), (None, None),
])
def test_public_url_is_checked(given: str | None, expected: str | None) -> None:
    from seminarkit.room.server import check_public_url

    assert check_public_url(given) == expected


@pytest.mark.parametrize("bad", ["10.0.0.5:8765", "ftp://10.0.0.5", "http://10.0.0.5:8765/control", "http://"])
def test_bad_public_url_is_one_line(run_cli: CLI, tmp_path: Path, bad: str) -> None:
    code, _out, err = run_cli("room", "serve", "--port", "0", "--public-url", bad,
                              "--db", str(tmp_path / "room.sqlite3"))
    assert code == 1 and "--public-url" in err and "must be an address like" in err
    assert not (tmp_path / "room.sqlite3").exists()


def test_projector_snapshot_carries_the_public_url(tmp_path: Path) -> None:
    import json

    from seminarkit.room.app import LiveHub

    room = _room(tmp_path)
    session = room.open_session(MODULE, 3, 0)
    assert json.loads(LiveHub(room, "http://10.0.0.5:8765").snapshot_json(session.id))["room_url"] == \
        "http://10.0.0.5:8765"
    assert json.loads(LiveHub(room).snapshot_json(session.id))["room_url"] is None
