"""Batches at scale: call batches drained to completion on the virtual clock by the
dispatcher, under each batch's concurrency limit and the organisation's.

Usage: python3 -m bench.batches [--quick]
Rows: one batch of 5,000; then 1k, 10k, 100k and (without --quick) 1M calls as 5,000-recipient
batches, one batch per number (200 batches across 200 numbers for 1M); bytes per call from a
traced run of 100k, beside single calls' figure from the same process.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc

from bench import UNBOUNDED, world_of
from bench.scale import AREAS
from contracts import LATEST
from mock_server import FakeCartesia
from mock_server.domain.batches import batch_ops
from mock_server.wire import decode


def _recipients(count: int, offset: int) -> list[dict[str, object]]:
    """Answered destinations (no magic numbers): every call dials, talks and completes."""
    return [
        {"to_number": f"+1{AREAS[(offset + i) % 2]}555{200 + (offset + i) % 4800:04d}"}
        for i in range(count)
    ]


def run(calls: int, per_batch: int = 5_000, *, trace: bool = False) -> dict[str, float]:
    batches = max(1, calls // per_batch)
    fake = FakeCartesia(max_calls_per_tenant=calls + 1, **UNBOUNDED)  # the default configuration
    tenant = fake.tenant()
    numbers = [
        tenant.add_phone_number(f"+1202555{i:04d}", number_id=f"ap_{i:06d}").id
        for i in range(batches)
    ]
    bodies = [
        {
            "name": f"bench batch {b}",
            "agent_id": fake.agent_id,
            "from_number_id": numbers[b],
            "recipients": _recipients(min(per_batch, calls), b * 7919),
        }
        for b in range(batches)
    ]
    gc.collect()
    gc.freeze()  # as the served fake does: stored calls leave the collector's full scans
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    for body in bodies:
        batch_ops.create_batch(tenant, decode.create_batch(body, LATEST, tenant.settings).command)
    made = time.perf_counter()
    tenant.run_until_idle()
    done = time.perf_counter()
    stored = tracemalloc.get_traced_memory()[0] if trace else 0
    if trace:
        tracemalloc.stop()
    placed = len(world_of(tenant).calls)
    fake.close()
    gc.unfreeze()
    return {
        "calls": placed,
        "batches": batches,
        "create_s": made - start,
        "simulate_s": done - made,
        "total_s": done - start,
        "bytes_per_call": stored / placed if trace else float("nan"),
    }


def single_calls_bytes(calls: int = 100_000) -> float:
    from bench.scale import run as run_single

    return run_single(calls, 100, trace=True)["bytes_per_call"]


def main(quick: bool = False) -> None:
    sizes = (1_000, 10_000, 100_000) if quick else (1_000, 10_000, 100_000, 1_000_000)
    one = run(5_000)
    print(
        f"one batch of 5,000: created {one['create_s']:.2f}s, drained {one['simulate_s']:.2f}s",
        flush=True,
    )
    previous = None
    for calls in sizes:
        r = run(calls)
        growth = "" if previous is None else f", x{r['total_s'] / previous:.1f} for x10 calls"
        print(
            f"{int(r['calls']):,} batch calls ({int(r['batches'])} batches / numbers): "
            f"created {r['create_s']:.2f}s, drained {r['simulate_s']:.2f}s, total "
            f"{r['total_s']:.2f}s ({r['total_s'] / r['calls'] * 1e6:.1f} us/call{growth})",
            flush=True,
        )
        previous = r["total_s"]
    memory = run(100_000, trace=True)["bytes_per_call"]
    print(
        f"bytes per stored call: batch calls {memory:.0f} B (call + recipient), single calls "
        f"{single_calls_bytes():.0f} B",
        flush=True,
    )


if __name__ == "__main__":
    main("--quick" in sys.argv)
