"""Fair share between tenants: a tenant cannot raise its per-request work past the server's
ceiling, and the server bounds calls and queued recipients across all tenants (503 with
Retry-After naming the bound), so one tenant's campaign cannot exhaust the host."""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
from hypothesis import given, settings

from mock_server import FakeCartesia
from tests.conftest import AGENT, NUMBER, examples


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


@settings(max_examples=examples(0.3), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["calls", "batch", "cancel", "delete", "reset", "advance"]),
            st.sampled_from(["sk_a", "sk_b", "sk_c"]),
            st.integers(1, 6),
        ),
        max_size=14,
    )
)
def test_the_running_total_is_always_the_sum_over_tenants(ops: list[tuple[str, str, int]]) -> None:
    """The server-wide count a create checks is kept as a running total; whatever happens
    (calls, batches queued and cancelled, deletes, resets, evictions past max_tenants=2,
    time passing), it equals the sum of every held tenant's calls and queued recipients."""
    with FakeCartesia(max_tenants=2) as fake:
        tenants = fake.service.tenants
        made: dict[str, list[str]] = {}
        batches: dict[str, list[str]] = {}
        for op, key, n in ops:
            c = fake.client(api_key=key)
            if op == "calls":
                r = c.post("/agents/calls", json=_calls(n, 10 * n))
                if r.status_code == 200:
                    made.setdefault(key, []).extend(x["agent_call_id"] for x in r.json()["calls"])
            elif op == "batch":
                body = {
                    "name": "t",
                    "agent_id": AGENT,
                    "from_number_id": NUMBER,
                    "recipients": [{"to_number": f"+1415555{300 + i:04d}"} for i in range(n)],
                }
                r = c.post("/agents/calls/batches", json=body)
                if r.status_code == 201:
                    batches.setdefault(key, []).append(r.json()["id"])
            elif op == "cancel" and batches.get(key):
                c.post(f"/agents/calls/batches/{batches[key][-1]}/cancel")
            elif op == "delete" and made.get(key):
                c.delete(f"/agents/calls/{made[key].pop()}")
            elif op == "reset":
                c.post("/__fake__/reset")
                made.pop(key, None)
                batches.pop(key, None)
            elif op == "advance":
                c.post("/__fake__/advance", json={"seconds": 30 * n})
            assert tenants.load() == sum(t.stored_calls() for t in tenants.all())
