"""Rendering: compact JSON bytes, the structured error body, and the response sent."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.types import Receive, Scope, Send

from mock_server.domain.errors import ApiError

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def json_bytes(value: Any) -> bytes:
    return _encoder.encode(value).encode("utf-8")


def error_body(error: ApiError, request_id: str) -> dict[str, Any]:
    """The 2026-03-01 structured error: error_code, title, message, request_id."""
    return {
        "error_code": error.code,
        "title": error.title,
        "message": error.message,
        "request_id": request_id,
    }


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
        self.headers = [
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", media_type.encode("latin-1")),
            *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.headers}
        )
        await send({"type": "http.response.body", "body": self.body})
