"""The notebook side of the live room: join a session and send checked answers, in the background.

:class:`RoomLink` never blocks the quiz: joining and sending run on one daemon thread, each
request has a one-second timeout, and every failure becomes one status line (no traceback).
The student id is anonymous: the room issues a random one when the kernel first joins a session,
and it is kept for the life of the kernel (re-running the quiz cell does not count a new student).
No name or other personal data is sent. Proxies are bypassed: the room is on the local network.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from seminarkit.room.security import normalise_join_code

TIMEOUT = 1.0
STUDENT_HEADER = "X-Seminarkit-Student"

StatusCallback = Callable[[str, str], None]
"""Called with ``(state, message)``; ``state`` is ``joining``, ``joined``, ``sent`` or ``unavailable``."""

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_SEQ = itertools.count(1)
_SEQ_LOCK = threading.Lock()
_CREDENTIALS: dict[tuple[str, str], str] = {}
_JOIN_LOCK = threading.Lock()  # two quizzes of one kernel join as one student


class RoomUnavailable(Exception):
    """The room could not be reached or refused the request; the message is one short line."""


@dataclass(frozen=True)
class RoomAddress:
    """A room's base URL and a join code, both checked."""

    base: str
    join_code: str


def room_address(room: object, join_code: object) -> RoomAddress:
    """Check the notebook's ``room`` and ``join_code`` parameters; :class:`RoomUnavailable` if unusable."""
    if not isinstance(room, str) or not room.strip():
        raise RoomUnavailable("the room parameter must be the room's address, e.g. \"http://10.0.0.5:8765\"")
    parsed = urllib.parse.urlsplit(room.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise RoomUnavailable(f"room {room!r} is not an http:// address (e.g. \"http://10.0.0.5:8765\")")
    code = normalise_join_code(join_code)
    if code is None:
        raise RoomUnavailable(f"join_code {join_code!r} is not a join code (six letters and digits from "
                              "the projector)")
    return RoomAddress(f"{parsed.scheme}://{parsed.netloc}", code)


def to_json_value(response: object) -> object:
    """Turn a widget response into JSON: sets and tuples become lists, mappings objects."""
    if isinstance(response, Mapping):
        return {str(k): to_json_value(v) for k, v in response.items()}
    if isinstance(response, (set, frozenset)):
        return sorted(str(v) for v in response)
    if isinstance(response, (list, tuple)):
        return [to_json_value(v) for v in response]
    return response


def _post(url: str, body: Mapping[str, object], headers: Mapping[str, str] | None = None) -> dict[str, object]:
    data = json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            answer = json.loads(response.read(64 * 1024) or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            message = str(json.loads(exc.read(4096)).get("error", exc.reason))
        except (ValueError, AttributeError, OSError):
            message = f"HTTP {exc.code}"
        raise RoomUnavailable(message) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        text = getattr(reason, "strerror", None) or str(reason)
        raise RoomUnavailable(f"cannot reach the room ({text})") from None
    except ValueError:
        raise RoomUnavailable("the room answered with something that is not JSON") from None
    return answer if isinstance(answer, dict) else {}


class RoomLink:
    """Send one quiz's checked answers to a live room, on a background thread."""

    def __init__(self, address: RoomAddress, on_status: StatusCallback):
        self.address, self.on_status = address, on_status
        self.sent = 0
        self._jobs: queue.Queue[tuple[str, object, int] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="seminarkit-room", daemon=True)
        self._thread.start()
        self._submit(("", None, 0))  # join at once, so a wrong code shows before any answer

    def _submit(self, job: tuple[str, object, int]) -> None:
        self._jobs.put(job)

    def send(self, question_id: str, response: object) -> None:
        """Queue one checked answer (newest wins: each carries a growing sequence number)."""
        with _SEQ_LOCK:
            seq = next(_SEQ)
        self._submit((question_id, to_json_value(response), seq))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued request has been tried; ``False`` on time-out."""
        done = self._jobs.all_tasks_done
        with done:
            return done.wait_for(lambda: self._jobs.unfinished_tasks == 0, timeout)

    def close(self) -> None:
        """Stop the background thread after the queued requests."""
        self._jobs.put(None)

    def _credential(self) -> str:
        key = (self.address.base, self.address.join_code)
        with _JOIN_LOCK:
            return _CREDENTIALS.get(key) or self._join(key)

    def _join(self, key: tuple[str, str]) -> str:
        if key not in _CREDENTIALS:
            self.on_status("joining", f"joining {self.address.join_code} at {self.address.base}…")
            joined = _post(f"{self.address.base}/api/join", {"join_code": self.address.join_code})
            credential = joined.get("student")
            if not isinstance(credential, str):
                raise RoomUnavailable("the room did not issue a student id")
            _CREDENTIALS[key] = credential
        return _CREDENTIALS[key]

    def _answer(self, question_id: str, response: object, seq: int) -> None:
        body = {"join_code": self.address.join_code, "question": question_id, "response": response, "seq": seq}
        try:
            _post(f"{self.address.base}/api/answer", body, {STUDENT_HEADER: self._credential()})
        except RoomUnavailable as exc:
            if "rejoin" not in str(exc):
                raise
            _CREDENTIALS.pop((self.address.base, self.address.join_code), None)  # the room forgot us
            _post(f"{self.address.base}/api/answer", body, {STUDENT_HEADER: self._credential()})
        self.sent += 1

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                self._jobs.task_done()
                return
            question_id, response, seq = job
            try:
                if question_id:
                    self._answer(question_id, response, seq)
                    plural = "answer" if self.sent == 1 else "answers"
                    self.on_status("sent", f"joined {self.address.join_code}; {self.sent} {plural} shared "
                                           "anonymously with the room")
                else:
                    self._credential()
                    self.on_status("joined", f"joined {self.address.join_code}; your checked answers are "
                                             "shared anonymously with the room")
            except RoomUnavailable as exc:
                self.on_status("unavailable", f"{exc}; the quiz works as usual here")
            except Exception as exc:  # never let the room break the quiz
                self.on_status("unavailable", f"{type(exc).__name__}: {exc}; the quiz works as usual here")
            self._jobs.task_done()
