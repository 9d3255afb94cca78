"""Helpers for the live-room tests: a real ``seminarkit room serve`` process and simulated students.

:class:`RoomProcess` starts the server with ``--port 0`` (or a given port) on 127.0.0.1, reads
the address it prints, waits for ``/healthz`` and stops it by its process id. Everything talks
to 127.0.0.1 only.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
MATERIALS = REPO / "materials"
MODULE = "afghanistan-2018"
_LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")


@dataclass
class RoomProcess:
    """One ``seminarkit room serve`` process on 127.0.0.1."""

    db: Path
    log: Path
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until it answers ``/healthz``."""
        env = dict(os.environ, SEMINARKIT_ROOM_TOKEN=self.token, SEMINARKIT_MATERIALS=str(MATERIALS),
                   PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH")) if p)
        cmd = [sys.executable, "-m", "seminarkit", "room", "serve", "--port", str(self.port), "--db", str(self.db)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=env, cwd=self.db.parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"room exited with {self.process.returncode}:\n{self.log_text()}")
            found = _LISTENING.findall(self.log_text())
            if found:
                self.port = int(found[-1])
                try:
                    if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the room did not answer within {timeout:.0f}s:\n{self.log_text()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server by its process id (``SIGTERM``, or ``SIGKILL`` to simulate a crash)."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def open_session(self, n_questions: int | None = 10, seed: int = 0, module: str = MODULE) -> dict[str, Any]:
        """Open a session through the instructor API; return its id, join code and questions."""
        response = httpx.post(f"{self.base}/api/sessions", headers=self.auth, timeout=10,
                              json={"module": module, "n_questions": n_questions, "seed": seed})
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    def snapshot(self, session_id: int) -> dict[str, Any]:
        """Return the projector's snapshot of a session."""
        response = httpx.get(f"{self.base}/api/sessions/{session_id}", headers=self.auth, timeout=10)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data


def instructor_questions(ids: list[str]) -> list[Any]:
    """Return the questions with these ids, from the instructor materials (the test's own source of truth)."""
    from seminarkit.content.materials import load_course

    bank = {q.id: q for q in load_course(MATERIALS).module(MODULE).need_quiz().questions}
    return [bank[qid] for qid in ids]


def planned_answer(question: Any, student: int) -> tuple[Any, str]:
    """Return a valid answer for student ``student`` and the bar label it must count in.

    Choice questions rotate through the options (the bar is the option); the others alternate
    between the key (``Correct``) and a wrong answer (``Not quite``).
    """
    kind = question.type
    if kind == "single":
        option = question.options[student % len(question.options)]
        return option, option
    if kind == "truefalse":
        value = student % 2 == 0
        return value, "True" if value else "False"
    if kind == "multiple":
        option = question.options[student % len(question.options)]
        return [option], option
    right = student % 2 == 0
    if kind == "numeric":
        return (repr(question.answer) if right else repr(question.answer + 10**6)), "Correct" if right else "Not quite"
    if kind == "text":
        return (question.answer[0] if right else "certainly not this"), "Correct" if right else "Not quite"
    if kind == "ordering":
        return (list(question.answer) if right else list(reversed(question.answer))), \
            "Correct" if right else "Not quite"
    pairs = dict(question.answer)
    if not right:
        wrong = {left: next(o for o in question.options if o != pairs[left]) for left in question.left}
        return wrong, "Not quite"
    return pairs, "Correct"


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values`` (``fraction`` in 0..1)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]
