"""Read-only discovery: the phone numbers and agents a dialer looks up."""

from __future__ import annotations

from dataclasses import dataclass

from mock_server.domain.calls.listing import cursor_page
from mock_server.domain.errors import not_found
from mock_server.domain.models import Agent, PhoneNumber
from mock_server.domain.tenants.tenant import Tenant
from mock_server.domain.tenants.world import World


@dataclass(frozen=True, slots=True)
class NumberFilter:
    """List Phone Numbers' filters; ``q`` matches a substring of the number or its label
    (ledger numbers.list)."""

    agent_id: str | None = None
    provider_id: str | None = None
    type: str | None = None
    q: str | None = None

    def admits(self, n: PhoneNumber) -> bool:
        if self.agent_id is not None and n.agent_id != self.agent_id:
            return False
        if self.provider_id is not None and n.provider_id != self.provider_id:
            return False
        if self.type is not None and n.provider != self.type:
            return False
        if self.q:
            needle = self.q.lower()
            return needle in n.number or needle in (n.label or "").lower()
        return True


def _own(world: World) -> list[PhoneNumber]:
    return [n for n in world.numbers.values() if n.organization == "self"]


def list_numbers(
    tenant: Tenant,
    where: NumberFilter,
    *,
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
) -> tuple[list[PhoneNumber], dict[str, Agent], bool]:
    """A page of the organisation's numbers (oldest first), their agents, and whether more
    follow."""
    with tenant.transaction() as tx:
        world = tx.world
        numbers = [n for n in _own(world) if where.admits(n)]
        page, more = cursor_page(
            numbers,
            lambda n: n.id,
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
            what="phone number",
        )
        return page, dict(world.agents), more


def get_number(tenant: Tenant, number_id: str) -> tuple[PhoneNumber, dict[str, Agent]]:
    with tenant.transaction() as tx:
        world = tx.world
        number = world.numbers.get(number_id)
        if number is None or number.organization != "self":
            raise not_found(f"Phone number {number_id!r} not found.", code="phone_number_not_found")
        return number, dict(world.agents)


def list_agents(tenant: Tenant) -> list[tuple[Agent, list[PhoneNumber]]]:
    """Every agent with the numbers assigned to it."""
    with tenant.transaction() as tx:
        world = tx.world
        return [(a, _assigned(world, a.id)) for a in world.agents.values()]


def _assigned(world: World, agent_id: str) -> list[PhoneNumber]:
    return [n for n in _own(world) if n.agent_id == agent_id]


def agent_with_numbers(tenant: Tenant, agent_id: str) -> tuple[Agent, list[PhoneNumber]]:
    """One agent and the numbers assigned to it (404 naming it when unknown)."""
    with tenant.transaction() as tx:
        world = tx.world
        agent = world.agents.get(agent_id)
        if agent is None:
            raise not_found(f"Agent {agent_id!r} not found.", code="agent_not_found")
        return agent, _assigned(world, agent_id)


def agents_by_id(tenant: Tenant) -> dict[str, Agent]:
    """The tenant's agents by id (to show which agent a number is assigned to)."""
    with tenant.transaction() as tx:
        return dict(tx.world.agents)
