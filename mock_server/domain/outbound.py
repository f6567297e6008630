"""POST /agents/calls: the request rules in their documented order, then one result per item."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

import phonenumbers

from contracts import ContractError, build_validator, explain_all, load_schema
from mock_server.domain import callees
from mock_server.domain.errors import ApiError, bad_request, not_found
from mock_server.domain.fastcheck import Limits, certainly_valid
from mock_server.domain.models import Call
from mock_server.domain.settings import Settings
from mock_server.domain.world import World

DEFAULT_RINGING_TIMEOUT_SECONDS = 60
DEFAULT_MAX_DURATION_MINUTES = 480


@cache
def _request_validator(max_items: int, reject_unknown: bool) -> Any:
    schema = load_schema("outbound_request")
    schema["properties"]["outbound_calls"]["maxItems"] = max_items
    if reject_unknown:
        schema["additionalProperties"] = False
        item = load_schema("outbound_item")
        item["additionalProperties"] = False
        del item["$id"]
        schema["properties"]["outbound_calls"]["items"] = item
    return build_validator(schema)


@cache
def _limits() -> Limits:
    return Limits.from_contract()


def shape_errors(body: object, settings: Settings) -> list[ContractError]:
    """Rule 2: every shape violation, each naming its JSON path."""
    if isinstance(body, dict) and certainly_valid(
        body,
        _limits(),
        max_items=settings.max_outbound_calls,
        reject_unknown=settings.reject_unknown_fields,
    ):
        return []
    validator = _request_validator(settings.max_outbound_calls, settings.reject_unknown_fields)
    return explain_all(validator.iter_errors(body))


def check_request(body: Mapping[str, Any], world: World, settings: Settings) -> None:
    """Rules 2-5 in order; raise the first failing rule's ApiError."""
    errors = shape_errors(body, settings)
    if errors:
        detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
        raise bad_request(f"Invalid request body: {detail}", code="invalid_request_body")
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


def destination_error(to_number: str, provider: str, decade: int | None) -> dict[str, str] | None:
    """A per-destination failure, or None if the call can be created.

    ``decade`` is ``callees.magic_decade(to_number)``.
    """
    if decade == callees.REJECT_DECADE:
        return {
            "code": "destination_rejected",
            "message": f"The call to {to_number} was rejected by the provider.",
        }
    if provider == "cartesia" and region_of(to_number) != "US":
        return {
            "code": "destination_not_allowed",
            "message": f"Cartesia phone numbers can only call US numbers; {to_number} is not.",
        }
    return None


def create_calls(
    body: Mapping[str, Any],
    world: World,
    settings: Settings,
    *,
    now: int,
) -> tuple[list[dict[str, Any]], list[Call]]:
    """Create one call per item (after ``check_request``): the results in request order, and
    the calls made, in the same order, dial times assigned."""
    number = world.numbers[body["from_number_id"]]
    agent_id = body["agent_id"]
    timeout = body.get("ringing_timeout_seconds")
    max_minutes = body.get("max_call_duration_minutes")
    timeout_ms = (DEFAULT_RINGING_TIMEOUT_SECONDS if timeout is None else timeout) * 1000
    max_ms = (DEFAULT_MAX_DURATION_MINUTES if max_minutes is None else max_minutes) * 60_000
    paced = number.provider == "cartesia" or settings.pace_twilio_numbers
    lane = None
    if paced:
        lane = number.id if settings.pacing_scope == "number" else "*organization*"
    items = body["outbound_calls"]
    if len(world.calls) + len(items) > settings.max_calls_per_tenant:
        raise ApiError(
            429,
            "call_store_full",
            "Too many calls",
            f"This tenant holds {len(world.calls)} calls; the limit is "
            f"{settings.max_calls_per_tenant}. Reset it (POST /__fake__/reset).",
        )
    # First every destination's fate, then one id draw for the calls that will exist.
    fates: list[tuple[str, Any, int | None, dict[str, str] | None]] = []
    for item in items:
        to = item["to_number"]
        decade = callees.magic_decade(to)
        fates.append(
            (to, item.get("metadata"), decade, destination_error(to, number.provider, decade))
        )
    new_ids = iter(world.ids.call_ids(sum(1 for fate in fates if fate[3] is None)))
    scripts, default, calls = world.callees, world.default_callee, world.calls
    results: list[dict[str, Any]] = []
    created: list[Call] = []
    seq = world.call_seq
    for to, metadata, decade, error in fates:
        if error is not None:
            results.append({"number": to, "error": error})
            continue
        seq += 1
        call = Call(
            next(new_ids),
            seq,
            agent_id,
            number.id,
            to,
            metadata,
            timeout_ms,
            max_ms,
            callees.resolve(to, scripts, default, decade),
            now,
            now,
            sort_time=now,
        )
        calls[call.id] = call
        created.append(call)
        results.append({"number": to, "agent_call_id": call.id})
    world.call_seq = seq
    world.pacer.assign_all(created, now=now, lane=lane)
    listed = world.calls_by_agent.setdefault(agent_id, [])
    if created and listed and listed[-1].sort_time > now:  # a clock that went back (restart)
        world.unsorted.add(agent_id)
    listed.extend(created)
    return results, created
