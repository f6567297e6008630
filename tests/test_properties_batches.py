"""Property tests for batches: every generated batch is accepted and runs within its limits,
every labelled invalid batch is a 400 naming its field with no batch made, and campaigns keep
the dial spacing and every batch's concurrency limit."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from contracts import errors_of, versions_with
from contracts.strategies import batch_requests, campaigns, invalid_batch_requests
from mock_server import FakeCartesia
from tests.conftest import examples, world_of

#: The versions that place calls (the lineage decides which).
CALL_VERSIONS = versions_with("outbound_request")

BATCHES = "/agents/calls/batches"


@pytest.mark.parametrize("version", CALL_VERSIONS)
@given(data=st.data())
def test_batch_requests_validate(version: str, data: st.DataObject) -> None:
    body = data.draw(batch_requests(version=version))
    assert errors_of("batch_request", body, version=version) == []


@pytest.mark.parametrize("version", CALL_VERSIONS)
@settings(max_examples=examples(0.6))
@given(data=st.data())
def test_every_labelled_invalid_batch_is_400_and_makes_nothing(
    version: str, data: st.DataObject
) -> None:
    case = data.draw(invalid_batch_requests(version=version))
    with FakeCartesia(api_version=version) as fake:
        r = fake.client().post(BATCHES, json=case.body)
        assert r.status_code == 400, (case.rule, r.text)
        assert case.path in r.json()["message"], (case.rule, r.json()["message"])
        assert fake.client().get(BATCHES).json()["data"] == []


@settings(max_examples=examples(0.4))
@given(campaigns(from_number_ids=("ap_Q8PRh7lXyZsawXJmN2KcT5", "ap_two")))
def test_campaigns_keep_spacing_and_every_batch_limit(campaign) -> None:  # type: ignore[no-untyped-def]
    with FakeCartesia(organization_concurrency_limit=8) as fake:
        fake.tenant().add_phone_number("+12125550177", number_id="ap_two")
        client = fake.client()
        made = []
        for after, body in campaign.steps:
            fake.advance(after)
            r = client.post(BATCHES, json=body)
            assert r.status_code == 201, r.text
            made.append((r.json()["id"], r.json()["target_concurrency_limit"]))
        fake.run_until_idle()
        fake.assert_dial_spacing(at_least=1.0)
        for batch_id, limit in made:
            fake.assert_batch_concurrency(at_most=limit, batch_id=batch_id)
            batch = fake.batch(batch_id)
            assert batch["status"] in ("completed", "failed")
            assert batch["total_calls_finished"] == batch["total_calls_scheduled"]
        assert not fake.problems()


@settings(max_examples=examples(0.4))
@given(campaigns(from_number_ids=("ap_Q8PRh7lXyZsawXJmN2KcT5", "ap_two")))
def test_fast_forward_drains_batches_as_stepping_does(campaign) -> None:  # type: ignore[no-untyped-def]
    def outcome(finish: str) -> list[tuple[object, ...]]:
        with FakeCartesia(seed=5, organization_concurrency_limit=5) as fake:
            fake.tenant().add_phone_number("+12125550177", number_id="ap_two")
            client = fake.client()
            made = []
            for after, body in campaign.steps:
                fake.advance(after)
                made.append(client.post(BATCHES, json=body).json()["id"])
            if finish == "fast":
                fake.run_until_idle()  # no webhook, no bridge: the fast path
            else:
                fake.tenant().advance(10**7)  # steps through every event in time order
            calls = sorted(world_of(fake.tenant()).calls.values(), key=lambda c: c.seq)
            assert world_of(fake.tenant()).active == 0
            state: list[tuple[object, ...]] = [
                (
                    *(c.id, c.batch_id, c.status, c.end_reason, c.dial_at, c.answered_at),
                    *(c.ended_at, c.phase, c.error_message, c.sort_time),
                )
                for c in calls
            ]
            for batch_id in made:
                batch = fake.batch(batch_id)
                state.append((batch["status"], *(r["status"] for r in batch["recipients"])))
            return state

    assert outcome("fast") == outcome("stepped")
