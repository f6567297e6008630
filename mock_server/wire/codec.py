"""The JSON the fake writes: compact UTF-8, one place for every answer, webhook and page."""

from __future__ import annotations

import json
from typing import Any

import orjson

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON. orjson writes it (several times faster on the hot path); what it
    refuses (an integer past 64 bits, a non-string key) goes through the standard encoder,
    which also refuses what JSON cannot hold (NaN, a lone surrogate) as before."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return _encoder.encode(value).encode("utf-8")


__all__ = ["json_bytes"]
