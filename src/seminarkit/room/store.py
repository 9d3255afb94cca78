"""The room's SQLite store: sessions, joined students, answers and reveals (stdlib ``sqlite3``).

The database runs in WAL mode with ``synchronous=NORMAL``: a commit survives the server process
being killed (it is in the write-ahead log), readers never block the writer, and a commit costs
no fsync (the last commits may be lost on power failure, which a classroom poll can accept).
Every value goes through ``?`` parameters, never into the SQL text.

One answer per student per question: a new answer replaces the old one, unless it carries an
older sequence number than the stored one (a replayed or reordered request never undoes a newer
answer). The file is created readable by its owner only: it holds the room's signing secret.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from seminarkit.errors import OutputError, SeminarkitError
from seminarkit.room.security import new_join_code

SCHEMA_VERSION = "1"
DB_NAME = "room.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    join_code TEXT NOT NULL UNIQUE,
    module TEXT NOT NULL,
    seed INTEGER NOT NULL,
    n_questions INTEGER,
    questions TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS students (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    student TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (session_id, student)
);
CREATE TABLE IF NOT EXISTS answers (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    question TEXT NOT NULL,
    student TEXT NOT NULL,
    response TEXT NOT NULL,
    buckets TEXT NOT NULL,
    status TEXT NOT NULL,
    seq INTEGER NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (session_id, question, student)
);
CREATE TABLE IF NOT EXISTS reveals (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    question TEXT NOT NULL,
    revealed_at TEXT NOT NULL,
    PRIMARY KEY (session_id, question)
);
"""


class RoomStoreError(SeminarkitError):
    """The room database cannot be used (not a room database, newer schema, unreadable)."""


@dataclass(frozen=True)
class SessionRow:
    """One poll session as stored."""

    id: int
    join_code: str
    module: str
    seed: int
    n_questions: int | None
    questions: tuple[str, ...]
    state: str
    created_at: str

    @property
    def is_open(self) -> bool:
        """True while students may join and answer."""
        return self.state == "open"


@dataclass(frozen=True)
class AnswerRow:
    """One student's current answer to one question."""

    question: str
    student: str
    response: object
    buckets: tuple[int, ...]
    status: str
    seq: int
    answered_at: str


def default_db_path(materials_dir: Path) -> Path:
    """Return the default database: ``room.sqlite3`` in the course folder (the materials' parent)."""
    return materials_dir.resolve().parent / DB_NAME


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _session(row: sqlite3.Row) -> SessionRow:
    return SessionRow(row["id"], row["join_code"], row["module"], row["seed"], row["n_questions"],
                      tuple(json.loads(row["questions"])), row["state"], row["created_at"])


class RoomStore:
    """The database of one room. Thread-safe: one connection, one lock, short transactions."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if self.path.is_dir():
            raise OutputError(self.path, "is a folder; give a database file name (e.g. room.sqlite3)")
        if not self.path.parent.is_dir():
            raise OutputError(self.path, "its folder does not exist")
        existed = self.path.exists()
        if not existed:
            # Created by us, private to the owner: the file holds the signing secret.
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise RoomStoreError(f"{self.path}: not a usable room database ({exc}); "
                                 "pass --db with another file") from None
        self._lock = threading.Lock()
        self._init_meta()

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite)."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _init_meta(self) -> None:
        with self._tx() as db:
            version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if version is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                db.execute("INSERT INTO meta VALUES ('secret', ?)", (secrets.token_hex(32),))
            elif version["value"] != SCHEMA_VERSION:
                raise RoomStoreError(f"{self.path}: room database schema {version['value']} is not "
                                     f"{SCHEMA_VERSION}; use a newer seminarkit or another --db")

    def secret(self) -> bytes:
        """Return the room's signing secret (random, made with the database)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
        return bytes.fromhex(row["value"])

    # -- sessions -------------------------------------------------------------------------------
    def create_session(self, module: str, seed: int, n_questions: int | None,
                       questions: Sequence[str]) -> SessionRow:
        """Store a new open session with a fresh join code unique in this database."""
        with self._tx() as db:
            for _ in range(100):
                code = new_join_code()
                if db.execute("SELECT 1 FROM sessions WHERE join_code = ?", (code,)).fetchone() is None:
                    break
            else:  # pragma: no cover - 10^9 codes
                raise RoomStoreError("could not find a free join code")
            cur = db.execute(
                "INSERT INTO sessions (join_code, module, seed, n_questions, questions, state, created_at)"
                " VALUES (?, ?, ?, ?, ?, 'open', ?)",
                (code, module, seed, n_questions, json.dumps(list(questions)), _now()))
            row = db.execute("SELECT * FROM sessions WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _session(row)

    def session(self, session_id: int) -> SessionRow | None:
        """Return a session by id."""
        with self._lock:
            row = self._db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return None if row is None else _session(row)

    def session_by_code(self, join_code: str) -> SessionRow | None:
        """Return a session by its (canonical) join code."""
        with self._lock:
            row = self._db.execute("SELECT * FROM sessions WHERE join_code = ?", (join_code,)).fetchone()
        return None if row is None else _session(row)

    def sessions(self) -> list[SessionRow]:
        """Every session, newest first."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM sessions ORDER BY id DESC").fetchall()
        return [_session(r) for r in rows]

    def set_state(self, session_id: int, state: str) -> None:
        """Open or close a session."""
        with self._tx() as db:
            db.execute("UPDATE sessions SET state = ? WHERE id = ?", (state, session_id))

    # -- students and answers ---------------------------------------------------------------------
    def join(self, session_id: int, student: str) -> None:
        """Record that a student joined (idempotent)."""
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO students VALUES (?, ?, ?)", (session_id, student, _now()))

    def joined(self, session_id: int) -> int:
        """How many students joined a session."""
        with self._lock:
            row = self._db.execute("SELECT count(*) AS n FROM students WHERE session_id = ?",
                                   (session_id,)).fetchone()
        return int(row["n"])

    def is_student(self, session_id: int, student: str) -> bool:
        """Tell whether this student joined this session."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM students WHERE session_id = ? AND student = ?",
                                   (session_id, student)).fetchone()
        return row is not None

    def record_answer(self, session_id: int, question: str, student: str, response: object,
                      buckets: Sequence[int], status: str, seq: int) -> bool:
        """Store (or replace) a student's answer; ``False`` when a newer one is already stored."""
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (session_id, question, student) DO UPDATE SET"
                " response = excluded.response, buckets = excluded.buckets, status = excluded.status,"
                " seq = excluded.seq, answered_at = excluded.answered_at"
                " WHERE excluded.seq > answers.seq",
                (session_id, question, student, json.dumps(response, ensure_ascii=False),
                 json.dumps(list(buckets)), status, seq, _now()))
            return cur.rowcount == 1

    def answers(self, session_id: int) -> list[AnswerRow]:
        """Every current answer of a session."""
        with self._lock:
            rows = self._db.execute(
                "SELECT question, student, response, buckets, status, seq, answered_at FROM answers"
                " WHERE session_id = ? ORDER BY question, student", (session_id,)).fetchall()
        return [AnswerRow(r["question"], r["student"], json.loads(r["response"]),
                          tuple(json.loads(r["buckets"])), r["status"], r["seq"], r["answered_at"])
                for r in rows]

    def bucket_rows(self, session_id: int) -> list[tuple[str, tuple[int, ...]]]:
        """Return ``(question, bars)`` of every current answer of a session (what histograms need)."""
        with self._lock:
            rows = self._db.execute("SELECT question, buckets FROM answers WHERE session_id = ?",
                                    (session_id,)).fetchall()
        return [(r["question"], tuple(json.loads(r["buckets"]))) for r in rows]

    # -- reveals ---------------------------------------------------------------------------------
    def reveal(self, session_id: int, question: str, shown: bool = True) -> None:
        """Show (or hide again) the key of one question on the projector."""
        with self._tx() as db:
            if shown:
                db.execute("INSERT OR IGNORE INTO reveals VALUES (?, ?, ?)", (session_id, question, _now()))
            else:
                db.execute("DELETE FROM reveals WHERE session_id = ? AND question = ?", (session_id, question))

    def revealed(self, session_id: int) -> set[str]:
        """Return the questions whose key is shown."""
        with self._lock:
            rows = self._db.execute("SELECT question FROM reveals WHERE session_id = ?",
                                    (session_id,)).fetchall()
        return {r["question"] for r in rows}
