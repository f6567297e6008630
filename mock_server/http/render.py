"""Rendering: compact JSON bytes, the structured error body, and the response sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.types import Receive, Scope, Send

from mock_server.domain.errors import ApiError
from mock_server.wire.codec import json_bytes

#: Where a door leaves the way to close the connection at once, sending nothing: the served
#: fake's protocol (``connections.py``: the transport's ``abort``), the in-process
#: transports (a no-op: they answer a disconnect when nothing was sent).
ABORT_KEY = "cartesia_fake.abort"


def error_body(error: ApiError, request_id: str) -> dict[str, Any]:
    """The 2026-03-01 structured error: error_code, title, message, request_id."""
    return {
        "error_code": error.code,
        "title": error.title,
        "message": error.message,
        "request_id": request_id,
    }


def error_answer(
    error: ApiError, request_id: str, *, plain: bool = False
) -> tuple[Answer, dict[str, Any] | None]:
    """The answer for ``error`` and its JSON body (None for a plain-text one): structured
    JSON, or the legacy ``Title: Message`` text of versions before 2026-03-01."""
    headers = {"x-request-id": request_id, **error.headers}
    if plain:
        text = f"{error.title}: {error.message}".encode()
        return Answer(text, error.status, "text/plain; charset=utf-8", headers), None
    body = error_body(error, request_id)
    return Answer(json_bytes(body), error.status, "application/json", headers), body


class Answer:
    """A whole response, sent as its two ASGI messages.

    It does what the pipeline needs of a Starlette ``Response`` (bytes, status, media type,
    extra headers) and nothing else, which makes it cheaper on the hot path.
    """

    __slots__ = ("body", "headers", "status_code")

    def __init__(
        self, body: bytes, status_code: int, media_type: str, headers: Mapping[str, str]
    ) -> None:
        self.body = body
        self.status_code = status_code
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        if status_code == 204:  # No Content: no body, so neither its length nor its type
            self.headers = extra
            return
        self.headers = [
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", media_type.encode("latin-1")),
            *extra,
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.headers}
        )
        await send({"type": "http.response.body", "body": self.body})
