"""Beyond one process: three served fakes with --state behind a real nginx running the
shipped deploy/nginx.conf. Every tenant stays on one fake, pacing holds per number through
the proxy, and kill -9 of one fake loses none of its acknowledged calls."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import httpx
import pytest

from bench.fleet import Fleet
from mock_server import FakeCartesia

pytestmark = pytest.mark.slow  # starts four servers

TENANTS = 200
AGENT = FakeCartesia.agent_id
NUMBER = FakeCartesia.from_number_id


def _client(url: str, key: str) -> httpx.Client:
    # half the tenants authenticate with X-API-Key: nginx must hash both headers alike
    auth = (
        {"x-api-key": key}
        if key.endswith(("0", "2", "4", "6", "8"))
        else {"authorization": f"Bearer {key}"}
    )
    return httpx.Client(
        base_url=url, headers={**auth, "cartesia-version": "2026-08-14"}, timeout=30
    )


def _dial(c: httpx.Client, *numbers: str) -> list[str]:
    r = c.post(
        "/agents/calls",
        json={
            "agent_id": AGENT,
            "from_number_id": NUMBER,
            "outbound_calls": [{"to_number": n} for n in numbers],
        },
    )
    assert r.status_code == 200, r.text
    return [item["agent_call_id"] for item in r.json()["calls"]]


def _drive(url: str, key: str) -> tuple[str, list[str], list[float], dict[str, Any]]:
    """Four calls from one number in two requests; the clock moved past their dials.
    Returns the acknowledged ids, their dial offsets and each call as read."""
    with _client(url, key) as c:
        ids = _dial(c, "+14155550170", "+14155550171", "+14155550172")
        ids += _dial(c, "+14155550173")
        assert c.post("/__fake__/clock/advance", json={"seconds": 10}).status_code == 200
        dialed = []
        for call_id in ids:
            events = c.get(f"/__fake__/calls/{call_id}/timeline").json()["events"]
            [at] = [datetime.fromisoformat(e["at"]) for e in events if e["event"] == "dialed"]
            dialed.append(at)
        offsets = [(at - dialed[0]).total_seconds() for at in dialed]
        calls = {call_id: c.get(f"/agents/calls/{call_id}").json() for call_id in ids}
    return key, ids, offsets, calls


def _calls_held(url: str, key: str) -> int:
    with _client(url, key) as c:
        r = c.get("/agents/calls", params={"agent_id": AGENT, "limit": 100})
        assert r.status_code == 200, r.text
        return len(r.json()["data"])


def test_a_fleet_behind_nginx_keeps_tenants_apart_and_survives_kill_9() -> None:
    keys = [f"sk_fleet_{i:03d}" for i in range(TENANTS)]
    with Fleet(3) as fleet, ThreadPoolExecutor(8) as pool:
        driven = list(pool.map(lambda k: _drive(fleet.url, k), keys))
        for key, _, offsets, _ in driven:
            assert offsets == [0, 1, 2, 3], (key, offsets)  # one dial a second per number

        # every tenant's calls are on exactly one fake, all four of them
        home: dict[str, int] = {}
        for key in keys:
            held = list(pool.map(lambda u, k=key: _calls_held(u, k), fleet.urls))
            assert sorted(held) == [0, 0, 4], (key, held)
            home[key] = held.index(4)
        spread = [sum(1 for h in home.values() if h == i) for i in range(3)]
        assert min(spread) >= TENANTS // 10, spread  # the hash spreads tenants out

        # kill -9 the busiest fake: its tenants get 502 (never a fresh, empty tenant on
        # another fake); the others' tenants carry on
        victim = spread.index(max(spread))
        fleet.kill(victim)
        lost = [k for k in keys if home[k] == victim]
        kept = [k for k in keys if home[k] != victim]
        with _client(fleet.url, lost[0]) as c:
            assert c.get("/__fake__/clock").status_code == 502
        with _client(fleet.url, kept[0]) as c:
            assert c.get("/__fake__/clock").status_code == 200

        # after a restart on the same state file, every acknowledged call is back as it was
        fleet.restart(victim)
        before = {key: (ids, calls) for key, ids, _, calls in driven}

        def read_back(key: str) -> dict[str, Any]:
            with _client(fleet.url, key) as c:
                return {i: c.get(f"/agents/calls/{i}").json() for i in before[key][0]}

        for key, calls in zip(lost, pool.map(read_back, lost), strict=True):
            assert calls == before[key][1], key
        assert _calls_held(fleet.urls[victim], lost[0]) == 4
