"""The request pipeline's endpoints: a route's steps (``flow.py``) and the two ways to run them.

Every API route is a small sync handler wrapped by ``endpoint``; the steps around it are the
same for all routes, so a handler only parses its inputs and calls the tenant. An
``Endpoint`` runs the steps on the event loop (``asgi``: served, and the async in-process
door; a large or slow request goes to a worker loop when served) or straight through on the caller's
thread (``now``: the sync in-process door, which holds the whole body already).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable

from starlette.requests import Request

from mock_server.domain.errors import ApiError
from mock_server.http import flow, reading
from mock_server.http.context import Ctx, Handler, Reply
from mock_server.http.flow import Answered, Flow, Sleep
from mock_server.http.head import head_of
from mock_server.http.route_info import Kind, RouteInfo
from mock_server.http.workers import SCOPE_KEY as WORKERS_KEY
from mock_server.http.workers import WorkerLoops, goes_to_a_worker
from mock_server.service.core import Service
from mock_server.wire.versions import SHIPPED_WIRE, WireTable

#: A request body past this many bytes is large work (hundreds of destinations): it runs
#: beside the serving loop, so other tenants are not kept waiting (ledger serve.isolation).
LARGE_BODY_BYTES = 8 * 1024


def _declared_length(request: Request) -> int:
    """The body's declared length (a chunked body, with none declared, counts as large)."""
    declared = head_of(request).content_length
    if declared is None:
        return LARGE_BODY_BYTES + 1 if request.method in ("POST", "PUT", "PATCH") else 0
    return int(declared) if declared.isdigit() else 0


class Endpoint:
    """A route's pipeline, runnable on the event loop or straight through."""

    __slots__ = ("route",)

    def __init__(self, route: RouteInfo) -> None:
        self.route = route

    async def asgi(self, request: Request) -> Answered:
        """The answer on the event loop. When served, a request that may wait on the network
        or take long (``may_block``, the control plane, a tenant with a webhook or Line agent,
        one being rebuilt from ``--state``, a large body) runs on a worker loop
        (``http/workers.py``)."""
        route = self.route
        workers: WorkerLoops | None = request.scope.get(WORKERS_KEY)
        if workers is None or route.kind == "public":
            return await _on_loop(flow.run(route, request, None), _off_the_wire(request))
        key = flow.api_key_of(request)
        large = route.needs_body and _declared_length(request) > LARGE_BODY_BYTES
        if key is None or not goes_to_a_worker(
            route.service, workers, key, route.kind, route.may_block or large
        ):
            return await _on_loop(flow.run(route, request, None), _off_the_wire(request))
        prefetched = (
            await reading.prefetch(request, route.service.settings.max_body_bytes)
            if route.needs_body
            else None
        )
        steps = flow.run(route, request, prefetched)
        return await workers.run(key, lambda: _on_loop(steps, _off_the_wire(request)))

    async def soon(self, request: Request, body: bytes) -> Answered:
        """The answer on the event loop, for a request whose whole ``body`` is in hand (the
        async in-process door): no ASGI messages to pass."""
        return await _on_loop(flow.run(self.route, request, None), _held(body))

    def now(self, request: Request, body: bytes) -> Answered:
        """The answer on this thread, for a request whose whole ``body`` is in hand: a real
        latency sleeps the thread, as a slow server would keep a sync client waiting."""
        steps = flow.run(self.route, request, None)
        outcome: bytes | ApiError | None = None
        try:
            while True:
                wait = steps.send(outcome)
                if isinstance(wait, Sleep):
                    time.sleep(wait.seconds)
                    outcome = None
                else:
                    outcome = reading.in_hand(body, wait.limit)
        except StopIteration as done:
            answered: Answered = done.value
            return answered


BodySource = Callable[[int], Awaitable["bytes | ApiError"]]


def _off_the_wire(request: Request) -> BodySource:
    return lambda limit: reading.prefetch(request, limit)


def _held(body: bytes) -> BodySource:
    async def source(limit: int) -> bytes | ApiError:
        return reading.in_hand(body, limit)

    return source


async def _on_loop(steps: Flow, body: BodySource) -> Answered:
    """Run ``steps``, awaiting what they wait for: a real sleep, the body."""
    outcome: bytes | ApiError | None = None
    try:
        while True:
            wait = steps.send(outcome)
            if isinstance(wait, Sleep):
                await asyncio.sleep(wait.seconds)
                outcome = None
            else:
                outcome = await body(wait.limit)
    except StopIteration as done:
        answered: Answered = done.value
        return answered


def endpoint(
    service: Service,
    handler: Handler,
    *,
    kind: Kind = "api",
    needs_body: bool = False,
    schema: str | None = None,
    status: int = 200,
    may_block: bool = False,
    template: str | None = None,
    journaled: bool = True,
    versions: WireTable = SHIPPED_WIRE,
    served: Iterable[str] | None = None,
) -> Endpoint:
    """Wrap ``handler`` in the pipeline (see ``RouteInfo`` for each argument); ``served``
    defaults to every version of ``versions``. Give Starlette ``endpoint(...).asgi``."""
    return Endpoint(
        RouteInfo(
            service=service,
            handler=handler,
            kind=kind,
            needs_body=needs_body,
            schema=schema,
            status=status,
            may_block=may_block,
            template=template,
            journaled=journaled,
            versions=versions,
            served=frozenset(versions.names if served is None else served),
        )
    )


__all__ = ["Ctx", "Endpoint", "Handler", "Kind", "Reply", "endpoint"]
