"""Serving the app under uvicorn: the configuration every served fake uses (``served``), and
LiveServer, a server in a background thread on a free port if asked."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from mock_server.domain.settings import Settings
from mock_server.domain.timing.clock import monotonic
from mock_server.http.workers import WorkerLoops


def uvicorn_config(
    app: ASGIApp, settings: Settings, *, host: str, port: int, **options: Any
) -> uvicorn.Config:
    """The uvicorn configuration of a served fake: ``app`` behind ``WorkerLoops``, connection
    bounds from the knobs, shutdown bounded whatever the clients do, no access log."""
    try:
        from mock_server.http.connections import ConnectionLimits, guarded_protocol
    except ImportError:  # no httptools: uvicorn's h11 protocol, with its own head limit
        http: Any = "h11"
        options.setdefault("h11_max_incomplete_event_size", settings.max_header_bytes)
    else:
        http = guarded_protocol(
            ConnectionLimits(
                max_request_line_bytes=settings.max_request_line_bytes,
                max_header_bytes=settings.max_header_bytes,
                header_timeout_seconds=settings.header_timeout_seconds,
                body_timeout_seconds=settings.body_timeout_seconds,
            )
        )
    options.setdefault("log_level", "warning")
    return uvicorn.Config(
        WorkerLoops(app, workers=settings.aside_workers),
        host=host,
        port=port,
        http=http,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=settings.idle_timeout_seconds,
        # SIGTERM closes within a few seconds even with stalled connections.
        timeout_graceful_shutdown=3,
        **options,
    )


def close_served(config: uvicorn.Config) -> None:
    """Stop the worker loops of a stopped server's ``WorkerLoops``."""
    if isinstance(config.app, WorkerLoops):
        config.app.close()


class LiveServer:
    """A running uvicorn server; ``url`` is where it listens. Use as a context manager."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        settings: Settings | None = None,
    ) -> None:
        if settings is None:  # the app's own service's knobs, when it is a fake's app
            service = getattr(getattr(app, "state", None), "service", None)
            settings = getattr(service, "settings", None) or Settings()
        # log_config=None: a library must not reconfigure the process's logging (uvicorn's
        # default binds handlers to whatever sys.stderr is now, e.g. pytest's capture).
        self._config = uvicorn_config(app, settings, host=host, port=port, log_config=None)
        self._server = uvicorn.Server(self._config)
        self._thread = threading.Thread(target=self._server.run, name="cartesia-fake", daemon=True)
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> LiveServer:
        self._thread.start()
        deadline = monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or monotonic() > deadline:
                raise RuntimeError("cartesia-fake live server did not start")
            time.sleep(0.005)
        sockets = [s for srv in self._server.servers for s in srv.sockets]
        self.port = sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        close_served(self._config)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
