"""Every public strategy that draws requests draws what the fake places for the number in use:
no per-destination error, no refused request, for every draw (and the destinations the fake
refuses are only drawn when asked for, with the documented per-destination error)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import versions_with
from contracts.strategies import (
    batch_requests,
    campaigns,
    e164_numbers,
    magic_numbers,
    outbound_requests,
    workloads,
)
from mock_server import FakeCartesia
from tests.conftest import examples

#: The versions that place calls (the lineage decides which).
CALL_VERSIONS = versions_with("outbound_request")

FIT = settings(
    max_examples=examples(0.3), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _placed_all(fake: FakeCartesia, body: dict[str, object]) -> None:
    r = fake.client().post("/agents/calls", json=body)
    assert r.status_code == 200, r.text
    errors = [item for item in r.json()["calls"] if "agent_call_id" not in item]
    assert errors == [], errors


@pytest.mark.parametrize("version", CALL_VERSIONS)
@FIT
@given(data=st.data())
def test_outbound_requests_are_placed_whole(version: str, data: st.DataObject) -> None:
    with FakeCartesia(api_version=version) as fake:
        _placed_all(fake, data.draw(outbound_requests(version=version)))


@FIT
@given(numbers=st.lists(st.one_of(magic_numbers(), e164_numbers(region="us")), max_size=8))
def test_magic_and_us_numbers_are_placed(numbers: list[str]) -> None:
    with FakeCartesia() as fake:
        for number in numbers:
            _placed_all(
                fake,
                {
                    "from_number_id": fake.from_number_id,
                    "agent_id": fake.agent_id,
                    "outbound_calls": [{"to_number": number}],
                },
            )


@FIT
@given(workload=workloads())
def test_workloads_are_placed_whole(workload: object) -> None:
    with FakeCartesia() as fake:
        for after, body in workload.steps:  # type: ignore[attr-defined]
            fake.advance(after)
            _placed_all(fake, body)


@pytest.mark.parametrize("version", CALL_VERSIONS)
@FIT
@given(data=st.data())
def test_batches_and_campaigns_are_created(version: str, data: st.DataObject) -> None:
    with FakeCartesia(api_version=version) as fake:
        bodies = [data.draw(batch_requests(version=version))]
        bodies += [body for _, body in data.draw(campaigns()).steps]
        for body in bodies:
            r = fake.client().post("/agents/calls/batches", json=body)
            assert r.status_code == 201, r.text


@FIT
@given(number=e164_numbers(region="international"))
def test_refused_destinations_come_only_when_asked_for_and_are_labelled(number: str) -> None:
    with FakeCartesia() as fake:
        r = fake.client().post(
            "/agents/calls",
            json={
                "from_number_id": fake.from_number_id,
                "agent_id": fake.agent_id,
                "outbound_calls": [{"to_number": number}],
            },
        )
        [item] = r.json()["calls"]
        assert item["error"]["code"] == "destination_not_allowed"
