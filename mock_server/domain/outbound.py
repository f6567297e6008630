"""POST /agents/calls: the request rules in their documented order, then one result per item."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

import phonenumbers

from contracts import Contract, ContractError, build_validator, load_schema
from mock_server.domain import callees
from mock_server.domain.errors import ApiError, bad_request, not_found
from mock_server.domain.models import Call, PhoneNumber
from mock_server.domain.settings import Settings

if TYPE_CHECKING:
    from mock_server.domain.world import World

DEFAULT_RINGING_TIMEOUT_SECONDS = 60
DEFAULT_MAX_DURATION_MINUTES = 480
#: The documented size limit of one item's ``dynamic_variables`` (UTF-8 JSON).
DYNAMIC_VARIABLES_MAX_BYTES = 16 * 1024
_ITEM_PATH = re.compile(r"outbound_calls\[(\d+)\]")


class ItemResult(NamedTuple):
    """The fate of one ``outbound_calls`` item: a call was made, or this destination failed.
    (A NamedTuple: one is made per item, and a frozen dataclass costs ~1 us more.)"""

    number: str
    call_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None


@cache
def _request_validator(max_items: int, reject_unknown: bool, version: str) -> Contract:
    schema = load_schema("outbound_request", version)
    schema["properties"]["outbound_calls"]["maxItems"] = max_items
    if reject_unknown:
        schema["additionalProperties"] = False
        item = load_schema("outbound_item", version)
        item["additionalProperties"] = False
        del item["$id"]
        schema["properties"]["outbound_calls"]["items"] = item
    return build_validator(schema, version)


#: Which ledger rule a shape error of the request breaks, by the field it names (the last
#: path part) and, for the list of destinations, by what is wrong with it.
_FIELD_RULES = MappingProxyType(
    {
        "to_number": "create.e164",
        "ringing_timeout_seconds": "create.ringing_timeout",
        "max_call_duration_minutes": "create.max_duration",
        "metadata": "create.metadata",
        "dynamic_variables": "create.dynamic_variables",
    }
)


def rule_of(error: ContractError) -> str:
    """The rule a shape error breaks (``create.shape_all_fields`` when none is more exact)."""
    last = re.split(r"[.\[]", error.path.rstrip("]"))[-1] if error.path != "$" else ""
    if error.message == "is required":
        return "create.required"
    if error.message == "is not an allowed field":
        return "create.unknown_fields"
    if last == "outbound_calls" and "at most" in error.message:
        return "create.max_items"
    return _FIELD_RULES.get(last, "create.shape_all_fields")


def shape_errors(body: object, settings: Settings, version: str) -> list[ContractError]:
    """Rule 2: every shape violation under ``version``'s contract, each naming its path."""
    validator = _request_validator(
        settings.max_outbound_calls, settings.reject_unknown_fields, version
    )
    return validator.errors(body) + _oversized_variables(body)


def _oversized_variables(body: object) -> list[ContractError]:
    """The 16 KiB limit on an item's dynamic_variables, which JSON Schema cannot state."""
    items = body.get("outbound_calls") if isinstance(body, dict) else None
    out = []
    for i, item in enumerate(items if isinstance(items, list) else ()):
        variables = item.get("dynamic_variables") if isinstance(item, dict) else None
        if isinstance(variables, dict):
            size = len(json.dumps(variables, ensure_ascii=False, separators=(",", ":")).encode())
            if size > DYNAMIC_VARIABLES_MAX_BYTES:
                out.append(
                    ContractError(
                        f"outbound_calls[{i}].dynamic_variables",
                        f"must be at most {DYNAMIC_VARIABLES_MAX_BYTES} bytes of UTF-8 JSON "
                        f"(got {size})",
                    )
                )
    return out


def _split_item_errors(
    body: Mapping[str, Any], errors: list[ContractError]
) -> tuple[list[ContractError], dict[int, list[ContractError]]]:
    """Errors of the request as a whole, and errors that belong to one destination (an item
    that is an object whose ``to_number`` is a string, so its result can name it)."""
    items = body.get("outbound_calls")
    whole: list[ContractError] = []
    per_item: dict[int, list[ContractError]] = {}
    for error in errors:
        match = _ITEM_PATH.match(error.path)
        index = int(match.group(1)) if match else -1
        item = items[index] if match and isinstance(items, list) else None
        nameable = isinstance(item, dict) and isinstance(item.get("to_number"), str)
        if nameable and error.path != match.group(0):  # type: ignore[union-attr]
            per_item.setdefault(index, []).append(error)
        else:
            whole.append(error)
    return whole, per_item


def check_request(
    body: Mapping[str, Any],
    world: World,
    settings: Settings,
    version: str,
    *,
    per_destination: bool = False,
) -> dict[int, list[ContractError]]:
    """Rules 2-5 in order; raise the first failing rule's ApiError. Returns the items that
    fail on their own (a per-destination error in the 200) when the version allows it
    (``per_destination``) and the ``invalid_item`` knob says so."""
    errors = shape_errors(body, settings, version)
    per_item: dict[int, list[ContractError]] = {}
    if errors and per_destination and settings.invalid_item == "per_destination":
        whole, per_item = _split_item_errors(body, errors)
        if whole:  # the request fails anyway: name every problem at once
            per_item = {}
        else:
            errors = []
    if errors:
        detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
        error = bad_request(f"Invalid request body: {detail}", code="invalid_request_body")
        error.rules = tuple(dict.fromkeys(rule_of(e) for e in errors))
        raise error
    check_parties(body, world)
    return per_item


def check_parties(body: Mapping[str, Any], world: World) -> None:
    """Rules 3-5: the agent (and its deployment), the number's owner, its capability."""
    agent = world.agents.get(body["agent_id"])
    if agent is None:
        raise not_found(f"Agent {body['agent_id']!r} not found.", code="agent_not_found")
    if not agent.deployed:
        raise not_found(
            f"Deployment not found: agent {agent.id!r} has no deployment.",
            code="deployment_not_found",
        )
    number = world.numbers.get(body["from_number_id"])
    if number is None:
        raise not_found(
            f"Phone number {body['from_number_id']!r} not found.", code="phone_number_not_found"
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


def _invalid_item(errors: list[ContractError]) -> tuple[str, str]:
    """A per-destination validation error (2026-08-14, ``invalid_item=per_destination``)."""
    detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
    field = "dynamic_variables" if ".dynamic_variables" in errors[0].path else "to_number"
    return f"invalid_{field}", f"Invalid outbound call: {detail}"


def lane_of(number: PhoneNumber, settings: Settings) -> str | None:
    """The pacing lane of calls from ``number`` (None: not paced)."""
    if number.provider == "cartesia" or settings.pace_twilio_numbers:
        return number.id if settings.pacing_scope == "number" else "*organization*"
    return None


def check_capacity(world: World, settings: Settings, more: int) -> None:
    """429 when ``more`` calls would overfill the tenant's call store."""
    if len(world.calls) + more > settings.max_calls_per_tenant:
        raise ApiError(
            429,
            "call_store_full",
            "Too many calls",
            f"This tenant holds {len(world.calls)} calls; the limit is "
            f"{settings.max_calls_per_tenant}. Reset it (POST /__fake__/reset).",
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


def place(
    world: World,
    order: Order,
    items: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, int | None]],
    now: int,
    *,
    ids: list[str] | None = None,
    queue: bool = True,
) -> list[Call]:
    """Make one call per (to_number, metadata, dynamic_variables, magic decade), in order:
    one id draw, one pacing pass, appended to the agent's List index. The caller schedules
    them. ``ids``: ids drawn ahead (a batch draws its recipients' ids at once); ``queue``:
    see ``DialPacer.assign_all``."""
    new_ids = iter(ids if ids is not None else world.ids.call_ids(len(items)))
    scripts, default, calls = world.callees, world.default_callee, world.calls
    created: list[Call] = []
    seq = world.call_seq
    number_id, agent_id, batch_id = order.number.id, order.agent_id, order.batch_id
    timeout_ms, max_ms, resolve = order.timeout_ms, order.max_ms, callees.resolve
    for to, metadata, variables, decade in items:
        seq += 1
        call = Call(
            next(new_ids),
            seq,
            agent_id,
            number_id,
            to,
            metadata,
            timeout_ms,
            max_ms,
            resolve(to, scripts, default, decade),
            now,
            now,
            sort_time=now,
            dynamic_variables=variables,
            batch_id=batch_id,
        )
        calls[call.id] = call
        created.append(call)
    world.call_seq = seq
    world.pacer.assign_all(created, now=now, lane=order.lane, queue=queue)
    listed = world.calls_by_agent.setdefault(agent_id, [])
    if created and listed and listed[-1].sort_time > now:  # a clock that went back (restart)
        world.unsorted.add(agent_id)
    listed.extend(created)
    return created


def place_one(
    world: World,
    order: Order,
    item: tuple[str, dict[str, Any] | None, dict[str, Any] | None, int | None],
    now: int,
    call_id: str,
    *,
    queue: bool = True,
) -> Call:
    """``place`` for one call with its id drawn already (a batch admission, the common case)."""
    to, metadata, variables, decade = item
    world.call_seq += 1
    call = Call(
        call_id,
        world.call_seq,
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
    world.calls[call_id] = call
    world.pacer.assign_one(call, now=now, lane=order.lane, queue=queue)
    listed = world.calls_by_agent.setdefault(order.agent_id, [])
    if listed and listed[-1].sort_time > now:  # a clock that went back (restart)
        world.unsorted.add(order.agent_id)
    listed.append(call)
    return call


def create_calls(
    body: Mapping[str, Any],
    world: World,
    settings: Settings,
    *,
    now: int,
    invalid: Mapping[int, list[ContractError]] | None = None,
) -> tuple[list[ItemResult], list[Call]]:
    """Create one call per item (after ``check_request``, whose per-item errors are
    ``invalid``): the results in request order, and the calls made, in the same order, dial
    times assigned."""
    number = world.numbers[body["from_number_id"]]
    timeout = body.get("ringing_timeout_seconds")
    max_minutes = body.get("max_call_duration_minutes")
    order = Order(
        number,
        body["agent_id"],
        (DEFAULT_RINGING_TIMEOUT_SECONDS if timeout is None else timeout) * 1000,
        (DEFAULT_MAX_DURATION_MINUTES if max_minutes is None else max_minutes) * 60_000,
        lane_of(number, settings),
    )
    items = body["outbound_calls"]
    check_capacity(world, settings, len(items))
    # First every destination's fate, then the calls for those that can be placed.
    placeable: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, int | None]] = []
    failed: dict[int, ItemResult] = {}
    magic_decade = callees.magic_decade
    for index, item in enumerate(items):
        to = item["to_number"]
        decade = magic_decade(to)
        bad = invalid.get(index) if invalid else None
        error = _invalid_item(bad) if bad else destination_error(to, number.provider, decade)
        if error is None:
            placeable.append((to, item.get("metadata"), item.get("dynamic_variables"), decade))
        else:
            failed[index] = ItemResult(to, None, error[0], error[1])
    created = place(world, order, placeable, now)
    if not failed:
        return [ItemResult(c.to_number, c.id) for c in created], created
    made = iter(created)
    results = [
        failed[i] if i in failed else ItemResult((c := next(made)).to_number, c.id)
        for i in range(len(items))
    ]
    return results, created
