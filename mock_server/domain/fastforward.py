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
    """True when no pending transition has a side effect beyond its own call: no webhook,
    no Line agent, and no batch recipient waiting for a call to end."""
    return (
        len(world.outbox) == 0
        and not world.dispatcher.waiting()
        and not any(
            agent.webhook is not None or agent.line_url is not None
            for agent in world.agents.values()
        )
    )


def finish_all(world: World, now: int, error_after_answer_ms: int) -> int:
    """Run every pending call to its end; return the instant of the last transition."""
    last = now
    next_step, apply = lifecycle.next_step, lifecycle.apply
    ended = 0
    for call, step in world.scheduler.drain():
        s: lifecycle.Step | None = step
        while s is not None:
            apply(call, s)
            if s.at > last:
                last = s.at
            s = next_step(call, error_after_answer_ms=error_after_answer_ms)
        ended += 1
        if call.batch_id is not None:
            world.dispatcher.finished_alone(call)
    world.active -= ended
    world.pacer.waiting.clear()
    world.unsorted.update(world.calls_by_agent)  # calls started: every list may need a re-sort
    return last
