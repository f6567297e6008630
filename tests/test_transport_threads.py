"""The sync transport from several threads at once and inside a running loop, on its slow
path (a request that really waits), and HEAD answered as an HTTP server answers it."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from mock_server import FakeCartesia
from tests.conftest import AGENT, NUMBER, world_of

BODY = {
    "from_number_id": NUMBER,
    "agent_id": AGENT,
    "outbound_calls": [{"to_number": "+14155550100"}],
}


def test_one_client_shared_by_threads_while_requests_really_wait() -> None:
    with FakeCartesia(real_latency=True) as fake:
        fake.add_fault(latency_seconds=0.02, times=40)  # every request awaits a real sleep
        client = fake.client()
        results: list[int] = []
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for _ in range(5):
                    results.append(client.post("/agents/calls", json=BODY).status_code)
            except BaseException as exc:  # collected: the assertion below shows it
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        assert results == [200] * 20
        assert len(world_of(fake.tenant()).calls) == 20
        assert not fake.problems()


def test_sync_client_inside_a_running_loop_on_the_slow_path() -> None:
    with FakeCartesia(real_latency=True) as fake:
        fake.add_fault(latency_seconds=0.02, times=1)
        client = fake.client()

        async def caller() -> int:
            return client.post("/agents/calls", json=BODY).status_code  # blocks this loop

        assert asyncio.run(caller()) == 200
        assert len(world_of(fake.tenant()).calls) == 1


@pytest.mark.slow
def test_head_matches_the_served_fake() -> None:
    with FakeCartesia() as fake:
        served = fake.serve()
        headers = {"authorization": "Bearer sk_head", "cartesia-version": "2026-08-14"}
        answers = []
        for client in (
            httpx.Client(transport=fake.transport(), base_url="https://api.cartesia.ai"),
            httpx.Client(base_url=served.url),
        ):
            with client:
                get = client.get("/agents", headers=headers)
                head = client.head("/agents", headers=headers)
            answers.append((head.status_code, head.content, head.headers["content-length"]))
            assert head.headers["content-length"] == str(len(get.content))
        assert answers[0] == answers[1]
        assert answers[0][:2] == (200, b"")
