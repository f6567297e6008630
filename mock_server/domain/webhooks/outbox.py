"""Webhook deliveries as data: what is due when, faults that bend delivery, and the record.

Deliveries are scheduled on the tenant's clock like call transitions. Sending is not done here
(no I/O in the domain): the tenant hands each due delivery to an injected sender and records
the answer; receiver errors are retried with backoff on the same clock.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from mock_server.domain.calls.readmodels import CallView
    from mock_server.domain.calls.transcripts import Turn
    from mock_server.domain.models import Call
    from mock_server.domain.tenants.world import World

FaultKind = Literal["drop", "duplicate", "reorder", "delay"]
RETRY_BACKOFF_MS = (1_000, 2_000, 4_000, 8_000, 16_000)


@dataclass(slots=True)
class Delivery:
    """One event to POST to an agent's webhook. ``attempts`` counts sends so far.

    It holds what the event is about (a snapshot of the call, and the turn for ``call_turn``);
    the sender renders the payload in the API version's shape."""

    id: str
    event: str
    url: str
    secret: str
    call: CallView
    due: int
    turn: Turn | None = None
    attempts: int = 0
    results: list[str] = field(default_factory=list)
    state: str = "pending"  # pending, delivered, failed, dropped

    @property
    def call_id(self) -> str:
        return self.call.call.id


@dataclass(slots=True)
class WebhookFault:
    kind: FaultKind
    event: str | None = None
    delay_seconds: float = 0.0
    times: int | None = None
    hits: int = 0

    def matches(self, event: str) -> bool:
        return self.event is None or self.event == event


class Outbox:
    """Pending deliveries by due time, the faults that bend them, and a bounded record."""

    def __init__(self, record_size: int) -> None:
        self._heap: list[tuple[int, int, Delivery]] = []
        self._seq = 0
        self.faults: list[WebhookFault] = []
        self.record: deque[Delivery] = deque(maxlen=record_size)
        self._held: list[Delivery] = []

    def __len__(self) -> int:
        return len(self._heap)

    def _take_fault(self, event: str) -> WebhookFault | None:
        for fault in self.faults:
            if fault.matches(event):
                fault.hits += 1
                if fault.times is not None and fault.hits >= fault.times:
                    self.faults.remove(fault)
                return fault
        return None

    def _push(self, delivery: Delivery) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (delivery.due, self._seq, delivery))

    def enqueue(self, delivery: Delivery) -> None:
        """Schedule a new delivery, bent by the first matching fault."""
        self.record.append(delivery)
        fault = self._take_fault(delivery.event)
        if fault is None:
            self._push(delivery)
        elif fault.kind == "drop":
            delivery.state = "dropped"
        elif fault.kind == "delay":
            delivery.due += round(fault.delay_seconds * 1000)
            self._push(delivery)
        elif fault.kind == "duplicate":
            self._push(delivery)
            twin = Delivery(
                delivery.id,
                delivery.event,
                delivery.url,
                delivery.secret,
                delivery.call,
                delivery.due,
                delivery.turn,
            )
            self.record.append(twin)
            self._push(twin)
        else:  # reorder: hold it back until the next delivery has been queued
            self._held.append(delivery)
            return
        for held in self._held:
            held.due = max(held.due, delivery.due)
            self._push(held)
        self._held.clear()

    def next_due(self) -> int | None:
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: int) -> Delivery | None:
        if self._heap and self._heap[0][0] <= now:
            return heapq.heappop(self._heap)[2]
        return None

    def settle(self, delivery: Delivery, result: str, ok: bool) -> None:
        """Record one attempt; retry later (on the clock) unless delivered or out of tries."""
        delivery.attempts += 1
        delivery.results.append(result)
        if ok:
            delivery.state = "delivered"
        elif delivery.attempts <= len(RETRY_BACKOFF_MS):
            delivery.due += RETRY_BACKOFF_MS[delivery.attempts - 1]
            self._push(delivery)
        else:
            delivery.state = "failed"


_EVENT_OF_END = MappingProxyType({"completed": "call_completed", "failed": "call_failed"})


def emit(world: World, call: Call, event: str, at: int, view: Callable[[Call], CallView]) -> None:
    """Queue the webhook events of one transition for the call's agent, if it has a webhook.

    Events: ``call_started`` and one ``call_turn`` per bridged turn on the answer;
    ``call_completed`` or ``call_failed``, and for an answered call ``post_call_analysis``,
    at the end."""
    agent = world.agents.get(call.agent_id)
    if agent is None or agent.webhook is None:
        return
    hook = agent.webhook
    snapshot = view(call)

    def queue(name: str, due: int, turn: Turn | None = None) -> None:
        world.outbox.enqueue(
            Delivery(
                world.ids.prefixed("whd_", 16), name, hook.url, hook.secret, snapshot, due, turn
            )
        )

    if event == "answered":
        queue("call_started", at)
        assert call.answered_at is not None
        for turn in call.transcript or ():
            queue("call_turn", call.answered_at + round(turn.end * 1000), turn)
    elif event == "ended":
        queue(_EVENT_OF_END[call.status.value], at)
        if call.answered_at is not None:
            queue("post_call_analysis", at)
