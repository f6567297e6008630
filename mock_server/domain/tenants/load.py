"""What the server-wide call bound counts: calls held and batch recipients queued across
every tenant in memory, kept as a running total.

Each tenant adds the change in its own count when it gives its lock back, so a create reads
the total in O(1) instead of summing over every tenant (2,000 tenants made each create ten
times slower). A tenant dropped from memory takes its share back out.
"""

from __future__ import annotations

import threading


class StoreLoad:
    """A running total of stored calls and queued recipients over every tenant."""

    def __init__(self) -> None:
        self._total = 0
        self._lock = threading.Lock()

    def total(self) -> int:
        """The total as the tenants last reported it (a count, not a snapshot)."""
        return self._total

    def add(self, delta: int) -> None:
        with self._lock:
            self._total += delta


__all__ = ["StoreLoad"]
