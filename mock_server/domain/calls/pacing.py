"""Dial pacing: one dial per interval per number (or per organisation), first come first served."""

from __future__ import annotations

from collections import deque

from mock_server.domain.models import Call


class DialPacer:
    """Assigns dial times and keeps each number's FIFO of calls still waiting to dial."""

    def __init__(self, interval_ms: int) -> None:
        self.interval_ms = interval_ms
        self._last_dial: dict[str, int] = {}
        self.waiting: dict[str, deque[Call]] = {}

    def assign(self, call: Call, *, now: int, lane: str | None) -> int:
        """Dial time for a new call: ``max(now, previous dial in its lane + interval)``.

        ``lane`` is None for unpaced numbers (they dial at once).
        """
        self.assign_all([call], now=now, lane=lane)
        return call.dial_at

    def assign_all(
        self, calls: list[Call], *, now: int, lane: str | None, queue: bool = True
    ) -> None:
        """``assign`` for each of ``calls`` in order (one request's calls, one number).
        ``queue`` False leaves them out of the number's FIFO view (the fast-forward, which
        dials them at once)."""
        if not calls:
            return
        if lane is not None:
            last = self._last_dial.get(lane)
            dial_at = now if last is None else max(now, last + self.interval_ms)
            step = self.interval_ms
            for call in calls:
                call.dial_at = dial_at
                dial_at += step
            self._last_dial[lane] = calls[-1].dial_at
        else:
            for call in calls:
                call.dial_at = now
        if queue:
            self.waiting.setdefault(calls[0].from_number_id, deque()).extend(calls)

    def assign_one(self, call: Call, *, now: int, lane: str | None, queue: bool) -> None:
        """``assign_all`` for a single call (the dispatcher's common case), without lists."""
        if lane is not None:
            last = self._last_dial.get(lane)
            dial_at = (
                now if last is None or last + self.interval_ms < now else last + self.interval_ms
            )
            self._last_dial[lane] = dial_at
            call.dial_at = dial_at
        else:
            call.dial_at = now
        if queue:
            self.waiting.setdefault(call.from_number_id, deque()).append(call)

    def dialed(self, call: Call) -> None:
        """Drop ``call`` from the head of its number's FIFO once it has dialed."""
        queue = self.waiting.get(call.from_number_id)
        if queue and queue[0] is call:
            queue.popleft()
        elif queue:
            queue.remove(call)
        if queue is not None and not queue:
            del self.waiting[call.from_number_id]
