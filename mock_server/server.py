"""LiveServer: the app under uvicorn in a background thread, on a free port if asked."""

from __future__ import annotations

import threading
import time

import uvicorn
from starlette.types import ASGIApp

from mock_server.domain.clock import monotonic


class LiveServer:
    """A running uvicorn server; ``url`` is where it listens. Use as a context manager."""

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        # log_config=None: a library must not reconfigure the process's logging (uvicorn's
        # default binds handlers to whatever sys.stderr is now, e.g. pytest's capture).
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            log_config=None,
        )
        self._server = uvicorn.Server(config)
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

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
