"""Webhooks as documented: ``POST /agents/webhooks`` makes one, List/Update/Delete manage them,
and ``PATCH /agents/{agent_id}`` with ``webhook_id`` attaches one to an agent."""

from __future__ import annotations

from typing import Any

from mock_server.domain.errors import bad_request, not_found
from mock_server.domain.listing import cursor_page
from mock_server.domain.models import Agent, Webhook
from mock_server.domain.tenant import Tenant
from mock_server.domain.world import World


def create_webhook(tenant: Tenant, *, url: str, secret: str, display_name: str | None) -> Webhook:
    with tenant.locked() as world:
        limit = tenant.settings.max_webhooks
        if len(world.webhooks) >= limit:
            raise bad_request(
                f"This tenant already has {len(world.webhooks)} webhooks; the limit is {limit} "
                "(knob max_webhooks). Delete one first.",
                code="tenant_limit",
            )
        now = tenant.now_ms()
        hook = Webhook(url, secret, world.ids.prefixed("wh_"), display_name, now, now)
        assert hook.id is not None
        world.webhooks[hook.id] = hook
        tenant.record_op("create_webhook", url=url, secret=secret, display_name=display_name)
        return hook


def _find(world: World, webhook_id: str) -> Webhook:
    hook = world.webhooks.get(webhook_id)
    if hook is None:
        raise not_found(f"Webhook {webhook_id!r} not found.", code="webhook_not_found")
    return hook


def list_webhooks(
    tenant: Tenant, *, limit: int, starting_after: str | None, ending_before: str | None
) -> tuple[list[Webhook], bool]:
    """A page of webhooks, oldest first, and whether more follow."""
    with tenant.locked() as world:
        return cursor_page(
            list(world.webhooks.values()),
            lambda h: h.id or "",
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
            what="webhook",
        )


def update_webhook(tenant: Tenant, webhook_id: str, changes: dict[str, Any]) -> Webhook:
    """Change ``url`` (and ``secret``, ``display_name`` when given); attached agents see it."""
    with tenant.locked() as world:
        hook = _find(world, webhook_id)
        hook.url = changes["url"]
        if "secret" in changes:
            hook.secret = changes["secret"]
        if "display_name" in changes:
            hook.display_name = changes["display_name"]
        hook.updated_at = tenant.now_ms()
        tenant.record_op("update_webhook", webhook_id=webhook_id, changes=changes)
        return hook


def delete_webhook(tenant: Tenant, webhook_id: str) -> None:
    """Remove a webhook and detach it from every agent (their events stop)."""
    with tenant.locked() as world:
        hook = _find(world, webhook_id)
        del world.webhooks[webhook_id]
        for agent in world.agents.values():
            if agent.webhook is hook:
                agent.webhook = None
        tenant.record_op("delete_webhook", webhook_id=webhook_id)


def patch_agent(tenant: Tenant, agent_id: str, changes: dict[str, Any]) -> Agent:
    """Apply ``webhook_id`` (None detaches) and ``name`` to an agent."""
    with tenant.locked() as world:
        agent = world.agents.get(agent_id)
        if agent is None:
            raise not_found(f"Agent {agent_id!r} not found.", code="agent_not_found")
        if "webhook_id" in changes:
            webhook_id = changes["webhook_id"]
            agent.webhook = None if webhook_id is None else _find(world, webhook_id)
        if "name" in changes:
            agent.name = changes["name"]
        tenant.record_op("patch_agent", agent_id=agent_id, changes=changes)
        return agent
