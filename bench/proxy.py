"""The validating proxy's cost: POST /agents/calls to a served fake directly (the floor) and
through ``cartesia-fake proxy`` (which also checks every answer), same run.

Two figures: throughput under load (wrk, 2 threads, 16 connections) and the latency one
request adds when the proxy is idle (one client, sequential requests).
Needs wrk (Debian: ``apt-get install wrk``). Usage: python3 -m bench.proxy [SECONDS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time

import httpx

from bench.served import BODY, HEADERS, ROOT, _free_port, start_fake, wrk


def _start_proxy(upstream: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "proxy", "--upstream", upstream, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening" not in line:
        raise SystemExit(f"the proxy did not start: {line!r}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, f"http://127.0.0.1:{port}"


def _sequential_ms(url: str, n: int = 400) -> float:
    """Median milliseconds of one POST /agents/calls, one at a time."""
    times = []
    with httpx.Client(base_url=url, headers={**HEADERS, "content-type": "application/json"}) as c:
        for _ in range(n):
            t = time.perf_counter()
            c.post("/agents/calls", content=BODY)
            times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times[n // 10 :])


def main(seconds: int = 5) -> None:
    fake, url = start_fake()
    proxy, via = _start_proxy(url)
    try:
        direct_ms = _sequential_ms(url)
        proxied_ms = _sequential_ms(via)
        direct = wrk(f"{url}/agents/calls", method="POST", connections=16, seconds=seconds)
        through = wrk(f"{via}/agents/calls", method="POST", connections=16, seconds=seconds)
    finally:
        proxy.terminate()
        fake.terminate()
        proxy.wait(timeout=30)
        fake.wait(timeout=30)
    print("validating proxy, POST /agents/calls to a served fake")
    print(f"{'':<26} {'direct':>9} {'proxied':>9} {'ratio':>7}")
    print(
        f"{'one at a time, median ms':<26} {direct_ms:>9.2f} {proxied_ms:>9.2f} "
        f"{proxied_ms / direct_ms:>7.2f}   (+{proxied_ms - direct_ms:.2f} ms per request)"
    )
    print(
        f"{'wrk 16 conns, req/s':<26} {direct['rps']:>9.0f} {through['rps']:>9.0f} "
        f"{through['rps'] / direct['rps']:>7.2f}"
    )
    print(
        f"{'wrk 16 conns, p99 ms':<26} {direct['p99']:>9.1f} {through['p99']:>9.1f} "
        f"{through['p99'] / direct['p99']:>7.2f}"
    )


if __name__ == "__main__":
    if "-h" in sys.argv or "--help" in sys.argv:
        print(__doc__.strip())
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
