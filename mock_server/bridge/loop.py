"""A background event loop in its own thread: the bridges' network I/O, and the served
fake's worker loops (``http/workers.py``).

Virtual time and real I/O never interleave: when a bridged call is answered, the caller (the
test thread, or the server's loop) waits here, bounded by timeouts, while the conversation runs
on this loop. The caller's own loop is never used, so an in-process async test cannot deadlock
against it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BridgeLoop:
    """A daemon thread running an asyncio loop, started on first use."""

    def __init__(self, name: str = "cartesia-fake-bridge") -> None:
        self.name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name=self.name, daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start ``coro`` on this loop; its future, for another thread or loop to wait on."""
        return asyncio.run_coroutine_threadsafe(coro, self._ensure())

    def run(self, coro: Coroutine[Any, Any, T], *, timeout: float) -> T:
        """Run ``coro`` on the bridge loop and wait for it (at most ``timeout`` seconds)."""
        return self.submit(coro).result(timeout=timeout)

    def close(self, wait: float = 5.0) -> None:
        """Stop the loop, waiting at most ``wait`` seconds for its thread (a daemon: one
        stuck in a blocking call is left to end with the process)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=wait)
        if not loop.is_running():
            loop.close()
