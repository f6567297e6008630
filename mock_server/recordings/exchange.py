"""One request and its answer, as the proxy saw them: keys replaced by pseudonyms, bodies
kept, and the recording format (one JSON file per exchange).

Why one file per exchange: a recording is meant to be read, reviewed and edited by people
(delete an exchange, fix a number, read a diff in code review); one small, pretty-printed
file each keeps every change local and every file valid on its own, and a crash mid-write
loses at most the exchange being written (files are written whole, then renamed).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

FORMAT = "cartesia-fake-exchange/1"

#: Request headers kept (besides the key, which becomes a pseudonym): what shapes the answer.
KEPT_REQUEST = ("cartesia-version", "content-type", "idempotency-key")
#: Response headers kept: what a client may act on.
KEPT_RESPONSE = ("content-type", "retry-after", "x-request-id")
_AUTH = re.compile(r"^\s*bearer\s+(\S+)\s*$", re.I)


@dataclass(frozen=True, slots=True, kw_only=True)
class Exchange:
    """``tenant`` is the caller's key as a pseudonym (``key-1``, ``key-2``…), never the key."""

    seq: int
    at: float
    tenant: str | None
    method: str
    path: str
    query: str
    request_headers: Mapping[str, str]
    request_body: Any
    status: int
    response_headers: Mapping[str, str]
    response_body: Any

    @property
    def version(self) -> str | None:
        return self.request_headers.get("cartesia-version")

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "seq": self.seq,
            "at": round(self.at, 3),
            "tenant": self.tenant,
            "request": {
                "method": self.method,
                "path": self.path,
                "query": self.query,
                "headers": dict(self.request_headers),
                "body": self.request_body,
            },
            "response": {
                "status": self.status,
                "headers": dict(self.response_headers),
                "body": self.response_body,
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Exchange:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} exchange (format {data.get('format')!r})")
        request, response = data["request"], data["response"]
        return cls(
            seq=int(data["seq"]),
            at=float(data["at"]),
            tenant=data.get("tenant"),
            method=str(request["method"]),
            path=str(request["path"]),
            query=str(request.get("query", "")),
            request_headers=dict(request.get("headers", {})),
            request_body=request.get("body"),
            status=int(response["status"]),
            response_headers=dict(response.get("headers", {})),
            response_body=response.get("body"),
        )


@dataclass(slots=True)
class Pseudonyms:
    """Each API key seen gets ``key-N``; only this in-memory map knows the keys."""

    _names: dict[str, str] = field(default_factory=dict)

    def of(self, headers: Mapping[str, str]) -> str | None:
        auth = headers.get("authorization")
        match = _AUTH.match(auth) if auth else None
        key = match.group(1) if match else headers.get("x-api-key")
        if not key:
            return None
        if key not in self._names:
            self._names[key] = f"key-{len(self._names) + 1}"
        return self._names[key]


def body_of(raw: bytes, content_type: str) -> Any:
    """JSON bodies as JSON, text as text, anything else as its length."""
    if not raw:
        return None
    media = content_type.split(";")[0].strip().lower()
    if media.endswith("json"):
        try:
            return json.loads(raw)
        except ValueError:
            pass
    if media.startswith("text/") or media.endswith("json"):
        return raw.decode("utf-8", "replace")
    return {"bytes": len(raw), "content_type": media}


def kept(headers: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {name: headers[name] for name in names if name in headers}


def make(
    *,
    seq: int,
    at: float,
    tenant: str | None,
    method: str,
    path: str,
    query: str,
    request_headers: Mapping[str, str],
    request_raw: bytes,
    status: int,
    response_headers: Mapping[str, str],
    response_raw: bytes,
) -> Exchange:
    """An exchange from what crossed the wire (lower-case header names)."""
    return Exchange(
        seq=seq,
        at=at,
        tenant=tenant,
        method=method,
        path=path,
        query=query,
        request_headers=kept(request_headers, KEPT_REQUEST),
        request_body=body_of(request_raw, request_headers.get("content-type", "application/json")),
        status=status,
        response_headers=kept(response_headers, KEPT_RESPONSE),
        response_body=body_of(response_raw, response_headers.get("content-type", "")),
    )


def _file_name(exchange: Exchange) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", exchange.path).strip("-")[:60] or "root"
    return f"{exchange.seq:06d}-{exchange.method}-{slug}.json"


def write(directory: Path, exchange: Exchange) -> Path:
    """Write one exchange as its own file (whole, then renamed into place)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / _file_name(exchange)
    partial = target.with_suffix(".json.partial")
    partial.write_text(json.dumps(exchange.as_dict(), indent=2, ensure_ascii=False) + "\n")
    os.replace(partial, target)
    return target


#: The largest exchange file read (a recorded body is capped well below this).
MAX_FILE_BYTES = 64 * 1024 * 1024


@cache
def _shape() -> Any:
    import jsonschema_rs

    text = resources.files("mock_server.recordings").joinpath("exchange_schema.json").read_text()
    return jsonschema_rs.validator_for(json.loads(text))


def read_one(file: Path) -> Exchange:
    """One exchange file, checked against ``exchange_schema.json`` first: anything else is
    a ValueError naming the file and the field (never a crash, never an unbounded
    allocation)."""
    if file.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{file}: larger than {MAX_FILE_BYTES} bytes")
    try:
        data = json.loads(file.read_bytes())
    except RecursionError:
        raise ValueError(f"{file}: nested too deeply to be an exchange") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{file}: not JSON ({exc})") from None
    shape = _shape()
    if not shape.is_valid(data):
        error = next(iter(shape.iter_errors(data)))
        field = "/".join(str(p) for p in error.instance_path) or "(the file)"
        raise ValueError(f"{file}: {field}: {error.message[:300]}")
    return Exchange.from_dict(data)


def last_seq(directory: Path) -> int:
    """The highest exchange number already recorded in ``directory`` (0: none)."""
    numbers = [int(f.name[:6]) for f in directory.glob("*.json") if f.name[:6].isdigit()]
    return max(numbers, default=0)


def read_all(directory: Path) -> Iterator[Exchange]:
    """Every exchange of a recording, in the order it was made."""
    files = sorted(directory.glob("*.json"))
    if not files:
        raise ValueError(f"{directory} holds no recorded exchanges (*.json)")
    exchanges = [read_one(file) for file in files]
    yield from sorted(exchanges, key=lambda e: e.seq)
