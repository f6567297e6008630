"""Work that may wait on the network or take long runs beside the serving loop, not on it.

A served fake has one event loop for every tenant. Most requests are a few microseconds of
the tenant's own work and stay on that loop. A request whose tenant may do network I/O (a
webhook receiver, a Line agent), that rebuilds a tenant from ``--state``, or that may take
long (the control plane: fast-forward, the journal; batch creation) runs on a worker event
loop in its own thread instead, so one tenant's slow receiver never freezes another's
requests.

Per tenant, one such request runs at a time (a gate on the serving loop): while it runs,
the tenant's other requests queue behind it without blocking the loop, and virtual time
stands still for that tenant alone. At most ``workers`` tenants run on worker loops at
once; more wait their turn (knob ``aside_workers``, named before the module was).

``WorkerLoops`` is an ASGI wrapper: the live server and the CLI put it in front of the app, and it
leaves itself in the request's scope for the pipeline. In-process transports have none, so
their requests never change thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.bridge.loop import BridgeLoop
from mock_server.service.core import Service

T = TypeVar("T")

#: The scope key under which the pipeline finds the server's ``WorkerLoops``.
SCOPE_KEY = "cartesia_fake.workers"


class WorkerLoops:
    """ASGI wrapper with a pool of worker loops for requests that must not run on the
    serving loop."""

    def __init__(self, app: ASGIApp, *, workers: int = 64) -> None:
        self.app = app
        self.workers = workers
        self._idle: list[BridgeLoop] = []
        self._all: list[BridgeLoop] = []
        self._gates: dict[str, tuple[asyncio.Lock, list[int]]] = {}
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = self
        await self.app(scope, receive, send)

    def busy(self, key: str) -> bool:
        """Whether a request of tenant ``key`` is running or waiting on a worker loop."""
        return key in self._gates

    async def run(self, key: str, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run ``work()`` on a worker loop, after the tenant's earlier requests there."""
        lock, waiting = self._gates.setdefault(key, (asyncio.Lock(), [0]))
        waiting[0] += 1
        try:
            async with lock:
                if self._slots is None:
                    self._slots = asyncio.Semaphore(self.workers)
                async with self._slots:
                    worker = self._idle.pop() if self._idle else self._new_worker()
                    future = worker.submit(work())
                    # back to the pool when the work is over, not when this wait is (a
                    # cancelled wait leaves the work running on its loop)
                    future.add_done_callback(lambda _: self._idle.append(worker))
                    return await asyncio.wrap_future(future)
        finally:
            waiting[0] -= 1
            if waiting[0] == 0:
                del self._gates[key]

    def _new_worker(self) -> BridgeLoop:
        worker = BridgeLoop(name=f"cartesia-fake-worker-{len(self._all)}")
        self._all.append(worker)
        return worker

    def close(self) -> None:
        """Stop the worker loops (the server has stopped serving), within about a second
        whatever they are waiting on."""
        for worker in self._all:
            worker.close(wait=1.0 / len(self._all))
        self._all.clear()
        self._idle.clear()


def goes_to_a_worker(
    service: Service, workers: WorkerLoops, key: str, kind: str, may_block: bool
) -> bool:
    """Whether this request may block (see ``http/workers.py``), decided without waiting on
    the tenant's lock."""
    if kind == "control" or may_block or workers.busy(key):
        return True
    tenant = service.tenants.loaded(key)
    if tenant is None:
        return service.store is not None  # rebuilding from the op log takes a while
    return tenant.observed()
