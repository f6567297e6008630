"""The fake beside its peers, served: interleaved wrk rounds, every server on the same core.

Run as ``python3 -m bench.served --peers [SECONDS] [ROUNDS]``. Every server (the fake at
``serve``'s defaults, a bare Starlette route on the same uvicorn stack, WireMock, Mockoon,
Prism) stays up for the whole run, pinned to one core; wrk runs on the others. Each round
runs every server once per route in a rotating order; round 1 is dropped (the JVM's JIT
warms up there), and the table shows medians over the rest, and each server's ratio to the
fake paired by round (a busy moment of the machine slows both sides of a pair).
"""

from __future__ import annotations

import os
import statistics
from contextlib import ExitStack

import httpx

from bench import peers, served

ROUTES = (("POST", "/agents/calls"), ("GET", "/agents/calls/{id}"))
CONNECTIONS = 32


def cores() -> tuple[str, str]:
    """(the servers' core, wrk's cores): the last core for the servers, the rest for wrk."""
    mine = sorted(os.sched_getaffinity(0))
    if len(mine) < 2:
        return str(mine[0]), str(mine[0])
    return str(mine[-1]), ",".join(str(c) for c in mine[:-1])


def _call_id(url: str) -> str:
    r = httpx.post(
        url + "/agents/calls",
        content=served.BODY,
        headers={**served.HEADERS, "content-type": "application/json"},
    )
    return str(r.json()["calls"][0]["agent_call_id"])


def compare(seconds: int = 5, rounds: int = 4) -> str:
    """Run the rounds; the table as text."""
    server_core, wrk_cores = cores()
    with ExitStack() as stack:
        urls = {
            "fake": stack.enter_context(served.server("fake", pin=server_core)),
            "starlette": stack.enter_context(served.server("starlette", pin=server_core)),
        }
        ports = {kind: served._free_port() for kind in ("wiremock", "mockoon", "prism")}
        urls.update(stack.enter_context(peers.peers(server_core, ports)))
        ids = {name: (_call_id(url) if name == "fake" else "call_x") for name, url in urls.items()}
        names = list(urls)
        rps: dict[tuple[str, str], list[float]] = {(n, m): [] for n in names for m, _ in ROUTES}
        for round_no in range(rounds):
            order = names[round_no % len(names) :] + names[: round_no % len(names)]
            for name in order:
                for method, path in ROUTES:
                    target = urls[name] + path.replace("{id}", ids[name])
                    row = served.wrk(
                        target,
                        method=method,
                        connections=CONNECTIONS,
                        seconds=seconds,
                        pin=wrk_cores,
                    )
                    if row["non2xx"]:
                        print(f"  {name} {method}: {int(row['non2xx'])} non-2xx answers")
                    if round_no > 0:
                        rps[(name, method)].append(row["rps"])
            print(f"  round {round_no + 1}/{rounds} done{' (warm-up, dropped)' * (round_no == 0)}")
    return _table(names, rps, server_core, wrk_cores, seconds, rounds)


def _table(
    names: list[str],
    rps: dict[tuple[str, str], list[float]],
    server_core: str,
    wrk_cores: str,
    seconds: int,
    rounds: int,
) -> str:
    lines = [
        f"served, {CONNECTIONS} connections, servers on core {server_core}, wrk on {wrk_cores}, "
        f"{rounds - 1} rounds of {seconds} s after a warm-up round (median req/s; "
        "x = this server / the fake, paired by round)",
        f"{'server':<12} {'POST req/s':>11} {'x fake':>7} {'GET req/s':>11} {'x fake':>7}",
    ]
    for name in names:
        cells = []
        for method, _ in ROUTES:
            mine, fake = rps[(name, method)], rps[("fake", method)]
            ratio = statistics.median(a / b for a, b in zip(mine, fake, strict=True))
            cells.append(f"{statistics.median(mine):>11,.0f} {ratio:>6.2f}x")
        lines.append(f"{name:<12} {' '.join(cells)}")
    return "\n".join(lines)
