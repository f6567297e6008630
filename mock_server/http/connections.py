"""Bounded connections: uvicorn's httptools protocol with caps and timeouts it lacks.

uvicorn bounds a connection that is idle *between* requests (keep-alive) but not one that
never finishes a request: an unlimited request head is kept in memory, and a client that
opens a connection and sends nothing, dribbles its head or stalls its body holds a socket
(and at shutdown, the server) for ever. This subclass adds, per connection:

- the request line (method, target, version) at most ``max_request_line_bytes``: 414;
- all header lines together at most ``max_header_bytes``: 431;
- the request head complete within ``header_timeout_seconds`` of its first byte (or of the
  connection's opening): 408, and the connection is closed;
- no pause longer than ``body_timeout_seconds`` while the body is still arriving: the
  connection is closed (the request ends as a client disconnect);
- near the connection cap (``--max-connections``, past which uvicorn answers every new
  request 503), idle connections (no request under way: kept alive between requests, or
  opened and silent) are closed, oldest first, before a busy one is ever refused.

Only what is already public in uvicorn is overridden (the protocol callbacks and
``send_400_response``); a test pins each behaviour through a real socket, and where
httptools is missing the CLI falls back to uvicorn's h11 protocol with its own head limit.
Timers are armed only for a request that is still incomplete when its bytes run out, so a
request that arrives whole costs none.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_server.http.render import ABORT_KEY

_REASONS = MappingProxyType(
    {408: b"Request Timeout", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}
)


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """The connection bounds of a served fake (knobs of the same names)."""

    max_request_line_bytes: int = 8_192
    max_header_bytes: int = 65_536
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 10.0


#: How long a refused connection's input is read and discarded before it is closed.
LINGER_SECONDS = 1.0


class _Refused(Exception):
    """Raised inside a parser callback to stop parsing a refused request."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` with the bounds of ``limits`` (see the module docstring)."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._line_bytes = 0
        self._head_bytes = 0
        self._raw_head = 0
        self._in_head = False
        self._refused = False
        self._timer: asyncio.TimerHandle | None = None
        self._opened = self.loop.time()
        self._arm(self.limits.header_timeout_seconds)  # the first head must come in time
        self._shed_idle()

    # ---- near the connection cap -----------------------------------------------------

    @property
    def idle(self) -> bool:
        """No request under way on this connection (between requests, or none yet)."""
        cycle = self.cycle
        return not self._in_head and (cycle is None or cycle.response_complete)

    def _shed_idle(self) -> None:
        """Past 90 % of the cap, close idle connections, oldest first, down to 80 %."""
        cap = self.limit_concurrency
        connections = self.connections
        if cap is None or len(connections) < cap * 0.9:
            return
        excess = len(connections) - int(cap * 0.8)
        idle = sorted(
            (c for c in connections if c is not self and getattr(c, "idle", False)),
            key=lambda c: float(getattr(c, "_opened", 0.0)),
        )
        for other in idle[:excess]:
            other.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # ---- timers ----------------------------------------------------------------------

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self._in_head or self.cycle is None:
            self._refuse(408, "The request head did not arrive in time.")
        else:  # a stalled body: the application sees the client go away
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # answered already; what still comes is discarded
        head_was_open = self._in_head or self.cycle is None
        super().data_received(data)
        if self._refused or self.transport.is_closing():
            return
        if self._in_head:
            self._raw_head += len(data)  # httptools holds a header until it is whole
            bound = self.limits.max_request_line_bytes + self.limits.max_header_bytes
            if self._raw_head > bound:
                self._refuse(
                    431,
                    f"The request head is over {bound} bytes "
                    "(knobs max_request_line_bytes + max_header_bytes).",
                )
                return
            if not head_was_open or self._timer is None:
                self._arm(self.limits.header_timeout_seconds)
        elif self.cycle is not None and self.cycle.more_body and not self.cycle.response_complete:
            self._arm(self.limits.body_timeout_seconds)  # restarted by every chunk
        elif self._timer is not None and self.cycle is not None:
            self._disarm()

    # ---- parser callbacks ------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._line_bytes = 0
        self._head_bytes = 0
        self._raw_head = 0
        self._in_head = True

    def on_url(self, url: bytes) -> None:
        self._line_bytes += len(url)
        if self._line_bytes > self.limits.max_request_line_bytes:
            self._refuse(
                414,
                f"The request target is over {self.limits.max_request_line_bytes} bytes "
                "(knob max_request_line_bytes).",
            )
            raise _Refused
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value) + 4
        if self._head_bytes > self.limits.max_header_bytes:
            self._refuse(
                431,
                f"The request's header lines are over {self.limits.max_header_bytes} bytes "
                "(knob max_header_bytes).",
            )
            raise _Refused
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        scope = cast(dict[str, Any], self.scope)  # uvicorn types its scope; ours adds a key
        scope[ABORT_KEY] = self.transport.abort  # a drop_connection fault sends nothing
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    # ---- refusing --------------------------------------------------------------------

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with a plain-text reason and close the connection."""
        self._refused = True
        self._disarm()
        body = message.encode("ascii")
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s"
            % (status, _REASONS[status], len(body), body)
        )
        # A lingering close: end our side, discard what the client still sends for a moment,
        # then close. Closing at once with unread input would reset the connection, and the
        # client could lose the answer.
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        if not self._refused:  # a refusal has answered already; the parser error is ours
            super().send_400_response(msg)


def guarded_protocol(limits: ConnectionLimits) -> type[Any]:
    """The protocol class to give ``uvicorn.Config(http=...)`` for these limits."""
    return type("GuardedHttpToolsProtocol", (GuardedHttpToolsProtocol,), {"limits": limits})
