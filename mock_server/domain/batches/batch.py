"""Call batches as records: a batch, its recipients, and the statuses derived from them.

Nothing here is stored twice: a recipient's status is read from its latest call (or from
why it never got one), and a batch's status and totals are counted from its recipients, so
they always agree. The batch status follows the docs' table: it says how far *dispatch*
has got, not how the calls ended (ledger ``batches.status``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from mock_server.domain.models import Call, CallStatus

RecipientStatus = Literal["queued", "dispatched", "started", "completed", "failed", "cancelled"]
BatchStatus = Literal["pending", "in_progress", "completed", "failed", "cancelled"]

_OF_CALL: MappingProxyType[CallStatus, RecipientStatus] = MappingProxyType(
    {
        CallStatus.CREATED: "dispatched",
        CallStatus.STARTED: "started",
        CallStatus.COMPLETED: "completed",
        CallStatus.FAILED: "failed",
    }
)


@dataclass(slots=True, eq=False)
class Recipient:
    """One destination of a batch (its index is its place in ``Batch.recipients``). ``call``
    is its latest attempt; ``error`` says why it failed before a call could be placed;
    ``cancelled`` that the batch stopped it."""

    to_number: str
    metadata: dict[str, Any] | None
    dynamic_variables: dict[str, Any] | None
    call: Call | None = None
    error: str | None = None
    cancelled: bool = False

    @property
    def status(self) -> RecipientStatus:
        if self.cancelled:
            return "cancelled"
        if self.error is not None:
            return "failed"
        if self.call is None:
            return "queued"
        return _OF_CALL[self.call.status]

    @property
    def end_reason(self) -> str | None:
        """Why the latest attempt ended (None while it has not)."""
        return None if self.call is None else self.call.end_reason


@dataclass(slots=True, eq=False)
class Batch:
    """A batch of outbound calls, drained by the dispatcher at most ``limit`` at a time."""

    id: str
    name: str
    agent_id: str
    from_number_id: str
    region: str
    limit: int
    ringing_timeout_ms: int
    max_duration_ms: int
    created_at: int
    scheduled_at: int | None
    recipients: list[Recipient]
    updated_at: int = 0
    retry_count: int = 0
    cancelled_at: int | None = None
    #: When the dispatcher first took the batch up (its start had come and it had room).
    admitted_at: int | None = None
    #: Indices of the recipients still waiting, in dial order.
    queue: deque[int] = field(default_factory=deque)
    #: This batch's calls not yet ended.
    in_flight: int = 0
    #: Every call placed for the batch, every attempt, oldest first.
    calls: list[Call] = field(default_factory=list)
    #: The order key of the batch in List Call Batches (its creation sequence).
    seq: int = 0
    #: Bumped by every change a reader could see (a dispatch, a call's step, a cancel, a
    #: retry): equal counts render equal answers (``routes/batches.py`` caches them).
    changes: int = 0
    #: ``totals()`` and ``status()`` as of ``changes`` = ``_summed_at`` (a list of a big
    #: batch costs what a small one does until it changes).
    _summed_at: int = -1
    _summary: tuple[int, int, int, BatchStatus] = (0, 0, 0, "pending")
    #: ``calls`` sorted by ``listing.order_key`` as of ``changes`` = ``_ordered_at``.
    _ordered_at: int = -1
    _ordered: list[Call] = field(default_factory=list)

    def recipient_id(self, index: int) -> str:
        return f"acr_{self.id[4:]}{index:04d}"

    def ordered_calls(self, key: Callable[[Call], tuple[int, int]]) -> list[Call]:
        """Every attempt sorted by ``key`` (List Calls' order), sorted once per change."""
        if self._ordered_at != self.changes:
            self._ordered = sorted(self.calls, key=key)
            self._ordered_at = self.changes
        return self._ordered

    def totals(self) -> tuple[int, int, int]:
        """(scheduled, dispatched, finished): every recipient; those handed to the dialer
        (a call placed, or failed before one could be); those whose latest attempt ended."""
        return self._summed()[:3]

    def status(self) -> BatchStatus:
        """Derived at read time from dispatch progress, row by row of the docs' table:
        cancelled before every recipient was dispatched; nothing dispatched yet; some
        dispatched; every recipient dispatched, whatever the calls' outcomes (failed when
        every one of them failed before dialing)."""
        return self._summed()[3]

    def _summed(self) -> tuple[int, int, int, BatchStatus]:
        if self._summed_at != self.changes:
            totals = self._count()
            self._summary = (*totals, self._derive_status(totals))
            self._summed_at = self.changes
        return self._summary

    def _count(self) -> tuple[int, int, int]:
        dispatched = finished = 0
        for r in self.recipients:
            status = r.status
            if status not in ("queued", "cancelled"):
                dispatched += 1
                if status in ("completed", "failed"):
                    finished += 1
        return len(self.recipients), dispatched, finished

    def _derive_status(self, totals: tuple[int, int, int]) -> BatchStatus:
        if self.cancelled_at is not None and any(r.cancelled for r in self.recipients):
            return "cancelled"
        scheduled, dispatched, _ = totals
        if dispatched == 0:
            return "pending"
        if dispatched < scheduled:
            return "in_progress"
        if all(r.error is not None for r in self.recipients):
            return "failed"
        return "completed"
