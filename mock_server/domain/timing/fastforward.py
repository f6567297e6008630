"""Finishing every pending call without the scheduler, when nothing else is watching.

A call's future depends only on itself (its dial time was fixed at creation). So when no
transition has a side effect beyond its own call — no Line agent to bridge, no webhook to
deliver — run-until-idle can finish calls one by one, in any order, and reach exactly the
state that stepping through events in time order would, without the heap's cost.

A call's end goes through the engine's own ``ended`` effect (passed in as ``Ended``); the
engine's ``fast_forwarded`` then settles the indexes the skipped steps would have kept.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import TYPE_CHECKING

from mock_server.domain.calls import lifecycle

if TYPE_CHECKING:
    from mock_server.domain.tenants.world import World


def unobserved(world: World) -> bool:
    """True when no pending transition has a side effect beyond its own call and the batch
    dispatcher: no webhook and no Line agent."""
    return len(world.outbox) == 0 and not any(
        agent.webhook is not None or agent.line_url is not None for agent in world.agents.values()
    )


#: The engine's effect of a call's end: ``(world, call, at, wake=...)``.
Ended = Callable[..., None]


def finish_all(world: World, now: int, error_after_answer_ms: int, ended: Ended) -> int:
    """Run every scheduled call to its end; return the instant of the last transition.

    With batch recipients still queued, call ends decide when they are dispatched, so the
    ends are kept for ``drain_batches`` instead of being counted off at once."""
    last = now
    waiting = world.dispatcher.waiting()
    ends = world.ends
    settle = lifecycle.settle
    for call in world.scheduler.drain():
        end = settle(call, error_after_answer_ms)
        if end > last:
            last = end
        if waiting:
            heapq.heappush(ends, (end, call.seq, call))
        else:
            ended(world, call, end, wake=False)
    return last


def drain_batches(world: World, now: int, error_after_answer_ms: int, ended: Ended) -> int:
    """Dispatch and finish every queued batch recipient, event by event over call ends and
    scheduled starts only (each call's own transitions are applied at once: its future
    depends on itself alone once it is placed). Returns the instant of the last event."""
    dispatcher, ends = world.dispatcher, world.ends
    admit, waiting = dispatcher.admit, dispatcher.waiting
    settle, push, pop = lifecycle.settle, heapq.heappush, heapq.heappop
    last = now
    while True:
        wake = dispatcher.next_due()
        if ends:
            at = ends[0][0]
            if wake is not None and wake < at:
                at = wake
        elif wake is not None:
            at = wake
        else:
            break
        while ends and ends[0][0] == at:
            ended(world, pop(ends)[2], at, wake=False)
        if waiting():
            for call in admit(world, at, queue=False):
                world.active += 1
                end = settle(call, error_after_answer_ms)
                push(ends, (end, call.seq, call))
                if end > last:
                    last = end
        if at > last:
            last = at
    return last
