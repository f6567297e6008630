"""The documented respx recipe: route a host to the fake, sync and async."""

from __future__ import annotations

import asyncio

import httpx
import respx

from mock_server import FakeCartesia

HEADERS = {"authorization": "Bearer sk_respx", "cartesia-version": "2026-03-01"}
BODY = {
    "from_number_id": FakeCartesia.from_number_id,
    "agent_id": FakeCartesia.agent_id,
    "outbound_calls": [{"to_number": "+14155550100"}],
}


def test_respx_routes_a_sync_client_to_the_fake() -> None:
    with FakeCartesia() as fake, respx.mock(base_url="https://api.cartesia.ai") as router:
        router.route().mock(side_effect=fake.transport().handle_request)
        # code under test uses a plain client; respx patches it
        r = httpx.post("https://api.cartesia.ai/agents/calls", json=BODY, headers=HEADERS)
        call_id = r.json()["calls"][0]["agent_call_id"]
        fake.run_until_idle(api_key="sk_respx")
        got = httpx.get(f"https://api.cartesia.ai/agents/calls/{call_id}", headers=HEADERS)
        assert got.json()["end_reason"] == "client_hangup"
        assert router.calls.call_count == 2


def test_respx_asgi_handler_for_async_clients() -> None:
    async def scenario() -> int:
        with FakeCartesia() as fake, respx.mock(base_url="https://api.cartesia.ai") as router:
            router.route().mock(side_effect=respx.ASGIHandler(fake.app))
            async with httpx.AsyncClient() as client:
                r = await client.post(
                    "https://api.cartesia.ai/agents/calls", json=BODY, headers=HEADERS
                )
                return r.status_code

    assert asyncio.run(scenario()) == 200
