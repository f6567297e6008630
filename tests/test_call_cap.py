"""The call cap (``max_calls_per_tenant``) with batches: an answer that refuses creates
nothing; queued recipients count against the cap; a batch that would pass it is refused up
front naming both numbers; a logged operation always replays; reset always works; and a log
from before these rules (a batch that drained past the cap) starts with the recipients
beyond the cap failed, never a failing request."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mock_server import FakeCartesia
from mock_server.domain.settings import Settings
from mock_server.service.core import Service
from tests.conftest import AGENT, NUMBER, service_client

BATCHES = "/agents/calls/batches"
KEY = "sk_cap"


def _batch(n: int, start: int = 0) -> dict[str, Any]:
    return {
        "name": "cap",
        "agent_id": AGENT,
        "from_number_id": NUMBER,
        "target_concurrency_limit": 50,
        "recipients": [{"to_number": f"+1212555{1000 + start + i:04d}"} for i in range(n)],
    }


def _calls(n: int) -> dict[str, Any]:
    return {
        "agent_id": AGENT,
        "from_number_id": NUMBER,
        "outbound_calls": [{"to_number": f"+1415555{2000 + i:04d}"} for i in range(n)],
    }


def test_a_batch_past_the_cap_is_refused_up_front_and_nothing_is_made() -> None:
    with FakeCartesia(max_calls_per_tenant=30) as fake:
        client = fake.client()
        r = client.post(BATCHES, json=_batch(50))
        assert r.status_code == 429
        body = r.json()
        assert body["error_code"] == "call_store_full"
        assert "50 recipients" in body["message"]
        assert "(max_calls_per_tenant) is 30" in body["message"]
        assert r.headers["retry-after"] == "60"
        assert client.get(BATCHES).json()["data"] == []  # the refusal made nothing
        fake.run_until_idle()
        assert client.get(BATCHES).json()["data"] == []
        # retrying the refused request never piles up stuck batches
        assert client.post(BATCHES, json=_batch(50)).status_code == 429
        assert client.get(BATCHES).json()["data"] == []


def test_queued_recipients_count_against_the_cap() -> None:
    with FakeCartesia(max_calls_per_tenant=30) as fake:
        client = fake.client()
        made = client.post(BATCHES, json=_batch(25))
        assert made.status_code == 201, made.text
        refused = client.post("/agents/calls", json=_calls(6))
        assert refused.status_code == 429
        assert "25 queued batch recipients" in refused.json()["message"]
        assert client.post("/agents/calls", json=_calls(5)).status_code == 200
        assert client.post(BATCHES, json=_batch(1, 40)).status_code == 429
        fake.run_until_idle()  # the batch drains to exactly the cap: no recipient lost
        batch = client.get(f"{BATCHES}/{made.json()['id']}").json()
        assert batch["total_calls_dispatched"] == 25
        assert all(r["agent_call_id"] for r in batch["recipients"])
        assert client.post("/__fake__/reset").status_code == 200  # the way out


def test_a_retry_past_the_cap_is_refused_and_changes_nothing() -> None:
    with FakeCartesia(max_calls_per_tenant=12) as fake:
        client = fake.client()
        rings = {**_batch(0), "recipients": [{"to_number": f"+1415555012{i}"} for i in range(8)]}
        made = client.post(BATCHES, json=rings).json()
        fake.run_until_idle()  # 8 calls, all unanswered: 8 to retry, 4 places left
        r = client.post(f"{BATCHES}/{made['id']}/retry")
        assert r.status_code == 429
        assert "Retrying 8 recipients" in r.json()["message"]
        batch = client.get(f"{BATCHES}/{made['id']}").json()
        assert (batch["retry_count"], batch["status"]) == (0, "completed")
        assert {x["status"] for x in batch["recipients"]} == {"failed"}


@pytest.mark.slow
def test_a_log_past_the_cap_replays_and_the_tenant_keeps_working(tmp_path: Path) -> None:
    """A log written before the cap counted queued recipients (here: by a server with a
    higher cap) holds a batch bigger than the cap; on a restart every operation replays,
    the recipients beyond the cap fail with a message, and every request works."""
    state = tmp_path / "state.sqlite3"
    first = Service(state_path=str(state), settings=Settings(max_calls_per_tenant=1000))
    with service_client(first, KEY) as c:
        made = c.post(BATCHES, json=_batch(50))
        assert made.status_code == 201, made.text
        assert c.post("/__fake__/clock/advance", json={"seconds": 1}).status_code == 200
    first.close()
    with sqlite3.connect(state) as db:
        logged = [op for (op,) in db.execute("SELECT op FROM ops ORDER BY seq")]
    assert "create_batch" in logged
    again = Service(state_path=str(state), settings=Settings(max_calls_per_tenant=30))
    try:
        with service_client(again, KEY) as c:
            batch = c.get(f"{BATCHES}/{made.json()['id']}")
            assert batch.status_code == 200, batch.text
            assert c.post("/__fake__/clock/run-until-idle").status_code == 200
            recipients = c.get(f"{BATCHES}/{made.json()['id']}").json()["recipients"]
            dialed = [r for r in recipients if r["agent_call_id"]]
            full = [
                r
                for r in recipients
                if r["error_message"] and "call store is full" in r["error_message"]
            ]
            assert (len(dialed), len(full)) == (30, 20)
            assert c.get("/agents/calls", params={"agent_id": AGENT}).status_code == 200
            assert c.post("/agents/calls", json=_calls(1)).status_code == 429  # still full
            assert c.post("/__fake__/reset").status_code == 200
            assert c.post("/agents/calls", json=_calls(1)).status_code == 200
    finally:
        again.close()
