"""Throughput of a fleet: 1, 2 and 3 fakes (each with --state) behind nginx running
deploy/nginx.conf, against one fake reached directly (the floor, same run).

wrk sends POST /agents/calls (one call) as 200 tenants, each request's key drawn at random.
Needs wrk and nginx (Debian: ``apt-get install wrk nginx-light``).

Usage: python3 -m bench.scaleout [SECONDS]
"""

from __future__ import annotations

import os
import sys

from bench.fleet import Fleet
from bench.served import BODY, wrk

TENANTS = 200
CONNECTIONS = 64

_SCRIPT = """
wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cartesia-Version"] = "2026-08-14"
math.randomseed(os.time())
request = function()
  wrk.headers["Authorization"] = "Bearer sk_fleet_" .. math.random(1, %d)
  return wrk.format(nil, "/agents/calls")
end
"""


def _post(url: str, seconds: int) -> tuple[float, float, int]:
    """(requests per second, p99 ms, non-2xx answers) of POST /agents/calls on ``url``, each
    request's key drawn from the tenants."""
    got = wrk(
        url,
        method="POST",
        connections=CONNECTIONS,
        seconds=seconds,
        script=_SCRIPT % (BODY, TENANTS),
    )
    return got["rps"], got["p99"], int(got["non2xx"])


def main(seconds: int = 10) -> None:
    print(
        f"fleet behind nginx, wrk 2 threads {CONNECTIONS} conns, POST /agents/calls, "
        f"{TENANTS} tenants, {seconds}s each, {os.cpu_count()} cores"
    )
    print(f"{'setup':<28} {'req/s':>9} {'p99 ms':>8} {'non-2xx':>8} {'x floor':>8}")
    with Fleet(1) as one:
        floor, p99, bad = _post(one.urls[0], seconds)  # one fake, no proxy
        print(f"{'1 fake, direct (floor)':<28} {floor:>9.0f} {p99:>8.1f} {bad:>8} {1:>8.2f}")
        rps, p99, bad = _post(one.url, seconds)
        print(f"{'1 fake behind nginx':<28} {rps:>9.0f} {p99:>8.1f} {bad:>8} {rps / floor:>8.2f}")
    for size in (2, 3):
        with Fleet(size) as fleet:
            rps, p99, bad = _post(fleet.url, seconds)
            label = f"{size} fakes behind nginx"
            print(f"{label:<28} {rps:>9.0f} {p99:>8.1f} {bad:>8} {rps / floor:>8.2f}")


if __name__ == "__main__":
    if "-h" in sys.argv or "--help" in sys.argv:
        print(__doc__.strip())
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
