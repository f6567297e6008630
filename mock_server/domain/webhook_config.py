"""The documented way to configure webhooks: ``POST /agents/webhooks`` makes one, and
``PATCH /agents/{agent_id}`` with ``webhook_id`` attaches it to an agent."""

from __future__ import annotations

from typing import Any

from mock_server import views
from mock_server.domain.clock import rfc3339
from mock_server.domain.errors import not_found
from mock_server.domain.models import Webhook
from mock_server.domain.tenant import Tenant


def create_webhook(
    tenant: Tenant, *, url: str, secret: str, display_name: str | None
) -> dict[str, Any]:
    with tenant.locked() as world:
        webhook_id = world.ids.prefixed("wh_")
        now = tenant.now_ms()
        world.webhooks[webhook_id] = (Webhook(url, secret), display_name, now)
        tenant.record_op("create_webhook", url=url, secret=secret, display_name=display_name)
        return {
            "id": webhook_id,
            "display_name": display_name,
            "url": url,
            "created_at": rfc3339(now),
        }


def patch_agent(tenant: Tenant, agent_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply ``webhook_id`` (None detaches) and ``name`` to an agent."""
    with tenant.locked() as world:
        agent = world.agents.get(agent_id)
        if agent is None:
            raise not_found(f"Agent {agent_id!r} not found.", code="agent_not_found")
        if "webhook_id" in changes:
            webhook_id = changes["webhook_id"]
            if webhook_id is None:
                agent.webhook = None
            elif webhook_id in world.webhooks:
                agent.webhook = world.webhooks[webhook_id][0]
            else:
                raise not_found(f"Webhook {webhook_id!r} not found.", code="webhook_not_found")
        if "name" in changes:
            agent.name = changes["name"]
        tenant.record_op("patch_agent", agent_id=agent_id, changes=changes)
        return views.agent(agent, [])
