"""The Cartesia API routes: parse inputs, call the domain, render for the request's version.

``API_ROUTES`` is the one table of what is served: each row names its handler, contracts,
status and versions (``spec.RouteSpec``); Starlette's routes and ``/openapi.json`` come from it.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from mock_server.domain.errors import ApiError, bad_request, method_not_allowed
from mock_server.http.pipeline import Ctx, Reply
from mock_server.routes.batches import (
    cancel_batch,
    create_batch,
    get_batch,
    list_batches,
    retry_batch,
)
from mock_server.routes.calls import (
    call_audio,
    cancel_call,
    create_calls,
    delete_call,
    get_call,
    list_calls,
)
from mock_server.routes.directory import (
    agent_numbers,
    create_webhook,
    delete_agent,
    delete_webhook,
    get_agent,
    get_number,
    list_agents,
    list_numbers,
    list_webhooks,
    patch_agent,
    update_webhook,
)
from mock_server.routes.params import CURSORS, LIMIT
from mock_server.routes.spec import QueryParam, RouteSpec, starlette_routes
from mock_server.service.core import Problem, Service
from mock_server.wire.versions import SHIPPED_WIRE, WireTable

#: What ``GET /`` reports when the request names no served version (the documented example).
STATUS_VERSION = "2026-03-01"
#: The version that introduced POST /agents/calls, batches, webhooks, phone-number objects,
#: cancel and delete (legacy-versions.md: each is documented from it on).
CURRENT_API_SINCE = "2026-03-01"
#: The first version whose errors are structured JSON (before it: ``Title: Message`` text).
STRUCTURED_ERRORS_SINCE = "2026-03-01"
#: The version that added List Calls' batch_id and start-time filters.
LIST_FILTERS_SINCE = "2026-08-14"


def status(ctx: Ctx) -> Reply:
    asked = ctx.request.headers.get("cartesia-version", "").split(",")[0].strip()
    return Reply({"ok": True, "version": asked if asked in ctx.versions else STATUS_VERSION})


def openapi(ctx: Ctx) -> Reply:
    from mock_server.routes.openapi import openapi_document

    lineage = ctx.versions.lineage
    version = ctx.request.query_params.get("version") or lineage.latest
    if version not in lineage.names:
        raise bad_request(
            f"version: one of {', '.join(lineage.names)} (got {version[:40]!r}).",
            code="invalid_query_parameter",
        )
    return Reply(openapi_document(version, lineage))


def _not_a_collection(ctx: Ctx) -> None:
    """405 for ``PATCH``/``DELETE /agents/{agent_id}`` on a collection's own path
    (``/agents/calls``, ``/agents/webhooks``): those are not agents."""
    agent_id = ctx.path_param("agent_id")
    allowed = sorted({r.method for r in API_ROUTES if r.path == f"/agents/{agent_id}"})
    if allowed:
        raise method_not_allowed(ctx.request.method, f"/agents/{agent_id}", allowed)


def patch_agent_or_405(ctx: Ctx) -> Reply:
    """``PATCH /agents/{agent_id}``, except on a collection's own path."""
    _not_a_collection(ctx)
    return patch_agent(ctx)


def delete_agent_or_405(ctx: Ctx) -> Reply:
    """``DELETE /agents/{agent_id}``, except on a collection's own path."""
    _not_a_collection(ctx)
    return delete_agent(ctx)


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
        query=(QueryParam("version", {"type": "string"}, description="A served version."),),
        summary="This document",
    ),
    RouteSpec(
        "POST",
        "/agents/calls/batches",
        create_batch,
        "batch",
        status=201,
        request="batch_request",
        summary="Create call batch",
        since=CURRENT_API_SINCE,
        may_block=True,
    ),
    RouteSpec(
        "GET",
        "/agents/calls/batches",
        list_batches,
        "batch_list",
        query=(
            QueryParam("agent_id", {"type": "string"}, description="Only this agent's batches."),
            LIMIT,
            *CURSORS,
        ),
        summary="List call batches",
        since=CURRENT_API_SINCE,
    ),
    RouteSpec(
        "GET",
        "/agents/calls/batches/{batch_id}",
        get_batch,
        "batch",
        summary="Get call batch",
        since=CURRENT_API_SINCE,
    ),
    RouteSpec(
        "POST",
        "/agents/calls/batches/{batch_id}/cancel",
        cancel_batch,
        "batch",
        summary="Cancel call batch",
        since=CURRENT_API_SINCE,
        may_block=True,
    ),
    RouteSpec(
        "POST",
        "/agents/calls/batches/{batch_id}/retry",
        retry_batch,
        "batch",
        summary="Retry call batch",
        since=CURRENT_API_SINCE,
        may_block=True,
    ),
    RouteSpec(
        "POST",
        "/agents/calls",
        create_calls,
        "outbound_response",
        request="outbound_request",
        summary="Create outbound calls",
        since=CURRENT_API_SINCE,
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
                until=LIST_FILTERS_SINCE,
                required=True,
            ),
            QueryParam(
                "agent_id",
                {"type": "string", "minLength": 1},
                since=LIST_FILTERS_SINCE,
                description="One of agent_id or batch_id is required.",
            ),
            QueryParam("batch_id", {"type": "string", "minLength": 1}, since=LIST_FILTERS_SINCE),
            QueryParam(
                "start_time_gte",
                {"type": "string", "format": "date-time"},
                since=LIST_FILTERS_SINCE,
            ),
            QueryParam(
                "start_time_lte",
                {"type": "string", "format": "date-time"},
                since=LIST_FILTERS_SINCE,
            ),
            LIMIT,
            *CURSORS,
            QueryParam("expand", {"enum": ["transcript"]}),
        ),
        summary="List calls",
    ),
    RouteSpec("GET", "/agents/calls/{call_id}", get_call, "agent_call", summary="Get call"),
    RouteSpec(
        "DELETE",
        "/agents/calls/{call_id}",
        delete_call,
        "agent_call",
        summary="Delete call",
        since=CURRENT_API_SINCE,
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
        since=CURRENT_API_SINCE,
    ),
    RouteSpec(
        "GET",
        "/agents/phone-numbers",
        list_numbers,
        "phone_number_list",
        query=(*_NUMBER_FILTERS, LIMIT, *CURSORS),
        summary="List phone numbers",
        since=CURRENT_API_SINCE,
    ),
    RouteSpec(
        "GET",
        "/agents/phone-numbers/{number_id}",
        get_number,
        "phone_number",
        summary="Get phone number",
        since=CURRENT_API_SINCE,
    ),
    RouteSpec("GET", "/agents", list_agents, "agent_list", summary="List agents"),
    RouteSpec(
        "POST",
        "/agents/webhooks",
        create_webhook,
        "webhook",
        request="webhook_create",
        summary="Create webhook",
        since=CURRENT_API_SINCE,
    ),
    RouteSpec(
        "GET",
        "/agents/webhooks",
        list_webhooks,
        "webhook_list",
        query=(LIMIT, *CURSORS),
        summary="List webhooks",
        since=CURRENT_API_SINCE,
    ),
    RouteSpec(
        "PATCH",
        "/agents/webhooks/{webhook_id}",
        update_webhook,
        "resource_id",
        request="webhook_update",
        summary="Update webhook",
        since=CURRENT_API_SINCE,
    ),
    RouteSpec(
        "DELETE",
        "/agents/webhooks/{webhook_id}",
        delete_webhook,
        "resource_id",
        summary="Delete webhook",
        since=CURRENT_API_SINCE,
    ),
    RouteSpec(
        "GET",
        "/agents/{agent_id}/phone-numbers",
        agent_numbers,
        "agent_phone_number_list",
        summary="List an agent's phone numbers",
    ),
    RouteSpec(
        "PATCH",
        "/agents/{agent_id}",
        patch_agent_or_405,
        "agent",
        request="agent_patch",
        summary="Update agent",
    ),
    RouteSpec("GET", "/agents/{agent_id}", get_agent, "agent", summary="Get agent"),
    RouteSpec(
        "DELETE",
        "/agents/{agent_id}",
        delete_agent_or_405,
        None,
        status=204,
        summary="Delete agent",
    ),
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


def routes(service: Service, versions: WireTable = SHIPPED_WIRE) -> list[BaseRoute]:
    from starlette.routing import Route

    from mock_server.http.pipeline import endpoint

    gone = endpoint(service, not_served, versions=versions).asgi
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    # The not-served families come first, so /agents/templates never reaches /agents/{agent_id}.
    return [
        *(Route(path, gone, methods=methods) for path in NOT_SERVED),
        *starlette_routes(service, API_ROUTES, versions),
    ]
