"""POST /agents/calls: the request rules in their documented order, then one result per item."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import phonenumbers

from mock_server.domain.calls import callees
from mock_server.domain.commands import PlaceCalls
from mock_server.domain.errors import ApiError, bad_request, not_found
from mock_server.domain.models import Call, PhoneNumber
from mock_server.domain.settings import Settings

if TYPE_CHECKING:
    from mock_server.domain.tenants.world import World

DEFAULT_RINGING_TIMEOUT_SECONDS = 60
DEFAULT_MAX_DURATION_MINUTES = 480


class ItemResult(NamedTuple):
    """The fate of one ``outbound_calls`` item: a call was made, or this destination failed.
    (A NamedTuple: one is made per item, and a frozen dataclass costs ~1 us more.)"""

    number: str
    call_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None


_new = tuple.__new__


def check_parties(agent_id: str, from_number_id: str, world: World) -> None:
    """Rules 3-5: the agent (and its deployment), the number's owner, its capability."""
    agent = world.agents.get(agent_id)
    if agent is None:
        raise not_found(f"Agent {agent_id!r} not found.", code="agent_not_found")
    if not agent.deployed:
        raise not_found(
            f"Deployment not found: agent {agent.id!r} has no deployment.",
            code="deployment_not_found",
        )
    number = world.numbers.get(from_number_id)
    if number is None:
        raise not_found(
            f"Phone number {from_number_id!r} not found.", code="phone_number_not_found"
        )
    if number.organization != "self":
        raise ApiError(
            403,
            "phone_number_forbidden",
            "Forbidden",
            f"Phone number {number.id!r} does not belong to the same organization as the agent.",
        )
    if not number.can_place_outbound:
        raise bad_request(
            f"Phone number {number.id!r} is not configured to place outbound calls.",
            code="outbound_not_supported",
        )


@lru_cache(maxsize=65_536)
def region_of(e164: str) -> str | None:
    """ISO region of a number by libphonenumber's metadata (None when unknown)."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return None


def destination_error(to_number: str, provider: str, decade: int | None) -> tuple[str, str] | None:
    """A per-destination failure (code, message), or None if the call can be created.

    ``decade`` is ``callees.magic_decade(to_number)``.
    """
    if decade == callees.REJECT_DECADE:
        return "destination_rejected", f"The call to {to_number} was rejected by the provider."
    if provider == "cartesia" and region_of(to_number) != "US":
        return (
            "destination_not_allowed",
            f"Cartesia phone numbers can only call US numbers; {to_number} is not.",
        )
    return None


def lane_of(number: PhoneNumber, settings: Settings) -> str | None:
    """The pacing lane of calls from ``number`` (None: not paced)."""
    if number.provider == "cartesia" or settings.pace_twilio_numbers:
        return number.id if settings.pacing_scope == "number" else "*organization*"
    return None


def check_capacity(world: World, settings: Settings, more: int, *, what: str = "") -> None:
    """429 when ``more`` calls would overfill the tenant's call store, counting the batch
    recipients still queued (each will be a call; ledger ``store.call_cap``). A logged
    operation being replayed is never refused (it was accepted when it was logged)."""
    if world.replaying:
        return
    held, queued, cap = len(world.calls), world.dispatcher.queued(), settings.max_calls_per_tenant
    if held + queued + more <= cap:
        _check_server(world, settings, more, what)
        return
    raise ApiError(
        429,
        "call_store_full",
        "Too many calls",
        f"{what or f'{more} more calls'} would pass the tenant's call store limit: it "
        f"holds {held} calls and {queued} queued batch recipients, and the limit "
        f"(max_calls_per_tenant) is {cap}. Nothing was created. Reset the tenant "
        "(POST /__fake__/reset) or raise the limit.",
        headers={"retry-after": "60"},
    )


def _check_server(world: World, settings: Settings, more: int, what: str) -> None:
    """503 when ``more`` calls would pass the server-wide bound across every tenant."""
    load = world.server_load
    if load is None:
        return
    total, limit = load(), settings.max_calls_total
    if total + more > limit:
        raise ApiError(
            503,
            "server_store_full",
            "Server call store full",
            f"{what or f'{more} more calls'} would pass the server's bound on calls and "
            f"queued batch recipients across all tenants: it holds {total}, and the limit "
            f"(max_calls_total) is {limit}. Nothing was created. Retry later, or reset "
            "tenants you are done with.",
            headers={"retry-after": "60"},
        )


@dataclass(frozen=True, slots=True)
class Order:
    """What every call of one placement shares: where from, which agent, and its limits."""

    number: PhoneNumber
    agent_id: str
    timeout_ms: int
    max_ms: int
    lane: str | None
    batch_id: str | None = None


Item = tuple[str, dict[str, Any] | None, dict[str, Any] | None, int | None]


def _new_call(world: World, order: Order, item: Item, now: int, call_id: str, seq: int) -> Call:
    """The call ``order`` makes to ``item`` (to_number, metadata, dynamic_variables, magic
    decade), created now."""
    to, metadata, variables, decade = item
    return Call(
        call_id,
        seq,
        order.agent_id,
        order.number.id,
        to,
        metadata,
        order.timeout_ms,
        order.max_ms,
        callees.resolve(to, world.callees, world.default_callee, decade),
        now,
        now,
        sort_time=now,
        dynamic_variables=variables,
        batch_id=order.batch_id,
    )


def _listed(world: World, agent_id: str, now: int) -> list[Call]:
    """The agent's List index, ready for calls created ``now`` to be appended."""
    listed = world.calls_by_agent.setdefault(agent_id, [])
    if listed and listed[-1].sort_time > now:  # a clock that went back (restart)
        world.unsorted.add(agent_id)
    return listed


def place(
    world: World,
    order: Order,
    items: list[Item],
    now: int,
    *,
    ids: list[str] | None = None,
    queue: bool = True,
) -> list[Call]:
    """Make one call per item, in order: one id draw, one pacing pass, appended to the
    agent's List index. The caller schedules them. ``ids``: ids drawn ahead (a batch draws
    its recipients' ids at once); ``queue``: see ``DialPacer.assign_all``."""
    new_ids = iter(ids if ids is not None else world.ids.call_ids(len(items)))
    calls, seq = world.calls, world.call_seq
    created: list[Call] = []
    for item in items:
        seq += 1
        call = _new_call(world, order, item, now, next(new_ids), seq)
        calls[call.id] = call
        created.append(call)
    world.call_seq = seq
    world.pacer.assign_all(created, now=now, lane=order.lane, queue=queue)
    if created:
        _listed(world, order.agent_id, now).extend(created)
    return created


def place_one(
    world: World, order: Order, item: Item, now: int, call_id: str, *, queue: bool = True
) -> Call:
    """``place`` for one call with its id drawn already (a batch admission, the common case)."""
    world.call_seq += 1
    call = _new_call(world, order, item, now, call_id, world.call_seq)
    world.calls[call_id] = call
    world.pacer.assign_one(call, now=now, lane=order.lane, queue=queue)
    _listed(world, order.agent_id, now).append(call)
    return call


def create_calls(
    command: PlaceCalls, world: World, settings: Settings, *, now: int
) -> tuple[list[ItemResult], list[Call]]:
    """Create one call per destination (after ``check_parties``; a destination refused at
    the edge fails alone): the results in request order, and the calls made, in the same
    order, dial times assigned."""
    number = world.numbers[command.from_number_id]
    timeout = command.ringing_timeout_seconds
    max_minutes = command.max_call_duration_minutes
    order = Order(
        number,
        command.agent_id,
        (DEFAULT_RINGING_TIMEOUT_SECONDS if timeout is None else timeout) * 1000,
        (DEFAULT_MAX_DURATION_MINUTES if max_minutes is None else max_minutes) * 60_000,
        lane_of(number, settings),
    )
    items = command.destinations
    check_capacity(world, settings, len(items))
    # First every destination's fate, then the calls for those that can be placed.
    placeable: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, int | None]] = []
    failed: dict[int, ItemResult] = {}
    magic_decade = callees.magic_decade
    for index, item in enumerate(items):
        to = item.to_number
        decade = magic_decade(to)
        refusal = item.refusal
        error = (
            (refusal.code, refusal.message)
            if refusal is not None
            else destination_error(to, number.provider, decade)
        )
        if error is None:
            placeable.append((to, item.metadata, item.dynamic_variables, decade))
        else:
            failed[index] = ItemResult(to, None, error[0], error[1])
    created = place(world, order, placeable, now)
    if not failed:  # ItemResult made with tuple.__new__: a quarter of the constructor's cost
        return [_new(ItemResult, (c.to_number, c.id, None, None)) for c in created], created
    made = iter(created)
    results = [
        failed[i] if i in failed else ItemResult((c := next(made)).to_number, c.id)
        for i in range(len(items))
    ]
    return results, created
