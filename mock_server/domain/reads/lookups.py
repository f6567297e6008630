"""Read-only views of a tenant: clock, queue, timelines, journal, a number's provider."""

from __future__ import annotations

from mock_server.domain.errors import not_found
from mock_server.domain.journal.journal import DuplicateDial, JournalEntry, PollStat
from mock_server.domain.models import Call
from mock_server.domain.tenants.tenant import Tenant
from mock_server.domain.timing.clock import ClockMode
from mock_server.domain.webhooks.outbox import Delivery


def audio_seconds(tenant: Tenant, call_id: str) -> float:
    """The length in seconds of an ended, answered, not deleted call's recording."""
    with tenant.transaction() as tx:
        world = tx.world
        call = world.calls.get(call_id)
        if call is None:
            raise not_found(f"Call {call_id!r} not found.", code="call_not_found")
        if call.answered_at is None or call.ended_at is None or call.redacted_at is not None:
            raise not_found(
                f"No audio for call {call_id!r}: audio exists only for answered calls that "
                "have ended and were not deleted.",
                code="audio_not_found",
            )
        return (call.ended_at - call.answered_at) / 1000


def deliveries(tenant: Tenant) -> list[Delivery]:
    with tenant.transaction() as tx:
        return list(tx.world.outbox.record)


def journal(tenant: Tenant) -> list[JournalEntry]:
    with tenant.transaction() as tx:
        return tx.world.journal.entries


def poll_stats(tenant: Tenant) -> dict[str, PollStat]:
    """Per call, how the clients polled it (Get Call)."""
    with tenant.transaction() as tx:
        return dict(tx.world.journal.polls)


def duplicates(tenant: Tenant) -> list[DuplicateDial]:
    with tenant.transaction() as tx:
        return list(tx.world.journal.duplicates)


def queue(tenant: Tenant) -> dict[str, list[Call]]:
    """Per number, the calls still waiting to dial, in dial order."""
    with tenant.transaction() as tx:
        return {number: list(calls) for number, calls in tx.world.pacer.waiting.items()}


def clock_now(tenant: Tenant) -> tuple[int, ClockMode]:
    with tenant.transaction() as tx:
        return tx.now_ms(), tenant.clock_mode


def knows(
    tenant: Tenant, *, agent: str | None = None, number: str | None = None, call: str | None = None
) -> bool:
    """Whether the tenant has every one named: an agent, a phone number (by id), a call."""
    with tenant.holding() as tx:
        world = tx.world
        return (
            (agent is None or agent in world.agents)
            and (number is None or number in world.numbers)
            and (call is None or call in world.calls)
        )
