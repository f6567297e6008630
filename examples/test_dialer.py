"""Tests of the example dialer, written the way a user of cartesia-fake would write them.

Tests without a marker also run against a live API:
    pytest examples --cartesia-target=live --cartesia-base-url=URL   (key in $CARTESIA_API_KEY)
"""

from __future__ import annotations

import asyncio

import pytest
from dialer import AsyncDialer, Campaign, Contact, Dialer

AGENT = "agent_Fo7pKNBUwLZxrTd6jvhpaE"
NUMBER = "ap_Q8PRh7lXyZsawXJmN2KcT5"


@pytest.fixture
def dialer(cartesia_target):
    return Dialer(cartesia_target.http_client(), AGENT, NUMBER)


def test_one_call_per_contact_in_order(dialer):
    # Fictional 555-01XX numbers only: pointed at the real API, nothing can ring a person.
    contacts = [Contact(f"+121255501{70 + i}", f"Customer {i}") for i in range(3)]
    placed = dialer.call_all(contacts)
    assert [p.contact for p in placed] == contacts
    assert all(p.call_id and p.call_id.startswith("call_") for p in placed)
    call = dialer.status(placed[0].call_id)
    assert call["dynamic_variables"] == {
        "customer_name": "Customer 0"
    }  # Cartesia-Version 2026-08-14


def test_non_us_destinations_are_reported_not_raised(dialer):
    [placed] = dialer.call_all([Contact("+442079460123", "London")])
    assert placed.call_id is None
    assert placed.error == "destination_not_allowed"


@pytest.mark.cartesia_fake_only
def test_outcomes_after_the_calls_end(dialer, cartesia_fake):
    dialer.call_all(
        [
            Contact("+14155550100", "Ann"),
            Contact("+14155550110", "Bo"),
            Contact("+14155550125", "Cy"),
            Contact("+14155550195", "Di"),
        ]
    )
    assert set(dialer.outcomes().values()) <= {"pending", "failed"}
    cartesia_fake.run_until_idle()
    assert dialer.outcomes() == {
        "+14155550100": "answered",
        "+14155550110": "busy",
        "+14155550125": "no answer",
        "+14155550195": "failed",
    }


@pytest.mark.cartesia_fake_only
def test_big_campaign_is_paced_one_per_second(dialer, cartesia_fake):
    # 120 fictional numbers: 555-0170..0189 (no magic behaviour) in six area codes.
    numbers = [f"+1{212 + i // 20}55501{70 + i % 20}" for i in range(120)]
    dialer.call_all([Contact(n, "x") for n in numbers])  # 3 batches
    cartesia_fake.advance(200)
    cartesia_fake.assert_dial_spacing(at_least=1.0)
    cartesia_fake.assert_dialed_in_order(numbers)


@pytest.mark.cartesia_fake_only
def test_retries_after_a_lost_response_double_dial(cartesia_fake):
    # A careless retry wrapper: the fake commits the call, then drops the connection.
    import httpx

    cartesia_fake.add_fault(
        method="POST", path="/agents/calls", after_commit=True, drop_connection=True, times=1
    )
    dialer = Dialer(cartesia_fake.client(), AGENT, NUMBER)
    with pytest.raises(httpx.RemoteProtocolError):
        dialer.call_all([Contact("+14155550100", "Ann")])
    dialer.call_all([Contact("+14155550100", "Ann")])  # "retry"
    assert len(cartesia_fake.duplicate_dials()) == 1
    cartesia_fake.assert_dialed("+14155550100", times=2)


@pytest.mark.cartesia_fake_only
def test_async_dialer(cartesia_fake):
    async def scenario() -> str:
        async with cartesia_fake.async_client() as client:
            return await AsyncDialer(client, AGENT, NUMBER).call("+14155550140")

    call_id = asyncio.run(scenario())
    call = cartesia_fake.wait_for_status(call_id, "completed", "failed")
    assert call.end_reason == "agent_hangup"


def test_a_campaign_batch_respects_its_limit_and_can_be_stopped(cartesia_target):
    # Live-compatible: fictional numbers, and the batch is stopped before it could go on.
    campaign = Campaign(cartesia_target.http_client(), AGENT, NUMBER)
    contacts = [Contact(f"+121255501{80 + i}", f"Lead {i}") for i in range(3)]
    batch_id = campaign.start("example campaign", contacts, limit=1)
    batch = campaign.progress(batch_id)
    assert batch["total_calls_scheduled"] == 3
    in_flight = [r for r in batch["recipients"] if r["status"] in ("dispatched", "started")]
    assert len(in_flight) <= 1
    stopped = campaign.stop(batch_id)
    assert stopped["status"] == "cancelled"
    queued_then = [r for r in batch["recipients"] if r["status"] == "queued"]
    assert all(
        r["status"] == "cancelled"
        for r in stopped["recipients"]
        if r["id"] in {q["id"] for q in queued_then}
    )


@pytest.mark.cartesia_fake_only
def test_a_campaign_runs_to_the_end_one_call_at_a_time(cartesia_fake):
    campaign = Campaign(cartesia_fake.client(), AGENT, NUMBER)
    numbers = ["+14155550100", "+14155550110", "+14155550101", "+14155550120"]
    batch_id = campaign.start("four leads", [Contact(n, "x") for n in numbers], limit=1)
    cartesia_fake.run_until_idle()
    batch = campaign.progress(batch_id)
    assert batch["status"] == "completed"
    assert [r["status"] for r in batch["recipients"]] == [
        "completed",
        "failed",
        "completed",
        "failed",
    ]
    cartesia_fake.assert_batch_concurrency(at_most=1, batch_id=batch_id)
    cartesia_fake.assert_dialed_in_order(numbers, batch_id=batch_id)


@pytest.mark.cartesia_fake_only
def test_polling_waits_between_reads(cartesia_fake):
    dialer = Dialer(cartesia_fake.client(), AGENT, NUMBER)
    dialer.call_all([Contact("+14155550171", "Ada"), Contact("+14155550112", "Busy Bob")])
    dialer.wait_until_done(poll_seconds=10, sleep=cartesia_fake.advance)
    cartesia_fake.assert_poll_interval(at_least=10)
    assert dialer.outcomes() == {"+14155550171": "answered", "+14155550112": "busy"}


@pytest.mark.cartesia_fake_only
@pytest.mark.cartesia_fake(max_requests=300)
def test_a_busy_poller_is_stopped_by_the_budget(cartesia_fake):
    """The planted bug: the dialer polls without waiting, so on a virtual clock its calls
    never progress. The budget stops it at the 301st request, naming the poll rate."""
    dialer = Dialer(cartesia_fake.client(), AGENT, NUMBER, busy_poll=True)
    dialer.call_all([Contact("+14155550171", "Ada")])
    with pytest.raises(pytest.fail.Exception, match=r"max_requests=300") as stopped:
        dialer.wait_until_done(poll_seconds=10, sleep=cartesia_fake.advance)
    assert "299 polls over 0 virtual s (no time passed" in str(stopped.value)
