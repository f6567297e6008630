"""Soak: a served fake under steady mixed traffic for N minutes; memory must stay flat.

Usage: python3 -m bench.soak [MINUTES]   (default 10). 50 tenants take turns; each round posts,
lists, reads, runs its clock to idle and resets, as a test on a shared CI server would. RSS is
sampled every few seconds and the drift between the first and last quarter is reported
(calls are kept until a reset by design, so without resets memory grows with them).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import httpx

from bench.served import start_fake

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(minutes: float = 10.0) -> None:
    proc, url = start_fake()
    samples: list[tuple[float, float]] = []
    requests = 0
    deadline = time.monotonic() + minutes * 60
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            round_ = 0
            while time.monotonic() < deadline:
                round_ += 1
                key = f"sk_soak_{round_ % 50}"  # 50 tenants, reused
                headers = {"authorization": f"Bearer {key}", "cartesia-version": "2026-08-14"}
                for i in range(20):
                    r = client.post(
                        "/agents/calls",
                        headers=headers,
                        json={
                            "from_number_id": "ap_Q8PRh7lXyZsawXJmN2KcT5",
                            "agent_id": "agent_Fo7pKNBUwLZxrTd6jvhpaE",
                            "outbound_calls": [{"to_number": f"+1415555{100 + i:04d}"}] * 5,
                        },
                    )
                    assert r.status_code == 200, r.text
                    client.get(
                        "/agents/calls",
                        headers=headers,
                        params={"agent_id": "agent_Fo7pKNBUwLZxrTd6jvhpaE"},
                    )
                    client.get("/agents/calls/call_doesnotexist0000", headers=headers)
                    requests += 3
                client.post("/__fake__/clock/run-until-idle", headers=headers)
                client.post("/__fake__/reset", headers=headers)  # as a test's teardown would
                if not samples or time.monotonic() - samples[-1][0] > 5:
                    samples.append((time.monotonic(), _rss_mb(proc.pid)))
    finally:
        proc.terminate()
        proc.wait()
    quarter = max(1, len(samples) // 4)
    first = statistics.median(r for _, r in samples[:quarter])
    last = statistics.median(r for _, r in samples[-quarter:])
    print(
        f"soak {minutes:g} min: {requests:,} requests; RSS first quarter {first:.1f} MB, "
        f"last quarter {last:.1f} MB (drift {last - first:+.1f} MB, "
        f"{(last - first) / first * 100:+.1f}%)"
    )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 10.0)
