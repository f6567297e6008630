"""Webhooks as documented: ``POST /agents/webhooks`` makes one, List/Update/Delete manage them,
and ``PATCH /agents/{agent_id}`` with ``webhook_id`` attaches one to an agent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.domain.calls.listing import cursor_page
from mock_server.domain.commands import FORMAT, UpdateAgent, UpdateWebhook
from mock_server.domain.errors import bad_request, not_found
from mock_server.domain.models import Agent, Webhook

if TYPE_CHECKING:  # the tenant package is above this one: types only
    from mock_server.domain.tenants.tenant import Tenant
    from mock_server.domain.tenants.world import World


def create_webhook(tenant: Tenant, *, url: str, secret: str, display_name: str | None) -> Webhook:
    with tenant.transaction() as tx:
        world = tx.world
        limit = tx.settings.max_webhooks
        if len(world.webhooks) >= limit:
            raise bad_request(
                f"This tenant already has {len(world.webhooks)} webhooks; the limit is {limit} "
                "(knob max_webhooks). Delete one first.",
                code="tenant_limit",
            )
        now = tx.now_ms()
        hook = Webhook(url, secret, world.ids.prefixed("wh_"), display_name, now, now)
        assert hook.id is not None
        world.webhooks[hook.id] = hook
        tx.record("create_webhook", url=url, secret=secret, display_name=display_name)
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
    with tenant.transaction() as tx:
        world = tx.world
        return cursor_page(
            list(world.webhooks.values()),
            lambda h: h.id or "",
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
            what="webhook",
        )


def update_webhook(tenant: Tenant, command: UpdateWebhook) -> Webhook:
    """Change ``url`` (and ``secret``, ``display_name`` when given); attached agents see it."""
    with tenant.transaction() as tx:
        world = tx.world
        hook = _find(world, command.webhook_id)
        hook.url = command.url
        if "secret" in command.given and command.secret is not None:
            hook.secret = command.secret
        if "display_name" in command.given:
            hook.display_name = command.display_name
        hook.updated_at = tx.now_ms()
        tx.record("update_webhook", format=FORMAT, command=command.record())
        return hook


def delete_webhook(tenant: Tenant, webhook_id: str) -> None:
    """Remove a webhook and detach it from every agent (their events stop)."""
    with tenant.transaction() as tx:
        world = tx.world
        hook = _find(world, webhook_id)
        del world.webhooks[webhook_id]
        for agent in world.agents.values():
            if agent.webhook is hook:
                agent.webhook = None
        tx.record("delete_webhook", webhook_id=webhook_id)


def patch_agent(tenant: Tenant, command: UpdateAgent) -> Agent:
    """Apply ``webhook_id`` (None detaches) and ``name`` to an agent."""
    with tenant.transaction() as tx:
        world = tx.world
        agent = world.agents.get(command.agent_id)
        if agent is None:
            raise not_found(f"Agent {command.agent_id!r} not found.", code="agent_not_found")
        if "webhook_id" in command.given:
            webhook_id = command.webhook_id
            agent.webhook = None if webhook_id is None else _find(world, webhook_id)
        given = command.given
        if "name" in given and command.name is not None:
            agent.name = command.name
        if "description" in given:
            agent.description = command.description
        if "tts_voice" in given and command.tts_voice is not None:
            agent.tts_voice = command.tts_voice
        if "tts_language" in given and command.tts_language is not None:
            agent.tts_language = command.tts_language
        agent.updated_at = tx.now_ms()
        tx.record("patch_agent", format=FORMAT, command=command.record())
        return agent


def delete_agent(tenant: Tenant, agent_id: str) -> None:
    """``DELETE /agents/{agent_id}``: the agent goes, its numbers are unassigned; its calls
    stay readable (ledger agents.delete)."""
    with tenant.transaction() as tx:
        world = tx.world
        if agent_id not in world.agents:
            raise not_found(f"Agent {agent_id!r} not found.", code="agent_not_found")
        del world.agents[agent_id]
        for number in world.numbers.values():
            if number.agent_id == agent_id:
                number.agent_id = None
        tx.record("delete_agent", agent_id=agent_id)
