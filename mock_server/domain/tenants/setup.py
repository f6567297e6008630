"""Setting a tenant up and the requests' bookkeeping: agents, numbers, callee scripts,
faults and the journal, each one transaction (a mixin of ``Tenant``)."""

from __future__ import annotations

from typing import Any

from mock_server.domain.errors import bad_request
from mock_server.domain.journal.faults import Fault
from mock_server.domain.journal.journal import Recorded
from mock_server.domain.models import Agent, CalleeScript, PhoneNumber, Webhook
from mock_server.domain.settings import Settings
from mock_server.domain.tenants.operations import TenantOperations
from mock_server.domain.webhooks import outbox as webhooks


class SetUpOperations(TenantOperations):
    """Agents, numbers, callee scripts, faults, the journal."""

    def add_agent(
        self,
        agent_id: str | None = None,
        *,
        name: str = "Test agent",
        deployed: bool = True,
        line_url: str | None = None,
        webhook: Webhook | None = None,
    ) -> Agent:
        """Create an agent, or update the one with ``agent_id`` (its deployment is kept)."""
        with self.transaction() as tx:
            world = tx.world
            existing = world.agents.get(agent_id) if agent_id else None
            if existing is not None and existing.deployed == deployed:
                existing.name = name
                agent = existing
            else:
                new_id = agent_id or world.ids.prefixed("agent_")
                agent = world.add_agent(new_id, name, deployed, tx.now_ms())
            agent.line_url = line_url
            agent.webhook = webhook
            tx.record(
                "add_agent",
                agent_id=agent_id,
                name=name,
                deployed=deployed,
                line_url=line_url,
                webhook=None if webhook is None else [webhook.url, webhook.secret],
            )
            return agent

    @staticmethod
    def _within(settings: Settings, have: int, knob: str, what: str) -> None:
        """400 naming the knob when one more ``what`` would pass its per-tenant limit."""
        limit = getattr(settings, knob)
        if have >= limit:
            raise bad_request(
                f"This tenant already has {have} {what}; the limit is {limit} (knob {knob}). "
                "Reset it (POST /__fake__/reset) or raise the knob.",
                code="tenant_limit",
            )

    def add_webhook_fault(self, fault: webhooks.WebhookFault) -> None:
        with self.holding() as tx:
            faults = tx.world.outbox.faults
            self._within(tx.settings, len(faults), "max_faults", "webhook faults")
            faults.append(fault)

    def add_phone_number(
        self, number: str, *, number_id: str | None = None, **fields: Any
    ) -> PhoneNumber:
        """Add a number. ``fields``: ``PhoneNumber``'s optional fields (provider,
        organization, can_place_outbound, label, provider_id, agent_id)."""
        with self.transaction() as tx:
            new_id = number_id or tx.world.ids.prefixed("ap_")
            item = PhoneNumber(new_id, number, created_at=tx.now_ms(), **fields)
            tx.world.numbers[new_id] = item
            tx.record("add_phone_number", number=number, number_id=number_id, **fields)
            return item

    def set_callee(self, number: str, script: CalleeScript) -> None:
        with self.transaction() as tx:
            callees = tx.world.callees
            if number not in callees:
                self._within(tx.settings, len(callees), "max_callee_scripts", "callee scripts")
            callees[number] = script
            tx.record("set_callee", number=number, script=script.as_dict())

    def set_default_callee(self, script: CalleeScript) -> None:
        with self.transaction() as tx:
            tx.world.default_callee = script
            tx.record("set_default_callee", script=script.as_dict())

    def add_fault(self, fault: Fault) -> Fault:
        with self.holding() as tx:
            faults = tx.world.faults
            self._within(tx.settings, len(faults.active()), "max_faults", "faults")
            faults.add(fault)
            tx.record("add_fault", fault=fault.as_dict())
            return fault

    def unused_faults(self) -> list[Fault]:
        with self.holding() as tx:
            return tx.world.faults.unused()

    def take_fault(self, method: str, path: str, template: str | None = None) -> Fault | None:
        if not self.has_faults():  # most requests: no fault set, no lock taken
            return None
        with self.holding() as tx:
            fault = tx.world.faults.take(method, path, template)
            if fault is not None:  # logged, so a restarted fake has the same hits left
                tx.record("take_fault", method=method, path=path, template=template)
            return fault

    def record(self, record: Recorded) -> None:
        """Journal a request (kept raw; see ``Recorded``)."""
        with self.holding() as tx:
            tx.world.journal.record(record)
