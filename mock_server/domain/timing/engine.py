"""The time engine: the one place a tenant's world moves through time.

Three queues hold what falls due — call transitions (``Scheduler``), webhook deliveries
(``Outbox``) and batch admissions (``Dispatcher``) — and ``run_due`` takes them in time order
(at one instant: call transitions, then deliveries, then admissions). Every call transition
is applied by ``_apply``, and its side effects go through its hooks, in this order: pacing
(the number's queue), the List index, the answer hook (the Line bridge), the call's next
step, the webhook outbox, and the batch dispatcher. Fast-forward (``run_until_idle`` when
nothing observes the calls) is a mode of the same engine, not a second loop: it ends calls
through the same ``ended`` effect and leaves the pacing and List indexes as ``fast_forwarded``
says.

The hooks to the outside (the Line bridge, the webhook sender) are given at construction
(``EngineHooks``) and are not called while the world replays its op log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mock_server.domain.calls import lifecycle
from mock_server.domain.models import Call
from mock_server.domain.settings import Settings
from mock_server.domain.timing import fastforward
from mock_server.domain.timing.clock import VirtualClock
from mock_server.domain.webhooks import outbox as webhooks

if TYPE_CHECKING:
    from mock_server.domain.calls.readmodels import CallView
    from mock_server.domain.tenants.world import World


@dataclass(frozen=True, slots=True)
class EngineHooks:
    """What the engine calls outside the domain."""

    #: Runs when a call is answered (the Line bridge); may plan the call's end.
    answered: Callable[[Call, World], None] | None = None
    #: POSTs a webhook delivery; returns (delivered, what happened).
    send_webhook: Callable[[webhooks.Delivery], tuple[bool, str]] | None = None


class Engine:
    """Applies due work in time order for one tenant (the tenant holds its lock)."""

    def __init__(
        self,
        settings: Settings,
        hooks: EngineHooks,
        snapshot: Callable[[World, Call], CallView],
    ) -> None:
        self.error_ms = round(settings.error_after_answer_seconds * 1000)
        self.hooks = hooks
        #: A copy of a call as it is now (what a webhook payload shows).
        self.snapshot = snapshot

    # ---- what is due ------------------------------------------------------------------

    @staticmethod
    def next_due(world: World) -> int | None:
        """When the next transition, delivery or admission is due (None: nothing is)."""
        dues = [
            d
            for d in (
                world.scheduler.next_due(),
                world.outbox.next_due(),
                world.dispatcher.next_due(),
            )
            if d is not None
        ]
        return min(dues) if dues else None

    def run_due(self, world: World, now: int) -> None:
        """Apply everything due by ``now``, in time order."""
        scheduler, outbox, dispatcher = world.scheduler, world.outbox, world.dispatcher
        while True:
            call_due = scheduler.next_due()
            mail_due = outbox.next_due()
            admit_due = dispatcher.next_due()
            if (
                (call_due is None or call_due > now)
                and (mail_due is None or mail_due > now)
                and (admit_due is None or admit_due > now)
            ):
                return  # the common case: nothing is due
            first = min(d for d in (call_due, mail_due, admit_due) if d is not None)
            if call_due == first:
                popped = scheduler.pop_due(now)
                assert popped is not None
                self._apply(world, *popped)
            elif mail_due == first:
                self._send(world, outbox.pop_due(now))
            else:
                self.schedule_new(world, dispatcher.admit(world, first))

    # ---- moving a virtual clock ---------------------------------------------------------

    def advance_to(self, world: World, clock: VirtualClock, target: int) -> None:
        """Step event by event up to ``target``, then stop the clock there."""
        while (due := self.next_due(world)) is not None and due <= target:
            clock.set(max(due, clock.now_ms()))
            self.run_due(world, due)
        clock.set(max(target, clock.now_ms()))

    def step(self, world: World, clock: VirtualClock, limit: int) -> bool:
        """Move to the next event if it is due by ``limit``; False when none is."""
        due = self.next_due(world)
        if due is None or due > limit:
            return False
        clock.set(max(due, clock.now_ms()))
        self.run_due(world, clock.now_ms())
        return True

    def run_until_idle(self, world: World, clock: VirtualClock) -> int:
        """Run until nothing is pending; returns the final instant. When no transition has a
        side effect beyond its own call (no webhook, no Line agent), calls are finished one by
        one without the scheduler, and queued batches are drained by their call ends alone
        (``fastforward``): the same end state as stepping."""
        if fastforward.unobserved(world):
            ended = self.ended
            clock.set(fastforward.finish_all(world, clock.now_ms(), self.error_ms, ended))
            if world.dispatcher.waiting():  # batches still queued: drain them the same way
                clock.set(fastforward.drain_batches(world, clock.now_ms(), self.error_ms, ended))
            self.fast_forwarded(world)
        while (due := self.next_due(world)) is not None:
            clock.set(max(due, clock.now_ms()))
            self.run_due(world, due)
        return clock.now_ms()

    # ---- calls ---------------------------------------------------------------------------

    def schedule_new(self, world: World, calls: list[Call]) -> None:
        """Queue new calls' first transition (the dial) and count them as active."""
        world.scheduler.schedule_dials(calls)
        world.active += len(calls)

    def end_now(self, world: World, call: Call, step: lifecycle.Step) -> None:
        """End a call out of turn (an API cancel) through the same hooks."""
        world.scheduler.unschedule(call)
        self._apply(world, call, step)

    def _apply(self, world: World, call: Call, step: lifecycle.Step) -> None:
        lifecycle.apply(call, step)
        if call.batch_id is not None:
            world.dispatcher.touch(call.batch_id)
        event = step.event
        if event == "dialed":
            world.pacer.dialed(call)
        elif event == "answered":
            world.unsorted.add(call.agent_id)
            answered = self.hooks.answered
            if answered is not None and not world.replaying:
                answered(call, world)
        following = lifecycle.next_step(call, error_after_answer_ms=self.error_ms)
        if following is not None:
            world.scheduler.schedule(call, following)
        if event != "dialed":
            snapshot = self.snapshot
            webhooks.emit(world, call, event, step.at, lambda c: snapshot(world, c))
        if event == "ended":
            self.ended(world, call, step.at, wake=True)

    def ended(self, world: World, call: Call, at: int, *, wake: bool) -> None:
        """A call ended at ``at``: one fewer active, its batch slot free (and, with
        ``wake``, the dispatcher looks for the next recipient at ``at``; fast-forward
        admits by itself)."""
        world.active -= 1
        world.dispatcher.release(call, at)
        if wake:
            world.dispatcher.wake(at)

    @staticmethod
    def fast_forwarded(world: World) -> None:
        """After fast-forward ended calls out of the scheduler: no number has a queue left,
        every agent's List order may have moved, every batch may have changed."""
        world.pacer.waiting.clear()
        world.unsorted.update(world.calls_by_agent)
        world.dispatcher.touch_all()

    def _send(self, world: World, delivery: webhooks.Delivery | None) -> None:
        if delivery is None:
            return
        sender = None if world.replaying else self.hooks.send_webhook
        if sender is None:
            world.outbox.settle(delivery, "no sender configured", ok=False)
            return
        ok, result = sender(delivery)
        world.outbox.settle(delivery, result, ok=ok)
