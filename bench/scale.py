"""Scale: many calls across many numbers, created and simulated to completion on the virtual
clock. Reports wall time, transitions per second, peak memory and bytes per stored call.

Usage: python3 -m bench.scale [CALLS] [NUMBERS]   (defaults: 100000 100)
"""

from __future__ import annotations

import gc
import resource
import sys
import time
import tracemalloc

from mock_server import FakeCartesia


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(calls: int, numbers: int, *, trace: bool = False) -> dict[str, float]:
    fake = FakeCartesia(validate_responses=False, max_calls_per_tenant=calls + 1)
    tenant = fake.tenant()
    ids = [
        tenant.add_phone_number(f"+1202555{i:04d}", number_id=f"ap_{i:06d}").id
        for i in range(numbers)
    ]
    per_request = 100
    gc.collect()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    created = 0
    batch = [
        {"to_number": f"+1212555{i % 10000:04d}", "metadata": None} for i in range(per_request)
    ]
    while created < calls:
        for number_id in ids:
            if created >= calls:
                break
            n = min(per_request, calls - created)
            tenant.create_outbound(
                {
                    "from_number_id": number_id,
                    "agent_id": fake.agent_id,
                    "outbound_calls": batch[:n],
                }
            )
            created += n
    made = time.perf_counter()
    stored = tracemalloc.get_traced_memory()[0] if trace else 0
    tenant.run_until_idle()
    done = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    world = tenant.world
    assert len(world.calls) == calls
    assert all(c.ended_at is not None for c in world.calls.values())
    transitions = calls * 4  # dialed, answered, ended, plus creation
    fake.close()
    return {
        "calls": calls,
        "numbers": numbers,
        "create_s": made - start,
        "simulate_s": done - made,
        "total_s": done - start,
        "transitions_per_s": transitions / (done - start),
        "bytes_per_call": stored / calls if trace else float("nan"),
        "traced_peak_mb": peak / 2**20 if trace else float("nan"),
        "rss_peak_mb": _rss_mb(),
    }


def report(r: dict[str, float]) -> str:
    return (
        f"{int(r['calls']):,} calls / {int(r['numbers'])} numbers: created in "
        f"{r['create_s']:.2f}s, simulated in {r['simulate_s']:.2f}s (total {r['total_s']:.2f}s, "
        f"{r['transitions_per_s']:,.0f} transitions/s); {r['bytes_per_call']:.0f} B per stored "
        f"call; peak RSS {r['rss_peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    timing = run(n, m)
    memory = run(min(n, 100_000), m, trace=True)
    timing["bytes_per_call"] = memory["bytes_per_call"]
    print(report(timing))
