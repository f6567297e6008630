"""The batch lifecycle as the docs' status table states it, row by row, through every door
and under both versions that have batches, on a virtual clock and on a real one.

The table (Get Call Batch): ``pending`` no calls dispatched yet; ``in_progress`` some
dispatched, not all; ``completed`` every call dispatched, regardless of individual call
outcomes; ``cancelled`` cancelled before every call was dispatched; ``failed`` (2026-08-14)
every recipient failed before dialing, (2026-03-01) reserved.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from mock_server import FakeCartesia
from tests.conftest import AGENT, NUMBER, Door
from tests.test_api_batches import _get

BATCHES = "/agents/calls/batches"
RINGS = "+14155550120"  # rings until the ringing timeout (magic decade 20)
ANSWERS = "+14155550100"  # answered; the callee hangs up (decade 00)
PRE_DIAL = "+14155550195"  # refused before dialing (decade 90)


def _ms(text: str) -> int:
    return round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def _create(door: Door, numbers: list[str], **extra: Any) -> dict[str, Any]:
    body = {
        "name": "lifecycle",
        "agent_id": AGENT,
        "from_number_id": NUMBER,
        "recipients": [{"to_number": n, "metadata": {"row": i}} for i, n in enumerate(numbers)],
        **extra,
    }
    r = door.post(BATCHES, json=body)
    assert r.status_code == 201, r.text
    made: dict[str, Any] = r.json()
    door.validate("batch", made)
    return made


def _totals(batch: dict[str, Any]) -> tuple[int, int, int]:
    return (
        batch["total_calls_scheduled"],
        batch["total_calls_dispatched"],
        batch["total_calls_finished"],
    )


def test_the_create_answer_shows_the_batch_before_any_dispatch(door: Door) -> None:
    made = _create(door, [ANSWERS, RINGS])
    assert made["status"] == "pending"
    assert _totals(made) == (2, 0, 0)
    assert [r["status"] for r in made["recipients"]] == ["queued", "queued"]
    assert made["admitted_at"] is None
    assert all(r["agent_call_id"] is None for r in made["recipients"])
    # the clock has not moved: nothing is dispatched yet, however often it is read
    assert _get(door, made["id"])["status"] == "pending"
    door.advance(0.001)  # the dispatch delay (knob batch_dispatch_delay_ms, 1 ms)
    begun = _get(door, made["id"])
    assert begun["admitted_at"] is not None
    assert _ms(begun["admitted_at"]) == _ms(made["created_at"]) + 1
    assert _totals(begun)[1] == 2


def test_in_progress_while_some_are_dispatched_then_completed_whatever_the_outcomes(
    door: Door,
) -> None:
    made = _create(door, [RINGS, ANSWERS, RINGS], target_concurrency_limit=1)
    door.advance(0.001)
    first = _get(door, made["id"])
    assert (first["status"], _totals(first)) == ("in_progress", (3, 1, 0))
    door.run_until_idle()
    done = _get(door, made["id"])
    assert (done["status"], _totals(done)) == ("completed", (3, 3, 3))
    # two rang out (failed), one was answered: the outcomes do not change the status
    assert [r["status"] for r in done["recipients"]] == ["failed", "completed", "failed"]
    assert [r["end_reason"] for r in done["recipients"]] == [
        "dial_no_answer",
        "client_hangup",
        "dial_no_answer",
    ]


def test_last_updated_at_follows_the_last_call_to_end(door: Door) -> None:
    """The batch's ``last_updated_at`` moves with its calls: at the end it is the end of
    the call that ended last (a ring-out that outlasts an answered call, here)."""
    made = _create(door, [ANSWERS, RINGS], target_concurrency_limit=5)
    door.run_until_idle()
    done = _get(door, made["id"])
    ends = []
    for recipient in done["recipients"]:
        call = door.get(f"/agents/calls/{recipient['agent_call_id']}").json()
        ends.append(_ms(call["end_time"]))
    assert len(set(ends)) == 2  # two different ends: the later one must win
    assert _ms(done["last_updated_at"]) == max(ends)


def test_completed_as_soon_as_every_recipient_is_dispatched(door: Door) -> None:
    made = _create(door, [RINGS, RINGS], target_concurrency_limit=5)
    door.advance(0.001)
    batch = _get(door, made["id"])
    # both calls still ring; every recipient has been dispatched
    assert (batch["status"], _totals(batch)) == ("completed", (2, 2, 0))
    assert [r["end_reason"] for r in batch["recipients"]] == [None, None]
    # a cancel now changes nothing: there was nothing left to dispatch
    r = door.post(f"{BATCHES}/{made['id']}/cancel")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed"
    assert door.post(f"{BATCHES}/{made['id']}/retry").status_code == 200


def test_cancelled_before_every_recipient_was_dispatched(door: Door) -> None:
    made = _create(door, [RINGS, RINGS, RINGS], target_concurrency_limit=1)
    r = door.post(f"{BATCHES}/{made['id']}/cancel")  # still pending: nothing dispatched
    assert r.status_code == 200, r.text
    cancelled = r.json()
    assert cancelled["status"] == "cancelled"
    assert _totals(cancelled) == (3, 0, 0)
    assert {x["status"] for x in cancelled["recipients"]} == {"cancelled"}
    door.run_until_idle()
    after = _get(door, made["id"])
    assert (after["status"], after["admitted_at"]) == ("cancelled", None)

    second = _create(door, [RINGS, RINGS, RINGS], target_concurrency_limit=1)
    door.advance(0.001)
    stopped = door.post(f"{BATCHES}/{second['id']}/cancel").json()
    assert stopped["status"] == "cancelled"
    assert [x["status"] for x in stopped["recipients"]] == ["dispatched", "cancelled", "cancelled"]
    assert _totals(stopped) == (3, 1, 0)


def test_every_recipient_failing_before_dialing_per_version(door: Door) -> None:
    made = _create(door, [PRE_DIAL, "+442071838750"])
    door.advance(0.001)
    batch = _get(door, made["id"])
    # dispatched includes the failures before dialing, and they are finished at once
    assert _totals(batch) == (2, 2, 2)
    assert [r["status"] for r in batch["recipients"]] == ["failed", "failed"]
    assert all(r["error_message"] and r["agent_call_id"] is None for r in batch["recipients"])
    assert [r["end_reason"] for r in batch["recipients"]] == [None, None]
    # 2026-08-14: "all recipients failed before dialing"; 2026-03-01: failed is reserved
    assert batch["status"] == ("failed" if door.latest else "completed")


def test_finished_counts_the_latest_attempt(door: Door) -> None:
    made = _create(door, [ANSWERS, RINGS])
    door.run_until_idle()
    assert _totals(_get(door, made["id"])) == (2, 2, 2)
    r = door.post(f"{BATCHES}/{made['id']}/retry")  # the unanswered one is queued again
    assert r.status_code == 200, r.text
    retried = r.json()
    assert [x["status"] for x in retried["recipients"]] == ["completed", "queued"]
    assert (retried["status"], _totals(retried)) == ("in_progress", (2, 1, 1))
    door.advance(0.001)
    again = _get(door, made["id"])
    assert (again["status"], _totals(again)) == ("completed", (2, 2, 1))


def test_recipient_metadata_and_name_per_version(door: Door) -> None:
    made = _create(door, [ANSWERS])
    [recipient] = made["recipients"]
    if door.latest:  # SPEC-N: recipients carry no metadata under 2026-08-14
        assert "metadata" not in recipient
    else:
        assert recipient["metadata"] == {"row": 0}
    body = {"agent_id": AGENT, "from_number_id": NUMBER, "recipients": [{"to_number": ANSWERS}]}
    r = door.post(BATCHES, json=body)
    assert r.status_code == 400
    assert "name" in r.json()["message"]


def test_a_scheduled_batch_is_admitted_at_its_start(door: Door) -> None:
    now = _ms(door.get("/__fake__/clock").json()["now"])
    start = datetime.fromtimestamp((now + 60_000) / 1000).astimezone()
    made = _create(door, [ANSWERS], scheduled_at=start.isoformat())
    door.advance(59)
    assert _get(door, made["id"])["status"] == "pending"
    door.advance(1)
    begun = _get(door, made["id"])
    assert begun["status"] == "completed"
    assert _ms(begun["admitted_at"]) == now + 60_000


def test_the_dispatch_delay_is_a_knob() -> None:
    with FakeCartesia(batch_dispatch_delay_ms=0) as fake:
        client = fake.client()
        body = {
            "name": "now",
            "agent_id": AGENT,
            "from_number_id": NUMBER,
            "recipients": [{"to_number": RINGS}],
        }
        made = client.post(BATCHES, json=body).json()
        assert made["status"] == "pending"  # the answer still comes first
        # with no delay, the next request at the same instant sees it dispatched
        assert fake.batch(made["id"])["status"] == "completed"
    with FakeCartesia(batch_dispatch_delay_ms=5000) as fake:
        made = fake.client().post(BATCHES, json=body).json()
        fake.advance(4.999)
        assert fake.batch(made["id"])["status"] == "pending"
        fake.advance(0.001)
        assert fake.batch(made["id"])["status"] == "completed"


@pytest.fixture(params=["sync", "async", "live"])
def real_door(request: pytest.FixtureRequest) -> Iterator[Door]:
    """A door on a fake whose clock is the wall clock (sped up 60 times)."""
    with FakeCartesia(clock="real", speed=60) as fake:
        url = fake.serve().url if request.param == "live" else None
        door = Door(request.param, fake, "sk_car_real", url, "2026-08-14")
        yield door
        door.close()


@pytest.mark.slow
def test_on_a_real_clock_the_create_answer_is_pending_and_dispatch_follows(
    real_door: Door,
) -> None:
    made = _create(real_door, [RINGS, RINGS], target_concurrency_limit=5)
    assert (made["status"], _totals(made), made["admitted_at"]) == ("pending", (2, 0, 0), None)
    deadline = time.monotonic() + 30  # a condition awaited, not a duration asserted
    batch = _get(real_door, made["id"])
    while batch["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.01)
        batch = _get(real_door, made["id"])
    assert batch["status"] == "completed", batch
    scheduled, dispatched, _ = _totals(batch)
    assert (scheduled, dispatched) == (2, 2)
    assert _ms(batch["admitted_at"]) > _ms(made["created_at"])
