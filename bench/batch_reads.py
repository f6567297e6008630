"""Reads of big batches that have not changed: Get Call Batch, List Call Batches and List Calls
by ``batch_id``, on the fixture's default fake, at 5 and 5,000 recipients.

Usage: python3 -m bench.batch_reads

Each batch is drained to its end on the virtual clock first, so every read finds it
unchanged; each figure is the median of interleaved repetitions, in microseconds per read.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import httpx

from bench import UNBOUNDED
from mock_server import FakeCartesia

SIZES = (5, 5_000)


def _fake_with_batch(recipients: int) -> tuple[FakeCartesia, httpx.Client, str]:
    fake = FakeCartesia(**UNBOUNDED)
    client = fake.client()
    body = {
        "name": "bench",
        "agent_id": fake.agent_id,
        "from_number_id": fake.from_number_id,
        "recipients": [{"to_number": f"+1415555{i % 10_000:04d}"} for i in range(recipients)],
    }
    created = client.post("/agents/calls/batches", json=body)
    created.raise_for_status()
    fake.run_until_idle()
    return fake, client, str(created.json()["id"])


def _timed(read: Callable[[], httpx.Response], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        read().raise_for_status()
    return (time.perf_counter() - start) / count * 1e6


def measure(reps: int = 7, count: int = 50) -> dict[tuple[str, int], float]:
    """(read, recipients) -> median microseconds per read."""
    reads: dict[tuple[str, int], Callable[[], httpx.Response]] = {}
    fakes = []
    for size in SIZES:
        fake, client, batch_id = _fake_with_batch(size)
        fakes.append(fake)
        bound = client  # one client per fake
        reads[("Get Call Batch", size)] = lambda c=bound, b=batch_id: c.get(  # type: ignore[misc]
            f"/agents/calls/batches/{b}"
        )
        reads[("List Call Batches", size)] = lambda c=bound: c.get(  # type: ignore[misc]
            "/agents/calls/batches"
        )
        reads[("List Calls by batch_id", size)] = lambda c=bound, b=batch_id: c.get(  # type: ignore[misc]
            "/agents/calls", params={"batch_id": b}
        )
    samples: dict[tuple[str, int], list[float]] = {k: [] for k in reads}
    names = list(reads)
    for read in reads.values():
        _timed(read, 3)  # the first read renders and checks; later ones find it unchanged
    for rep in range(reps):
        for name in names[rep % len(names) :] + names[: rep % len(names)]:
            samples[name].append(_timed(reads[name], count))
    for fake in fakes:
        fake.close()
    return {k: statistics.median(v) for k, v in samples.items()}


def report(figures: dict[tuple[str, int], float]) -> str:
    head = f"{'unchanged batch, per read':<28}" + "".join(f"{f'{n:,} rcpt':>14}" for n in SIZES)
    lines = [head]
    for read in dict.fromkeys(name for name, _ in figures):
        cells = "".join(f"{figures[(read, n)]:>12,.0f}us" for n in SIZES)
        lines.append(f"{read:<28}{cells}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(measure()))
