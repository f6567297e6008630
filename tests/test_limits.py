"""Bounded, and never silently: the clock stops before the calendar runs out, per-tenant
stores have limits that answer a structured error naming their knob, a full call store says
when to retry, and the journal does not keep huge header values."""

from __future__ import annotations

import pytest

from mock_server import FakeCartesia
from tests.conftest import AGENT, NUMBER, world_of

BODY = {
    "from_number_id": NUMBER,
    "agent_id": AGENT,
    "outbound_calls": [{"to_number": "+14155550100"}],
}


def test_the_clock_stops_before_the_calendar_overflows() -> None:
    with FakeCartesia(max_virtual_seconds=None) as fake:  # a runaway clock, on purpose
        client = fake.client()
        assert client.post("/agents/calls", json=BODY).status_code == 200
        for _ in range(80):  # maximal advances, as a runaway test might send them
            r = client.post("/__fake__/clock/advance", json={"seconds": 3153600000})
            if r.status_code != 200:
                break
        assert r.status_code == 400
        body = r.json()
        assert body["error_code"] == "clock_limit"
        assert "9000-01-01T00:00:00.000Z" in body["message"]
        # the tenant still answers everything
        assert client.get("/__fake__/clock").status_code == 200
        listed = client.get("/agents/calls", params={"agent_id": AGENT})
        assert listed.status_code == 200
        assert listed.json()["data"][0]["status"] == "completed"
        assert not fake.problems()


@pytest.mark.parametrize(
    ("knob", "path", "bodies"),
    [
        (
            "max_callee_scripts",
            None,
            [("PUT", f"/__fake__/callees/+1415555010{i}", {"outcome": "busy"}) for i in range(3)],
        ),
        ("max_faults", None, [("POST", "/__fake__/faults", {"status": 503})] * 3),
        (
            "max_webhooks",
            None,
            [("POST", "/agents/webhooks", {"url": "https://x.test/h", "secret": "s"})] * 3,
        ),
    ],
)
def test_per_tenant_stores_are_bounded_and_say_which_knob(
    knob: str, path: None, bodies: list[tuple[str, str, dict]]
) -> None:
    with FakeCartesia(**{knob: 2}) as fake:
        client = fake.client()
        answers = [client.request(m, p, json=b) for m, p, b in bodies]
        assert [a.status_code < 300 for a in answers] == [True, True, False]
        assert answers[2].status_code == 400
        assert answers[2].json()["error_code"] == "tenant_limit"
        assert knob in answers[2].json()["message"]
    if knob == "max_callee_scripts":  # replacing a script is not one more
        with FakeCartesia(max_callee_scripts=1) as fake:
            for outcome in ("busy", "no_answer"):
                r = fake.client().put("/__fake__/callees/+14155550100", json={"outcome": outcome})
                assert r.status_code == 200


def test_a_full_call_store_says_when_to_retry() -> None:
    with FakeCartesia(max_calls_per_tenant=1) as fake:
        client = fake.client()
        assert client.post("/agents/calls", json=BODY).status_code == 200
        r = client.post("/agents/calls", json=BODY)
        assert r.status_code == 429
        assert r.json()["error_code"] == "call_store_full"
        assert r.headers["retry-after"] == "60"


def test_the_journal_keeps_only_the_start_of_a_huge_header() -> None:
    with FakeCartesia() as fake:
        fake.client().get("/agents", headers={"user-agent": "x" * 100_000})
        [entry] = fake.journal()
        assert len(entry.headers["user-agent"]) == 256


def test_the_journal_is_bounded_in_bytes_as_well_as_entries() -> None:
    """Long paths fill the byte bound long before the entry bound; the oldest go first."""
    with FakeCartesia(journal_bytes=50_000, journal_size=1_000) as fake:
        client = fake.client()
        for i in range(100):
            client.get(f"/agents/calls/call_{i:04d}{'x' * 2_000}")
        entries = fake.journal()
        journal = world_of(fake.service.tenants.get(fake.api_key)).journal
        held = journal.bytes
        assert held <= 50_000
        assert held == sum(r.size() for r in journal._records)  # what is held, counted
        assert 10 < len(entries) < 100
        assert entries[-1].path.startswith("/agents/calls/call_0099")  # the newest is kept
        assert entries[0].path.startswith(f"/agents/calls/call_{100 - len(entries):04d}")


def test_tenants_with_calls_are_never_evicted_without_state() -> None:
    with FakeCartesia(max_tenants=2) as fake:
        for key in ("sk_a", "sk_b"):
            assert fake.client(api_key=key).post("/agents/calls", json=BODY).status_code == 200
        r = fake.client(api_key="sk_c").get("/agents")
        assert r.status_code == 503
        assert r.json()["error_code"] == "tenant_store_full"
        assert r.headers["retry-after"] == "60"
        for key in ("sk_a", "sk_b"):  # both still have their calls
            listed = fake.client(api_key=key).get("/agents/calls", params={"agent_id": AGENT})
            assert len(listed.json()["data"]) == 1
        fake.client(api_key="sk_b").post("/__fake__/reset")  # b holds no call any more
        assert fake.client(api_key="sk_c").get("/agents").status_code == 200
        a = fake.client(api_key="sk_a").get("/agents/calls", params={"agent_id": AGENT})
        assert len(a.json()["data"]) == 1  # a kept; b (empty) made room
