"""A min-heap of due transitions. Each call has at most one live entry; stale ones are skipped."""

from __future__ import annotations

import heapq

from mock_server.domain.models import Call


class Scheduler:
    """Orders pending call transitions by due time (then by scheduling order)."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Call]] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def schedule(self, call: Call, at: int) -> None:
        call.next_at = at
        self._seq += 1
        heapq.heappush(self._heap, (at, self._seq, call))

    def schedule_all(self, calls: list[Call]) -> None:
        """``schedule`` each call at its dial time, in order."""
        heap, seq = self._heap, self._seq
        for call in calls:
            seq += 1
            call.next_at = call.dial_at
            heapq.heappush(heap, (call.dial_at, seq, call))
        self._seq = seq

    def unschedule(self, call: Call) -> None:
        call.next_at = None  # its heap entry becomes stale and is dropped when reached

    def next_due(self) -> int | None:
        """When the earliest live transition is due, or None if nothing is pending."""
        heap = self._heap
        while heap and heap[0][2].next_at != heap[0][0]:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def pop_due(self, now: int) -> Call | None:
        """The next call whose transition is due at or before ``now``, or None."""
        heap = self._heap
        while heap:
            at, _, call = heap[0]
            if call.next_at != at:
                heapq.heappop(heap)
                continue
            if at > now:
                return None
            heapq.heappop(heap)
            call.next_at = None
            return call
        return None

    def drain(self) -> list[Call]:
        """Remove every live entry and return its calls (for the unobserved fast-forward)."""
        live = [call for at, _, call in self._heap if call.next_at == at]
        self._heap.clear()
        for call in live:
            call.next_at = None
        return live
