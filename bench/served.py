"""The served fake under load (wrk), against a bare Starlette route and a raw ASGI app on the
same uvicorn settings (uvloop + httptools, no access log), plus start-up time.

Needs wrk (Debian: ``apt-get install wrk``). Usage: python3 -m bench.served [SECONDS]

``python3 -m bench.served --peers [SECONDS] [ROUNDS]`` instead puts the fake beside the mock
servers a team would pick (WireMock, Mockoon CLI, Prism: ``bench/peers.py``) and a bare
Starlette route, every server pinned to the same core and wrk to another, in interleaved
rounds; the first round is dropped (JIT warm-up) and each figure is a median over the rest,
with each peer's ratio to the fake paired by round.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
HEADERS = {"authorization": "Bearer sk_bench", "cartesia-version": "2026-08-14"}
BODY = (
    '{"from_number_id":"ap_Q8PRh7lXyZsawXJmN2KcT5","agent_id":"agent_Fo7pKNBUwLZxrTd6jvhpaE",'
    '"outbound_calls":[{"to_number":"+14155550175"}]}'
)


def start_fake(
    *args: str, port: int = 0, pin: str | None = None
) -> tuple[subprocess.Popen[str], str]:
    """Start ``cartesia-fake serve`` (virtual clock, quiet, and ``args``) on ``port`` (0: a
    free one), pinned to the cores ``pin`` names if given: (process, URL). A fake that does
    not start is a ``SystemExit`` with its stderr."""
    proc = subprocess.Popen(
        [
            *(["taskset", "-c", pin] if pin else []),
            sys.executable,
            "-m",
            "mock_server",
            "serve",
            "--port",
            str(port),
            "--quiet",
            "--clock",
            "virtual",
            *args,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    line = proc.stdout.readline()
    if "listening" not in line:
        proc.wait()
        raise SystemExit(f"the fake did not start: {line!r} {proc.stderr.read()}")
    # drain stderr so a chatty server never blocks on a full pipe
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, line.strip().rsplit(" ", 1)[1]


@contextmanager
def server(kind: str, pin: str | None = None) -> Iterator[str]:
    """Start a server of ``kind`` (fake, starlette, raw) on a free port, pinned to the cores
    ``pin`` names if given; yield its URL."""
    if kind == "fake":
        proc, url = start_fake(pin=pin)
    else:
        app = {"starlette": "bench.apps:starlette_app", "raw": "bench.apps:raw_app"}[kind]
        port = str(_free_port())
        proc = subprocess.Popen(
            [
                *(["taskset", "-c", pin] if pin else []),
                sys.executable,
                "-c",
                "import sys, uvicorn; uvicorn.run(sys.argv[1], "
                "port=int(sys.argv[2]), log_level='warning', access_log=False, lifespan='off')",
                app,
                port,
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        url = f"http://127.0.0.1:{port}"
        _wait(url)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str) -> None:
    for _ in range(500):
        try:
            httpx.get(url + "/agents/calls/x", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.01)
    raise RuntimeError(f"{url} did not start")


def wrk(
    url: str,
    *,
    method: str,
    connections: int,
    seconds: int,
    script: str | None = None,
    pin: str | None = None,
) -> dict[str, float]:
    """Run wrk; return req/s, p50 and p99 in ms, and the count of non-2xx answers. The
    requests are ``method`` on ``url`` with the bench's body and headers, unless ``script``
    (wrk's Lua) says otherwise."""
    if script is None:
        script = (
            f"wrk.method = '{method}'\n"
            + (f"wrk.body = '{BODY}'\n" if method == "POST" else "")
            + "wrk.headers['Content-Type'] = 'application/json'\n"
            + "".join(f"wrk.headers['{k}'] = '{v}'\n" for k, v in HEADERS.items())
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    threads = len(pin.split(",")) if pin else 2
    out = subprocess.run(
        [
            *(["taskset", "-c", pin] if pin else []),
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            f.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(f.name)

    def ms(label: str) -> float:
        m = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out)
        if m is None:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p50": ms("50%"),
        "p99": ms("99%"),
        "non2xx": float(non2xx.group(1)) if non2xx else 0.0,
    }


def startup(repeats: int = 5) -> float:
    """Median seconds from launching ``serve`` to its listening line."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "mock_server", "serve", "--port", "0", "--quiet"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        proc.stdout.readline()
        times.append(time.perf_counter() - start)
        proc.terminate()
        proc.wait()
    return statistics.median(times)


def plugin_overhead(repeats: int = 5) -> tuple[float, float]:
    """Median seconds of ``pytest --co`` on an empty project, without and with the plugin."""
    with tempfile.TemporaryDirectory() as empty:
        Path(empty, "test_empty.py").write_text("def test_x():\n    pass\n")

        def timed(*extra: str) -> float:
            runs = []
            for _ in range(repeats):
                start = time.perf_counter()
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "pytest",
                        "--co",
                        "-q",
                        "-p",
                        "no:cacheprovider",
                        *extra,
                    ],
                    cwd=empty,
                    capture_output=True,
                    check=True,
                )
                runs.append(time.perf_counter() - start)
            return statistics.median(runs)

        return timed("-p", "no:cartesia_fake"), timed()


def main(seconds: int = 5) -> None:
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install wrk (served figures skipped)")
    else:
        print(
            f"{'served (wrk, 2 threads)':<34} {'conns':>5} {'req/s':>9} {'p50 ms':>8} "
            f"{'p99 ms':>8} {'non-2xx':>8} {'vs starlette':>13}"
        )
        for method, path in (("POST", "/agents/calls"), ("GET", "/agents/calls/{id}")):
            for conns in (32, 128):
                rows = {}
                for kind in ("raw", "starlette", "fake"):
                    with server(kind) as url:
                        target = url + path
                        if "{id}" in path:
                            call_id = "x"
                            if kind == "fake":
                                r = httpx.post(
                                    url + "/agents/calls",
                                    content=BODY,
                                    headers={**HEADERS, "content-type": "application/json"},
                                )
                                call_id = r.json()["calls"][0]["agent_call_id"]
                            target = url + path.replace("{id}", call_id)
                        rows[kind] = wrk(target, method=method, connections=conns, seconds=seconds)
                floor = rows["starlette"]["rps"]
                for kind, row in rows.items():
                    print(
                        f"{method + ' ' + path + ' ' + kind:<34} {conns:>5} "
                        f"{row['rps']:>9,.0f} {row['p50']:>8.2f} {row['p99']:>8.2f} "
                        f"{int(row['non2xx']):>8} {row['rps'] / floor:>12.2f}x"
                    )
    print(f"start-up to the listening line: {startup():.3f}s (median of 5)")
    without, with_plugin = plugin_overhead()
    print(
        f"pytest --co on an empty project: {without:.3f}s without the plugin, "
        f"{with_plugin:.3f}s with it (+{(with_plugin - without) * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--peers"]:
        from bench import peer_rounds

        numbers = [int(a) for a in sys.argv[2:4]]
        print(peer_rounds.compare(*numbers))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
