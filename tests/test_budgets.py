"""Budgets stop a runaway in seconds on every fake the kit makes: a busy poller of a big
batch is stopped by what it costs (bytes of answers), a retry-forever loop by its count,
a dialer that keeps going by wall time; the message names the hottest loop by route."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_server import FakeCartesia
from mock_server.service.budget import BudgetExceeded
from tests.conftest import AGENT, NUMBER


def _batch(n: int) -> dict[str, Any]:
    return {
        "name": "big",
        "agent_id": AGENT,
        "from_number_id": NUMBER,
        "recipients": [{"to_number": f"+1212{5000000 + i:07d}"} for i in range(n)],
    }


def _busy_poll(c: httpx.Client, batch_id: str, done: list[int], most: int) -> None:
    """The planted bug: polls Get Call Batch without waiting, never moving the clock."""
    for _ in range(most):
        c.get(f"/agents/calls/batches/{batch_id}")
        done[0] += 1


def _retry_forever(c: httpx.Client, done: list[int], most: int) -> None:
    """The planted bug: retries a refused request for ever, swallowing every Exception."""
    for _ in range(most):
        with contextlib.suppress(Exception):
            c.post("/agents/calls", json={"agent_id": AGENT})
        done[0] += 1


@pytest.mark.slow
def test_a_busy_poller_of_a_big_batch_is_stopped_by_what_it_costs() -> None:
    with FakeCartesia(max_response_bytes=5_000_000) as fake:
        c = fake.client()
        made = c.post("/agents/calls/batches", json=_batch(5000)).json()
        polls = [0]
        with pytest.raises(BudgetExceeded) as stopped:
            _busy_poll(c, made["id"], polls, 1000)
        assert polls[0] < 20  # each answer is ~0.8 MB: stopped after a handful
        message = str(stopped.value)
        assert "MB of answers while the clock stood still (max_response_bytes=5,000,000)" in message
        assert "GET /agents/calls/batches/{batch_id}:" in message.split("\n")[2]


@pytest.mark.slow
def test_a_poller_that_lets_time_pass_is_not_stopped_by_bytes() -> None:
    """The same big answers, with the clock moved between reads (a campaign that waits):
    the bytes budget starts afresh at each move, so only a standstill trips it."""
    with FakeCartesia(max_response_bytes=5_000_000) as fake:
        c = fake.client()
        made = c.post("/agents/calls/batches", json=_batch(5000)).json()
        for _ in range(30):  # ~25 MB in all, far past the budget, ~0.8 MB per still instant
            assert c.get(f"/agents/calls/batches/{made['id']}").status_code == 200
            fake.advance(60)
        with pytest.raises(BudgetExceeded, match="while the clock stood still"):
            _busy_poll(c, made["id"], [0], 1000)


def test_a_retry_forever_loop_is_stopped_by_its_count_even_if_it_swallows_errors() -> None:
    with FakeCartesia(max_requests=200) as fake:
        c = fake.client()
        sent = [0]
        with pytest.raises(BudgetExceeded, match=r"200 API requests \(max_requests=200\)"):
            _retry_forever(c, sent, 10_000)
        assert sent[0] == 200


@pytest.mark.slow
def test_the_defaults_stop_both_runaways() -> None:
    """At the kit's defaults: the big-batch poller is stopped by bytes long before the
    request count, and the retry loop by the request count."""
    with FakeCartesia() as fake:
        c = fake.client()
        made = c.post("/agents/calls/batches", json=_batch(5000)).json()
        polls = [0]
        with pytest.raises(BudgetExceeded, match="max_response_bytes"):
            _busy_poll(c, made["id"], polls, 10_000)
        assert polls[0] < 400
    with FakeCartesia() as fake:
        sent = [0]
        with pytest.raises(BudgetExceeded, match="max_requests=10,000"):
            _retry_forever(fake.client(), sent, 20_000)


def _busy_list(c: httpx.Client, most: int) -> None:
    for _ in range(most):  # cheap requests, but it never ends
        c.get("/agents/calls", params={"agent_id": AGENT})


def test_a_wall_time_safety_net_fails_with_the_same_message() -> None:
    with FakeCartesia(max_wall_seconds=0.2) as fake:
        c = fake.client()
        with pytest.raises(BudgetExceeded, match=r"s of wall time \(max_wall_seconds=0.2\)"):
            _busy_list(c, 1_000_000)


def test_no_limit_when_asked() -> None:
    with FakeCartesia(max_requests=None, max_response_bytes=None) as fake:
        c = fake.client()
        for _ in range(50):
            assert c.get("/agents").status_code == 200
        assert fake.service.budget is not None
        assert fake.service.budget.limits.max_requests is None


@given(st.integers(min_value=1, max_value=3))
def test_inside_given_a_fake_per_example_needs_no_suppressed_health_check(n: int) -> None:
    """The pattern the docs show: one ``FakeCartesia`` per example, with its budgets."""
    with FakeCartesia(max_requests=50) as fake:
        c = fake.client()
        body = {"agent_id": AGENT, "from_number_id": NUMBER}
        calls = [{"to_number": f"+14155550{100 + i}"} for i in range(n)]
        assert c.post("/agents/calls", json={**body, "outbound_calls": calls}).status_code == 200


def test_a_served_fake_answers_429_past_its_budget() -> None:
    with FakeCartesia(max_requests=5) as fake:
        url = fake.serve().url
        headers = {"authorization": "Bearer sk_served", "cartesia-version": "2026-08-14"}
        with httpx.Client(base_url=url, headers=headers) as c:
            codes = [c.get("/agents").status_code for _ in range(7)]
            last = c.get("/agents")
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429, 429]
    assert last.json()["error_code"] == "budget_exceeded"
    assert "GET /agents" in last.json()["message"]
