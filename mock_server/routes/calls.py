"""Handlers of the call routes: create, list, get, cancel, delete, audio."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

import contracts
from contracts import Lineage, load_schema
from mock_server.domain.batches import batch_ops
from mock_server.domain.calls import callees
from mock_server.domain.calls.listing import StartBounds
from mock_server.domain.calls.readmodels import CallView, Placement
from mock_server.domain.commands import PlaceCalls
from mock_server.domain.errors import bad_request
from mock_server.domain.reads import lookups
from mock_server.domain.tenants import idempotency
from mock_server.http.head import head_of
from mock_server.http.pipeline import Ctx, Reply
from mock_server.routes.params import create_body, limit_of, list_calls_query
from mock_server.service import ledger
from mock_server.wire import decode, views

T = TypeVar("T")


def create_calls(ctx: Ctx) -> Reply:
    body = create_body(ctx, "outbound_calls")
    decoded = decode.place_calls(
        body,
        ctx.version.name,
        ctx.tenant.settings,
        per_destination=ctx.version.flags.per_destination_validation,
        lineage=ctx.versions.lineage,
    )
    if decoded.warnings:
        ctx.warnings.extend(decoded.warnings)
    if decoded.rules:
        ctx.rely(*decoded.rules)
    command: PlaceCalls = decoded.command
    key = head_of(ctx.request).idempotency_key
    if key is not None:
        ctx.rely("create.idempotency_key")
    if key is not None and ctx.tenant.settings.honour_idempotency_key:
        placed, replayed = idempotency.create_once(ctx.tenant, command, key=key)
        if replayed:
            ctx.warnings.append(f"Idempotency-Key {key!r}: the earlier request's results again")
    else:
        if key is not None:
            ctx.warnings.append(
                "Idempotency-Key sent and ignored: the real API documents no such header, so a "
                "retry dials again (knob honour_idempotency_key honours it)"
            )
        placed = ctx.tenant.create_outbound(command)
    ctx.warnings.extend(d.describe() for d in placed.duplicates)
    _note_create_rules(ctx, body, command, placed)
    return Reply(views.outbound_results(placed.results))


@cache
def _request_fields(lineage: Lineage, version: str) -> frozenset[str]:
    """The documented request fields of ``version`` (anything else is ignored)."""
    return frozenset(load_schema("outbound_request", version, lineage=lineage)["properties"])


def _note_create_rules(
    ctx: Ctx, body: dict[str, Any], command: PlaceCalls, placed: Placement
) -> None:
    """Warnings and the inferred rules the placement relied on (for strict mode): read from
    the command and what the domain decided, never from the world after the commit."""
    seen: set[str] = set()
    for item in command.destinations:
        number = item.to_number
        if number in seen:
            ctx.warnings.append(f"{number} appears more than once in outbound_calls")
            ctx.rely("create.duplicates")
        seen.add(number)
        if callees.magic_decade(number) is not None:
            ctx.rely("callees.magic")
        if item.metadata is not None and ctx.version.list_filters:
            ctx.rely("create.metadata_2026_08_14")
    if not body.keys() <= _request_fields(ctx.versions.lineage, ctx.version.name):
        ctx.rely("create.unknown_fields")
    if placed.provider == "twilio":
        ctx.rely("pacing.twilio")
    if placed.dial_waits:
        ctx.rely("pacing.scope")  # a dial waits behind another in its lane


def _shown(ctx: Ctx, render: Callable[[CallView], T]) -> Callable[[CallView], T]:
    """``render``, noting the rules behind each call it shows (how it ended, a magic
    callee's script) from the call itself, not from what was rendered."""

    def show(view: CallView) -> T:
        call = view.call
        if call.end_reason is not None:
            ctx.rely(*ledger.rules_for_end_reason(call.end_reason))
        if callees.magic_decade(call.to_number) is not None:
            ctx.rely("callees.magic")
        return render(view)

    return show


def _instant(name: str, raw: str | None) -> int | None:
    """An RFC 3339 query bound in epoch milliseconds (400 naming it when malformed)."""
    if raw is None:
        return None
    text = raw.strip()
    if not contracts.is_rfc3339(text):
        raise bad_request(
            f"{name}: must be an RFC 3339 date-time such as 2026-03-01T12:00:00Z "
            f"(got {raw[:40]!r}).",
            code="invalid_query_parameter",
        )
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def list_calls(ctx: Ctx) -> Reply:
    query = ctx.query()
    agent_id, batch_id, parts = list_calls_query(ctx.request.query_params, ctx.version)
    bounds = None
    if ctx.version.list_filters:
        gte = _instant("start_time_gte", query.get("start_time_gte"))
        lte = _instant("start_time_lte", query.get("start_time_lte"))
        if gte is not None and lte is not None and gte > lte:
            raise bad_request(
                "start_time_gte must not be after start_time_lte.", code="invalid_query_parameter"
            )
        if gte is not None or lte is not None:
            bounds = StartBounds(gte, lte)
    version = ctx.version
    if batch_id is not None:
        ctx.rely("list.batch_id")
        page = batch_ops.batch_calls(
            ctx.tenant,
            batch_id,
            _shown(ctx, lambda v: views.agent_call(v, version, include_transcript=bool(parts))),
            agent_id=agent_id,
            limit=limit_of(query.get("limit")),
            starting_after=query.get("starting_after") or None,
            ending_before=query.get("ending_before") or None,
            started=bounds,
        )
        return Reply(views.call_page(page, version))
    assert agent_id is not None
    if query.get("starting_after") or query.get("ending_before"):
        ctx.rely("list.cursors")
    page = ctx.tenant.list_calls(
        agent_id,
        _shown(ctx, lambda v: views.agent_call(v, version, include_transcript=bool(parts))),
        limit=limit_of(query.get("limit")),
        starting_after=query.get("starting_after") or None,
        ending_before=query.get("ending_before") or None,
        started=bounds,
        unknown_agent_is_404=ctx.version.list_unknown_agent_404,
    )
    body = views.call_page(page, version)
    if (query.get("starting_after") or query.get("ending_before")) and not body["data"]:
        ctx.rely("list.empty_end")
    return Reply(body)


def get_call(ctx: Ctx) -> Reply:
    version = ctx.version
    cache = ctx.service.render_cache
    call = ctx.tenant.get_call(
        ctx.path_param("call_id"), _shown(ctx, lambda v: views.agent_call_once(v, version, cache))
    )
    if isinstance(call, views.CallWithCachedTranscript):
        return Reply(call.json(), check=call.checked())
    return Reply(call)


def cancel_call(ctx: Ctx) -> Reply:
    ctx.tenant.cancel(ctx.path_param("call_id"))
    return Reply({"cancelled": True})


def delete_call(ctx: Ctx) -> Reply:
    version = ctx.version
    return Reply(
        ctx.tenant.delete(ctx.path_param("call_id"), lambda v: views.agent_call(v, version))
    )


def call_audio(ctx: Ctx) -> Reply:
    return Reply(
        views.wav(lookups.audio_seconds(ctx.tenant, ctx.path_param("call_id"))),
        media_type="audio/wav",
    )
