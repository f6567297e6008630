"""Fair share on a served fake (``serve``'s defaults): tenant A posts the largest request it
may (``max_request_items`` destinations, 1,000) from several connections without pause,
while tenant B reads a call in a loop; B's latency and the server's RSS are reported.

    python3 -m bench.fairshare [--seconds 10] [--greedy 4]

Each process is its own: the server, tenant A's posters (threads of one process) and tenant
B's reader (another process), so the only thing they share is the server.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

AGENT = "agent_Fo7pKNBUwLZxrTd6jvhpaE"
NUMBER = "ap_Q8PRh7lXyZsawXJmN2KcT5"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _greedy(url: str, seconds: float, threads: int, out: multiprocessing.Queue[int]) -> None:
    headers = {"authorization": "Bearer sk_greedy", "cartesia-version": "2026-08-14"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as c:  # as far as it may
        raised = c.patch("/__fake__/settings", json={"max_outbound_calls": 1000})
        assert raised.status_code == 200, raised.text
    stop = time.monotonic() + seconds
    sent = [0]

    def loop(worker: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as c:
            n = 0
            while time.monotonic() < stop:
                base = (worker * 1_000_000 + n * 1000) % 4_000_000
                body = {
                    "agent_id": AGENT,
                    "from_number_id": NUMBER,
                    "outbound_calls": [
                        {"to_number": f"+1212{5_000_000 + base + i:07d}"} for i in range(1000)
                    ],
                }
                r = c.post("/agents/calls", json=body)
                if r.status_code == 200:
                    sent[0] += 1
                if n % 50 == 49:  # stay under the call bounds; the work is the point
                    c.post("/__fake__/reset")
                    c.patch("/__fake__/settings", json={"max_outbound_calls": 1000})
                n += 1

    workers = [threading.Thread(target=loop, args=(w,)) for w in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put(sent[0])


def _reader(url: str, seconds: float, out: multiprocessing.Queue[list[float]]) -> None:
    headers = {"authorization": "Bearer sk_polite", "cartesia-version": "2026-08-14"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as c:
        made = c.post(
            "/agents/calls",
            json={
                "agent_id": AGENT,
                "from_number_id": NUMBER,
                "outbound_calls": [{"to_number": "+14155550100"}],
            },
        )
        call_id = made.json()["calls"][0]["agent_call_id"]
        took: list[float] = []
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            started = time.perf_counter()
            c.get(f"/agents/calls/{call_id}")
            took.append((time.perf_counter() - started) * 1000)
            time.sleep(0.005)
    out.put(took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--greedy", type=int, default=4, help="tenant A's connections")
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "serve", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    url = server.stdout.readline().strip().rsplit(" ", 1)[1]
    try:
        start_rss = _rss_mb(server.pid)
        alone: multiprocessing.Queue[list[float]] = multiprocessing.Queue()
        _reader(url, 3, alone)
        quiet = sorted(alone.get())
        sent: multiprocessing.Queue[int] = multiprocessing.Queue()
        times: multiprocessing.Queue[list[float]] = multiprocessing.Queue()
        a = multiprocessing.Process(target=_greedy, args=(url, args.seconds, args.greedy, sent))
        b = multiprocessing.Process(target=_reader, args=(url, args.seconds, times))
        a.start()
        b.start()
        peak = start_rss
        while a.is_alive() or b.is_alive():
            peak = max(peak, _rss_mb(server.pid))
            time.sleep(0.2)
        loaded = sorted(times.get())
        posted = sent.get()
    finally:
        server.terminate()
        server.wait(timeout=30)

    def p(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))]

    print(f"tenant B alone: p50 {statistics.median(quiet):.1f} ms, p99 {p(quiet, 0.99):.1f} ms")
    print(
        f"tenant B while tenant A posts {posted} bodies of 1,000 destinations in "
        f"{args.seconds:.0f} s on {args.greedy} connections: p50 {statistics.median(loaded):.1f}"
        f" ms, p99 {p(loaded, 0.99):.1f} ms, max {loaded[-1]:.1f} ms ({len(loaded)} reads)"
    )
    print(f"server RSS: {start_rss:.0f} MB at start, {peak:.0f} MB at most")


if __name__ == "__main__":
    main()
