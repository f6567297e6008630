"""Fair share between tenants: a tenant cannot raise its per-request work past the server's
ceiling, and the server bounds calls and queued recipients across all tenants (503 with
Retry-After naming the bound), so one tenant's campaign cannot exhaust the host."""

from __future__ import annotations

from typing import Any

from mock_server import FakeCartesia
from tests.conftest import AGENT, NUMBER


def _calls(n: int, first: int = 0) -> dict[str, Any]:
    return {
        "agent_id": AGENT,
        "from_number_id": NUMBER,
        "outbound_calls": [{"to_number": f"+1212{5000000 + first + i:07d}"} for i in range(n)],
    }


def test_a_tenant_cannot_raise_its_request_size_past_the_server_ceiling() -> None:
    with FakeCartesia() as fake:
        c = fake.client(api_key="sk_greedy")
        r = c.patch("/__fake__/settings", json={"max_outbound_calls": 100_000})
        assert r.status_code == 400
        assert "max_request_items" in r.json()["message"]
        assert "1000" in r.json()["message"]
        assert c.patch("/__fake__/settings", json={"max_outbound_calls": 1000}).status_code == 200
        assert c.post("/agents/calls", json=_calls(1000)).status_code == 200
        assert c.post("/agents/calls", json=_calls(1001)).status_code == 400


def test_the_server_bounds_calls_across_tenants() -> None:
    with FakeCartesia(max_calls_total=50) as fake:
        a, b = fake.client(api_key="sk_a"), fake.client(api_key="sk_b")
        assert a.post("/agents/calls", json=_calls(40)).status_code == 200
        r = b.post("/agents/calls", json=_calls(20, 100))
        assert r.status_code == 503
        assert r.json()["error_code"] == "server_store_full"
        assert "it holds 40" in r.json()["message"]
        assert "(max_calls_total) is 50" in r.json()["message"]
        assert r.headers["retry-after"] == "60"
        listed = b.get("/agents/calls", params={"agent_id": AGENT}).json()["data"]
        assert listed == []  # the refusal made nothing
        batch = {
            "name": "b",
            "agent_id": AGENT,
            "from_number_id": NUMBER,
            "recipients": [{"to_number": "+14155550100"}] * 11,
        }
        assert b.post("/agents/calls/batches", json=batch).status_code == 503
        assert b.post("/agents/calls", json=_calls(10, 100)).status_code == 200
        assert a.post("/__fake__/reset").status_code == 200  # room again
        assert b.post("/agents/calls/batches", json=batch).status_code == 201
