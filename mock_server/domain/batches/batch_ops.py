"""Call batches as the API offers them: create, read, list, cancel, retry, and their calls.

The rules of ``POST /agents/calls/batches`` run in the same order as for single calls
(shape, agent, number), each recipient is checked as an outbound item of the request's
version (a bad one is named ``recipients[index]`` and no batch is made), then the
dispatcher takes over (``dispatcher.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from mock_server.domain.batches.batch import Batch, Recipient
from mock_server.domain.calls import listing, outbound
from mock_server.domain.calls.readmodels import CallPage, CallView
from mock_server.domain.commands import FORMAT, CreateBatch
from mock_server.domain.errors import bad_request
from mock_server.domain.models import Call
from mock_server.domain.timing.clock import rfc3339

if TYPE_CHECKING:  # the tenant package is above this one: types only
    from mock_server.domain.tenants.tenant import Tenant
    from mock_server.domain.tenants.transaction import Transaction
    from mock_server.domain.tenants.world import World

T = TypeVar("T")

#: How far ahead a batch may be scheduled (documented: 30 days).
MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 3600 * 1000


def _instant(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def check_batch(command: CreateBatch, tx: Transaction, now: int) -> int | None:
    """The create rules after the shape (decoded at the edge), in order; returns
    ``scheduled_at`` in ms (None: start now)."""
    scheduled = command.scheduled_at
    at = None if scheduled is None else _instant(scheduled)
    if at is not None and not now < at <= now + MAX_SCHEDULE_AHEAD_MS:
        raise bad_request(
            f"scheduled_at: must be in the future and at most 30 days ahead (got {scheduled}; "
            f"the fake's now is {rfc3339(now)}).",
            code="invalid_request_body",
        )
    world = tx.world
    outbound.check_parties(command.agent_id, command.from_number_id, world)
    count = len(command.recipients)
    outbound.check_capacity(world, tx.settings, count, what=f"This batch's {count} recipients")
    number = world.numbers[command.from_number_id]
    if command.region is not None and number.provider != "sip_trunk":
        raise bad_request(
            "region: only batches dialing from a SIP-trunk number may choose a region.",
            code="invalid_request_body",
        )
    return at


def create_batch(tenant: Tenant, command: CreateBatch) -> Batch:
    with tenant.transaction() as tx:
        world = tx.world
        now = tx.now_ms()
        scheduled_at = check_batch(command, tx, now)
        settings = tx.settings
        limit = command.target_concurrency_limit
        timeout = command.ringing_timeout_seconds
        minutes = command.max_call_duration_minutes
        if limit is None:
            limit = default_limit(settings.organization_concurrency_limit)
        if timeout is None:
            timeout = outbound.DEFAULT_RINGING_TIMEOUT_SECONDS
        if minutes is None:
            minutes = outbound.DEFAULT_MAX_DURATION_MINUTES
        recipients = [
            Recipient(r.to_number, r.metadata, r.dynamic_variables) for r in command.recipients
        ]
        batch = Batch(
            id=world.ids.prefixed("acb_"),
            name=command.name,
            agent_id=command.agent_id,
            from_number_id=command.from_number_id,
            region=command.region or "US",
            limit=limit,
            ringing_timeout_ms=timeout * 1000,
            max_duration_ms=minutes * 60_000,
            created_at=now,
            scheduled_at=scheduled_at,
            recipients=recipients,
            updated_at=now,
        )
        world.dispatcher.add(batch, now)  # dispatch begins after this answer
        tx.record("create_batch", format=FORMAT, command=command.record())
        return batch


def default_limit(organization_limit: int) -> int:
    """An omitted ``target_concurrency_limit``: half the organisation's (ledger
    ``batches.default_limit``), at least 1."""
    return max(1, organization_limit // 2)


def read_batch(
    tenant: Tenant, batch_id: str, show: Callable[[Batch], T], *, by_client: bool = True
) -> T:
    """Get Call Batch; ``by_client`` False: a test's own look (not a poll, no auto-advance)."""
    if by_client:
        tenant.poll()  # a read of something that changes with time (auto_advance)
    with tenant.transaction() as tx:
        world = tx.world
        batch = world.dispatcher.get(batch_id)
        if by_client:
            world.journal.polled(batch_id, tx.now_ms())
        return show(batch)


def list_batches(
    tenant: Tenant,
    show: Callable[[Batch], T],
    *,
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
    agent_id: str | None = None,
) -> tuple[list[T], bool]:
    """A page of batches, newest first (only ``agent_id``'s when given), and whether more
    follow."""
    tenant.poll()
    with tenant.transaction() as tx:
        world = tx.world
        if starting_after is None and ending_before is None:
            world.journal.polled("List Call Batches", tx.now_ms())
        newest_first = [
            b
            for b in reversed(world.dispatcher.batches.values())
            if agent_id is None or b.agent_id == agent_id
        ]
        page, more = listing.cursor_page(
            newest_first,
            lambda b: b.id,
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
            what="batch",
        )
        return [show(b) for b in page], more


def cancel_batch(tenant: Tenant, batch_id: str, show: Callable[[Batch], T]) -> T:
    with tenant.transaction() as tx:
        world = tx.world
        batch = world.dispatcher.cancel(batch_id, tx.now_ms())
        tx.record("cancel_batch", batch_id=batch_id)
        return show(batch)


def retry_batch(tenant: Tenant, batch_id: str, show: Callable[[Batch], T]) -> T:
    with tenant.transaction() as tx:
        world = tx.world
        batch = world.dispatcher.retry(world, batch_id, tx.now_ms())
        tx.record("retry_batch", batch_id=batch_id)
        return show(batch)


def batch_calls(
    tenant: Tenant,
    batch_id: str,
    show: Callable[[CallView], T],
    *,
    agent_id: str | None,
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
    started: listing.StartBounds | None,
) -> CallPage[T]:
    """List Calls by ``batch_id``: one entry per attempt, newest first."""
    tenant.poll()
    with tenant.transaction() as tx:
        world = tx.world
        batch = world.dispatcher.get(batch_id)
        if starting_after is None and ending_before is None:
            world.journal.polled(f"List Calls batch_id={batch_id}", tx.now_ms())
        if agent_id is not None and agent_id != batch.agent_id:
            raise bad_request(
                f"agent_id {agent_id!r} does not match batch {batch_id!r}'s agent.",
                code="invalid_query_parameter",
            )
        calls = batch.ordered_calls(listing.order_key)
        if started is not None:
            calls = [c for c in calls if started.admits(c)]
        page, next_page = listing.page_of(
            calls,
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
            find=lambda call_id: _member(world, batch, call_id),
        )
        views = [show(tx.view(c)) for c in page]
        return CallPage(views, next_page, next_page is not None)


def _member(world: World, batch: Batch, call_id: str) -> Call | None:
    """The call ``call_id`` if it is one of ``batch``'s attempts (a cursor of this list)."""
    call = world.calls.get(call_id)
    return call if call is not None and call.batch_id == batch.id else None
