"""Acceptance with the official ``cartesia`` SDK 4.2.0, in-process and against a live server."""

from __future__ import annotations

from collections.abc import Iterator

import cartesia
import httpx
import pytest

from mock_server import FakeCartesia
from tests.conftest import AGENT, NUMBER

BODY = {
    "from_number_id": NUMBER,
    "agent_id": AGENT,
    "outbound_calls": [{"to_number": "+14155550175", "metadata": {"customer_id": "cust_123"}}],
}


@pytest.fixture(params=["in-process", "live"])
def sdk(request: pytest.FixtureRequest) -> Iterator[tuple[cartesia.Cartesia, FakeCartesia]]:
    fake = FakeCartesia()
    key = "sk_car_sdk_test"
    if request.param == "live":
        url = fake.serve().url
        client = cartesia.Cartesia(api_key=key, base_url=url, max_retries=0)
    else:
        http = httpx.Client(transport=fake.transport())
        client = cartesia.Cartesia(
            api_key=key, base_url="https://api.cartesia.ai", http_client=http, max_retries=0
        )
    yield client, fake
    client.close()
    fake.close()
    assert not fake.problems()


def test_create_then_retrieve(sdk: tuple[cartesia.Cartesia, FakeCartesia]) -> None:
    """With its default headers (Cartesia-Version 2026-08-14) the SDK round-trips
    dynamic_variables: created through client.post, read back with retrieve."""
    client, fake = sdk
    variables = {"customer_name": "Ada", "balance": 42.5, "vip": True}
    body = {
        **BODY,
        "outbound_calls": [{"to_number": "+14155550175", "dynamic_variables": variables}],
    }
    created = client.post("/agents/calls", body=body, cast_to=object)
    [item] = created["calls"]  # type: ignore[index]
    call = client.agents.calls.retrieve(item["agent_call_id"])
    assert call.id == item["agent_call_id"]
    assert call.status == "created"
    assert call.model_extra is not None
    assert call.model_extra["dynamic_variables"] == variables
    assert "metadata" not in call.model_extra  # 2026-08-14 dropped it from the call object
    [entry] = fake.journal(api_key="sk_car_sdk_test")[:1]
    assert entry.headers["cartesia-version"] == "2026-08-14"  # the SDK's own default


def test_error_classes(sdk: tuple[cartesia.Cartesia, FakeCartesia]) -> None:
    client, _ = sdk
    with pytest.raises(cartesia.BadRequestError) as bad:
        client.post("/agents/calls", body={**BODY, "ringing_timeout_seconds": 81}, cast_to=object)
    assert bad.value.status_code == 400
    assert "ringing_timeout_seconds" in bad.value.body["message"]  # type: ignore[index]
    with pytest.raises(cartesia.NotFoundError):
        client.agents.calls.retrieve("call_0000000000000000")
    with pytest.raises(cartesia.NotFoundError):
        client.post("/agents/calls", body={**BODY, "agent_id": "agent_nope"}, cast_to=object)


def test_sdk_auth_error_with_blank_bearer(sdk: tuple[cartesia.Cartesia, FakeCartesia]) -> None:
    client, _ = sdk
    with pytest.raises(cartesia.AuthenticationError) as err:
        client.agents.calls.retrieve(
            "call_0000000000000000", extra_headers={"Authorization": "Basic Zm9vOmJhcg=="}
        )
    assert err.value.body["error_code"] == "missing_api_key"  # type: ignore[index]


def test_auto_pagination_visits_each_call_once(
    sdk: tuple[cartesia.Cartesia, FakeCartesia],
) -> None:
    client, fake = sdk
    body = {**BODY, "outbound_calls": [{"to_number": f"+1212555{4000 + i}"} for i in range(23)]}
    ids = [
        c["agent_call_id"] for c in client.post("/agents/calls", body=body, cast_to=object)["calls"]
    ]  # type: ignore[index]
    fake.run_until_idle(api_key="sk_car_sdk_test")
    seen = [c.id for c in client.agents.calls.list(agent_id=AGENT, limit=5)]
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen)) == 23


def test_download_audio_raw(sdk: tuple[cartesia.Cartesia, FakeCartesia]) -> None:
    client, fake = sdk
    created = client.post("/agents/calls", body=BODY, cast_to=object)
    call_id = created["calls"][0]["agent_call_id"]  # type: ignore[index]
    fake.run_until_idle(api_key="sk_car_sdk_test")
    raw = client.agents.calls.with_raw_response.download_audio(call_id)
    assert raw.http_response.content[:4] == b"RIFF"


def test_sdk_default_version_header_is_accepted(
    sdk: tuple[cartesia.Cartesia, FakeCartesia],
) -> None:
    client, fake = sdk
    dup = client.with_options(default_headers={"Cartesia-Version": "2026-03-01"})
    dup.post("/agents/calls", body=BODY, cast_to=object)
    [entry] = [e for e in fake.journal(api_key="sk_car_sdk_test") if e.method == "POST"]
    assert entry.headers["user-agent"].startswith("cartesia-python/")
    assert any("Cartesia-Version sent 2 times" in w for w in entry.warnings)
