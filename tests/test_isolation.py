"""No tenant can slow another on a served fake, shown by the order of events, not by timing.

While tenant A's webhook receiver or Line agent provably holds its connection open (a socket
that accepts and never answers), or while A is being rebuilt from ``--state`` (held inside
the rebuild), tenant B's requests all complete; only then is A let go, and A's request
completes too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.chaos import Blackhole
from mock_server import FakeCartesia, LiveServer
from mock_server.service.core import Service
from mock_server.serving.app import create_app

pytestmark = pytest.mark.slow

AGENT = FakeCartesia.agent_id
FROM = FakeCartesia.from_number_id


def _client(url: str, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=url,
        headers={"authorization": f"Bearer {key}", "cartesia-version": "2026-08-14"},
        timeout=20,
    )


def _tenant_b_does_its_work(b: httpx.Client) -> int:
    """A mixed run of tenant B's requests; how many answered 2xx."""
    ok = 0
    for i in range(10):
        r = b.post(
            "/agents/calls",
            json={
                "from_number_id": FROM,
                "agent_id": AGENT,
                "outbound_calls": [{"to_number": f"+1415555{100 + i:04d}"}],
            },
        )
        call_id = r.json()["calls"][0]["agent_call_id"]
        responses = [
            r,
            b.get(f"/agents/calls/{call_id}"),
            b.get("/agents/calls", params={"agent_id": AGENT}),
            b.post("/__fake__/clock/advance", json={"seconds": 30}),
            b.get("/__fake__/requests"),
        ]
        ok += sum(1 for resp in responses if resp.is_success)
    return ok


def _while_a_is_held(
    url: str, a_request: Callable[[], httpx.Response], held: threading.Event, release: Any
) -> None:
    """Start A's request, wait until it is provably held, let B work, then release A."""
    with ThreadPoolExecutor(1) as pool, _client(url, "tenant-b") as b:
        pending: Future[httpx.Response] = pool.submit(a_request)
        assert held.wait(30), "tenant A's request never reached the point where it waits"
        assert _tenant_b_does_its_work(b) == 50
        assert not pending.done(), "A was let go before B finished: the order proves nothing"
        release()
        assert pending.result(timeout=60).status_code == 200


@pytest.mark.parametrize("observer", ["webhook", "line"])
def test_a_tenant_whose_receiver_hangs_does_not_hold_up_another(observer: str) -> None:
    hole = Blackhole()
    try:
        with FakeCartesia() as fake:
            server = fake.serve()
            with _client(server.url, "tenant-a") as a:
                target = (
                    {"webhook": {"url": f"http://127.0.0.1:{hole.port}/hook", "secret": "s"}}
                    if observer == "webhook"
                    else {"line_url": f"ws://127.0.0.1:{hole.port}/ws"}
                )
                assert a.post("/__fake__/agents", json={"id": AGENT, **target}).status_code == 201
                r = a.post(
                    "/agents/calls",
                    json={
                        "from_number_id": FROM,
                        "agent_id": AGENT,
                        "outbound_calls": [{"to_number": "+14155550100"}],
                    },
                )
                assert r.status_code == 200
                _while_a_is_held(
                    server.url,
                    lambda: a.post("/__fake__/clock/advance", json={"seconds": 60}),
                    hole.accepted,
                    hole.release,
                )
                if observer == "line":  # the bridge failed once released: the call says why
                    call = a.get(f"/agents/calls/{r.json()['calls'][0]['agent_call_id']}").json()
                    assert call["status"] == "failed"
    finally:
        hole.release()


def test_rebuilding_a_tenant_from_state_does_not_hold_up_another(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    first = Service(state_path=state)
    with LiveServer(create_app(first)) as server, _client(server.url, "tenant-a") as a:
        for i in range(5):
            a.post(
                "/agents/calls",
                json={
                    "from_number_id": FROM,
                    "agent_id": AGENT,
                    "outbound_calls": [{"to_number": f"+1415555{200 + i:04d}"}],
                },
            ).raise_for_status()
    first.close()

    service = Service(state_path=state)
    assert service.store is not None
    inside, go_on = threading.Event(), threading.Event()
    operations = service.store.operations

    def held_operations(key: str) -> Iterator[Any]:
        if key == "tenant-a":
            inside.set()
            assert go_on.wait(60)
        yield from operations(key)

    service.store.operations = held_operations  # type: ignore[method-assign]
    try:
        with (
            LiveServer(create_app(service)) as server,
            _client(server.url, "tenant-a") as a,
        ):
            _while_a_is_held(
                server.url,
                lambda: a.get("/agents/calls", params={"agent_id": AGENT}),
                inside,
                go_on.set,
            )
            assert len(a.get("/agents/calls", params={"agent_id": AGENT}).json()["data"]) == 5
    finally:
        service.close()
