"""Batches and time first-class in the helpers: ``fake.now()``, auto-advance on batch reads,
a refused ``scheduled_at`` saying what the fake's now is, and greetings that use the call's
dynamic variables."""

from __future__ import annotations

import pytest

from mock_server import FakeCartesia
from tests.conftest import AGENT, NUMBER

BATCH = {
    "name": "helpers",
    "agent_id": AGENT,
    "from_number_id": NUMBER,
    "recipients": [{"to_number": "+14155550100"}],
}


def test_now_is_the_tenants_instant() -> None:
    with FakeCartesia() as fake:
        before = fake.now()
        fake.advance(90)
        assert before.endswith("T12:00:00.000Z")
        assert fake.now().endswith("T12:01:30.000Z")
        assert fake.now(api_key="sk_other").endswith("T12:00:00.000Z")  # its own clock


def test_auto_advance_moves_the_clock_on_batch_reads() -> None:
    with FakeCartesia(auto_advance=True) as fake:
        c = fake.client()
        made = c.post("/agents/calls/batches", json=BATCH).json()
        assert made["status"] == "pending"
        seen = [c.get(f"/agents/calls/batches/{made['id']}").json()["status"] for _ in range(3)]
        assert seen[-1] == "completed"  # each read moved the clock to the next event
        listed = c.get("/agents/calls/batches").json()["data"][0]
        assert listed["total_calls_dispatched"] == 1


def test_a_refused_scheduled_at_says_what_the_fakes_now_is() -> None:
    with FakeCartesia() as fake:
        r = fake.client().post(
            "/agents/calls/batches", json={**BATCH, "scheduled_at": "2020-01-01T00:00:00Z"}
        )
        assert r.status_code == 400
        assert f"the fake's now is {fake.now()}" in r.json()["message"]


def test_the_greeting_uses_the_calls_dynamic_variables() -> None:
    with FakeCartesia(api_version="2026-08-14") as fake:
        c = fake.client()
        body = {
            "agent_id": AGENT,
            "from_number_id": NUMBER,
            "outbound_calls": [
                {"to_number": "+14155550100", "dynamic_variables": {"first_name": "Grace"}}
            ],
        }
        call_id = c.post("/agents/calls", json=body).json()["calls"][0]["agent_call_id"]
        fake.run_until_idle()
        turns = c.get(f"/agents/calls/{call_id}").json()["transcript"]
        assert "Hello Grace" in turns[0]["text"]


def test_request_json_on_a_body_cut_by_the_journal_says_so() -> None:
    import pytest

    with FakeCartesia() as fake:
        c = fake.client()
        metadata = {"notes": "x" * 70_000}
        body = {
            "agent_id": AGENT,
            "from_number_id": NUMBER,
            "outbound_calls": [{"to_number": "+14155550100", "metadata": metadata}],
        }
        c.post("/agents/calls", json=body)
        [entry] = [e for e in fake.journal() if e.method == "POST"]
        with pytest.raises(ValueError, match="journal keeps the first 65,536 bytes"):
            entry.request_json()


def test_the_virtual_clock_starts_where_asked() -> None:
    import datetime

    import pytest

    with FakeCartesia(start="2026-06-15T09:00:00Z") as fake:
        assert fake.now() == "2026-06-15T09:00:00.000Z"
        made = fake.client().post("/agents/calls/batches", json=BATCH).json()
        assert made["created_at"] == "2026-06-15T09:00:00.000Z"
    moment = datetime.datetime(2027, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    with FakeCartesia(start=moment) as fake:
        assert fake.now() == "2027-01-02T03:04:05.000Z"
    with FakeCartesia(start="now") as fake:
        assert fake.now() > "2026-12-01"  # the wall clock's instant, then virtual
        first = fake.now()
        assert fake.now() == first  # it does not move by itself
    with pytest.raises(ValueError, match="an RFC 3339 instant with an offset"):
        FakeCartesia(start="tomorrow")
    with FakeCartesia() as fake:  # the documented default
        assert fake.now() == "2026-03-01T12:00:00.000Z"


@pytest.mark.slow
def test_serve_start_sets_the_clock() -> None:
    import httpx

    from tests.test_cli import Served

    served = Served("--quiet", "--clock", "virtual", "--start", "2026-09-01T08:30:00Z")
    try:
        r = httpx.get(f"{served.url}/__fake__/clock", headers={"authorization": "Bearer k"})
        assert r.json()["now"] == "2026-09-01T08:30:00.000Z"
    finally:
        served.stop()


def test_poll_stats_and_the_interval_cover_batches_and_lists() -> None:
    import pytest

    with FakeCartesia() as fake:
        c = fake.client()
        made = c.post("/agents/calls/batches", json=BATCH).json()
        for _ in range(3):  # a busy poller of the batch and the lists
            c.get(f"/agents/calls/batches/{made['id']}")
            c.get("/agents/calls/batches")
            c.get("/agents/calls", params={"batch_id": made["id"]})
        stats = fake.poll_stats()
        assert stats[made["id"]].count == 3
        assert stats["List Call Batches"].count == 3
        assert stats[f"List Calls batch_id={made['id']}"].count == 3
        with pytest.raises(AssertionError, match=f"{made['id']}: 3 polls over 0 virtual s"):
            fake.assert_poll_interval(at_least=5)
