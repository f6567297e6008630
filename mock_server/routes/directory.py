"""Handlers of the directory routes: webhooks, agents and phone numbers."""

from __future__ import annotations

from typing import Any

import contracts
from mock_server.domain.errors import bad_request
from mock_server.domain.reads import discovery
from mock_server.domain.webhooks import config as webhook_config
from mock_server.http.pipeline import Ctx, Reply
from mock_server.routes.params import limit_of
from mock_server.wire import decode, views


def _object_body(ctx: Ctx, schema: str) -> dict[str, Any]:
    errors = contracts.errors_of(schema, ctx.body, version=ctx.version.name)
    if errors:
        detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
        raise bad_request(f"Invalid request body: {detail}", code="invalid_request_body")
    body: dict[str, Any] = ctx.body
    return body


def create_webhook(ctx: Ctx) -> Reply:
    body = _object_body(ctx, "webhook_create")
    decode.webhook_url(body["url"])
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
    command = decode.update_webhook(
        ctx.path_param("webhook_id"), ctx.body, ctx.version.name, lineage=ctx.versions.lineage
    )
    hook = webhook_config.update_webhook(ctx.tenant, command)
    return Reply(hook.id)


def delete_webhook(ctx: Ctx) -> Reply:
    webhook_id = ctx.path_param("webhook_id")
    webhook_config.delete_webhook(ctx.tenant, webhook_id)
    return Reply(webhook_id)


def patch_agent(ctx: Ctx) -> Reply:
    command = decode.update_agent(
        ctx.path_param("agent_id"), ctx.body, ctx.version.name, lineage=ctx.versions.lineage
    )
    webhook_config.patch_agent(ctx.tenant, command)
    return Reply(views.agent(*discovery.agent_with_numbers(ctx.tenant, command.agent_id)))


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
    agent, numbers = discovery.agent_with_numbers(ctx.tenant, ctx.path_param("agent_id"))
    ctx.rely("agents.phone_numbers")
    return Reply([views.agent_number(n, agent.id) for n in numbers])


def get_number(ctx: Ctx) -> Reply:
    number, agents = discovery.get_number(ctx.tenant, ctx.path_param("number_id"))
    return Reply(views.phone_number(number, agents))


def list_agents(ctx: Ctx) -> Reply:
    listed = discovery.list_agents(ctx.tenant)
    return Reply({"summaries": [views.agent(a, numbers) for a, numbers in listed]})


def get_agent(ctx: Ctx) -> Reply:
    return Reply(views.agent(*discovery.agent_with_numbers(ctx.tenant, ctx.path_param("agent_id"))))


def delete_agent(ctx: Ctx) -> Reply:
    webhook_config.delete_agent(ctx.tenant, ctx.path_param("agent_id"))
    ctx.rely("agents.delete")
    return Reply(b"", media_type="application/json")
