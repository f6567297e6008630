"""A Hypothesis state machine that drives the fake only through HTTP and checks every
observation against a small, independent reference model (a pacing queue and a status table).
"""

from __future__ import annotations

from dataclasses import dataclass

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
)

from mock_server import FakeCartesia
from tests.conftest import examples

AGENT = FakeCartesia.agent_id
NUMBERS = {"ap_Q8PRh7lXyZsawXJmN2KcT5": "cartesia", "ap_second": "cartesia", "ap_tw": "twilio"}

# Reference behaviours, written independently of the fake: decade -> (ring, talk or None,
# outcome). talk None = until max duration.
REF = {
    "00": (2, 30, "client_hangup"),
    "10": (3, None, "dial_busy"),
    "20": (None, None, "dial_no_answer"),
    "30": (1, None, "dial_failed"),
    "40": (2, 10, "agent_hangup"),
    "50": (2, None, "max_duration"),
    "60": (2, 5, "error"),
    "95": (None, None, "rejected"),
}


@dataclass
class RefCall:
    dial: float
    decade: str
    timeout: int
    max_s: int
    cancelled_at: float | None = None

    def answer_at(self) -> float | None:
        ring, _, outcome = REF[self.decade]
        if (
            outcome in ("client_hangup", "agent_hangup", "max_duration", "error")
            and ring is not None
        ):
            return self.dial + ring if ring < self.timeout else None
        return None

    def state(self, t: float) -> tuple[str, str | None]:
        ring, talk, outcome = REF[self.decade]
        answered = self.answer_at()
        if answered is None:
            if outcome in ("dial_busy", "dial_failed") and ring is not None and ring < self.timeout:
                end = self.dial + ring
                return ("failed", outcome) if t >= end else ("created", None)
            end = self.dial + self.timeout
            return ("failed", "dial_no_answer") if t >= end else ("created", None)
        if t < answered:
            return ("created", None)
        limit = answered + self.max_s
        if outcome == "max_duration" or answered + talk >= limit:  # type: ignore[operator]
            end, status, reason = limit, "completed", "max_duration"
        else:
            end = answered + talk  # type: ignore[operator]
            status = "failed" if outcome == "error" else "completed"
            reason = outcome
        if self.cancelled_at is not None and self.cancelled_at < end:
            return ("completed", "api_cancelled")
        return (status, reason) if t >= end else ("started", None)


class FakeVersusModel(RuleBasedStateMachine):
    calls = Bundle("calls")

    @initialize()
    def setup(self) -> None:
        self.fake = FakeCartesia()
        self.http = self.fake.client()
        self.now = 0.0
        self.last_dial: dict[str, float] = {}
        self.model: dict[str, RefCall] = {}
        for number_id, provider in NUMBERS.items():
            if number_id != "ap_Q8PRh7lXyZsawXJmN2KcT5":
                r = self.http.post(
                    "/__fake__/phone-numbers",
                    json={"id": number_id, "number": "+12025550177", "provider": provider},
                )
                assert r.status_code == 201

    def teardown(self) -> None:
        if hasattr(self, "fake"):
            self.fake.close()
            assert not self.fake.problems()

    @rule(
        target=calls,
        number_id=st.sampled_from(sorted(NUMBERS)),
        decades=st.lists(st.sampled_from(sorted(REF)), min_size=1, max_size=4),
        timeout=st.sampled_from([5, 20, 60]),
        max_minutes=st.sampled_from([1, 2]),
    )
    def create(self, number_id: str, decades: list[str], timeout: int, max_minutes: int):
        body = {
            "from_number_id": number_id,
            "agent_id": AGENT,
            "ringing_timeout_seconds": timeout,
            "max_call_duration_minutes": max_minutes,
            "outbound_calls": [{"to_number": f"+1303555{'01'}{d}"} for d in decades],
        }
        r = self.http.post("/agents/calls", json=body)
        assert r.status_code == 200, r.text
        results = r.json()["calls"]
        assert [c["number"] for c in results] == [i["to_number"] for i in body["outbound_calls"]]
        created = []
        for decade, item in zip(decades, results, strict=True):
            if decade == "95":
                assert "error" in item
                assert "agent_call_id" not in item
                continue
            if NUMBERS[number_id] == "cartesia":
                prev = self.last_dial.get(number_id)
                dial = self.now if prev is None else max(self.now, prev + 1)
                self.last_dial[number_id] = dial
            else:
                dial = self.now
            self.model[item["agent_call_id"]] = RefCall(dial, decade, timeout, max_minutes * 60)
            created.append(item["agent_call_id"])
        return multiple(*created, "call_unknown00000000")

    @rule(seconds=st.sampled_from([0, 0.5, 1, 1.5, 2, 3, 5, 20, 61]))
    def advance(self, seconds: float) -> None:
        r = self.http.post("/__fake__/clock/advance", json={"seconds": seconds})
        assert r.status_code == 200
        self.now += seconds

    @rule(call_id=calls)
    def read(self, call_id: str) -> None:
        r = self.http.get(f"/agents/calls/{call_id}")
        if call_id not in self.model:
            assert r.status_code == 404
            return
        body = r.json()
        assert (body["status"], body["end_reason"]) == self.model[call_id].state(self.now), (
            call_id,
            self.fake.timeline(call_id),
        )

    @rule(call_id=calls)
    def cancel(self, call_id: str) -> None:
        r = self.http.post(f"/agents/calls/{call_id}/cancel")
        if call_id not in self.model:
            assert r.status_code == 404
            return
        ref = self.model[call_id]
        if ref.state(self.now)[0] == "started":
            assert r.status_code == 200, r.text
            ref.cancelled_at = self.now
        else:
            assert r.status_code == 400, r.text

    @rule(call_id=consumes(calls))
    def delete(self, call_id: str) -> None:
        r = self.http.delete(f"/agents/calls/{call_id}")
        if call_id not in self.model:
            assert r.status_code == 404
            return
        ended = self.model[call_id].state(self.now)[0] in ("completed", "failed")
        assert r.status_code == (200 if ended else 400)

    @invariant()
    def queue_matches_model(self) -> None:
        if not hasattr(self, "fake"):
            return
        queue = self.http.get("/__fake__/queue").json()["numbers"]
        seen = {w["agent_call_id"] for lane in queue for w in lane["waiting"]}
        expected = {c for c, ref in self.model.items() if ref.dial > self.now}
        assert seen == expected


TestFakeVersusModel = FakeVersusModel.TestCase
TestFakeVersusModel.settings = settings(
    max_examples=examples(2), stateful_step_count=25, deadline=None
)
