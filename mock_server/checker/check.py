"""``cartesia-fake check``: run the probe catalogue against a base URL and against the fake."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from contracts.probes import probes, tier1
from mock_server.checker.report import Report
from mock_server.checker.runner import Outcome, Sender, compare, place_and_cancel
from mock_server.facade import DEFAULT_BASE_URL, FakeCartesia


def run_check(
    base_url: str,
    api_key: str,
    *,
    tier: int = 0,
    to_number: str | None = None,
    agent_id: str = FakeCartesia.agent_id,
    from_number_id: str = FakeCartesia.from_number_id,
    interval: float = 0.1,
    transport: httpx.BaseTransport | None = None,
    on_progress: Callable[[int, int, Outcome], None] | None = None,
) -> Report:
    """Probe ``base_url`` and a fresh in-process fake with the same requests; compare."""
    catalogue = list(probes(tier))
    if tier == 1:
        if to_number is None:
            raise ValueError("tier 1 needs a consenting destination number")
        catalogue += tier1(to_number, agent_id=agent_id, from_number_id=from_number_id)
    outcomes: list[Outcome] = []
    with (
        FakeCartesia(validate_responses=False) as fake,
        httpx.Client(base_url=base_url, timeout=30, transport=transport) as target_http,
        httpx.Client(base_url=DEFAULT_BASE_URL, transport=fake.transport()) as fake_http,
    ):
        tenant = fake.tenant(api_key)
        if agent_id not in tenant.world.agents:
            tenant.add_agent(agent_id, name="Conformance agent")
        if from_number_id not in tenant.world.numbers:
            tenant.add_phone_number("+12025550100", number_id=from_number_id)
        target = Sender(target_http, api_key, interval=interval)
        reference = Sender(fake_http, api_key, interval=0)
        for index, probe in enumerate(catalogue, start=1):
            if probe.tier == 1:
                outcome = place_and_cancel(probe, target, reference, fake)
            else:
                outcome = compare(probe, target, reference)
            outcomes.append(outcome)
            if on_progress is not None:
                on_progress(index, len(catalogue), outcome)
    return Report(base_url, tier, outcomes)
