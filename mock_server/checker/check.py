"""``cartesia-fake check``: run the probe catalogue against a base URL and against the fake."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import httpx

from contracts import versions_with
from contracts.probes import FIXED_VERSION, for_version, probes, tier1
from mock_server.checker.report import Report
from mock_server.checker.runner import Outcome, Sender, compare, place_and_cancel
from mock_server.domain.reads import lookups
from mock_server.kit.facade import DEFAULT_BASE_URL, FakeCartesia


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
    versions: tuple[str, ...] = versions_with("outbound_request"),
) -> Report:
    """Probe ``base_url`` and a fresh in-process fake with the same requests, under each of
    ``versions`` (probe ids get ``@version`` when there are several); compare."""
    if tier == 1 and to_number is None:
        raise ValueError("tier 1 needs a consenting destination number")
    catalogue = []
    for index, version in enumerate(versions):
        batch = list(probes(tier, version))
        if index > 0:  # probes that send a fixed version (or none) run once
            batch = [p for p in batch if p.id not in FIXED_VERSION]
        if tier == 1 and version == versions[-1]:  # one real call, whatever the versions
            assert to_number is not None
            placed = tier1(to_number, agent_id=agent_id, from_number_id=from_number_id)
            batch += for_version(placed, version)
        if len(versions) > 1:
            batch = [replace(p, id=f"{p.id}@{version}") for p in batch]
        catalogue += batch
    outcomes: list[Outcome] = []
    with (
        FakeCartesia(validate_responses=False) as fake,
        httpx.Client(base_url=base_url, timeout=30, transport=transport) as target_http,
        httpx.Client(base_url=DEFAULT_BASE_URL, transport=fake.transport()) as fake_http,
    ):
        tenant = fake.tenant(api_key)
        if not lookups.knows(tenant, agent=agent_id):
            tenant.add_agent(agent_id, name="Conformance agent")
        if not lookups.knows(tenant, number=from_number_id):
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
