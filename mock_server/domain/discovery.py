"""Read-only discovery: the phone numbers and agents a dialer looks up."""

from __future__ import annotations

from typing import Any

from mock_server import views
from mock_server.domain.errors import not_found
from mock_server.domain.tenant import Tenant


def list_numbers(tenant: Tenant) -> dict[str, Any]:
    with tenant.locked() as world:
        own = [n for n in world.numbers.values() if n.organization == "self"]
        return {"data": [views.phone_number(n) for n in own], "has_more": False}


def get_number(tenant: Tenant, number_id: str) -> dict[str, Any]:
    with tenant.locked() as world:
        number = world.numbers.get(number_id)
        if number is None or number.organization != "self":
            raise not_found(f"Phone number {number_id!r} not found.", code="phone_number_not_found")
        return views.phone_number(number)


def list_agents(tenant: Tenant) -> dict[str, Any]:
    with tenant.locked() as world:
        return {"summaries": [views.agent(a, []) for a in world.agents.values()]}


def get_agent(tenant: Tenant, agent_id: str) -> dict[str, Any]:
    with tenant.locked() as world:
        agent = world.agents.get(agent_id)
        if agent is None:
            raise not_found(f"Agent {agent_id!r} not found.", code="agent_not_found")
        return views.agent(agent, [])
