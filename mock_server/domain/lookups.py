"""Read-only views of a tenant: clock, queue, timelines, journal, a number's provider."""

from __future__ import annotations

from typing import Any

from mock_server import views
from mock_server.domain.clock import rfc3339
from mock_server.domain.journal import DuplicateDial, JournalEntry
from mock_server.domain.tenant import Tenant


def deliveries(tenant: Tenant) -> list[dict[str, Any]]:
    with tenant.locked() as world:
        return [d.as_dict() for d in world.outbox.record]


def journal(tenant: Tenant) -> list[JournalEntry]:
    with tenant.locked() as world:
        return list(world.journal.entries)


def duplicates(tenant: Tenant) -> list[DuplicateDial]:
    with tenant.locked() as world:
        return list(world.journal.duplicates)


def queue(tenant: Tenant) -> dict[str, Any]:
    with tenant.locked() as world:
        return views.queue(world.pacer.waiting)


def timeline(tenant: Tenant, call_id: str) -> dict[str, Any]:
    with tenant.locked():
        return {"events": views.timeline(tenant.call(call_id))}


def clock_view(tenant: Tenant) -> dict[str, Any]:
    with tenant.locked():
        return {"now": rfc3339(tenant.clock.now_ms()), "mode": tenant.clock.mode}


def number_provider(tenant: Tenant, number_id: str) -> str | None:
    """Read without the lock (one dict lookup; numbers are only added): on the POST path."""
    number = tenant.world.numbers.get(number_id)
    return number.provider if number is not None else None


def dial_waits(tenant: Tenant, call_id: str) -> bool:
    """Whether the call's dial is queued behind another (lock-free read, POST path)."""
    call = tenant.world.calls.get(call_id)
    return call is not None and call.dial_at > call.created_at
