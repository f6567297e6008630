"""Injected faults as the pipeline applies them: latency, a dropped connection, an error."""

from __future__ import annotations

import asyncio

from starlette.types import Receive, Scope, Send

from mock_server.domain.errors import ApiError
from mock_server.domain.journal.faults import Fault
from mock_server.http.render import ABORT_KEY


class DroppedConnection:
    """An ASGI response that closes the connection before a single byte of an answer, as
    faults.md promises (the client sees "server disconnected without sending a response").
    On a server without the abort hook (uvicorn's h11 fallback) it starts an answer and
    never finishes it, the closest an ASGI app can come."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        abort = scope.get(ABORT_KEY)
        if abort is not None:
            abort()
            await asyncio.sleep(0)  # the server sees the connection lost: it sends nothing
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"64"), (b"content-type", b"application/json")],
            }
        )


def fault_error(fault: Fault) -> ApiError:
    status = fault.status or 500
    titles = {
        429: "Too many requests",
        500: "Internal server error",
        502: "Bad gateway",
        503: "Service unavailable",
    }
    codes = {
        429: "concurrency_limited",
        500: "internal_error",
        502: "bad_gateway",
        503: "service_unavailable",
    }
    headers = {}
    if status == 429 or fault.retry_after is not None:
        headers["retry-after"] = f"{fault.retry_after if fault.retry_after is not None else 1:g}"
    return ApiError(
        status,
        fault.name or codes.get(status, "internal_error"),
        titles.get(status, "Server error"),
        fault.message or "Injected fault (cartesia-fake).",
        headers=headers,
    )


def fault_note(fault: Fault) -> str:
    """What a fault did, in words, for the request journal."""
    parts = [fault.name] if fault.name else []
    if fault.status is not None:
        parts.append(f"status {fault.status}")
    if fault.latency_seconds:
        parts.append(f"latency {fault.latency_seconds:g}s")
    if fault.drop_connection:
        parts.append("dropped connection")
    if fault.after_commit:
        parts.append("after commit")
    return ", ".join(parts) or "no effect"
