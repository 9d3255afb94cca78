"""The room's Starlette app: pages, the instructor API, the student API, live updates (SSE).

Instructor endpoints need ``Authorization: Bearer <token>`` (never a cookie: a cross-site page
cannot add that header without a CORS preflight, and the room grants none). Student endpoints
take JSON only, from an open session with a valid join code, and answers carry the signed
student credential in the ``X-Seminarkit-Student`` header. Every refused request gets a 4xx
with ``{"error": message}``; clients that keep failing (wrong codes, forged ids, bad tokens) are
slowed down by a per-address strike limit.

Live updates: every stored answer, reveal or state change bumps the session's version in
:class:`LiveHub`; each projector stream wakes, waits a short coalescing window, and sends the
snapshot of the newest version (computed once per version, shared by every stream).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import anyio
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from seminarkit.room.errors import RoomError
from seminarkit.room.http import SecurityHeaders, error_response, read_json
from seminarkit.room.security import Rate, RateLimiter, bearer_token, token_matches
from seminarkit.room.sessions import Room

STUDENT_HEADER = "x-seminarkit-student"
STATIC = Path(str(resources.files("seminarkit.room") / "static"))


@dataclass(frozen=True)
class RoomLimits:
    """Sizes, rates and timeouts of the room (defaults suit a seminar behind one JupyterHub)."""

    max_body: int = 8 * 1024
    answer_rate: Rate = field(default_factory=lambda: Rate(burst=20, per_second=5))
    client_rate: Rate = field(default_factory=lambda: Rate(burst=1200, per_second=200))
    join_rate: Rate = field(default_factory=lambda: Rate(burst=120, per_second=2))
    strike_rate: Rate = field(default_factory=lambda: Rate(burst=30, per_second=0.5))
    max_streams: int = 16
    send_timeout: float = 10.0
    ping_seconds: float = 15.0
    coalesce_seconds: float = 0.05


class LiveHub:
    """Per-session version counters, wake-up events and the cached snapshot of each version."""

    def __init__(self, room: Room, public_url: str | None = None):
        self.room, self.public_url = room, public_url
        self._versions: dict[int, int] = {}
        self._events: dict[int, asyncio.Event] = {}
        self._cache: dict[int, tuple[int, str]] = {}
        self.streams = 0

    def version(self, session_id: int) -> int:
        """Return the session's current version."""
        return self._versions.get(session_id, 0)

    def event(self, session_id: int) -> asyncio.Event:
        """Return the event set at the session's next change."""
        if session_id not in self._events:
            self._events[session_id] = asyncio.Event()
        return self._events[session_id]

    def bump(self, session_id: int) -> None:
        """Record a change and wake every stream of the session."""
        self._versions[session_id] = self.version(session_id) + 1
        old = self.event(session_id)
        self._events[session_id] = asyncio.Event()
        old.set()

    def snapshot_json(self, session_id: int) -> str:
        """Return the snapshot of the current version as JSON (computed once per version)."""
        version = self.version(session_id)
        cached = self._cache.get(session_id)
        if cached is None or cached[0] != version:
            data = self.room.snapshot(session_id)
            data["version"] = version
            data["room_url"] = self.public_url
            cached = (version, json.dumps(data, ensure_ascii=False))
            self._cache[session_id] = cached
        return cached[1]


Handler = Callable[[Request], Awaitable[Response]]


def create_app(room: Room, token: str, limits: RoomLimits | None = None, public_url: str | None = None) -> Starlette:
    """Build the ASGI app of one room, guarded by the instructor ``token``.

    ``public_url`` is the address students put in their notebooks; the projector shows it (by
    default it shows the address it was opened with).
    """
    lim = limits or RoomLimits()
    hub = LiveHub(room, public_url)
    strikes, per_client = RateLimiter(lim.strike_rate), RateLimiter(lim.client_rate)
    joins, per_student = RateLimiter(lim.join_rate), RateLimiter(lim.answer_rate)

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def guarded(handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            address = client(request)
            try:
                wait = strikes.blocked(address)
                if wait is not None and not authorized(request):
                    raise RoomError(429, "too many refused requests from this address; wait and retry",
                                    retry_after=wait)
                return await handler(request)
            except RoomError as exc:
                if exc.strike:
                    strikes.hit(address)
                return error_response(exc)

        return run

    def authorized(request: Request) -> bool:
        return token_matches(bearer_token(request.headers.get("authorization")), token)

    def instructor(request: Request) -> None:
        if not authorized(request):
            raise RoomError(401, "this needs the instructor token (Authorization: Bearer <token>); "
                                 "it was printed when the room started", strike=True)

    def limited(limiter: RateLimiter, key: str, what: str) -> None:
        wait = limiter.hit(key)
        if wait is not None:
            raise RoomError(429, f"too many {what}; wait {wait:.1f} s and retry", retry_after=wait)

    def session_id(request: Request) -> int:
        return int(request.path_params["session_id"])

    # -- pages ---------------------------------------------------------------------------------------
    async def page(request: Request) -> Response:
        name = {"/": "index.html", "/control": "control.html"}.get(request.url.path, "projector.html")
        return FileResponse(STATIC / name, media_type="text/html; charset=utf-8")

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)

    # -- instructor API ------------------------------------------------------------------------------
    async def modules(request: Request) -> Response:
        instructor(request)
        return JSONResponse({"modules": room.modules()})

    async def sessions(request: Request) -> Response:
        instructor(request)
        if request.method == "POST":
            body = await read_json(request, lim.max_body)
            row = room.open_session(body.get("module"), body.get("n_questions"), body.get("seed", 0))
            return JSONResponse({"id": row.id, "join_code": row.join_code, "questions": list(row.questions)},
                                status_code=201)
        return JSONResponse({"sessions": [
            {"id": s.id, "join_code": s.join_code, "module": s.module, "seed": s.seed,
             "n_questions": s.n_questions, "state": s.state, "created_at": s.created_at,
             "joined": room.store.joined(s.id)} for s in room.store.sessions()]})

    async def snapshot(request: Request) -> Response:
        instructor(request)
        sid = session_id(request)
        room.session(sid)
        return Response(hub.snapshot_json(sid), media_type="application/json")

    async def state(request: Request) -> Response:
        instructor(request)
        body = await read_json(request, lim.max_body)
        wanted = body.get("state")
        if wanted not in ("open", "closed"):
            raise RoomError(422, "state must be \"open\" or \"closed\"")
        row = room.set_state(session_id(request), wanted)
        hub.bump(row.id)
        return JSONResponse({"id": row.id, "state": row.state})

    async def reveal(request: Request) -> Response:
        instructor(request)
        body = await read_json(request, lim.max_body)
        shown = body.get("shown", True)
        if not isinstance(shown, bool):
            raise RoomError(422, "shown must be true or false")
        sid = session_id(request)
        room.reveal(sid, body.get("question"), shown)
        hub.bump(sid)
        return JSONResponse({"question": body.get("question"), "shown": shown})

    async def events(request: Request) -> Response:
        instructor(request)
        sid = session_id(request)
        room.session(sid)
        if hub.streams >= lim.max_streams:
            raise RoomError(429, f"{lim.max_streams} live views are open already; close one and retry",
                            retry_after=5)
        stop = anyio.Event()  # set by sse-starlette when the server shuts down

        async def stream() -> AsyncIterator[dict[str, str]]:
            # Counted from the first step: a stream whose client left before it started never
            # runs, so it must not hold a place.
            hub.streams += 1
            seen = -1
            try:
                while not stop.is_set():
                    wake = hub.event(sid)
                    if hub.version(sid) != seen:
                        seen = hub.version(sid)
                        yield {"event": "state", "data": hub.snapshot_json(sid)}
                        continue
                    with contextlib.suppress(asyncio.TimeoutError):  # not TimeoutError before 3.11
                        await asyncio.wait_for(wake.wait(), timeout=0.5)
                    if wake.is_set():
                        await asyncio.sleep(lim.coalesce_seconds)
            finally:
                hub.streams -= 1

        # On shutdown the stream ends by itself (a complete response) instead of being cut.
        return EventSourceResponse(stream(), ping=int(lim.ping_seconds), send_timeout=lim.send_timeout,
                                   shutdown_event=stop, shutdown_grace_period=1.0,
                                   headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    # -- student API -----------------------------------------------------------------------------------
    async def join(request: Request) -> Response:
        address = client(request)
        limited(per_client, address, "requests from this address")
        limited(joins, address, "joins from this address")
        body = await read_json(request, lim.max_body)
        joined = room.join(body.get("join_code"))
        hub.bump(joined.session.id)
        return JSONResponse({"session": joined.session.id, "join_code": joined.session.join_code,
                             "student": joined.credential, "questions": list(joined.session.questions)})

    async def answer(request: Request) -> Response:
        limited(per_client, client(request), "requests from this address")
        credential = request.headers.get(STUDENT_HEADER, "")
        limited(per_student, credential.partition(".")[0][:16] or "none", "answers from this notebook")
        body = await read_json(request, lim.max_body)
        session, changed = room.answer(body.get("join_code"), credential, body.get("question"),
                                       body.get("response"), body.get("seq", 0))
        if changed:
            hub.bump(session.id)
        return JSONResponse({"stored": changed})

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = {404: "no such page or endpoint", 405: "this method is not allowed here"}.get(
            status, "the request failed")
        return JSONResponse({"error": message}, status_code=status)

    api = "/api/sessions/{session_id:int}"
    routes = [
        Route("/", page), Route("/control", page), Route("/projector/{session_id:int}", page),
        Route("/healthz", health), Route("/favicon.ico", no_icon),
        Route("/api/modules", guarded(modules)),
        Route("/api/sessions", guarded(sessions), methods=["GET", "POST"]),
        Route(api, guarded(snapshot)),
        Route(f"{api}/state", guarded(state), methods=["POST"]),
        Route(f"{api}/reveal", guarded(reveal), methods=["POST"]),
        Route(f"{api}/events", guarded(events)),
        Route("/api/join", guarded(join), methods=["POST"]),
        Route("/api/answer", guarded(answer), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found})
    app.add_middleware(SecurityHeaders)
    app.state.hub = hub
    return app
