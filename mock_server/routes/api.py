"""The Cartesia API routes: parse inputs, call the tenant, say which contract the body meets."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Route

import contracts
from mock_server import ledger
from mock_server.domain import callees, discovery, lookups, webhook_config
from mock_server.domain.errors import ApiError, bad_request
from mock_server.http.pipeline import Ctx, Reply, endpoint
from mock_server.service import Service

API_VERSION = "2026-03-01"


def status(ctx: Ctx) -> Reply:
    return Reply({"ok": True, "version": API_VERSION})


def openapi(ctx: Ctx) -> Reply:
    from mock_server.openapi import openapi_document

    return Reply(openapi_document())


#: The documented request fields; anything else is ignored (ledger: create.unknown_fields).
_REQUEST_FIELDS = frozenset(contracts.load_schema("outbound_request")["properties"])


def create_calls(ctx: Ctx) -> Reply:
    if not isinstance(ctx.body, dict):
        raise bad_request(
            f"The request body must be a JSON object, not {type(ctx.body).__name__}.",
            code="invalid_request_body",
        )
    calls = ctx.body.get("outbound_calls")
    count = len(calls) if isinstance(calls, list) else "?"
    ctx.summarize(f"{count} outbound_calls from {ctx.body.get('from_number_id')!r:.60}")
    results, duplicates = ctx.tenant.create_outbound(ctx.body)
    ctx.warnings.extend(d.describe() for d in duplicates)
    _note_create_rules(ctx, ctx.body, results)
    return Reply({"calls": results})


def _note_create_rules(ctx: Ctx, body: dict[str, Any], results: list[dict[str, Any]]) -> None:
    """Warnings and the inferred rules a created batch relied on (for strict mode)."""
    seen: set[str] = set()
    for item in body["outbound_calls"]:
        number = item["to_number"]
        if number in seen:
            ctx.warnings.append(f"{number} appears more than once in outbound_calls")
            ctx.rely("create.duplicates")
        seen.add(number)
        if callees.magic_decade(number) is not None:
            ctx.rely("callees.magic")
    if not body.keys() <= _REQUEST_FIELDS:
        ctx.rely("create.unknown_fields")
    if lookups.number_provider(ctx.tenant, body["from_number_id"]) == "twilio":
        ctx.rely("pacing.twilio")
    made = [r["agent_call_id"] for r in results if "agent_call_id" in r]
    if made and lookups.dial_waits(ctx.tenant, made[-1]):
        ctx.rely("pacing.scope")  # a dial waits behind another in its lane


def _rely_on_calls(ctx: Ctx, calls: list[dict[str, Any]]) -> None:
    """The rules behind each shown call: how it ended, and a magic callee's script."""
    for call in calls:
        ctx.rely(*ledger.rules_for_end_reason(call.get("end_reason")))
        telephony = call.get("telephony_params") or {}
        if callees.magic_decade(str(telephony.get("to", ""))) is not None:
            ctx.rely("callees.magic")


def _limit(raw: str | None) -> int:
    if raw is None:
        return 10
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= 100):
        raise bad_request(
            f"limit: must be an integer from 1 to 100 (got {raw[:40]!r}).",
            code="invalid_query_parameter",
        )
    return int(raw)


def list_calls(ctx: Ctx) -> Reply:
    query = ctx.query()
    agent_id = query.get("agent_id")
    if not agent_id:
        raise bad_request("agent_id: query parameter is required.", code="invalid_query_parameter")
    expand = ctx.request.query_params.getlist("expand")
    parts = [p.strip() for value in expand for p in value.split(",")]
    bad = [p for p in parts if p != "transcript"]
    if bad:
        raise bad_request(
            f"expand: only 'transcript' is supported (got {bad[0][:40]!r}).",
            code="invalid_query_parameter",
        )
    cursor = query.get("starting_after") or query.get("ending_before")
    if cursor:
        ctx.rely("list.cursors")
    page = ctx.tenant.list_calls(
        agent_id,
        limit=_limit(query.get("limit")),
        starting_after=query.get("starting_after") or None,
        ending_before=query.get("ending_before") or None,
        expand_transcript=bool(parts),
    )
    if cursor and not page["data"]:
        ctx.rely("list.empty_end")
    _rely_on_calls(ctx, page["data"])
    return Reply(page)


def get_call(ctx: Ctx) -> Reply:
    call = ctx.tenant.get_call(ctx.path_param("call_id"))
    _rely_on_calls(ctx, [call])
    return Reply(call)


def cancel_call(ctx: Ctx) -> Reply:
    return Reply(ctx.tenant.cancel(ctx.path_param("call_id")))


def delete_call(ctx: Ctx) -> Reply:
    return Reply(ctx.tenant.delete(ctx.path_param("call_id")))


def call_audio(ctx: Ctx) -> Reply:
    return Reply(ctx.tenant.audio(ctx.path_param("call_id")), media_type="audio/wav")


def _object_body(ctx: Ctx, schema: str) -> dict[str, Any]:
    errors = contracts.errors_of(schema, ctx.body)
    if errors:
        detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
        raise bad_request(f"Invalid request body: {detail}", code="invalid_request_body")
    body: dict[str, Any] = ctx.body
    return body


def create_webhook(ctx: Ctx) -> Reply:
    body = _object_body(ctx, "webhook_create")
    made = webhook_config.create_webhook(
        ctx.tenant, url=body["url"], secret=body["secret"], display_name=body.get("display_name")
    )
    return Reply(made, status=201)


_LITERAL_AGENT_PATHS = frozenset({"calls", "phone-numbers", "webhooks"})


def patch_agent(ctx: Ctx) -> Reply:
    agent_id = ctx.path_param("agent_id")
    if agent_id in _LITERAL_AGENT_PATHS:  # /agents/calls is a collection, not an agent
        allowed = (
            "POST"
            if agent_id == "webhooks"
            else "GET, HEAD" + (", POST" if agent_id == "calls" else "")
        )
        raise ApiError(
            405,
            "method_not_allowed",
            "Method not allowed",
            f"PATCH is not allowed on /agents/{agent_id}; use {allowed}.",
            headers={"allow": allowed},
        )
    body = _object_body(ctx, "agent_patch")
    return Reply(webhook_config.patch_agent(ctx.tenant, ctx.path_param("agent_id"), body))


def list_numbers(ctx: Ctx) -> Reply:
    return Reply(discovery.list_numbers(ctx.tenant))


def get_number(ctx: Ctx) -> Reply:
    return Reply(discovery.get_number(ctx.tenant, ctx.path_param("number_id")))


def list_agents(ctx: Ctx) -> Reply:
    return Reply(discovery.list_agents(ctx.tenant))


def get_agent(ctx: Ctx) -> Reply:
    return Reply(discovery.get_agent(ctx.tenant, ctx.path_param("agent_id")))


#: (method, path, handler, contract of the 2xx body, needs a JSON body)
API_ROUTES = (
    ("POST", "/agents/calls", create_calls, "outbound_response", True),
    ("GET", "/agents/calls", list_calls, "call_list", False),
    ("GET", "/agents/calls/{call_id}", get_call, "agent_call", False),
    ("DELETE", "/agents/calls/{call_id}", delete_call, "agent_call", False),
    ("GET", "/agents/calls/{call_id}/audio", call_audio, None, False),
    ("POST", "/agents/calls/{call_id}/cancel", cancel_call, "cancel_response", False),
    ("GET", "/agents/phone-numbers", list_numbers, "phone_number_list", False),
    ("GET", "/agents/phone-numbers/{number_id}", get_number, "phone_number", False),
    ("GET", "/agents", list_agents, "agent_list", False),
    ("POST", "/agents/webhooks", create_webhook, "webhook", True),
    ("PATCH", "/agents/{agent_id}", patch_agent, "agent", True),
    ("GET", "/agents/{agent_id}", get_agent, "agent", False),
)


def routes(service: Service) -> list[BaseRoute]:
    out: list[BaseRoute] = [
        Route("/", endpoint(service, status, kind="public", schema="api_status"), methods=["GET"]),
        Route("/openapi.json", endpoint(service, openapi, kind="public"), methods=["GET"]),
    ]
    for method, path, handler, schema, needs_body in API_ROUTES:
        out.append(
            Route(
                path,
                endpoint(service, handler, schema=schema, needs_body=needs_body),
                methods=[method],
            )
        )
    return out
