"""Run the room: open the database, bind the socket, print how to reach it, serve with uvicorn.

The socket is bound here (not by uvicorn) so a busy port or a bad address is one clear error,
and ``--port 0`` picks a free port that is printed. It binds 127.0.0.1 unless told otherwise.

uvicorn's h11 protocol waits for request headers for ever, so a client that opens connections
and trickles headers (slowloris) would hold them until the concurrency limit turns everyone
away. :class:`HeaderDeadlineProtocol` closes a connection whose request headers are not complete
within ``HEADER_TIMEOUT`` seconds; idle keep-alive connections close after ``timeout_keep_alive``,
and bodies have their own deadline in :func:`seminarkit.room.http.read_json`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from seminarkit.errors import SeminarkitError
from seminarkit.room.app import RoomLimits, create_app
from seminarkit.room.security import MIN_TOKEN_LENGTH, new_token
from seminarkit.room.sessions import Room
from seminarkit.room.store import RoomStore

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
HEADER_TIMEOUT = 5.0
TOKEN_ENV = "SEMINARKIT_ROOM_TOKEN"


class RoomServerError(SeminarkitError):
    """The room cannot start (port busy, bad address, bad token)."""


@dataclass(frozen=True)
class ServeOptions:
    """What ``seminarkit room serve`` was asked for."""

    host: str
    port: int
    db: Path
    materials: Path | None
    limits: RoomLimits
    public_url: str | None = None


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers (a slowloris guard)."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the deadline for the first request's headers."""
        super().connection_made(transport)
        self._arm()

    def handle_events(self) -> None:
        """Parse as uvicorn does; once the headers are in, the deadline no longer applies."""
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def on_response_complete(self) -> None:
        """Start the deadline again for the next request on a kept-alive connection."""
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline with the connection."""
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def instructor_token() -> str:
    """Return the token from ``$SEMINARKIT_ROOM_TOKEN`` (kept across restarts), else a fresh one."""
    given = os.environ.get(TOKEN_ENV, "").strip()
    if not given:
        return new_token()
    if len(given) < MIN_TOKEN_LENGTH:
        raise RoomServerError(f"{TOKEN_ENV} is too short: use at least {MIN_TOKEN_LENGTH} characters "
                              "(or unset it to get a random token)")
    return given


def bind(host: str, port: int) -> socket.socket:
    """Bind and listen on ``host:port``; a clear :class:`RoomServerError` if that fails."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise RoomServerError(f"cannot use --host {host!r}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise RoomServerError(f"cannot listen on {host}:{port}: {exc.strerror} "
                              "(pick another --port, or 0 for any free one)") from None
    sock.listen(256)
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def check_public_url(url: str | None) -> str | None:
    """Check ``--public-url`` (an http(s) address without a path); return it without a trailing slash."""
    if url is None:
        return None
    parsed = urllib.parse.urlsplit(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.path not in ("", "/") \
            or parsed.query or parsed.fragment:
        raise RoomServerError(f"--public-url {url!r} must be an address like http://10.0.0.5:8765")
    return f"{parsed.scheme}://{parsed.netloc}"


def announce(out: TextIO, host: str, port: int, db: Path, token: str, public_url: str | None = None) -> None:
    """Print where the room listens, who can reach it, the database and the instructor links."""
    url = _url(host if host not in ("0.0.0.0", "::") else "127.0.0.1", port)
    if host in LOCAL_HOSTS:
        reach = (f"bound to {host} only: this computer can reach it, students' machines cannot; "
                 "use --host 0.0.0.0 to open it to the network")
    else:
        reach = (f"bound to {host}: anyone on this network can reach it; students post only "
                 "with a join code, the control pages need the token")
    print(f"seminarkit room: listening on {_url(host, port)} ({reach})", file=out)
    if public_url:
        print(f"students use: room = \"{public_url}\"", file=out)
    elif host not in LOCAL_HOSTS:
        print(f"students use this computer's network address on port {port} as room (pass --public-url "
              "to show it on the projector)", file=out)
    print(f"database: {db}", file=out)
    print(f"instructor token: {token} (keep it private; {TOKEN_ENV} keeps it across restarts)", file=out)
    print(f"control page: {url}/control#token={token}", file=out)
    print("stop with Ctrl+C", file=out, flush=True)


def serve(options: ServeOptions, out: TextIO = sys.stdout) -> None:
    """Open the room and serve until interrupted (SIGINT or SIGTERM)."""
    import uvicorn

    from seminarkit.content.materials import load_course

    token = instructor_token()
    options = dataclasses.replace(options, public_url=check_public_url(options.public_url))
    course = load_course(options.materials)
    sock = bind(options.host, options.port)
    try:
        store = RoomStore(options.db)
    except BaseException:
        sock.close()
        raise
    port = int(sock.getsockname()[1])
    app = create_app(Room(store, course), token, options.limits, options.public_url)
    config = uvicorn.Config(app, http=HeaderDeadlineProtocol, log_level="warning", access_log=False, lifespan="off",
                            timeout_keep_alive=5, timeout_graceful_shutdown=3,
                            limit_concurrency=400, h11_max_incomplete_event_size=16 * 1024)
    announce(out, options.host, port, store.path.resolve(), token, options.public_url)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        store.close()
