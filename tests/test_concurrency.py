"""Hundreds of concurrent clients on one number: nothing lost, ids unique, spacing kept, no
deadlock — while another thread moves the clock."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from mock_server import FakeCartesia
from tests.conftest import world_of

pytestmark = pytest.mark.slow  # starts servers or subprocesses

KEY = "sk_concurrent"
HEADERS = {"authorization": f"Bearer {KEY}", "cartesia-version": "2026-03-01"}


def test_concurrent_clients_on_one_number() -> None:
    with FakeCartesia() as fake:
        url = fake.serve().url
        stop = threading.Event()

        def clock_mover() -> None:
            while not stop.is_set():
                fake.advance(0.25, api_key=KEY)
                stop.wait(0.002)

        mover = threading.Thread(target=clock_mover)
        mover.start()

        async def one(client: httpx.AsyncClient, i: int) -> list[str]:
            r = await client.post(
                "/agents/calls",
                json={
                    "from_number_id": fake.from_number_id,
                    "agent_id": fake.agent_id,
                    "outbound_calls": [
                        {"to_number": f"+1212555{5000 + i}"},
                        {"to_number": "+14155550100"},
                    ],
                },
            )
            assert r.status_code == 200, r.text
            ids = [c["agent_call_id"] for c in r.json()["calls"]]
            got = await client.get(f"/agents/calls/{ids[0]}")
            assert got.status_code == 200
            return ids

        async def crowd() -> list[str]:
            # No connection reuse: on a busy machine a pooled keep-alive connection can be
            # closed by the server's idle timer just as the client sends on it (an HTTP/1.1
            # race no client-side timing can rule out), which would fail this test at random.
            limits = httpx.Limits(max_connections=300, max_keepalive_connections=0)
            async with httpx.AsyncClient(
                base_url=url, headers=HEADERS, limits=limits, timeout=60
            ) as client:
                results = await asyncio.gather(*(one(client, i) for i in range(300)))
            return [i for ids in results for i in ids]

        try:
            acknowledged = asyncio.run(asyncio.wait_for(crowd(), timeout=120))
        finally:
            stop.set()
            mover.join(timeout=30)
        assert not mover.is_alive(), "deadlock: the clock thread never finished"
        assert len(acknowledged) == 600
        assert len(set(acknowledged)) == 600  # unique ids
        world = world_of(fake.tenant(KEY))
        assert set(world.calls) == set(acknowledged)  # every acknowledged call exists
        fake.run_until_idle(api_key=KEY)
        fake.assert_dial_spacing(at_least=1.0, api_key=KEY)
        dial_times = sorted(c.dial_at for c in world.calls.values())
        assert len(set(dial_times)) == 600
        assert not fake.problems()
