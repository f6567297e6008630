"""A state of one tenant at one instant, for people to look at (the dashboard and the
timeline file): every call's instants and outcome, batches with their progress, the dial
queue, the newest requests and the webhook deliveries. Plain values, read under the lock."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from mock_server.domain.journal.journal import JournalEntry
from mock_server.domain.models import Phase
from mock_server.domain.tenants.tenant import Tenant
from mock_server.domain.timing.clock import ClockMode


@dataclass(frozen=True, slots=True)
class CallBar:
    id: str
    to_number: str
    from_number_id: str
    from_number: str
    batch_id: str | None
    created_at: int
    dial_at: int
    dialed: bool
    answered_at: int | None
    ended_at: int | None
    status: str
    end_reason: str | None


@dataclass(frozen=True, slots=True)
class BatchRow:
    id: str
    name: str
    status: str
    scheduled: int
    dispatched: int
    finished: int
    in_flight: int
    limit: int
    created_at: int
    #: Destinations still waiting for the dispatcher, in the order it will take them.
    waiting: tuple[str, ...]
    #: Recipients refused before a call was placed: (destination, why), in batch order.
    refused: tuple[tuple[str, str], ...] = ()
    #: When the dispatcher first took the batch up (None before).
    admitted_at: int | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: str
    event: str
    call_id: str
    attempts: int
    state: str
    results: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DashboardState:
    key: str
    now: int
    mode: ClockMode
    calls: tuple[CallBar, ...]
    batches: tuple[BatchRow, ...]
    #: from-number id -> the calls still waiting to dial there, in dial order
    queue: dict[str, tuple[CallBar, ...]]
    journal: tuple[JournalEntry, ...]
    deliveries: tuple[DeliveryRow, ...]
    organization_limit: int
    active: int


def take(tenant: Tenant, *, max_calls: int = 2000, journal_tail: int = 50) -> DashboardState:
    """The tenant now: its newest ``max_calls`` calls and ``journal_tail`` requests."""
    with tenant.transaction() as tx:
        world = tx.world
        numbers = {n.id: n.number for n in world.numbers.values()}
        recent = list(islice(reversed(world.calls.values()), max_calls))[::-1]
        bars = tuple(
            CallBar(
                c.id,
                c.to_number,
                c.from_number_id,
                numbers.get(c.from_number_id, c.from_number_id),
                c.batch_id,
                c.created_at,
                c.dial_at,
                c.phase is not Phase.QUEUED,
                c.answered_at,
                c.ended_at,
                c.status.value,
                c.end_reason,
            )
            for c in recent
        )
        by_id = {b.id: b for b in bars}
        batches = []
        for batch in world.dispatcher.batches.values():
            scheduled, dispatched, finished = batch.totals()
            batches.append(
                BatchRow(
                    batch.id,
                    batch.name,
                    batch.status(),
                    scheduled,
                    dispatched,
                    finished,
                    batch.in_flight,
                    batch.limit,
                    batch.created_at,
                    tuple(batch.recipients[i].to_number for i in batch.queue),
                    tuple(
                        (r.to_number, r.error)
                        for r in batch.recipients
                        if r.error is not None and r.call is None
                    ),
                    batch.admitted_at,
                )
            )
        queue = {
            number: tuple(by_id[c.id] for c in calls if c.id in by_id)
            for number, calls in world.pacer.waiting.items()
            if calls
        }
        deliveries = tuple(
            DeliveryRow(d.id, d.event, d.call_id, d.attempts, d.state, tuple(d.results))
            for d in world.outbox.record
        )
        return DashboardState(
            tenant.key,
            tx.now_ms(),
            tenant.clock_mode,
            bars,
            tuple(batches),
            queue,
            tuple(world.journal.tail(journal_tail)),
            deliveries,
            tx.settings.organization_concurrency_limit,
            world.active,
        )
