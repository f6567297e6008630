"""Bodies as the proxy keeps them for checks and recordings: bounded, decoded with a bound,
and with secrets taken out. The answer the client gets is never touched; only the proxy's
own copy is."""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

#: Body fields whose values are secrets wherever they appear (webhook secrets, keys, tokens).
SECRET_FIELDS = frozenset(
    {"secret", "api_key", "apikey", "token", "access_token", "password", "auth_token"}
)
REDACTED = "[redacted]"
_AUTH = re.compile(r"^\s*bearer\s+(\S+)\s*$", re.I)


@dataclass(slots=True)
class Kept:
    """The first ``limit`` bytes of a body, and how many there were in all."""

    limit: int
    data: bytearray = field(default_factory=bytearray)
    total: int = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.limit - len(self.data)
        if room > 0:
            self.data += chunk[:room]

    @property
    def whole(self) -> bool:
        return self.total <= self.limit


class Undecodable(ValueError):
    """A compressed body that cannot be decoded (cut short, corrupt, or past the bound)."""


def decoded(raw: bytes, encoding: str, limit: int) -> bytes:
    """``raw`` without its content-encoding, at most ``limit`` bytes of it."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "deflate"):
        raise Undecodable(f"content-encoding {encoding!r} is not decoded by the proxy")
    wbits = 31 if encoding == "gzip" else 15
    try:
        inflater = zlib.decompressobj(wbits)
        out = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise Undecodable(f"{encoding} body cannot be decoded: {exc}") from None
    if len(out) > limit:
        raise Undecodable(f"{encoding} body decodes to more than {limit} bytes")
    if not inflater.eof:
        raise Undecodable(f"{encoding} stream cut short")
    return out


def caller_key(headers: dict[str, str]) -> str | None:
    """The API key the caller sent (Authorization: Bearer, or X-API-Key)."""
    auth = headers.get("authorization")
    match = _AUTH.match(auth) if auth else None
    return match.group(1) if match else (headers.get("x-api-key") or None)


def redact(value: Any, key: str | None) -> Any:
    """``value`` with every secret field's value and every occurrence of ``key`` replaced."""
    if isinstance(value, dict):
        return {
            k: REDACTED
            if isinstance(k, str) and k.lower() in SECRET_FIELDS and v is not None
            else redact(v, key)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    if isinstance(value, str) and key and key in value:
        return value.replace(key, REDACTED)
    return value


def omitted(total: int, media: str, why: str) -> dict[str, Any]:
    """What a recording holds instead of a body it does not keep."""
    return {"bytes": total, "content_type": media, "omitted": why}


def text_of(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")
