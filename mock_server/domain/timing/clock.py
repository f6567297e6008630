"""Clocks: the only place the fake reads the system time.

Time is an integer count of milliseconds since the Unix epoch, so virtual arithmetic is exact.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal, Protocol

ClockMode = Literal["virtual", "real"]

#: Where a virtual clock starts unless told otherwise: 2026-03-01T12:00:00.000Z.
DEFAULT_EPOCH_MS = 1_772_366_400_000


class Clock(Protocol):
    """What the domain needs from a clock."""

    @property
    def mode(self) -> ClockMode: ...

    def now_ms(self) -> int: ...


class VirtualClock:
    """Time that moves only when told to (``advance`` / ``set``)."""

    mode: ClockMode = "virtual"

    def __init__(self, start_ms: int = DEFAULT_EPOCH_MS) -> None:
        self._now = start_ms

    def now_ms(self) -> int:
        return self._now

    def set(self, now_ms: int) -> None:
        if now_ms < self._now:
            raise ValueError(f"a clock cannot go backwards ({now_ms} < {self._now})")
        self._now = now_ms


class RealClock:
    """Wall-clock time, optionally sped up: with ``speed=60`` a real second is a minute."""

    mode: ClockMode = "real"

    def __init__(
        self,
        *,
        speed: float = 1.0,
        source: Callable[[], float] = time.time,
        not_before: int | None = None,
    ) -> None:
        """``not_before``: an instant the clock must not start earlier than (a sped-up clock
        restored from ``--state`` carries on from the last logged instant)."""
        if not speed > 0:
            raise ValueError(f"speed must be > 0, got {speed!r}")
        self._source = source
        self._origin_real = source()
        self._origin_ms = int(self._origin_real * 1000)
        if not_before is not None and not_before > self._origin_ms:
            self._origin_ms = not_before
        self.speed = speed

    def now_ms(self) -> int:
        elapsed = self._source() - self._origin_real
        return self._origin_ms + int(elapsed * 1000 * self.speed)


def monotonic() -> float:
    """Real elapsed seconds, for client-side pacing and timeouts only (the checker, the ``call``
    command, server start-up); never part of the fake's state."""
    return time.monotonic()


#: The latest instant a clock may reach: the start of year 9000, far from the calendar's end
#: (year 9999) so that every timestamp the fake derives (a call's end, a retry) still renders.
LATEST_MS = 221_845_392_000_000  # 9000-01-01T00:00:00Z


def rfc3339(ms: int) -> str:
    """``2026-03-01T12:00:00.000Z`` for a millisecond timestamp."""
    dt = datetime.fromtimestamp(ms // 1000, UTC)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"
