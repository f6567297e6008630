"""Rendering: compact JSON bytes and the structured error body."""

from __future__ import annotations

import json
from typing import Any

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
