"""Assertions for dialer tests, with failure messages that show what happened.

Each raises AssertionError with the relevant calls' timelines and journal lines, so a failing
test explains itself. They are also methods of ``FakeCartesia`` (``fake.assert_dialed(...)``).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mock_server.domain.models import Call, Phase
from mock_server.domain.reads import lookups
from mock_server.domain.tenants.tenant import Tenant
from mock_server.domain.timing.clock import rfc3339
from mock_server.http.control_views import timeline
from mock_server.service import ledger


def _calls(tenant: Tenant) -> list[Call]:
    with tenant.transaction() as tx:
        return sorted(tx.world.calls.values(), key=lambda c: c.seq)


def runaway(tenant: Tenant) -> str:
    """For a budget's message: the most polled calls (rate and span), then ``describe``."""
    stats = lookups.poll_stats(tenant)
    polls = sorted(stats.items(), key=lambda kv: -kv[1].count)[:5]
    lines = "".join(f"\n  {stat.describe(call_id)}" for call_id, stat in polls)
    return f"The most polled calls:{lines or ' none'}\n{describe(tenant)}"


def describe(tenant: Tenant, calls: Sequence[Call] | None = None, *, journal_lines: int = 8) -> str:
    """A readable state of the tenant: each call's timeline, then the last journal lines."""
    chosen = list(calls) if calls is not None else _calls(tenant)
    lines = [f"now {rfc3339(tenant.now_ms())}; {len(chosen)} call(s):"]
    for call in chosen:
        events = ", ".join(
            f"{e['event']}@{e['at'][11:23]}" + (f"({e['end_reason']})" if "end_reason" in e else "")
            for e in timeline(call)
        )
        lines.append(f"  {call.id} {call.from_number_id} -> {call.to_number}: {events}")
    journal = lookups.journal(tenant)[-journal_lines:]
    if journal:
        lines.append("last requests:")
        for entry in journal:
            warn = f"  !! {'; '.join(entry.warnings)}" if entry.warnings else ""
            lines.append(
                f"  {rfc3339(entry.at)[11:23]} {entry.method} {entry.path} -> "
                f"{entry.status or 'dropped'}{warn}"
            )
    return "\n".join(lines)


def dialed(tenant: Tenant, number: str, *, times: int | None = None) -> list[Call]:
    """Assert calls were placed to ``number`` (exactly ``times`` if given); return them."""
    calls = [c for c in _calls(tenant) if c.to_number == number]
    if not calls or (times is not None and len(calls) != times):
        want = f"{times} call(s)" if times is not None else "a call"
        raise AssertionError(f"expected {want} to {number}, found {len(calls)}\n{describe(tenant)}")
    return calls


def not_dialed(tenant: Tenant, number: str) -> None:
    """Assert no call was placed to ``number``."""
    calls = [c for c in _calls(tenant) if c.to_number == number]
    if calls:
        raise AssertionError(
            f"expected no call to {number}, found {len(calls)}\n{describe(tenant, calls)}"
        )


def dialed_in_order(tenant: Tenant, numbers: Sequence[str], *, batch_id: str | None = None) -> None:
    """Assert the calls to ``numbers`` (of one batch, if given) were placed in this order. A
    number listed k times is matched with its first k calls; the message names the first
    position where the order differs."""
    wanted = Counter(numbers)
    taken: Counter[str] = Counter()
    placed: list[Call] = []
    for call in _calls(tenant):
        if batch_id is not None and call.batch_id != batch_id:
            continue
        if taken[call.to_number] < wanted[call.to_number]:
            taken[call.to_number] += 1
            placed.append(call)
    short = {n: (k, taken[n]) for n, k in wanted.items() if taken[n] < k}
    if short:
        detail = ", ".join(f"{n} (expected {k}, dialed {got})" for n, (k, got) in short.items())
        raise AssertionError(f"never dialed as often as expected: {detail}\n{describe(tenant)}")
    dialed = [c.to_number for c in placed]
    if dialed != list(numbers):
        i = next(i for i, (x, y) in enumerate(zip(dialed, numbers, strict=True)) if x != y)
        call = placed[i]
        window = slice(max(0, i - 2), i + 3)
        raise AssertionError(
            f"dial order differs at position {i}: expected {numbers[i]}, but {call.to_number} "
            f"was dialed there ({call.id}, created {rfc3339(call.created_at)})\n"
            f"  expected, from position {window.start}: {list(numbers[window])}\n"
            f"  dialed,   from position {window.start}: {dialed[window]}\n"
            f"{describe(tenant, placed[window])}"
        )


def poll_interval(tenant: Tenant, *, at_least: float) -> None:
    """Assert nothing was polled twice within ``at_least`` virtual seconds: a call (Get
    Call), a batch (Get Call Batch), or a list (the first page of List Calls or List Call
    Batches; paging on is not polling)."""
    fast = {
        what: stat
        for what, stat in lookups.poll_stats(tenant).items()
        if stat.min_gap_ms is not None and stat.min_gap_ms < at_least * 1000
    }
    if fast:
        lines = "\n".join(f"  {stat.describe(what)}" for what, stat in fast.items())
        calls = [tenant.call(c) for c in list(fast)[:3] if c.startswith("call_")]
        raise AssertionError(
            f"polled more often than every {at_least:g} virtual s:\n{lines}\n"
            f"{describe(tenant, calls)}"
        )


def dial_spacing(
    tenant: Tenant, *, at_least: float = 1.0, from_number_id: str | None = None
) -> None:
    """Assert dials from each number (or one) are at least ``at_least`` seconds apart."""
    by_number: dict[str, list[Call]] = {}
    for call in _calls(tenant):
        if from_number_id is None or call.from_number_id == from_number_id:
            by_number.setdefault(call.from_number_id, []).append(call)
    for number, calls in by_number.items():
        times = sorted(c.dial_at for c in calls)
        for a, b in itertools.pairwise(times):
            if (b - a) / 1000 < at_least:
                raise AssertionError(
                    f"dials from {number} {(b - a) / 1000:g}s apart at {rfc3339(b)} "
                    f"(< {at_least:g}s)\n{describe(tenant, calls)}"
                )


def wait_for_status(tenant: Tenant, call_id: str, *statuses: str, within: float = 3600.0) -> Call:
    """Advance a virtual clock event by event until the call has one of ``statuses``."""
    start = tenant.now_ms()
    deadline = start + round(within * 1000)
    while True:
        call = tenant.call(call_id)
        if call.status.value in statuses:
            return call
        if call.phase is Phase.ENDED:
            raise AssertionError(
                f"{call_id} ended {call.status.value} ({call.end_reason}) at "
                f"{rfc3339(call.ended_at or tenant.now_ms())}; it can never be "
                f"{'/'.join(statuses)}\n{describe(tenant, [call])}"
            )
        if not tenant.step(deadline):  # the engine moves the clock, event by event
            waited = (tenant.now_ms() - start) / 1000
            raise AssertionError(
                f"{call_id} is {call.status.value}, not {'/'.join(statuses)}, after the clock "
                f"moved {waited:g}s (limit {within:g}s)\n{describe(tenant, [call])}"
            )


def inferred_rules(tenant: Tenant) -> dict[str, list[str]]:
    """The INFERRED ledger rules the tenant's answers relied on: rule id -> the requests
    (newest journal entries only: the journal is bounded by ``journal_size``)."""
    used: dict[str, list[str]] = {}
    for entry in lookups.journal(tenant):
        for rule in entry.rules:
            if rule in ledger.INFERRED:
                used.setdefault(rule, []).append(
                    f"{rfc3339(entry.at)} {entry.method} {entry.path} -> {entry.status}"
                )
    return used


def no_inferred_rules(tenant: Tenant, *, allow: Iterable[str] = ()) -> None:
    """Strict mode: fail if an answer relied on an INFERRED rule not in ``allow``."""
    allowed = set(allow)
    used = {k: v for k, v in inferred_rules(tenant).items() if k not in allowed}
    if not used:
        return
    statements = {entry.id: entry.statement for entry in ledger.LEDGER}
    lines = ["answers relied on INFERRED ledger rules (strict mode; allow them by id):"]
    for rule, requests in sorted(used.items()):
        lines.append(f"  {rule}: {statements[rule]}")
        lines.extend(f"      {r}" for r in requests[:5])
        if len(requests) > 5:
            lines.append(f"      ... and {len(requests) - 5} more")
    raise AssertionError("\n".join(lines))


def batch_concurrency(tenant: Tenant, *, at_most: int, batch_id: str | None = None) -> int:
    """Assert no batch (or the one given) ever had more than ``at_most`` calls in flight
    (from dispatch to end); returns the highest number seen."""
    by_batch: dict[str, list[Call]] = {}
    for call in _calls(tenant):
        if call.batch_id is not None and (batch_id is None or call.batch_id == batch_id):
            by_batch.setdefault(call.batch_id, []).append(call)
    if batch_id is not None and batch_id not in by_batch:
        raise AssertionError(f"batch {batch_id!r} placed no call\n{describe(tenant)}")
    highest = 0
    for bid, calls in by_batch.items():
        edges = sorted(
            [(c.created_at, 1) for c in calls]
            + [(c.ended_at, -1) for c in calls if c.ended_at is not None]
        )  # at one instant an end (-1) sorts before a start: the slot is free again
        level = 0
        for at, delta in edges:
            level += delta
            if level > at_most:
                raise AssertionError(
                    f"batch {bid} had {level} calls in flight at {rfc3339(at)} "
                    f"(at most {at_most} expected)\n{describe(tenant, calls)}"
                )
            highest = max(highest, level)
    return highest


def matches_recording(fake: Any, directory: str | Path) -> None:
    """Fail naming every difference between ``fake``'s answers and a recording's."""
    from mock_server.recordings.replay import replay

    report = replay(directory, fake)
    if not report.ok:
        raise AssertionError(
            f"cartesia-fake drifted from the recording in {directory}:\n{report.table()}"
        )
