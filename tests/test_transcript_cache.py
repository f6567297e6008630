"""Get Call renders an ended call's transcript once and shares it: the answer is byte for byte
what a fresh render gives, for every talk time, version, agent name and customer name."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import versions_with
from mock_server import FakeCartesia
from tests.conftest import examples

#: The versions that place calls (the lineage decides which).
CALL_VERSIONS = versions_with("outbound_request")

TO = "+14155550100"


def _ended_call(fake: FakeCartesia, talk_seconds: float, metadata: dict[str, str]) -> str:
    client = fake.client()
    r = client.put(
        f"/__fake__/callees/{TO}",
        json={"outcome": "answer", "ring_seconds": 1, "talk_seconds": talk_seconds},
    )
    assert r.status_code in (200, 201), r.text
    r = client.post(
        "/agents/calls",
        json={
            "from_number_id": fake.from_number_id,
            "agent_id": fake.agent_id,
            "outbound_calls": [{"to_number": TO, "metadata": metadata}],
            "max_call_duration_minutes": 480,
        },
    )
    call_id: str = r.json()["calls"][0]["agent_call_id"]
    fake.run_until_idle()
    return call_id


@pytest.mark.parametrize("version", CALL_VERSIONS)
@settings(max_examples=examples(0.1), deadline=None)
@given(
    calls=st.lists(
        st.tuples(st.sampled_from([0, 30, 61, 7200]), st.sampled_from([None, "Ada", "Grace"])),
        min_size=1,
        max_size=5,
    )
)
def test_a_shared_transcript_is_what_a_fresh_render_gives(
    version: str, calls: list[tuple[int, str | None]]
) -> None:
    """Calls share talk times and customers, so the cache is hit across calls too."""
    with FakeCartesia(api_version=version) as fake:
        ids = [
            _ended_call(fake, talk, {} if customer is None else {"customer_name": customer})
            for talk, customer in calls
        ]
        client = fake.client()
        for call_id in ids * 2:  # the second round reads from the cache
            r = client.get(f"/agents/calls/{call_id}")
            assert r.status_code == 200
            assert r.json() == fake.get_call(call_id)
            assert list(r.json())[-1] == "transcript"  # it stays the last property
        assert fake.service.problems() == []  # the contract check still saw every answer


def test_renaming_the_agent_renders_the_transcript_anew() -> None:
    with FakeCartesia() as fake:
        call_id = _ended_call(fake, 60, {})
        client = fake.client()
        before = client.get(f"/agents/calls/{call_id}").json()["transcript"][0]["text"]
        r = client.patch(f"/agents/{fake.agent_id}", json={"name": "Renamed desk"})
        assert r.status_code == 200, r.text
        after = client.get(f"/agents/calls/{call_id}").json()["transcript"][0]["text"]
        assert "Renamed desk" in after
        assert after != before


def test_a_call_in_progress_is_never_served_stale() -> None:
    with FakeCartesia() as fake:
        client = fake.client()
        client.put(f"/__fake__/callees/{TO}", json={"outcome": "answer", "talk_seconds": 600})
        r = client.post(
            "/agents/calls",
            json={
                "from_number_id": fake.from_number_id,
                "agent_id": fake.agent_id,
                "outbound_calls": [{"to_number": TO}],
            },
        )
        call_id = r.json()["calls"][0]["agent_call_id"]
        lengths = []
        for _ in range(4):
            fake.advance(60)
            body = client.get(f"/agents/calls/{call_id}").content
            lengths.append(len(json.loads(body)["transcript"] or []))
        assert lengths == sorted(lengths)
        assert lengths[0] < lengths[-1]
