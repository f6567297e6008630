"""The few request headers the pipeline reads, found in one pass over the raw header list.

Starlette's ``request.headers.get`` scans the list and decodes on every call (and goes
through ``Mapping.get``); the pipeline asks for six headers on every request, so it reads
them once, at the edge, into a typed ``Head`` kept in the scope. As with Starlette, a
single-valued header is its first occurrence; ``Cartesia-Version`` keeps every line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

#: Where a request's ``Head`` is kept once read.
HEAD_KEY = "cartesia_fake.head"


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
    auth = api_key = ctype = length = idempotency = None
    versions: list[str] = []
    for name, value in raw:  # the first of each (as Starlette's get), every version line
        if name == b"cartesia-version":
            versions.append(value.decode("latin-1"))
        elif name == b"authorization":
            auth = value.decode("latin-1") if auth is None else auth
        elif name == b"content-type":
            ctype = value.decode("latin-1") if ctype is None else ctype
        elif name == b"content-length":
            length = value.decode("latin-1") if length is None else length
        elif name == b"x-api-key":
            api_key = value.decode("latin-1") if api_key is None else api_key
        elif name == b"idempotency-key":
            idempotency = value.decode("latin-1") if idempotency is None else idempotency
    return Head(auth, api_key, ctype, length, idempotency, versions)


__all__ = ["HEAD_KEY", "Head", "head_of"]
