"""Fault injection and the journal, shown with the official SDK and httpx on the live server."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator

import cartesia
import httpx
import pytest

from mock_server import FakeCartesia
from tests.conftest import AGENT, NUMBER, world_of

KEY = "sk_car_faults"
BODY = {
    "from_number_id": NUMBER,
    "agent_id": AGENT,
    "outbound_calls": [{"to_number": "+14155559876"}],
}


@pytest.fixture
def live() -> Iterator[tuple[FakeCartesia, str]]:
    fake = FakeCartesia(real_latency=True)
    url = fake.serve().url
    yield fake, url
    fake.close()


SdkFactory = Callable[[str, int], cartesia.Cartesia]


@pytest.fixture
def sdk() -> Iterator[SdkFactory]:
    """Official SDK clients for the live fake, closed after the test (an unclosed client's
    sockets would warn later, in whichever test the garbage collector runs)."""
    made: list[cartesia.Cartesia] = []

    def make(url: str, retries: int) -> cartesia.Cartesia:
        client = cartesia.Cartesia(api_key=KEY, base_url=url, max_retries=retries)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def add_fault(url: str, **fault: object) -> None:
    r = httpx.post(f"{url}/__fake__/faults", json=fault, headers={"authorization": f"Bearer {KEY}"})
    assert r.status_code == 201, r.text


def journal(url: str) -> dict:
    return httpx.get(f"{url}/__fake__/requests", headers={"authorization": f"Bearer {KEY}"}).json()


def test_429_with_retry_after_is_retried_by_the_sdk(
    sdk: SdkFactory, live: tuple[FakeCartesia, str]
) -> None:
    _, url = live
    add_fault(url, method="POST", path="/agents/calls", status=429, retry_after=0.05, times=1)
    result = sdk(url, 2).post("/agents/calls", body=BODY, cast_to=object)
    assert "agent_call_id" in result["calls"][0]  # type: ignore[index]
    posts = [e for e in journal(url)["requests"] if e["path"] == "/agents/calls"]
    assert [e["status"] for e in posts] == [429, 200]
    assert [e["headers"]["x-stainless-retry-count"] for e in posts] == ["0", "1"]


def test_429_carries_retry_after_and_structured_body(live: tuple[FakeCartesia, str]) -> None:
    _, url = live
    add_fault(url, status=429)
    r = httpx.post(
        f"{url}/agents/calls",
        json=BODY,
        headers={"authorization": f"Bearer {KEY}", "cartesia-version": "2026-03-01"},
    )
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"
    assert r.json()["error_code"] == "concurrency_limited"
    assert r.headers["x-request-id"] == r.json()["request_id"]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_reach_the_sdk(
    sdk: SdkFactory, live: tuple[FakeCartesia, str], status: int
) -> None:
    _, url = live
    add_fault(url, method="GET", status=status, times=1)
    with pytest.raises(cartesia.InternalServerError) as err:
        sdk(url, 0).agents.calls.retrieve("call_0000000000000000")
    assert err.value.status_code == status
    # times=1: the next request is served normally (404 for this unknown id)
    with pytest.raises(cartesia.NotFoundError):
        sdk(url, 0).agents.calls.retrieve("call_0000000000000000")


def test_fault_matches_method_and_exact_path(
    sdk: SdkFactory, live: tuple[FakeCartesia, str]
) -> None:
    _, url = live
    add_fault(url, method="GET", path="/agents/calls/call_x", status=503)
    client = sdk(url, 0)
    with pytest.raises(cartesia.NotFoundError):
        client.agents.calls.retrieve("call_y")
    with pytest.raises(cartesia.InternalServerError):
        client.agents.calls.retrieve("call_x")


def test_latency_is_real_on_the_server(sdk: SdkFactory, live: tuple[FakeCartesia, str]) -> None:
    _, url = live
    add_fault(url, latency_seconds=0.3, times=1)
    start = time.monotonic()
    sdk(url, 0).post("/agents/calls", body=BODY, cast_to=object)
    assert time.monotonic() - start >= 0.3


def test_latency_is_virtual_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    real_sleep = asyncio.sleep
    me = threading.get_ident()  # servers other tests left running sleep in their own threads

    async def recording_sleep(delay: float, *args: object) -> object:
        if threading.get_ident() == me:
            slept.append(delay)
            return await real_sleep(0, *args)
        return await real_sleep(delay, *args)

    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    with FakeCartesia() as fake:
        fake.add_fault(latency_seconds=90, times=1)
        r = fake.client().post("/agents/calls", json=BODY)
        assert r.status_code == 200
        assert not [d for d in slept if d > 0]  # the wall clock never waited
        assert fake.client().get("/__fake__/clock").json()["now"] == "2026-03-01T12:01:30.000Z"


def test_dropped_connection(sdk: SdkFactory, live: tuple[FakeCartesia, str]) -> None:
    fake, url = live
    add_fault(url, drop_connection=True, times=1)
    with pytest.raises(cartesia.APIConnectionError):
        sdk(url, 0).post("/agents/calls", body=BODY, cast_to=object)
    assert world_of(fake.tenant(KEY)).calls == {}  # dropped before the commit: nothing created


def test_dropped_connection_in_process() -> None:
    with FakeCartesia() as fake:
        fake.add_fault(drop_connection=True, times=1)
        with pytest.raises(httpx.RemoteProtocolError):
            fake.client().post("/agents/calls", json=BODY)


@pytest.mark.parametrize("fault", [{"status": 500}, {"drop_connection": True}])
def test_commit_then_fail_makes_the_sdk_double_dial(
    sdk: SdkFactory, live: tuple[FakeCartesia, str], fault: dict
) -> None:
    fake, url = live
    add_fault(url, method="POST", path="/agents/calls", after_commit=True, times=1, **fault)
    result = sdk(url, 2).post("/agents/calls", body=BODY, cast_to=object)
    assert "agent_call_id" in result["calls"][0]  # type: ignore[index]
    world = world_of(fake.tenant(KEY))
    assert len(world.calls) == 2  # the first attempt was committed, then failed
    report = journal(url)
    [dup] = report["duplicate_dials"]
    assert dup["to_number"] == "+14155559876"
    assert dup["second_call_id"] == result["calls"][0]["agent_call_id"]  # type: ignore[index]
    posts = [e for e in report["requests"] if e["path"] == "/agents/calls"]
    assert any("after_commit fault" in w for w in posts[0]["warnings"])
    assert any("duplicate dial" in w for w in posts[1]["warnings"])
    assert posts[1]["headers"]["x-stainless-retry-count"] == "1"
    assert posts[1]["body"] == "1 outbound_calls from 'ap_Q8PRh7lXyZsawXJmN2KcT5'"


def test_bad_fault_definitions_are_400(live: tuple[FakeCartesia, str]) -> None:
    _, url = live
    auth = {"authorization": f"Bearer {KEY}"}
    for body in (
        {"status": 418},
        {},
        {"times": 0, "status": 500},
        {"path": "no-slash", "status": 500},
    ):
        r = httpx.post(f"{url}/__fake__/faults", json=body, headers=auth)
        assert r.status_code == 400, body
        assert r.json()["error_code"] == "invalid_control_request"
    for body in ({}, {"times": 2, "path": "/agents/calls"}):  # selects, but does nothing
        r = httpx.post(f"{url}/__fake__/faults", json=body, headers=auth)
        assert (
            "needs at least one of status, drop_connection, latency_seconds, name"
            in (r.json()["message"])
        )


def test_journal_is_bounded() -> None:
    with FakeCartesia(journal_size=5) as fake:
        client = fake.client()
        for _ in range(12):
            client.get("/agents/calls/call_0000000000000000")
        entries = client.get("/__fake__/requests").json()["requests"]
        assert len(entries) == 5


def test_a_dropped_connection_sends_not_a_single_byte(live: tuple[FakeCartesia, str]) -> None:
    """faults.md: the connection closes without an answer — no status line, no headers."""
    import json
    import socket
    from urllib.parse import urlsplit

    fake, url = live
    add_fault(url, drop_connection=True, times=1)
    parts = urlsplit(url)
    body = json.dumps(BODY).encode()
    head = (
        f"POST /agents/calls HTTP/1.1\r\nHost: {parts.hostname}\r\n"
        f"Authorization: Bearer {KEY}\r\nCartesia-Version: 2026-08-14\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head + body)
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
    assert received == b""
    assert world_of(fake.tenant(KEY)).calls == {}


def test_real_latency_in_process_waits_on_each_door(monkeypatch: pytest.MonkeyPatch) -> None:
    """With real latency, the sync door sleeps its thread and the async door awaits the loop,
    each for the fault's seconds, and both then answer as usual."""
    from mock_server.http import pipeline

    slept: list[tuple[str, float]] = []
    real_async_sleep, real_sleep = asyncio.sleep, time.sleep
    me = threading.get_ident()  # servers other tests left running sleep in their own threads

    async def loop_sleep(delay: float, *args: object) -> object:
        if threading.get_ident() != me:
            return await real_async_sleep(delay, *args)
        slept.append(("loop", delay))
        return await real_async_sleep(0, *args)

    def thread_sleep(seconds: float) -> None:
        if threading.get_ident() != me:
            real_sleep(seconds)
        else:
            slept.append(("thread", seconds))

    monkeypatch.setattr(pipeline.time, "sleep", thread_sleep)
    monkeypatch.setattr(pipeline.asyncio, "sleep", loop_sleep)
    with FakeCartesia(real_latency=True) as fake:
        fake.add_fault(latency_seconds=2.5, times=1)
        assert fake.client().post("/agents/calls", json=BODY).status_code == 200
        fake.add_fault(latency_seconds=1.5, times=1)

        async def async_post() -> int:
            async with fake.async_client() as client:
                return (await client.post("/agents/calls", json=BODY)).status_code

        assert asyncio.run(async_post()) == 200
    assert slept == [("thread", 2.5), ("loop", 1.5)]
