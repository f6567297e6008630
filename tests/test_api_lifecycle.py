"""Time and the call lifecycle, black-box through all three doors."""

from __future__ import annotations

from datetime import datetime

import pytest

from contracts import validate
from tests.conftest import AGENT, Door


def ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def now(door: Door) -> float:
    return ts(door.get("/__fake__/clock").json()["now"])


def dial_time(door: Door, call_id: str) -> float:
    [event] = [e for e in door.timeline(call_id) if e["event"] == "dialed"]
    return ts(event["at"])


def test_eight_calls_two_requests_dial_one_second_apart_fifo(door: Door) -> None:
    first = door.call_ids(*[f"+1212555{1000 + i}" for i in range(5)])
    door.advance(0.25)
    second = door.call_ids(*[f"+1212555{2000 + i}" for i in range(3)])
    start = now(door) - 0.25
    queue = door.get("/__fake__/queue").json()
    validate("control_queue", queue)
    [lane] = queue["numbers"]
    waiting = [w["agent_call_id"] for w in lane["waiting"]]
    assert waiting == first[1:] + second  # the first call dialed at once
    assert [w["position"] for w in lane["waiting"]] == list(range(1, 8))
    predicted = [ts(w["dial_at"]) - start for w in lane["waiting"]]
    assert predicted == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    door.advance(10)
    dials = [dial_time(door, c) - start for c in first + second]
    assert dials == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert door.get("/__fake__/queue").json() == {"numbers": []}


def test_pacing_is_per_number(door: Door) -> None:
    door.post("/__fake__/phone-numbers", json={"id": "ap_second", "number": "+12025550120"})
    a = door.call_ids("+12125551000", "+12125551001")
    r = door.post(
        "/agents/calls",
        json={
            "from_number_id": "ap_second",
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "+12125551002"}, {"to_number": "+12125551003"}],
        },
    )
    b = [c["agent_call_id"] for c in r.json()["calls"]]
    start = now(door)
    door.advance(5)
    assert [dial_time(door, c) - start for c in a] == [0.0, 1.0]
    assert [dial_time(door, c) - start for c in b] == [0.0, 1.0]


def test_pacing_gap_is_kept_after_idle_time(door: Door) -> None:
    [a] = door.call_ids("+12125551000")
    door.advance(0.4)
    [b] = door.call_ids("+12125551001")
    door.advance(3)
    [c] = door.call_ids("+12125551002")
    door.advance(1)
    assert dial_time(door, b) - dial_time(door, a) == 1.0
    assert dial_time(door, c) - dial_time(door, b) == pytest.approx(2.4)


def test_twilio_numbers_are_not_paced(door: Door) -> None:
    door.post(
        "/__fake__/phone-numbers",
        json={"id": "ap_tw", "number": "+12025550121", "provider": "twilio"},
    )
    r = door.post(
        "/agents/calls",
        json={
            "from_number_id": "ap_tw",
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "+12125551000"}] * 3,
        },
    )
    ids = [c["agent_call_id"] for c in r.json()["calls"]]
    start = now(door)
    door.advance(1)
    assert [dial_time(door, c) - start for c in ids] == [0.0, 0.0, 0.0]


# XX decade -> (events with offsets from dial, final status, end reason, error_message set)
MAGIC = {
    0: ([("answered", 2), ("ended", 32)], "completed", "client_hangup"),
    1: ([("ended", 3)], "failed", "dial_busy"),
    2: ([("ended", 30)], "failed", "dial_no_answer"),
    3: ([("ended", 1)], "failed", "dial_failed"),
    4: ([("answered", 2), ("ended", 12)], "completed", "agent_hangup"),
    5: ([("answered", 2), ("ended", 2 + 60)], "completed", "max_duration"),
    6: ([("answered", 2), ("ended", 7)], "failed", "error"),
}


@pytest.mark.parametrize("decade", sorted(MAGIC))
def test_magic_number_timelines_to_the_second(door: Door, decade: int) -> None:
    expected, status, reason = MAGIC[decade]
    [call_id] = door.call_ids(
        f"+1415555010{decade}"[:-2] + f"{decade}7",
        ringing_timeout_seconds=30,
        max_call_duration_minutes=1,
    )
    start = now(door)
    door.run_until_idle()
    timeline = door.timeline(call_id)
    validate("control_timeline", {"events": timeline})
    got = [(e["event"], ts(e["at"]) - start) for e in timeline]
    assert got == [("created", 0.0), ("dialed", 0.0), *[(e, float(t)) for e, t in expected]]
    call = door.call(call_id)
    door.validate("agent_call", call)
    assert (call["status"], call["end_reason"]) == (status, reason)
    assert timeline[-1]["status"] == status
    assert timeline[-1]["end_reason"] == reason
    answered = any(e == "answered" for e, _ in expected)
    assert (call["start_time"] is not None) == answered
    assert (call["error_message"] is not None) == (reason == "error")
    assert ts(call["end_time"]) - start == expected[-1][1]


def test_status_while_queued_ringing_and_talking(door: Door) -> None:
    ids = door.call_ids("+14155550100", "+14155550101")
    assert [door.call(c)["status"] for c in ids] == ["created", "created"]
    door.advance(1.999)
    assert door.call(ids[0])["status"] == "created"  # ringing
    door.advance(0.001)
    assert door.call(ids[0])["status"] == "started"
    assert door.call(ids[1])["status"] == "created"
    door.advance(1)
    assert door.call(ids[1])["status"] == "started"


@pytest.mark.parametrize("timeout", [5, 37, 80])
def test_ringing_timeout_boundary(door: Door, timeout: int) -> None:
    [call_id] = door.call_ids("+14155550125", ringing_timeout_seconds=timeout)
    door.advance(timeout - 1)
    assert door.call(call_id)["status"] == "created"
    door.advance(0.999)
    assert door.call(call_id)["status"] == "created"
    door.advance(0.001)
    call = door.call(call_id)
    assert (call["status"], call["end_reason"]) == ("failed", "dial_no_answer")


def test_default_ringing_timeout_is_60(door: Door) -> None:
    [call_id] = door.call_ids("+14155550125")
    door.advance(59.999)
    assert door.call(call_id)["status"] == "created"
    door.advance(0.001)
    assert door.call(call_id)["end_reason"] == "dial_no_answer"


def test_callee_script_overrides_magic_number(door: Door) -> None:
    r = door.put(
        "/__fake__/callees/+14155550100",
        json={"outcome": "answer", "ring_seconds": 7, "talk_seconds": 4, "hangup_by": "agent"},
    )
    assert r.status_code == 200, r.text
    [call_id] = door.call_ids("+14155550100")
    door.run_until_idle()
    events = [(e["event"], e.get("end_reason")) for e in door.timeline(call_id)]
    assert events[-1] == ("ended", "agent_hangup")
    call = door.call(call_id)
    assert ts(call["end_time"]) - ts(call["start_time"]) == 4


def test_slow_answer_beyond_timeout_is_no_answer(door: Door) -> None:
    door.put("/__fake__/callees/+12125551234", json={"outcome": "answer", "ring_seconds": 20})
    [call_id] = door.call_ids("+12125551234", ringing_timeout_seconds=20)
    door.run_until_idle()
    assert door.call(call_id)["end_reason"] == "dial_no_answer"


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "ring"},
        {"outcome": "answer", "ring_seconds": -1},
        {},
        {"outcome": "busy", "extra": 1},
    ],
)
def test_bad_callee_script_is_400(door: Door, body: dict) -> None:
    r = door.put("/__fake__/callees/+12125551234", json=body)
    assert r.status_code == 400
    validate("error", r.json())
    r = door.put("/__fake__/callees/not-a-number", json={"outcome": "busy"})
    assert r.status_code == 400


def test_run_until_idle_ends_every_call(door: Door) -> None:
    numbers = [f"+1415555{d:04d}" for d in (100, 110, 120, 130, 140, 150, 160, 9876)]
    ids = door.call_ids(*numbers)
    door.run_until_idle()
    assert {door.call(c)["status"] for c in ids} <= {"completed", "failed"}


def test_cancel_rules(door: Door) -> None:
    [call_id] = door.call_ids("+14155550150")
    r = door.post(f"/agents/calls/{call_id}/cancel")
    assert r.status_code == 400
    assert r.json()["error_code"] == "call_not_active"
    door.advance(2)
    r = door.post(f"/agents/calls/{call_id}/cancel")
    assert r.status_code == 200
    assert r.json() == {"cancelled": True}
    call = door.call(call_id)
    assert (call["status"], call["end_reason"]) == ("completed", "api_cancelled")
    assert call["end_time"] == door.get("/__fake__/clock").json()["now"]
    assert door.post(f"/agents/calls/{call_id}/cancel").status_code == 400
    door.run_until_idle()  # the cancelled call's old hang-up never fires
    assert door.call(call_id)["end_reason"] == "api_cancelled"
    assert door.post("/agents/calls/call_0000000000000000/cancel").status_code == 404


def test_delete_rules_and_redaction(door: Door) -> None:
    [call_id] = door.call_ids("+14155550100")
    door.post("/agents/calls", json={})  # noise in the journal
    r = door.delete(f"/agents/calls/{call_id}")
    assert r.status_code == 400
    assert r.json()["error_code"] == "call_not_ended"
    door.advance(3)
    assert door.delete(f"/agents/calls/{call_id}").status_code == 400  # started
    door.run_until_idle()
    r = door.delete(f"/agents/calls/{call_id}")
    assert r.status_code == 200
    body = r.json()
    door.validate("agent_call", body)
    assert body["redacted_at"] is not None
    for gone in ("transcript", "metadata", "summary"):
        assert gone not in body
    assert "to" not in body["telephony_params"]
    assert "from" not in body["telephony_params"]
    assert door.call(call_id) == body
    again = door.delete(f"/agents/calls/{call_id}").json()
    assert again["redacted_at"] == body["redacted_at"]
    assert door.delete("/agents/calls/call_0000000000000000").status_code == 404


def test_audio_rules(door: Door) -> None:
    answered, busy = door.call_ids("+14155550100", "+14155550110")
    assert door.get(f"/agents/calls/{answered}/audio").status_code == 404  # not ended
    door.run_until_idle()
    r = door.get(f"/agents/calls/{answered}/audio")
    assert r.status_code == 200
    assert r.headers["content-type"] == "audio/wav"
    assert r.content[:4] == b"RIFF"
    assert r.content[8:12] == b"WAVE"
    assert len(r.content) == 44 + 30 * 8000
    assert door.get(f"/agents/calls/{busy}/audio").status_code == 404
    door.delete(f"/agents/calls/{answered}")
    assert door.get(f"/agents/calls/{answered}/audio").status_code == 404


def test_transcript_grows_with_talk_time(door: Door) -> None:
    [call_id] = door.call_ids(
        "+14155550175",
        outbound_calls=[{"to_number": "+14155550175", "metadata": {"customer_name": "Ada"}}],
    )
    assert door.call(call_id)["transcript"] is None
    door.advance(2 + 10)
    partial = door.call(call_id)["transcript"]
    door.run_until_idle()
    full = door.call(call_id)["transcript"]
    assert 0 < len(partial) < len(full)
    assert full[0]["role"] == "assistant"
    assert "Ada" in full[0]["text"]
    assert all(t["end_timestamp"] <= 30 for t in full)


def test_clocks_are_isolated_per_tenant(door: Door) -> None:
    door.advance(100)
    other = {"authorization": f"Bearer {door.key}-other"}
    mine = door.get("/__fake__/clock").json()["now"]
    theirs = door.get("/__fake__/clock", headers=other).json()["now"]
    assert ts(mine) - ts(theirs) == 100


def test_advance_rejects_bad_input(door: Door) -> None:
    for body in ({"seconds": -1}, {"seconds": "1"}, {}, {"seconds": float("1e30")}):
        r = door.post("/__fake__/clock/advance", json=body)
        assert r.status_code == 400, body
        validate("error", r.json())


def test_reset_gives_a_fresh_world_keeping_the_clock(door: Door) -> None:
    [call_id] = door.call_ids("+14155550100")
    door.advance(5)
    before = door.get("/__fake__/clock").json()
    assert door.post("/__fake__/reset").json() == {"reset": True}
    assert door.get(f"/agents/calls/{call_id}").status_code == 404
    assert door.get("/__fake__/clock").json() == before
    assert door.dial("+14155550100").status_code == 200  # seed re-applied
