"""Batches and single calls together, driven through HTTP by a Hypothesis state machine and
checked at every step against an independent model: per-number spacing >= 1 s and FIFO, a
batch never over its concurrency limit, totals that agree with the recipients, nothing dialed
before scheduled_at, cancelled recipients never dialed, and each recipient's final outcome as
the model predicts it from its (magic) number."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from mock_server import FakeCartesia
from tests.conftest import examples

AGENT = FakeCartesia.agent_id
NUMBER = FakeCartesia.from_number_id
BATCHES = "/agents/calls/batches"

#: The model's own table: decade -> final recipient status (independent of the fake).
OUTCOME = {"00": "completed", "10": "failed", "20": "failed", "30": "failed", "40": "completed"}
#: Destinations refused before dialing (non-US, magic 90-99).
PRE_DIAL = ("+442071838750", "+14155550195")


def _ms(text: str) -> int:
    """Milliseconds since the epoch of an RFC 3339 UTC instant (the model's own parser)."""
    from datetime import datetime

    return round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def _text(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class ModelBatch:
    id: str
    numbers: list[str]
    limit: int
    scheduled_at: int | None
    cancelled: set[int] = field(default_factory=set)  # recipients cancelled while queued
    was_cancelled: bool = False


class BatchMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeCartesia(organization_concurrency_limit=6)
        self.http = self.fake.client()
        self.batches: list[ModelBatch] = []
        self.singles: list[str] = []

    def teardown(self) -> None:
        self.fake.close()

    # ---- rules --------------------------------------------------------------------------

    @rule(
        decades=st.lists(st.sampled_from([*OUTCOME, "pre"]), min_size=1, max_size=6),
        limit=st.integers(1, 3),
        delay=st.sampled_from([None, 0, 5, 61]),
    )
    def create_batch(self, decades: list[str], limit: int, delay: int | None) -> None:
        numbers = [
            PRE_DIAL[i % 2] if d == "pre" else f"+1415555{'01'}{d[0]}{i % 10}"
            for i, d in enumerate(decades)
        ]
        now = _ms(self.http.get("/__fake__/clock").json()["now"])
        body: dict[str, Any] = {
            "name": "model",
            "agent_id": AGENT,
            "from_number_id": NUMBER,
            "target_concurrency_limit": limit,
            "recipients": [{"to_number": n} for n in numbers],
        }
        scheduled = None
        if delay:
            scheduled = now + delay * 1000
            body["scheduled_at"] = _text(scheduled)
        r = self.http.post(BATCHES, json=body)
        assert r.status_code == 201, r.text
        made = r.json()  # the create answer: before any dispatch
        assert (made["status"], made["total_calls_dispatched"], made["admitted_at"]) == (
            "pending",
            0,
            None,
        )
        assert {rec["status"] for rec in made["recipients"]} == {"queued"}
        self.batches.append(ModelBatch(r.json()["id"], numbers, limit, scheduled))

    @rule(decade=st.sampled_from(list(OUTCOME)), n=st.integers(1, 3))
    def create_single(self, decade: str, n: int) -> None:
        calls = [{"to_number": f"+1212555{'01'}{decade[0]}{i}"} for i in range(n)]
        r = self.http.post(
            "/agents/calls",
            json={"agent_id": AGENT, "from_number_id": NUMBER, "outbound_calls": calls},
        )
        assert r.status_code == 200, r.text
        self.singles += [c["agent_call_id"] for c in r.json()["calls"]]

    @rule(seconds=st.sampled_from([0.5, 1, 3, 10, 45]))
    def advance(self, seconds: float) -> None:
        assert self.http.post("/__fake__/clock/advance", json={"seconds": seconds}).is_success

    @precondition(lambda self: bool(self.batches))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        batch = data.draw(st.sampled_from(self.batches))
        r = self.http.post(f"{BATCHES}/{batch.id}/cancel")
        assert r.status_code == 200, r.text
        if not batch.was_cancelled:
            batch.cancelled = {
                i for i, rec in enumerate(r.json()["recipients"]) if rec["status"] == "cancelled"
            }
            # a cancel takes only while something is still queued ("cancelled before every
            # call was dispatched"); on a batch fully dispatched it changes nothing
            batch.was_cancelled = bool(batch.cancelled)

    @precondition(lambda self: bool(self.batches))
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        batch = data.draw(st.sampled_from(self.batches))
        r = self.http.post(f"{BATCHES}/{batch.id}/retry")
        assert r.status_code == (400 if batch.was_cancelled else 200), r.text

    # ---- what must hold at every step ----------------------------------------------------

    def _batch(self, batch_id: str) -> dict[str, Any]:
        r = self.http.get(f"{BATCHES}/{batch_id}")
        assert r.status_code == 200
        body: dict[str, Any] = r.json()
        return body

    def _timeline(self, call_id: str) -> dict[str, int]:
        events = self.http.get(f"/__fake__/calls/{call_id}/timeline").json()["events"]
        return {e["event"]: _ms(e["at"]) for e in events}

    def _every_call(self) -> dict[str, dict[str, int]]:
        ids = list(self.singles)
        for model in self.batches:
            listed = self.http.get(
                "/agents/calls", params={"batch_id": model.id, "limit": 100}
            ).json()["data"]
            ids += [c["id"] for c in listed]
        return {i: self._timeline(i) for i in ids}

    @invariant()
    def one_dial_a_second_in_creation_order(self) -> None:
        calls = self._every_call()
        dialed = sorted(
            (t["dialed"], t["created"], call_id) for call_id, t in calls.items() if "dialed" in t
        )
        for (a, _, _), (b, _, _) in itertools.pairwise(dialed):
            assert b - a >= 1000, dialed  # one number: at most one dial a second
        created = [c for _, c, _ in dialed]
        assert created == sorted(created), dialed  # first created, first dialed

    @invariant()
    def batches_keep_their_limit_totals_and_schedule(self) -> None:
        for model in self.batches:
            batch = self._batch(model.id)
            statuses = [r["status"] for r in batch["recipients"]]
            dispatched = sum(s not in ("queued", "cancelled") for s in statuses)
            finished = sum(s in ("completed", "failed") for s in statuses)
            assert batch["total_calls_scheduled"] == len(model.numbers)
            assert batch["total_calls_dispatched"] == dispatched
            assert batch["total_calls_finished"] == finished
            assert batch["status"] == self._status(model, statuses), (batch["status"], statuses)
            if dispatched:
                admitted = _ms(batch["admitted_at"])
                assert admitted > _ms(batch["created_at"])  # never within the create
                assert model.scheduled_at is None or admitted >= model.scheduled_at
            for index in model.cancelled:
                assert statuses[index] == "cancelled"
                assert batch["recipients"][index]["agent_call_id"] is None
            listed = self.http.get(
                "/agents/calls", params={"batch_id": model.id, "limit": 100}
            ).json()["data"]
            spans = []
            for call in listed:
                timeline = self._timeline(call["id"])
                if model.scheduled_at is not None:
                    assert timeline["created"] >= model.scheduled_at
                spans.append((timeline["created"], timeline.get("ended", 2**62)))
            for start, _ in spans:  # in flight at each dispatch instant, that one included
                assert sum(s <= start < e for s, e in spans) <= model.limit

    @staticmethod
    def _status(model: ModelBatch, statuses: list[str]) -> str:
        """The docs' status table, row by row, from the recipients' statuses."""
        dispatched = sum(s not in ("queued", "cancelled") for s in statuses)
        if model.was_cancelled:
            return "cancelled"
        if dispatched == 0:
            return "pending"
        if dispatched < len(statuses):
            return "in_progress"
        if all(n in PRE_DIAL for n in model.numbers):
            return "failed"  # 2026-08-14: every recipient failed before dialing
        return "completed"

    def check_outcomes(self) -> None:
        """After everything ends: each recipient as the model predicts it."""
        assert self.http.post("/__fake__/clock/run-until-idle").is_success
        for model in self.batches:
            batch = self._batch(model.id)
            for index, (number, rec) in enumerate(
                zip(model.numbers, batch["recipients"], strict=True)
            ):
                if index in model.cancelled:
                    assert rec["status"] == "cancelled"
                elif number in PRE_DIAL:
                    assert (rec["status"], rec["agent_call_id"]) == ("failed", None)
                else:
                    assert rec["status"] == OUTCOME[number[-2] + "0"], (number, rec)


class Finishing(BatchMachine):
    def teardown(self) -> None:
        try:
            self.check_outcomes()
        finally:
            super().teardown()


Finishing.TestCase.settings = settings(
    max_examples=examples(0.25), stateful_step_count=12, deadline=None
)
TestBatchesVersusModel = Finishing.TestCase
