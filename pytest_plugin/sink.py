"""A webhook sink: a small live HTTP server that records every delivery it receives."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server import LiveServer


@dataclass
class Received:
    """One delivery as the receiver saw it."""

    event: str
    secret: str | None
    body: dict[str, Any]
    status: int
    #: The bytes as they arrived and every header (lower-case names), so a team can run
    #: its own signature check on exactly what was sent.
    raw: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class WebhookSink:
    """Collects webhook deliveries at ``url``; ``fail_next(n)`` answers the next n with 5xx."""

    secret: str = "whsec_cartesia_fake_test"
    received: list[Received] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: LiveServer | None = None

    def start(self) -> WebhookSink:
        app = Starlette(routes=[Route("/hook", self._receive, methods=["POST"])])
        self._server = LiveServer(app).start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None, "the sink is not started"
        return self._server.url + "/hook"

    def fail_next(self, times: int = 1, *, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def events(self) -> list[str]:
        """Event types of accepted deliveries, in arrival order."""
        with self._lock:
            return [r.event for r in self.received if 200 <= r.status < 300]

    async def _receive(self, request: Request) -> Response:
        raw = await request.body()
        body = json.loads(raw)
        secret = request.headers.get("x-webhook-secret")
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            status = self._failures.pop(0) if self._failures else 200
            if secret != self.secret:
                status = 401
            self.received.append(
                Received(str(body.get("type")), secret, body, status, raw=raw, headers=headers)
            )
        return Response(status_code=status)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
