"""HTTP plumbing of the room: bounded JSON bodies, JSON errors, security headers.

:func:`read_json` is the only way a handler reads a body: JSON only (a cross-site form cannot
send it without a CORS preflight, which the room never grants), at most ``max_bytes`` (checked
on ``Content-Length`` and again while streaming), within ``timeout`` seconds (a client that
trickles its body is cut off), and a JSON object.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seminarkit.room.errors import RoomError

PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


async def read_json(request: Request, max_bytes: int, timeout: float = 5.0) -> dict[str, Any]:
    """Read a JSON object body, or raise a 4xx :class:`RoomError` saying what is wrong."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise RoomError(415, "send the body as JSON (Content-Type: application/json)")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise RoomError(400, "Content-Length is not a number")
        if int(declared) > max_bytes:
            raise RoomError(413, f"the body is {declared} bytes; at most {max_bytes} are accepted")
    chunks: list[bytes] = []
    size = 0
    try:
        with anyio.fail_after(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_bytes:
                    raise RoomError(413, f"the body is over {max_bytes} bytes, the most accepted")
                chunks.append(chunk)
    except TimeoutError:
        raise RoomError(408, f"the body did not arrive within {timeout:.0f} s") from None
    try:
        data = json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RoomError(400, "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise RoomError(422, "the body must be a JSON object")
    return data


def error_response(error: RoomError) -> JSONResponse:
    """Build the JSON answer to a refused request: ``{"error": message}`` with its status."""
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(error.retry_after + 0.5)))
    return JSONResponse({"error": error.message}, status_code=error.status, headers=headers)


class SecurityHeaders:
    """ASGI middleware: no sniffing, no framing, no referrer, no caching; a strict CSP on pages."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                         (b"referrer-policy", b"no-referrer"),
                         (b"cross-origin-resource-policy", b"same-origin")]
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    extra.append((b"content-security-policy", PAGE_CSP.encode()))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, with_headers)
