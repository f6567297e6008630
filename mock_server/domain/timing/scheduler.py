"""A min-heap of due call transitions. A call's ``pending`` step is its one live entry; an
entry whose step is no longer the call's ``pending`` is stale and skipped."""

from __future__ import annotations

import heapq

from mock_server.domain.calls.lifecycle import Step
from mock_server.domain.models import Call, CallStatus, Phase


class Scheduler:
    """Orders pending call transitions by due time (then by scheduling order)."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Call, Step]] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def schedule(self, call: Call, step: Step) -> None:
        """Make ``step`` the call's next transition."""
        call.pending = step
        self._seq += 1
        heapq.heappush(self._heap, (step.at, self._seq, call, step))

    def schedule_dials(self, calls: list[Call]) -> None:
        """Schedule new calls' dials (their first transition), in order."""
        heap, seq, push = self._heap, self._seq, heapq.heappush
        ringing, created = Phase.RINGING, CallStatus.CREATED
        for call in calls:
            seq += 1
            step = call.pending = Step(call.dial_at, "dialed", ringing, created)
            push(heap, (step.at, seq, call, step))
        self._seq = seq

    @staticmethod
    def unschedule(call: Call) -> None:
        call.pending = None  # its heap entry becomes stale and is dropped when reached

    def next_due(self) -> int | None:
        """When the earliest live transition is due, or None if nothing is pending."""
        heap = self._heap
        while heap and heap[0][2].pending is not heap[0][3]:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def pop_due(self, now: int) -> tuple[Call, Step] | None:
        """The next call whose transition is due at or before ``now``, with that step."""
        heap = self._heap
        while heap:
            at, _, call, step = heap[0]
            if call.pending is not step:
                heapq.heappop(heap)
                continue
            if at > now:
                return None
            heapq.heappop(heap)
            call.pending = None
            return call, step
        return None

    def drain(self) -> list[tuple[Call, Step]]:
        """Remove every live entry and return it (for the unobserved fast-forward)."""
        live = [(call, step) for _, _, call, step in self._heap if call.pending is step]
        self._heap.clear()
        for call, _ in live:
            call.pending = None
        return live
