"""In-process httpx transports that call the ASGI app directly: no socket, no thread, no lifespan.

The sync transport drives the app on a private event loop it owns; the async one awaits the app
on the caller's loop. Both turn a started-but-unfinished response into the same error httpx
raises when a server drops the connection.
"""

from __future__ import annotations

import asyncio
import threading
import types
import weakref
from collections.abc import Coroutine, Generator
from typing import Any, TypeVar, cast

import httpx
from starlette.types import ASGIApp, Message

from mock_server.http.render import ABORT_KEY

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


def _prefilled(
    status: int, headers: list[tuple[bytes, bytes]], body: bytes, request: httpx.Request | None
) -> httpx.Response:
    """The response ``Response(content=body)`` gives once read, without re-chunking our own
    bytes through httpx's decoders (~15-20 us a request): the body is already complete."""
    response = httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))
    if request is not None:
        response.request = request
    response._content = body
    response.is_stream_consumed = True
    response.is_closed = True
    return response


def _prefill_works() -> bool:
    """Whether this httpx keeps a prefilled body the way ``_prefilled`` relies on."""
    try:
        response = _prefilled(200, [(b"content-type", b"text/plain")], b"ok", None)
        return response.read() == b"ok" and response.text == "ok"
    except Exception:
        return False


#: Checked once at import: on an httpx that stores bodies differently, the plain path is used.
_PREFILL = _prefill_works()


def _response(
    status: int, headers: list[tuple[bytes, bytes]], body: bytes, request: httpx.Request
) -> httpx.Response:
    if _PREFILL:
        return _prefilled(status, headers, body, request)
    return httpx.Response(status, headers=headers, content=body, request=request)


class SyncTransport(httpx.BaseTransport):
    """A sync httpx transport for an ASGI app, run on a private event loop per thread (one
    client may be shared by several threads: each drives the app on its own loop)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
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
        coro = _call(self.app, request, body)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:  # called from inside a running loop: that loop is busy, so run on a fresh one
            return _run_in_fresh_thread(coro)
        return _drive(self._loop(), coro)

    def close(self) -> None:
        with self._guard:
            loops, self._loops = self._loops, []
        for loop in loops:
            if not loop.is_closed() and not loop.is_running():
                loop.close()


def _drive(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coro`` to the end on ``loop``, stepping it directly while it does not wait.

    Most requests never wait on anything (the virtual clock makes even injected latency
    instant), so the first step usually finishes the coroutine and the event loop is never
    spun. ``loop`` is marked running during that step, so code that asks for the running
    loop gets it. The first time the coroutine really waits, the rest of it is handed to the
    loop by ``_resume``, which passes each awaited future up to a real task.
    """
    asyncio._set_running_loop(loop)
    try:
        waiting_on = coro.send(None)
    except StopIteration as done:
        return cast(_T, done.value)
    except BaseException:
        coro.close()
        raise
    finally:
        asyncio._set_running_loop(None)
    return loop.run_until_complete(_resume(coro, waiting_on))


@types.coroutine
def _resume(coro: Coroutine[Any, Any, _T], waiting_on: Any) -> Generator[Any, Any, _T]:
    """Carry on a coroutine that has already been stepped once, as ``yield from`` would."""
    while True:
        try:
            sent = yield waiting_on
        except BaseException as exc:  # a cancellation or error thrown into the waiting task
            try:
                waiting_on = coro.throw(exc)
            except StopIteration as done:
                return cast(_T, done.value)
        else:
            try:
                waiting_on = coro.send(sent)
            except StopIteration as done:
                return cast(_T, done.value)


def _run_in_fresh_thread(coro: Any) -> httpx.Response:
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        result: httpx.Response = pool.submit(asyncio.run, coro).result()
        return result


class AsyncTransport(httpx.AsyncBaseTransport):
    """An async httpx transport for an ASGI app, awaited on the caller's loop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        return await _call(self.app, request, body)
