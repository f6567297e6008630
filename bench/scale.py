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
from collections.abc import Iterator

from bench import UNBOUNDED, world_of
from contracts import LATEST
from mock_server import FakeCartesia
from mock_server.wire.decode import place_calls


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: US area codes (libphonenumber agrees) x 5,000 line numbers: ~10,000 destinations. The first
#: sight of each costs a libphonenumber region lookup (~40 us); after that it is cached.
AREAS = (212, 415)


def destinations() -> list[dict[str, object]]:
    """Every destination the benchmark dials: 1 % are magic numbers (busy, no answer, errors…),
    except 555-0190..99, which are refused at request time and would make no call."""
    return [
        {"to_number": f"+1{area}555{suffix:04d}", "metadata": None}
        for area in AREAS
        for suffix in range(5_000)
        if not 190 <= suffix <= 199
    ]


def requests(numbers: list[str], calls: int, agent_id: str) -> Iterator[dict[str, object]]:
    """Bodies of 100 calls each, round-robin over ``numbers``.

    No number dials the same destination twice (a real dialer that did would be the bug the
    duplicate-dial detector exists for): each number walks its own run of the pool.
    """
    pool = destinations()
    per_request = 100
    created = 0
    r = 0
    while created < calls:
        n = r % len(numbers)
        start = n * 7919 + (r // len(numbers)) * per_request
        count = min(per_request, calls - created)
        yield {
            "from_number_id": numbers[n],
            "agent_id": agent_id,
            "outbound_calls": [pool[(start + i) % len(pool)] for i in range(count)],
        }
        created += count
        r += 1


def run(
    calls: int, numbers: int, *, trace: bool = False, freeze_gc: bool = False
) -> dict[str, float]:
    """Create ``calls`` calls and run them to completion.

    ``freeze_gc`` calls ``gc.freeze()`` after every 5,000 calls created, which is what the
    served fake does as calls pile up: stored calls then leave the collector's full scans.
    """
    fake = FakeCartesia(max_calls_per_tenant=calls + 1, **UNBOUNDED)  # the default configuration
    tenant = fake.tenant()
    ids = [
        tenant.add_phone_number(f"+1202555{i:04d}", number_id=f"ap_{i:06d}").id
        for i in range(numbers)
    ]
    bodies = list(requests(ids, calls, fake.agent_id))
    gc.collect()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    settings = tenant.settings
    for i, body in enumerate(bodies, 1):  # decoded here too: a request's whole cost
        tenant.create_outbound(place_calls(body, LATEST, settings, per_destination=True).command)
        if freeze_gc and i % 50 == 0:
            gc.freeze()
    made = time.perf_counter()
    stored = tracemalloc.get_traced_memory()[0] if trace else 0
    tenant.run_until_idle()
    done = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    world = world_of(tenant)
    assert len(world.calls) == calls
    assert all(c.ended_at is not None for c in world.calls.values())
    transitions = calls * 4  # dialed, answered, ended, plus creation
    fake.close()
    if freeze_gc:
        gc.unfreeze()
    return {
        "freeze_gc": freeze_gc,
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
    fake = FakeCartesia(
        validate_responses=False, max_calls_per_tenant=calls + 10**6, **UNBOUNDED
    )  # as `serve`
    tenant = fake.tenant("sk_bench")
    ids = [
        tenant.add_phone_number(f"+1202555{i:04d}", number_id=f"ap_{i:06d}").id
        for i in range(numbers)
    ]
    for body in requests(ids, calls, fake.agent_id):
        decoded = place_calls(body, LATEST, tenant.settings, per_destination=True)
        tenant.create_outbound(decoded.command)
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
    gc_note = "gc frozen per 5,000 calls (as served)" if r["freeze_gc"] else "default gc"
    return (
        f"{int(r['calls']):,} calls / {int(r['numbers'])} numbers, {gc_note}: created in "
        f"{r['create_s']:.2f}s, simulated in {r['simulate_s']:.2f}s (total {r['total_s']:.2f}s, "
        f"{r['transitions_per_s']:,.0f} transitions/s); {r['bytes_per_call']:.0f} B per stored "
        f"call; peak RSS {r['rss_peak_mb']:.0f} MB"
    )


def measure(calls: int, numbers: int) -> Iterator[str]:
    """The report lines: default gc, then gc frozen as the served fake does; bytes per stored
    call come from a traced run of up to 100,000 calls."""
    memory = run(min(calls, 100_000), min(numbers, 100), trace=True)
    for freeze in (False, True):
        timing = run(calls, numbers, freeze_gc=freeze)
        timing["bytes_per_call"] = memory["bytes_per_call"]
        yield report(timing)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    m = int(args[1]) if len(args) > 1 else 100
    for line in measure(n, m):
        print(line, flush=True)
    if "--served" in sys.argv:
        print(served_p99(calls=n, numbers=m, seconds=10))
