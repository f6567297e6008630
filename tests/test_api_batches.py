"""Call batches through every door and under both versions: create, dispatch under the
concurrency limit and the dial pacing, scheduled starts, cancel, retry, lists."""

from __future__ import annotations

from typing import Any

import pytest

from contracts import validate
from tests.conftest import AGENT, NUMBER, Door

BATCHES = "/agents/calls/batches"


def _batch(door: Door, numbers: list[str], *, begun: bool = True, **extra: Any) -> dict[str, Any]:
    """Create a batch; ``begun``: then move the clock past the dispatch delay (1 ms, the
    default) and answer the batch as Get Call Batch shows it then."""
    body = {
        "name": "campaign",
        "agent_id": AGENT,
        "from_number_id": NUMBER,
        "recipients": [{"to_number": n} for n in numbers],
        **extra,
    }
    r = door.post(BATCHES, json=body)
    assert r.status_code == 201, r.text
    made: dict[str, Any] = r.json()
    door.validate("batch", made)
    assert (made["status"], made["total_calls_dispatched"]) == ("pending", 0), made
    if not begun:
        return made
    door.advance(0.001)
    return _get(door, made["id"])


def _get(door: Door, batch_id: str) -> dict[str, Any]:
    r = door.get(f"{BATCHES}/{batch_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    door.validate("batch", body)
    return body


def _statuses(batch: dict[str, Any]) -> list[str]:
    return [r["status"] for r in batch["recipients"]]


def test_a_batch_dials_at_most_its_limit_at_once(door: Door) -> None:
    numbers = [f"+1415555010{i}" for i in range(6)]  # answer at 2 s, talk 30 s
    made = _batch(door, numbers, target_concurrency_limit=2)
    assert made["status"] == "in_progress"
    assert _statuses(made) == ["dispatched"] * 2 + ["queued"] * 4
    assert made["total_calls_scheduled"] == 6
    for _ in range(12):
        door.advance(7)
        batch = _get(door, made["id"])
        in_flight = sum(s in ("dispatched", "started") for s in _statuses(batch))
        assert in_flight <= 2
        scheduled, dispatched, finished = (
            batch["total_calls_scheduled"],
            batch["total_calls_dispatched"],
            batch["total_calls_finished"],
        )
        assert scheduled == 6
        assert finished <= dispatched <= scheduled
    door.run_until_idle()
    batch = _get(door, made["id"])
    assert batch["status"] == "completed"
    assert _statuses(batch) == ["completed"] * 6
    calls = [door.call(r["agent_call_id"]) for r in batch["recipients"]]
    starts = [c["start_time"] for c in calls]
    assert starts == sorted(starts)  # dialed in recipient order


def test_batch_calls_are_paced_with_single_calls_on_one_number(door: Door) -> None:
    [single] = door.call_ids("+14155550120")  # rings until the timeout
    made = _batch(door, ["+14155550101", "+14155550102"], target_concurrency_limit=5)
    ids = [single, *(r["agent_call_id"] for r in made["recipients"])]
    door.advance(3)
    dials = [next(e["at"] for e in door.timeline(i) if e["event"] == "dialed") for i in ids]
    assert [d[17:19] for d in dials] == ["00", "01", "02"]  # one a second, FIFO


def test_nothing_dials_before_scheduled_at(door: Door) -> None:
    made = _batch(door, ["+14155550100"], scheduled_at="2026-03-01T13:00:00Z")
    assert (made["status"], made["scheduled_at"]) == ("pending", "2026-03-01T13:00:00.000Z")
    door.advance(3599)
    assert _statuses(_get(door, made["id"])) == ["queued"]
    door.advance(1)
    batch = _get(door, made["id"])
    assert _statuses(batch) == ["dispatched"]
    call = door.call(batch["recipients"][0]["agent_call_id"])
    assert door.timeline(call["id"])[0]["at"] == "2026-03-01T13:00:00.000Z"


def test_cancel_stops_the_queue_and_lets_calls_finish(door: Door) -> None:
    made = _batch(door, [f"+1415555010{i}" for i in range(4)], target_concurrency_limit=1)
    door.advance(5)
    r = door.post(f"{BATCHES}/{made['id']}/cancel")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    assert _statuses(r.json()) == ["started", "cancelled", "cancelled", "cancelled"]
    again = door.post(f"{BATCHES}/{made['id']}/cancel")  # idempotent
    assert _statuses(again.json()) == _statuses(r.json())
    door.run_until_idle()
    batch = _get(door, made["id"])
    assert _statuses(batch) == ["completed", "cancelled", "cancelled", "cancelled"]
    assert all(r["agent_call_id"] is None for r in batch["recipients"][1:])
    retry = door.post(f"{BATCHES}/{made['id']}/retry")
    assert retry.status_code == 400
    assert retry.json()["error_code"] == "batch_cancelled"


def test_retry_redials_failed_and_unanswered_only(door: Door) -> None:
    numbers = ["+14155550100", "+14155550110", "+14155550120", "+442071838750"]
    made = _batch(door, numbers)
    door.run_until_idle()
    batch = _get(door, made["id"])
    assert _statuses(batch) == ["completed", "failed", "failed", "failed"]
    assert batch["recipients"][3]["error_message"]  # non-US: failed before dialing
    assert batch["recipients"][3]["agent_call_id"] is None
    first = [r["agent_call_id"] for r in batch["recipients"]]
    r = door.post(f"{BATCHES}/{made['id']}/retry")
    assert r.status_code == 200, r.text
    retried = r.json()
    assert retried["retry_count"] == 1
    assert retried["recipients"][0]["agent_call_id"] == first[0]  # completed: untouched
    door.run_until_idle()
    batch = _get(door, made["id"])
    again = [r["agent_call_id"] for r in batch["recipients"]]
    assert again[0] == first[0]
    assert again[1] != first[1]
    assert again[2] != first[2]
    if door.latest:  # List Calls by batch_id: one entry per attempt
        listed = door.get("/agents/calls", params={"batch_id": made["id"], "limit": 100}).json()
        door.validate("call_list", listed)
        assert len(listed["data"]) == 5  # 3 calls, then 2 retried (the 4th never dials)


def test_every_recipient_failing_before_dialing_fails_the_batch(door: Door) -> None:
    made = _batch(door, ["+442071838750", "+14155550195"])
    # 2026-08-14: failed, "all recipients failed before dialing"; 2026-03-01's table
    # reserves failed, so every recipient dispatched is completed
    assert made["status"] == ("failed" if door.latest else "completed")
    assert made["total_calls_dispatched"] == made["total_calls_finished"] == 2


def test_bad_recipients_are_named_and_no_batch_is_made(door: Door) -> None:
    recipients = [{"to_number": "+14155550100"}, {"to_number": "4155550100"}]
    body = {"name": "c", "agent_id": AGENT, "from_number_id": NUMBER, "recipients": recipients}
    r = door.post(BATCHES, json=body)
    assert r.status_code == 400
    assert "recipients[1].to_number" in r.json()["message"]
    validate("error", r.json())
    assert door.get(BATCHES).json()["data"] == []
    for bad, needle in [
        ({"recipients": []}, "recipients"),
        ({"recipients": [{"to_number": "+14155550100"}] * 5001}, "recipients"),
        ({"target_concurrency_limit": 0}, "target_concurrency_limit"),
        ({"scheduled_at": "2026-02-01T00:00:00Z"}, "scheduled_at"),
        ({"scheduled_at": "2026-05-01T00:00:00Z"}, "30 days"),
        ({"scheduled_at": "tomorrow"}, "scheduled_at"),
        ({"region": "EU"}, "region"),
    ]:
        r = door.post(BATCHES, json={**body, "recipients": recipients[:1], **bad})
        assert r.status_code == 400, (bad, r.text)
        assert needle in r.json()["message"], (bad, r.json()["message"])
    unknown = {**body, "recipients": recipients[:1], "agent_id": "agent_nope"}
    assert door.post(BATCHES, json=unknown).status_code == 404
    assert door.get(f"{BATCHES}/acb_nope").status_code == 404


def test_variables_per_version_and_the_named_402(door: Door) -> None:
    item = {"to_number": "+14155550100", "dynamic_variables": {"system__x": "y"}}
    body = {"name": "c", "agent_id": AGENT, "from_number_id": NUMBER, "recipients": [item]}
    r = door.post(BATCHES, json=body)
    if door.latest:  # a dynamic-variable error names the recipient; no batch
        assert r.status_code == 400
        assert "recipients[0].dynamic_variables.system__x" in r.json()["message"]
    else:  # unknown to 2026-03-01: ignored
        assert r.status_code == 201
    door.post("/__fake__/faults", json={"name": "batch_usage_limit", "times": 1})
    limited = door.post(BATCHES, json={**body, "recipients": [{"to_number": "+14155550100"}]})
    assert (limited.status_code, limited.json()["error_code"]) == (402, "batch_usage_limit")


def test_list_batches_newest_first_with_cursors(door: Door) -> None:
    ids = [_batch(door, ["+14155550100"])["id"] for _ in range(3)]
    page = door.get(BATCHES, params={"limit": 2}).json()
    validate("batch_list", page)
    assert [b["id"] for b in page["data"]] == ids[::-1][:2]
    assert "recipients" not in page["data"][0]
    assert (page["has_more"], page["next_page"]) == (True, ids[1])
    rest = door.get(BATCHES, params={"starting_after": ids[1]}).json()
    assert ([b["id"] for b in rest["data"]], rest["has_more"]) == ([ids[0]], False)


def test_the_organisation_limit_holds_batches_back() -> None:
    from mock_server import FakeCartesia

    with FakeCartesia(organization_concurrency_limit=3) as fake:
        client = fake.client()
        bodies = [
            {
                "name": "c",
                "agent_id": AGENT,
                "from_number_id": NUMBER,
                "target_concurrency_limit": 2,
                "recipients": [{"to_number": f"+1415555010{i}"} for i in range(4)],
            }
            for _ in range(2)
        ]
        first, second = (client.post(BATCHES, json=b).json() for b in bodies)
        fake.advance(0.001)  # past the dispatch delay
        first, second = (client.get(f"{BATCHES}/{b['id']}").json() for b in (first, second))
        # the first batch takes its 2; the organisation has room for 1 more, which the
        # second batch (first come, first served) gets
        assert _statuses(first).count("dispatched") == 2
        assert _statuses(second).count("dispatched") == 1
        assert first["target_concurrency_limit"] == 2
        default = client.post(BATCHES, json={**bodies[0], "target_concurrency_limit": None})
        assert default.json()["target_concurrency_limit"] == 1  # half of 3, at least 1
        fake.run_until_idle()
        for made in (first, second):
            assert _statuses(client.get(f"{BATCHES}/{made['id']}").json()) == ["completed"] * 4


def test_single_calls_can_be_held_by_the_organisation_limit() -> None:
    from mock_server import FakeCartesia

    with FakeCartesia(organization_concurrency_limit=2, org_limit_holds_single_calls=True) as fake:
        body = {
            "agent_id": AGENT,
            "from_number_id": NUMBER,
            "outbound_calls": [{"to_number": "+14155550100"}, {"to_number": "+14155550101"}],
        }
        assert fake.client().post("/agents/calls", json=body).status_code == 200
        r = fake.client().post("/agents/calls", json=body)
        assert r.status_code == 429
        assert r.json()["error_code"] == "concurrency_limited"
        assert r.headers["retry-after"] == "1"
        fake.run_until_idle()
        assert fake.client().post("/agents/calls", json=body).status_code == 200


def test_facade_helpers_for_batches() -> None:
    from mock_server import FakeCartesia

    with FakeCartesia() as fake:
        numbers = [f"+1415555010{i}" for i in range(5)]
        made = (
            fake.client()
            .post(
                BATCHES,
                json={
                    "name": "c",
                    "agent_id": AGENT,
                    "from_number_id": NUMBER,
                    "target_concurrency_limit": 2,
                    "recipients": [{"to_number": n} for n in numbers],
                },
            )
            .json()
        )
        fake.run_until_idle()
        assert fake.batch(made["id"])["status"] == "completed"
        assert fake.assert_batch_concurrency(at_most=2, batch_id=made["id"]) == 2
        fake.assert_dialed_in_order(numbers, batch_id=made["id"])
        with pytest.raises(AssertionError, match="calls in flight"):
            fake.assert_batch_concurrency(at_most=1)
        with pytest.raises(AssertionError, match="dial order"):
            fake.assert_dialed_in_order(numbers[::-1], batch_id=made["id"])
