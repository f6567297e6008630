"""Finishing every pending call without the scheduler, when nothing else is watching.

A call's future depends only on itself (its dial time was fixed at creation). So when no
transition has a side effect beyond its own call — no Line agent to bridge, no webhook to
deliver — run-until-idle can finish calls one by one, in any order, and reach exactly the
state that stepping through events in time order would, without the heap's cost.
"""

from __future__ import annotations

from mock_server.domain import lifecycle
from mock_server.domain.world import World


def unobserved(world: World) -> bool:
    """True when no pending transition has a side effect beyond its own call."""
    return len(world.outbox) == 0 and not any(
        agent.webhook is not None or agent.line_url is not None for agent in world.agents.values()
    )


def finish_all(world: World, now: int, error_after_answer_ms: int) -> int:
    """Run every pending call to its end; return the instant of the last transition."""
    last = now
    next_step, apply = lifecycle.next_step, lifecycle.apply
    for call in world.scheduler.drain():
        step = call.pending or next_step(call, error_after_answer_ms=error_after_answer_ms)
        call.pending = None
        while step is not None:
            apply(call, step)
            if step.at > last:
                last = step.at
            step = next_step(call, error_after_answer_ms=error_after_answer_ms)
    world.pacer.waiting.clear()
    world.unsorted.update(world.calls_by_agent)  # calls started: every list may need a re-sort
    return last
