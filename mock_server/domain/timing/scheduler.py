"""A min-heap of due call transitions. A call's ``pending`` is its one live heap entry; an
entry that is no longer the call's ``pending`` is stale and skipped.

An entry is ``(at, seq, call)`` for a new call's dial, whose step is made when it is due
(``lifecycle.dial_step``: a million queued calls hold no step objects), or
``(at, seq, call, step)`` for any other transition."""

from __future__ import annotations

import heapq
from typing import Any

from mock_server.domain.calls.lifecycle import Step, dial_step
from mock_server.domain.models import Call

#: ``(at, seq, call)`` or ``(at, seq, call, step)``.
Entry = tuple[Any, ...]


def _step(entry: Entry) -> Step:
    return entry[3] if len(entry) == 4 else dial_step(entry[2])


class Scheduler:
    """Orders pending call transitions by due time (then by scheduling order)."""

    def __init__(self) -> None:
        self._heap: list[Entry] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def schedule(self, call: Call, step: Step) -> None:
        """Make ``step`` the call's next transition."""
        self._seq += 1
        entry = call.pending = (step.at, self._seq, call, step)
        heapq.heappush(self._heap, entry)

    def schedule_dials(self, calls: list[Call]) -> None:
        """Schedule new calls' dials (their first transition), in order."""
        heap, seq, push = self._heap, self._seq, heapq.heappush
        for call in calls:
            seq += 1
            entry = call.pending = (call.dial_at, seq, call)
            push(heap, entry)
        self._seq = seq

    @staticmethod
    def unschedule(call: Call) -> None:
        call.pending = None  # its heap entry becomes stale and is dropped when reached

    def next_due(self) -> int | None:
        """When the earliest live transition is due, or None if nothing is pending."""
        heap = self._heap
        while heap and heap[0][2].pending is not heap[0]:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def pop_due(self, now: int) -> tuple[Call, Step] | None:
        """The next call whose transition is due at or before ``now``, with that step."""
        heap = self._heap
        while heap:
            entry = heap[0]
            call = entry[2]
            if call.pending is not entry:
                heapq.heappop(heap)
                continue
            if entry[0] > now:
                return None
            heapq.heappop(heap)
            call.pending = None
            return call, _step(entry)
        return None

    def drain(self) -> list[Call]:
        """Remove every live entry; the calls they were for (for the unobserved
        fast-forward, which settles each call's whole plan at once)."""
        live = [e[2] for e in self._heap if e[2].pending is e]
        self._heap.clear()
        for call in live:
            call.pending = None
        return live
