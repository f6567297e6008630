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


def served_p99(*, calls: int, numbers: int, seconds: int) -> str:
    """The served fake's GET/POST latency with ``calls`` calls stored, measured with wrk."""
    import shutil

    from bench.served import BODY, HEADERS, wrk

    if shutil.which("wrk") is None:
        return "wrk not found: apt-get install wrk (served p99 with stored calls skipped)"
    fake = FakeCartesia(validate_responses=False, max_calls_per_tenant=calls + 10**6)
    tenant = fake.tenant("sk_bench")
    ids = [
        tenant.add_phone_number(f"+1202555{i:04d}", number_id=f"ap_{i:06d}").id
        for i in range(numbers)
    ]
    batch = [{"to_number": f"+1212555{i % 10000:04d}"} for i in range(100)]
    for k in range(calls // 100):
        tenant.create_outbound(
            {"from_number_id": ids[k % numbers], "agent_id": fake.agent_id, "outbound_calls": batch}
        )
    tenant.run_until_idle()
    gc.collect()
    gc.freeze()  # what the CLI server does too: stored calls leave the collector's scans
    url = fake.serve().url
    import httpx

    call_id = httpx.post(
        url + "/agents/calls", content=BODY, headers={**HEADERS, "content-type": "application/json"}
    ).json()
    call_id = call_id["calls"][0]["agent_call_id"]
    get = wrk(f"{url}/agents/calls/{call_id}", method="GET", connections=32, seconds=seconds)
    post = wrk(url + "/agents/calls", method="POST", connections=32, seconds=seconds)
    fake.close()
    return (
        f"served with {calls:,} calls stored, 32 connections: GET p50 {get['p50']:.2f} ms "
        f"p99 {get['p99']:.2f} ms ({get['rps']:,.0f} req/s); POST p50 {post['p50']:.2f} ms "
        f"p99 {post['p99']:.2f} ms ({post['rps']:,.0f} req/s); non-2xx "
        f"{int(get['non2xx'] + post['non2xx'])}"
    )


def report(r: dict[str, float]) -> str:
    return (
        f"{int(r['calls']):,} calls / {int(r['numbers'])} numbers: created in "
        f"{r['create_s']:.2f}s, simulated in {r['simulate_s']:.2f}s (total {r['total_s']:.2f}s, "
        f"{r['transitions_per_s']:,.0f} transitions/s); {r['bytes_per_call']:.0f} B per stored "
        f"call; peak RSS {r['rss_peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    m = int(args[1]) if len(args) > 1 else 100
    timing = run(n, m)
    memory = run(min(n, 100_000), m, trace=True)
    timing["bytes_per_call"] = memory["bytes_per_call"]
    print(report(timing))
    if "--served" in sys.argv:
        print(served_p99(calls=n, numbers=m, seconds=10))
