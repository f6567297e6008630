"""In-process httpx transports that call the app directly: no socket, no thread, no lifespan.

The API's routes (the route index) run straight through: on the caller's thread for the sync
transport, on the caller's loop without ASGI messages for the async one. Every other route
goes through ASGI: on a private event loop per thread (``loop.run_until_complete``) for the
sync transport, on the caller's loop for the async one. Only public APIs of httpx and asyncio
are used (an architecture test). A started-but-unfinished response becomes the error httpx
raises when a server drops the connection. ``httpx.ASGITransport`` was measured in their
place: about 100 us more per request (a sniffio lookup, an event, and an async-only body
stream the sync client cannot read).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Any, TypeVar

import httpx
from starlette.types import ASGIApp, Message

from mock_server.http.faults import DroppedConnection
from mock_server.http.flow import Answered
from mock_server.http.render import ABORT_KEY
from mock_server.http.route_index import RouteIndex

_T = TypeVar("_T")


def _scope(request: httpx.Request, body: bytes) -> dict[str, Any]:
    url = request.url
    host = url.host or "testserver"
    port = url.port or (443 if url.scheme == "https" else 80)
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": url.scheme,
        "path": url.path,
        "raw_path": url.raw_path.split(b"?", 1)[0],
        "query_string": url.query,
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "client": ("127.0.0.1", 50000),
        "server": (host, port),
        "state": {},
        ABORT_KEY: _nothing,  # a dropped connection: nothing is sent, see _call
    }


def _nothing() -> None:
    return None


async def _call(app: ASGIApp, request: httpx.Request, body: bytes) -> httpx.Response:
    sent_body = False
    status: int | None = None
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []
    complete = False

    async def receive() -> Message:
        nonlocal sent_body
        if sent_body:
            return {"type": "http.disconnect"}
        sent_body = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status, headers, complete
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                complete = True

    await app(_scope(request, body), receive, send)
    if status is None:
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    if not complete:
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a complete response.", request=request
        )
    if request.method == "HEAD":  # as an HTTP server does: the GET's headers, no body
        return _response(status, headers, b"", request)
    return _response(status, headers, b"".join(chunks), request)


def _response(
    status: int, headers: list[tuple[bytes, bytes]], body: bytes, request: httpx.Request
) -> httpx.Response:
    """The answer as httpx's own transports hand it over: a byte stream the client reads."""
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body), request=request)


def _answered(answered: Answered, request: httpx.Request) -> httpx.Response:
    """The route index's answer as httpx's response (a dropped connection as httpx's error)."""
    if isinstance(answered, DroppedConnection):
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    content = b"" if request.method == "HEAD" else answered.body
    return _response(answered.status_code, answered.headers, content, request)


class SyncTransport(httpx.BaseTransport):
    """A sync httpx transport for an ASGI app, run on a private event loop per thread (one
    client may be shared by several threads: each drives the app on its own loop)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        #: The API's routes, run straight through on this thread (``answer_now``).
        self._index = app if isinstance(app, RouteIndex) else None
        self._local = threading.local()
        self._loops: list[asyncio.AbstractEventLoop] = []
        self._guard = threading.Lock()

    def _loop(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None or loop.is_closed():
            loop = asyncio.new_event_loop()
            self._local.loop = loop
            with self._guard:
                self._loops.append(loop)
            # Close the private loop when the transport is collected, even if never closed.
            weakref.finalize(self, loop.close)
        return loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        if self._index is not None:
            answered = self._index.answer_now(_scope(request, body), body)
            if answered is not None:
                return _answered(answered, request)
        coro = _call(self.app, request, body)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:  # called from inside a running loop: that loop is busy, so run on a fresh one
            return _run_in_fresh_thread(coro)
        return self._loop().run_until_complete(coro)

    def close(self) -> None:
        with self._guard:
            loops, self._loops = self._loops, []
        for loop in loops:
            if not loop.is_closed() and not loop.is_running():
                loop.close()


def _run_in_fresh_thread(coro: Any) -> httpx.Response:
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        result: httpx.Response = pool.submit(asyncio.run, coro).result()
        return result


class AsyncTransport(httpx.AsyncBaseTransport):
    """An async httpx transport for an ASGI app, awaited on the caller's loop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        #: The API's routes, run without ASGI messages (``answer_soon``).
        self._index = app if isinstance(app, RouteIndex) else None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        if self._index is not None:
            answered = await self._index.answer_soon(_scope(request, body), body)
            if answered is not None:
                return _answered(answered, request)
        return await _call(self.app, request, body)
