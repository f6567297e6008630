"""The few request headers the pipeline reads, found in one pass over the raw header list.

Starlette's ``request.headers.get`` scans the list and decodes on every call (and goes
through ``Mapping.get``); the pipeline asks for six headers on every request, so it reads
them once, at the edge, into a typed ``Head`` kept in the scope. As with Starlette, a
single-valued header is its first occurrence; ``Cartesia-Version`` keeps every line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from starlette.requests import Request

#: Where a request's ``Head`` is kept once read.
HEAD_KEY = "cartesia_fake.head"

_SLOTS = MappingProxyType(
    {
        b"authorization": "authorization",
        b"x-api-key": "x_api_key",
        b"content-type": "content_type",
        b"content-length": "content_length",
        b"idempotency-key": "idempotency_key",
    }
)


@dataclass(slots=True)
class Head:
    """The headers the pipeline acts on, decoded (None: not sent)."""

    authorization: str | None = None
    x_api_key: str | None = None
    content_type: str | None = None
    content_length: str | None = None
    idempotency_key: str | None = None
    #: Every ``Cartesia-Version`` line, in order.
    versions: list[str] = field(default_factory=list)


def head_of(request: Request) -> Head:
    """The request's ``Head``, read on first use."""
    scope = request.scope
    head: Head | None = scope.get(HEAD_KEY)
    if head is None:
        head = scope[HEAD_KEY] = _read(scope["headers"])
    return head


def _read(raw: list[tuple[bytes, bytes]]) -> Head:
    head = Head()
    slots = _SLOTS
    for name, value in raw:
        if name == b"cartesia-version":
            head.versions.append(value.decode("latin-1"))
            continue
        slot = slots.get(name)
        if slot is not None and getattr(head, slot) is None:
            setattr(head, slot, value.decode("latin-1"))
    return head


__all__ = ["HEAD_KEY", "Head", "head_of"]
