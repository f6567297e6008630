"""The batch dispatcher: drains call batches onto the dial queue, on the tenant's clock.

Batches are admitted first come, first served. A queued recipient is dispatched — made an
ordinary call, which then lives like any other (pacing, lifecycle, webhooks, bridge) — when
its batch has started (``scheduled_at`` has passed), fewer than ``target_concurrency_limit``
of the batch's calls are in flight, and fewer than the organisation's limit of calls are
(ledger ``batches.concurrency``). Admission is tried when something could change the answer:
a batch starts, a call ends, a batch is retried. The engine calls ``admit``; the dispatcher
never moves time itself.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import TYPE_CHECKING, Any

from mock_server.domain.batches.batch import Batch
from mock_server.domain.calls import callees
from mock_server.domain.calls.outbound import (
    Order,
    check_capacity,
    destination_error,
    lane_of,
    place,
    place_one,
)
from mock_server.domain.errors import bad_request, not_found
from mock_server.domain.models import Call
from mock_server.domain.settings import Settings

if TYPE_CHECKING:
    from mock_server.domain.tenants.world import World


class Dispatcher:
    """One tenant's batches and the instants at which admission is worth trying."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.batches: dict[str, Batch] = {}
        self._wakes: list[int] = []
        #: Batches with recipients still queued, in creation order (first come first served).
        self._open: dict[str, Batch] = {}
        #: What every call of a batch shares, made at its first dispatch.
        self._orders: dict[str, Order] = {}
        #: Call ids drawn ahead for a batch's queued recipients (last id first).
        self._ids: dict[str, list[str]] = {}

    # ---- what the engine asks -------------------------------------------------------------

    def queued(self) -> int:
        """Recipients still queued across every batch (each will be a call)."""
        if not self._open:
            return 0
        return sum(len(b.queue) for b in self._open.values())

    def waiting(self) -> bool:
        """Whether any recipient is queued (so call ends and the clock matter to batches)."""
        return bool(self._open)

    def next_due(self) -> int | None:
        if not self._open:
            self._wakes.clear()
            return None
        return self._wakes[0] if self._wakes else None

    def wake(self, at: int) -> None:
        if self._open and (not self._wakes or self._wakes[0] != at):
            heapq.heappush(self._wakes, at)

    def admit(self, world: World, now: int, *, queue: bool = True) -> list[Call]:
        """Dispatch every recipient that may go now, batch by batch in creation order; the
        calls made (the engine schedules them and counts them active). ``queue`` False: the
        fast-forward, which dials them at once (see ``DialPacer.assign_all``)."""
        wakes = self._wakes
        while wakes and wakes[0] <= now:
            heapq.heappop(wakes)
        org_room = self.settings.organization_concurrency_limit - world.active
        made: list[Call] = []
        drained = []
        for batch in self._open.values():
            if org_room <= 0:
                break
            if batch.scheduled_at is not None and batch.scheduled_at > now:
                continue
            room = batch.limit - batch.in_flight
            if room <= 0:
                continue
            if batch.admitted_at is None:
                batch.admitted_at = now
            placed = self._dispatch(world, batch, min(room, org_room), now, queue)
            made += placed
            org_room -= len(placed)
            if not batch.queue:
                drained.append(batch.id)
        for batch_id in drained:
            del self._open[batch_id]
        return made

    def _dispatch(self, world: World, batch: Batch, room: int, now: int, fifo: bool) -> list[Call]:
        """Take up to ``room`` recipients off the batch's queue; place their calls."""
        order = self._orders.get(batch.id)
        if order is None:
            number = world.numbers[batch.from_number_id]
            order = Order(
                number,
                batch.agent_id,
                batch.ringing_timeout_ms,
                batch.max_duration_ms,
                lane_of(number, self.settings),
                batch.id,
            )
            self._orders[batch.id] = order
        provider = order.number.provider
        taken: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, int | None]] = []
        owners = []
        queue, recipients = batch.queue, batch.recipients
        store_room = self.settings.max_calls_per_tenant - len(world.calls)
        while queue and len(taken) < room:
            recipient = recipients[queue.popleft()]
            to = recipient.to_number
            decade = callees.magic_decade(to)
            error = destination_error(to, provider, decade)
            if error is not None:  # fails before a call can be placed
                recipient.error = error[1]
                continue
            if len(taken) >= store_room:  # only a log from before the cap counted queues
                recipient.error = (
                    f"The tenant's call store is full ({len(world.calls)} calls, the limit "
                    "max_calls_per_tenant): this recipient was not dialed."
                )
                continue
            taken.append((to, recipient.metadata, recipient.dynamic_variables, decade))
            owners.append(recipient)
        batch.changes += 1
        if not taken:
            batch.updated_at = now
            return []
        ids = self._ids.get(batch.id)
        if ids is None or len(ids) < len(taken):  # one draw for the rest of the batch
            ids = world.ids.call_ids(len(batch.queue) + len(taken))[::-1]
            self._ids[batch.id] = ids
        if len(taken) == 1:  # a slot freed by one call end: the drain's usual case
            call = place_one(world, order, taken[0], now, ids.pop(), queue=fifo)
            owners[0].call = call
            batch.calls.append(call)
            batch.in_flight += 1
            batch.updated_at = now
            return [call]
        made = place(world, order, taken, now, ids=[ids.pop() for _ in taken], queue=fifo)
        for recipient, call in zip(owners, made, strict=True):
            recipient.call = call
        batch.calls.extend(made)
        batch.in_flight += len(made)
        batch.updated_at = now
        return made

    # ---- hooks from the engine -------------------------------------------------------------

    def release(self, call: Call, at: int) -> None:
        """Free the batch slot a call held (the fast-forward admits right after, no wake)."""
        if call.batch_id is not None:
            batch = self.batches[call.batch_id]
            batch.in_flight -= 1
            batch.updated_at = at
            batch.changes += 1

    def touch(self, batch_id: str | None) -> None:
        """Something a reader of the batch would see changed (one of its calls moved on)."""
        if batch_id is not None:
            batch = self.batches.get(batch_id)
            if batch is not None:
                batch.changes += 1

    def touch_all(self) -> None:
        """Every batch may have changed (after a fast-forward)."""
        for batch in self.batches.values():
            batch.changes += 1

    # ---- what the API asks ----------------------------------------------------------------

    def add(self, batch: Batch, now: int) -> None:
        """Take a new batch; it is first looked at ``batch_dispatch_delay_ms`` after ``now``
        (or at its ``scheduled_at``), never within the request that created it (ledger
        ``batches.dispatch_delay``)."""
        batch.seq = len(self.batches)
        batch.queue = deque(range(len(batch.recipients)))
        self.batches[batch.id] = batch
        self._open[batch.id] = batch
        self.wake(max(now + self.settings.batch_dispatch_delay_ms, batch.scheduled_at or now))

    def get(self, batch_id: str) -> Batch:
        batch = self.batches.get(batch_id)
        if batch is None:
            raise not_found(f"Batch {batch_id!r} not found.", code="batch_not_found")
        return batch

    def cancel(self, batch_id: str, now: int) -> Batch:
        """Stop the queued recipients; calls in flight finish. Idempotent; a batch with
        nothing left to dispatch is left as it is (the table's ``cancelled`` is "cancelled
        before every call was dispatched")."""
        batch = self.get(batch_id)
        if batch.cancelled_at is None and batch.queue:
            batch.changes += 1
            batch.cancelled_at = batch.updated_at = now
            while batch.queue:
                batch.recipients[batch.queue.popleft()].cancelled = True
            self._open.pop(batch.id, None)
        return batch

    def retry(self, world: World, batch_id: str, now: int) -> Batch:
        """Re-queue the recipients whose latest attempt failed (or never got a call)."""
        batch = self.get(batch_id)
        if batch.cancelled_at is not None:
            raise bad_request(
                f"Batch {batch_id!r} was cancelled; a cancelled batch cannot be retried.",
                code="batch_cancelled",
            )
        again = [(i, r) for i, r in enumerate(batch.recipients) if r.status == "failed"]
        check_capacity(world, self.settings, len(again), what=f"Retrying {len(again)} recipients")
        for index, recipient in again:
            recipient.error = None
            recipient.call = None
            batch.queue.append(index)
        batch.retry_count += 1
        batch.updated_at = now
        batch.changes += 1
        if batch.queue:
            self._open[batch.id] = batch
            start = now + self.settings.batch_dispatch_delay_ms
            self.wake(max(start, batch.scheduled_at or start))
        return batch
