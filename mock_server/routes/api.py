"""The Cartesia API routes: parse inputs, call the domain, render for the request's version.

``API_ROUTES`` is the one table of what is served: each row names its handler, contracts,
status and versions (``spec.RouteSpec``); Starlette's routes and ``/openapi.json`` come from it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.routing import BaseRoute

import contracts
from mock_server import ledger
from mock_server.domain import callees, discovery, lookups, webhook_config
from mock_server.domain.errors import ApiError, bad_request, not_found
from mock_server.domain.listing import StartBounds
from mock_server.domain.outbound import ItemResult
from mock_server.http import views
from mock_server.http.pipeline import Ctx, Reply
from mock_server.routes.params import CURSORS, LIMIT, limit_of, list_calls_query
from mock_server.routes.spec import QueryParam, RouteSpec, starlette_routes
from mock_server.service import Problem, Service

#: What ``GET /`` reports when the request names no served version (the documented example).
STATUS_VERSION = "2026-03-01"


def status(ctx: Ctx) -> Reply:
    asked = ctx.request.headers.get("cartesia-version", "").split(",")[0].strip()
    return Reply({"ok": True, "version": asked if asked in contracts.VERSIONS else STATUS_VERSION})


def openapi(ctx: Ctx) -> Reply:
    from mock_server.openapi import openapi_document

    version = ctx.request.query_params.get("version") or contracts.LATEST
    if version not in contracts.VERSIONS:
        raise bad_request(
            f"version: one of {', '.join(contracts.VERSIONS)} (got {version[:40]!r}).",
            code="invalid_query_parameter",
        )
    return Reply(openapi_document(version))


def create_calls(ctx: Ctx) -> Reply:
    if not isinstance(ctx.body, dict):
        raise bad_request(
            f"The request body must be a JSON object, not {type(ctx.body).__name__}.",
            code="invalid_request_body",
        )
    calls = ctx.body.get("outbound_calls")
    count = len(calls) if isinstance(calls, list) else "?"
    ctx.summarize(f"{count} outbound_calls from {ctx.body.get('from_number_id')!r:.60}")
    results, duplicates = ctx.tenant.create_outbound(
        ctx.body,
        version=ctx.version.name,
        per_destination=ctx.version.per_destination_validation,
    )
    ctx.warnings.extend(d.describe() for d in duplicates)
    _note_create_rules(ctx, ctx.body, results)
    return Reply(views.outbound_results(results))


def _note_create_rules(ctx: Ctx, body: dict[str, Any], results: list[ItemResult]) -> None:
    """Warnings and the inferred rules a created batch relied on (for strict mode)."""
    seen: set[str] = set()
    known = contracts.load_schema("outbound_request", ctx.version.name)["properties"]
    for item in body["outbound_calls"]:
        number = item["to_number"]
        if number in seen:
            ctx.warnings.append(f"{number} appears more than once in outbound_calls")
            ctx.rely("create.duplicates")
        seen.add(number)
        if isinstance(number, str) and callees.magic_decade(number) is not None:
            ctx.rely("callees.magic")
        if "metadata" in item and ctx.version.list_filters:
            ctx.rely("create.metadata_2026_08_14")
    if not body.keys() <= known.keys():
        ctx.rely("create.unknown_fields")
    if any(r.error_code in ("invalid_to_number", "invalid_dynamic_variables") for r in results):
        ctx.rely("create.invalid_item")
    if lookups.number_provider(ctx.tenant, body["from_number_id"]) == "twilio":
        ctx.rely("pacing.twilio")
    made = [r.call_id for r in results if r.call_id is not None]
    if made and lookups.dial_waits(ctx.tenant, made[-1]):
        ctx.rely("pacing.scope")  # a dial waits behind another in its lane


def _rely_on_calls(ctx: Ctx, calls: list[dict[str, Any]]) -> None:
    """The rules behind each shown call: how it ended, and a magic callee's script."""
    for call in calls:
        ctx.rely(*ledger.rules_for_end_reason(call.get("end_reason")))
        telephony = call.get("telephony_params") or {}
        if callees.magic_decade(str(telephony.get("to", ""))) is not None:
            ctx.rely("callees.magic")


def _instant(name: str, raw: str | None) -> int | None:
    """An RFC 3339 query bound in epoch milliseconds (400 naming it when malformed)."""
    if raw is None:
        return None
    text = raw.strip()
    ok = re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)", text)
    try:
        if not ok:
            raise ValueError(text)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(
            f"{name}: must be an RFC 3339 date-time such as 2026-03-01T12:00:00Z "
            f"(got {raw[:40]!r}).",
            code="invalid_query_parameter",
        ) from None
    return int(parsed.timestamp() * 1000)


def list_calls(ctx: Ctx) -> Reply:
    query = ctx.query()
    agent_id, batch_id, parts = list_calls_query(query, ctx.version)
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
    if batch_id is not None:
        raise not_found(f"Batch {batch_id!r} not found.", code="batch_not_found")
    assert agent_id is not None
    if query.get("starting_after") or query.get("ending_before"):
        ctx.rely("list.cursors")
    page = ctx.tenant.list_calls(
        agent_id,
        limit=limit_of(query.get("limit")),
        starting_after=query.get("starting_after") or None,
        ending_before=query.get("ending_before") or None,
        started=bounds,
        unknown_agent_is_404=ctx.version.list_unknown_agent_404,
    )
    body = views.call_page(page, ctx.version, include_transcript=bool(parts))
    if (query.get("starting_after") or query.get("ending_before")) and not body["data"]:
        ctx.rely("list.empty_end")
    _rely_on_calls(ctx, body["data"])
    return Reply(body)


def get_call(ctx: Ctx) -> Reply:
    call = views.agent_call(ctx.tenant.get_call(ctx.path_param("call_id")), ctx.version)
    _rely_on_calls(ctx, [call])
    return Reply(call)


def cancel_call(ctx: Ctx) -> Reply:
    ctx.tenant.cancel(ctx.path_param("call_id"))
    return Reply({"cancelled": True})


def delete_call(ctx: Ctx) -> Reply:
    return Reply(views.agent_call(ctx.tenant.delete(ctx.path_param("call_id")), ctx.version))


def call_audio(ctx: Ctx) -> Reply:
    return Reply(views.wav(ctx.tenant.audio(ctx.path_param("call_id"))), media_type="audio/wav")


def _object_body(ctx: Ctx, schema: str) -> dict[str, Any]:
    errors = contracts.errors_of(schema, ctx.body, version=ctx.version.name)
    if errors:
        detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
        raise bad_request(f"Invalid request body: {detail}", code="invalid_request_body")
    body: dict[str, Any] = ctx.body
    return body


def create_webhook(ctx: Ctx) -> Reply:
    body = _object_body(ctx, "webhook_create")
    hook = webhook_config.create_webhook(
        ctx.tenant, url=body["url"], secret=body["secret"], display_name=body.get("display_name")
    )
    ctx.rely("webhooks.create")
    assert hook.id is not None
    return Reply(views.webhook(hook.id, hook))


def list_webhooks(ctx: Ctx) -> Reply:
    query = ctx.query()
    hooks, more = webhook_config.list_webhooks(
        ctx.tenant,
        limit=limit_of(query.get("limit")),
        starting_after=query.get("starting_after") or None,
        ending_before=query.get("ending_before") or None,
    )
    data = [views.webhook(h.id or "", h) for h in hooks]
    return Reply({"data": data, "has_more": more, "next_page": data[-1]["id"] if more else None})


def update_webhook(ctx: Ctx) -> Reply:
    body = _object_body(ctx, "webhook_update")
    hook = webhook_config.update_webhook(ctx.tenant, ctx.path_param("webhook_id"), body)
    return Reply(hook.id)


def delete_webhook(ctx: Ctx) -> Reply:
    webhook_id = ctx.path_param("webhook_id")
    webhook_config.delete_webhook(ctx.tenant, webhook_id)
    return Reply(webhook_id)


def patch_agent(ctx: Ctx) -> Reply:
    agent_id = ctx.path_param("agent_id")
    allowed = sorted({r.method for r in API_ROUTES if r.path == f"/agents/{agent_id}"})
    if allowed:  # /agents/calls is a collection, not an agent
        raise ApiError(
            405,
            "method_not_allowed",
            "Method not allowed",
            f"PATCH is not allowed on /agents/{agent_id}; use {', '.join(allowed)}.",
            headers={"allow": ", ".join(allowed)},
        )
    body = _object_body(ctx, "agent_patch")
    agent = webhook_config.patch_agent(ctx.tenant, ctx.path_param("agent_id"), body)
    return Reply(views.agent(agent))


def list_numbers(ctx: Ctx) -> Reply:
    query = ctx.query()
    kind = query.get("type")
    if kind is not None and kind not in ("cartesia", "twilio", "sip_trunk"):
        raise bad_request(
            f"type: must be one of cartesia, twilio, sip_trunk (got {kind[:40]!r}).",
            code="invalid_query_parameter",
        )
    where = discovery.NumberFilter(
        query.get("agent_id") or None, query.get("provider_id") or None, kind, query.get("q")
    )
    return Reply(_number_page(ctx, where))


def _number_page(ctx: Ctx, where: discovery.NumberFilter) -> dict[str, Any]:
    query = ctx.query()
    numbers, agents, more = discovery.list_numbers(
        ctx.tenant,
        where,
        limit=limit_of(query.get("limit")),
        starting_after=query.get("starting_after") or None,
        ending_before=query.get("ending_before") or None,
    )
    return {"data": [views.phone_number(n, agents) for n in numbers], "has_more": more}


def agent_numbers(ctx: Ctx) -> Reply:
    agent = discovery.get_agent(ctx.tenant, ctx.path_param("agent_id"))
    return Reply(_number_page(ctx, discovery.NumberFilter(agent_id=agent.id)))


def get_number(ctx: Ctx) -> Reply:
    number, agents = discovery.get_number(ctx.tenant, ctx.path_param("number_id"))
    return Reply(views.phone_number(number, agents))


def list_agents(ctx: Ctx) -> Reply:
    return Reply({"summaries": [views.agent(a) for a in discovery.list_agents(ctx.tenant)]})


def get_agent(ctx: Ctx) -> Reply:
    return Reply(views.agent(discovery.get_agent(ctx.tenant, ctx.path_param("agent_id"))))


def not_served(ctx: Ctx) -> Reply:
    """Documented families the fake does not serve: a clear 404, never "Agent not found"."""
    method, path = ctx.request.method, ctx.request.url.path
    ctx.rely("routes.not_served")
    ctx.service.report(Problem("unknown_route", ctx.tenant.key, f"{method} {path} (not served)"))
    raise ApiError(
        404,
        "route_not_found",
        "Not found",
        f"cartesia-fake does not serve {method} {path} (templates, deployments, metrics and "
        "Managed Agents are out of its scope).",
    )


_NUMBER_FILTERS = (
    QueryParam("agent_id", {"type": "string"}),
    QueryParam("provider_id", {"type": "string"}),
    QueryParam("type", {"enum": ["cartesia", "twilio", "sip_trunk"]}),
    QueryParam("q", {"type": "string"}),
)

API_ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("GET", "/", status, "api_status", kind="public", summary="API status"),
    RouteSpec(
        "GET",
        "/openapi.json",
        openapi,
        None,
        kind="public",
        query=(QueryParam("version", {"enum": list(contracts.VERSIONS)}),),
        summary="This document",
    ),
    RouteSpec(
        "POST",
        "/agents/calls",
        create_calls,
        "outbound_response",
        request="outbound_request",
        summary="Create outbound calls",
    ),
    RouteSpec(
        "GET",
        "/agents/calls",
        list_calls,
        "call_list",
        query=(
            QueryParam(
                "agent_id",
                {"type": "string", "minLength": 1},
                versions=("2026-03-01",),
                required=True,
            ),
            QueryParam(
                "agent_id",
                {"type": "string", "minLength": 1},
                versions=("2026-08-14",),
                description="One of agent_id or batch_id is required.",
            ),
            QueryParam("batch_id", {"type": "string", "minLength": 1}, versions=("2026-08-14",)),
            QueryParam(
                "start_time_gte",
                {"type": "string", "format": "date-time"},
                versions=("2026-08-14",),
            ),
            QueryParam(
                "start_time_lte",
                {"type": "string", "format": "date-time"},
                versions=("2026-08-14",),
            ),
            LIMIT,
            *CURSORS,
            QueryParam("expand", {"enum": ["transcript"]}),
        ),
        summary="List calls",
    ),
    RouteSpec("GET", "/agents/calls/{call_id}", get_call, "agent_call", summary="Get call"),
    RouteSpec(
        "DELETE", "/agents/calls/{call_id}", delete_call, "agent_call", summary="Delete call"
    ),
    RouteSpec(
        "GET",
        "/agents/calls/{call_id}/audio",
        call_audio,
        None,
        media_type="audio/wav",
        summary="Download call audio",
    ),
    RouteSpec(
        "POST",
        "/agents/calls/{call_id}/cancel",
        cancel_call,
        "cancel_response",
        summary="Cancel call",
    ),
    RouteSpec(
        "GET",
        "/agents/phone-numbers",
        list_numbers,
        "phone_number_list",
        query=(*_NUMBER_FILTERS, LIMIT, *CURSORS),
        summary="List phone numbers",
    ),
    RouteSpec(
        "GET",
        "/agents/phone-numbers/{number_id}",
        get_number,
        "phone_number",
        summary="Get phone number",
    ),
    RouteSpec("GET", "/agents", list_agents, "agent_list", summary="List agents"),
    RouteSpec(
        "POST",
        "/agents/webhooks",
        create_webhook,
        "webhook",
        request="webhook_create",
        summary="Create webhook",
    ),
    RouteSpec(
        "GET",
        "/agents/webhooks",
        list_webhooks,
        "webhook_list",
        query=(LIMIT, *CURSORS),
        summary="List webhooks",
    ),
    RouteSpec(
        "PATCH",
        "/agents/webhooks/{webhook_id}",
        update_webhook,
        "resource_id",
        request="webhook_update",
        summary="Update webhook",
    ),
    RouteSpec(
        "DELETE",
        "/agents/webhooks/{webhook_id}",
        delete_webhook,
        "resource_id",
        summary="Delete webhook",
    ),
    RouteSpec(
        "GET",
        "/agents/{agent_id}/phone-numbers",
        agent_numbers,
        "phone_number_list",
        query=(LIMIT, *CURSORS),
        summary="List an agent's phone numbers",
    ),
    RouteSpec(
        "PATCH",
        "/agents/{agent_id}",
        patch_agent,
        "agent",
        request="agent_patch",
        summary="Update agent",
    ),
    RouteSpec("GET", "/agents/{agent_id}", get_agent, "agent", summary="Get agent"),
)

#: Path families Cartesia documents that the fake does not serve (each answers a clear 404).
NOT_SERVED = (
    "/agents/templates",
    "/agents/templates/{rest:path}",
    "/agents/deployments",
    "/agents/deployments/{rest:path}",
    "/agents/metrics",
    "/agents/metrics/{rest:path}",
    "/agents/calls/{call_id}/logs",
    "/v1/agents",
    "/v1/agents/{rest:path}",
)


def routes(service: Service) -> list[BaseRoute]:
    from starlette.routing import Route

    from mock_server.http.pipeline import endpoint

    gone = endpoint(service, not_served)
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    # The not-served families come first, so /agents/templates never reaches /agents/{agent_id}.
    return [
        *(Route(path, gone, methods=methods) for path in NOT_SERVED),
        *starlette_routes(service, API_ROUTES),
    ]
