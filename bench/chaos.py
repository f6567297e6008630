"""Chaos soak: the served fake on ``--state`` for N minutes under mixed load from many
tenants, while faults are injected; nothing acknowledged may be lost, nothing may answer 5xx.

Usage: ``python3 -m bench.chaos [--minutes 10] [--tenants 8] [--kill-every 60]``

Load: each tenant (its own process, its own API key) loops create call -> get it -> list ->
advance its clock, pausing a little between rounds. Faults, all at once:

- tenant ``chaos-webhook``'s agent posts webhooks to a socket that accepts and never answers,
  and tenant ``chaos-line``'s agent is a Line agent behind the same kind of socket;
- slow clients: connections that send nothing, or dribble a request head a byte at a time;
- oversize heads (a 100 KB header, a 20 KB request target) and poison values (``1e999``, a
  lone surrogate) in call metadata;
- ``kill -9`` of the server every ``--kill-every`` seconds, and a restart on the same port
  and the same ``--state`` file;
- the edges (``--edges``, on by default): tenant ``chaos-batch`` fills itself to the call
  cap with 2,000-recipient batches (a 429 ``call_store_full`` is its signal to reset, which
  must always work); between two restarts a record is appended to tenant
  ``chaos-corrupt``'s log that only replaying can refuse (a cancel of a call it never made),
  so that tenant alone is held back with 503 ``state_unreplayable``; and when the state
  file sits on a small tmpfs (``--disk-mb``, needs root to mount it), a filler file fills
  that disk for a while, so changes are refused with 503 ``state_not_durable`` and then
  succeed again once it is freed.

Designed refusals (429 ``call_store_full``, 503 ``state_unreplayable`` /
``state_not_durable``) are counted apart from server errors, which must stay 0.

Reported: requests served, p99 per tenant, answers and errors by class (connection errors
while the server is down are counted apart: they are the kill, not a fault of the fake),
acknowledged (200) vs recovered (readable after the last restart) calls, RSS over time.
Exit status 1 if any acknowledged call was lost or any 5xx was answered.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.served import _free_port, start_fake
from bench.soak import _rss_mb

AGENT = "agent_Fo7pKNBUwLZxrTd6jvhpaE"
FROM = "ap_Q8PRh7lXyZsawXJmN2KcT5"
VERSION = {"cartesia-version": "2026-08-14"}


# ---- the server ------------------------------------------------------------------------


#: The call cap the soak's server runs with: the batch tenant reaches it in minutes.
CAP = 20_000


def _start(port: int, state: Path) -> subprocess.Popen[str]:
    return start_fake("--state", str(state), "--set", f"max_calls_per_tenant={CAP}", port=port)[0]


# ---- faults ------------------------------------------------------------------------------


class Blackhole:
    """Accepts connections and never answers (a webhook receiver or Line agent that hangs)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        #: Set once a connection was accepted (and is now held).
        self.accepted = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            self.accepted.set()

    def release(self) -> None:
        """Let go of every held connection and stop listening (connections are refused)."""
        self.sock.close()
        for conn in self.held:
            conn.close()


def _slow_clients(port: int, stop: threading.Event, tally: Counter[str]) -> None:
    """Idle connections, dribbled heads, oversize heads, again and again."""
    while not stop.is_set():
        socks: list[socket.socket] = []
        with contextlib.suppress(OSError):
            for _ in range(20):  # idle: connect, send nothing
                socks.append(socket.create_connection(("127.0.0.1", port), timeout=30))
            dribble = socket.create_connection(("127.0.0.1", port), timeout=30)
            socks.append(dribble)
            for byte in b"GET /agents/calls HTTP/1.1\r\nHost: x\r\n":
                if stop.wait(0.2):
                    break
                dribble.send(bytes([byte]))
            for waiting in (dribble, socks[0]):  # a dribbled head, an idle connection
                tally[f"{waiting.recv(64)[9:12].decode() or 'closed'} (slow)"] += 1
            for head in (
                b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: " + b"u" * 100_000 + b"\r\n\r\n",
                b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            ):
                with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                    with contextlib.suppress(OSError):
                        s.sendall(head)
                    reply = s.recv(64)
                    tally[reply[9:12].decode() or "closed"] += 1
        for s in socks:
            s.close()
        stop.wait(2)


# ---- tenant load (one process each) ------------------------------------------------------


DESIGNED = ("call_store_full", "state_unreplayable", "state_not_durable", "server_store_full")


def _designed(r: httpx.Response) -> str | None:
    """``refused: <code>`` for an answer that is a designed refusal, else None."""
    if r.status_code not in (429, 503):
        return None
    try:
        code = r.json().get("error_code")
    except ValueError:
        return None
    return f"refused: {code}" if code in DESIGNED else None


def _batcher(key: str, port: int, seconds: float, out: str) -> None:
    """Fill the tenant to the call cap with batches; reset when refused; count resets."""
    headers = {"authorization": f"Bearer {key}", **VERSION}
    classes: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    n = 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120) as c:
        while time.monotonic() < deadline:
            n += 1
            body = {
                "name": f"fill {n}",
                "agent_id": AGENT,
                "from_number_id": FROM,
                "target_concurrency_limit": 500,
                "recipients": [
                    {"to_number": f"+1212{5_000_000 + (n * 2000 + i) % 4_000_000:07d}"}
                    for i in range(2000)
                ],
            }
            try:
                r = c.post("/agents/calls/batches", json=body)
                classes[_designed(r) or str(r.status_code)] += 1
                if r.status_code == 429:
                    reset = c.post("/__fake__/reset")
                    classes["reset " + str(reset.status_code)] += 1
                    continue
                c.post("/__fake__/clock/run-until-idle")
            except httpx.HTTPError:
                classes["down (server killed)"] += 1
                time.sleep(0.2)
    Path(out).write_text(json.dumps({"key": key, "latencies": [], "classes": classes, "acked": []}))


def _corrupt(state: Path, key: str) -> None:
    """Append to ``key``'s log a record only replaying can refuse (the server is down)."""
    import sqlite3

    from mock_server.service.persistence import Store

    store = Store(state, seed=0)
    try:
        tenant = store.tenant_id(key)
    finally:
        store.close()
    with sqlite3.connect(state) as db:
        (at,) = db.execute("SELECT coalesce(max(at), 0) FROM ops").fetchone()
        db.execute(
            "INSERT INTO ops (tenant, op, args, at) VALUES (?, 'cancel', ?, ?)",
            (tenant, json.dumps({"call_id": "call_never_made"}), at),
        )


def _mount_small_disk(folder: Path, mb: int) -> bool:
    """A tmpfs of ``mb`` MB at ``folder`` (root only); False when it cannot be mounted."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={mb}m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _tenant(
    key: str, port: int, seconds: float, out: str, poison: bool, setup: dict[str, Any] | None
) -> None:
    headers = {"authorization": f"Bearer {key}", **VERSION}
    latencies: list[float] = []
    classes: Counter[str] = Counter()
    acked: list[str] = []
    deadline = time.monotonic() + seconds
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60)

    def send(method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            r = client.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError):
            classes["down (server killed)"] += 1
            time.sleep(0.05)
            return None
        except httpx.TimeoutException:
            classes["client timeout"] += 1
            return None
        latencies.append(time.perf_counter() - started)
        code = _designed(r)
        classes[code or str(r.status_code)] += 1
        return r

    while setup is not None and time.monotonic() < deadline:
        r = send("POST", "/__fake__/agents", json={"id": AGENT, **setup})
        if r is not None and r.status_code == 201:
            break
    i = 0
    while time.monotonic() < deadline:
        i += 1
        metadata: dict[str, Any] = {"round": i}
        if poison and i % 5 == 0:
            poison_value = "1e999" if i % 10 else '"\\ud800"'
            body = json.dumps(
                {
                    "from_number_id": FROM,
                    "agent_id": AGENT,
                    "outbound_calls": [{"to_number": "+14155550100", "metadata": {"x": 0}}],
                }
            ).replace('{"x": 0}', '{"x": ' + poison_value + "}")
            r = send("POST", "/agents/calls", content=body)
            if r is not None and r.status_code != 400:
                classes["poison accepted (bug)"] += 1
            continue
        r = send(
            "POST",
            "/agents/calls",
            json={
                "from_number_id": FROM,
                "agent_id": AGENT,
                "outbound_calls": [
                    {"to_number": f"+1415555{100 + i % 100:04d}", "metadata": metadata}
                ],
            },
        )
        if r is not None and r.status_code == 200:
            call_id = r.json()["calls"][0].get("agent_call_id")
            if call_id:
                acked.append(call_id)
                send("GET", f"/agents/calls/{call_id}")
        send("GET", "/agents/calls", params={"agent_id": AGENT, "limit": 20})
        if i % 10 == 0:
            send("POST", "/__fake__/clock/advance", json={"seconds": 30})
        time.sleep(0.01)
    Path(out).write_text(
        json.dumps({"key": key, "latencies": latencies, "classes": classes, "acked": acked})
    )


def _recovered(port: int, key: str, ids: list[str]) -> int:
    """How many of ``ids`` the server has: every page of the agent's calls, then one Get
    Call for each id the pages did not show."""
    headers = {"authorization": f"Bearer {key}", **VERSION}
    seen: set[str] = set()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120) as c:
        params: dict[str, Any] = {"agent_id": AGENT, "limit": 100}
        while True:
            page = c.get("/agents/calls", params=params).json()
            seen.update(call["id"] for call in page["data"])
            if not page.get("has_more") or not page["data"]:
                break
            params["starting_after"] = page["data"][-1]["id"]
        missing = [call_id for call_id in ids if call_id not in seen]
        found = sum(1 for i in missing if c.get(f"/agents/calls/{i}").status_code == 200)
    return len(ids) - len(missing) + found


# ---- the run -----------------------------------------------------------------------------


def run(
    minutes: float, tenants: int, kill_every: float, edges: bool = True, disk_mb: int = 0
) -> dict[str, Any]:
    port = _free_port()
    work = Path(tempfile.mkdtemp(prefix="cartesia-chaos-"))
    disk = work / "disk"
    small_disk = bool(edges and disk_mb) and _mount_small_disk(disk, disk_mb)
    state = (disk if small_disk else work) / "state.db"
    hole = Blackhole()
    proc = _start(port, state)
    seconds = minutes * 60
    plans: list[tuple[str, bool, dict[str, Any] | None]] = [
        (
            "chaos-webhook",
            False,
            {"webhook": {"url": f"http://127.0.0.1:{hole.port}/hook", "secret": "s"}},
        ),
        ("chaos-line", False, {"line_url": f"ws://127.0.0.1:{hole.port}/ws"}),
        ("chaos-poison", True, None),
    ]
    plans += [(f"chaos-{n}", False, None) for n in range(tenants)]
    if edges:
        plans.append(("chaos-corrupt", False, None))
    ctx = multiprocessing.get_context("spawn")
    workers = [
        ctx.Process(
            target=_tenant, args=(key, port, seconds, str(work / f"{key}.json"), poison, setup)
        )
        for key, poison, setup in plans
    ]
    if edges:
        workers.append(
            ctx.Process(
                target=_batcher,
                args=("chaos-batch", port, seconds, str(work / "chaos-batch.json")),
            )
        )
        plans.append(("chaos-batch", False, None))
    episodes: Counter[str] = Counter()
    filler = disk / "filler"
    for w in workers:
        w.start()
    stop = threading.Event()
    heads: Counter[str] = Counter()
    threading.Thread(target=_slow_clients, args=(port, stop, heads), daemon=True).start()
    rss: list[tuple[float, float]] = []
    kills = 0
    began = time.monotonic()
    next_kill = began + kill_every
    try:
        while time.monotonic() - began < seconds:
            time.sleep(2)
            rss.append((round(time.monotonic() - began), round(_rss_mb(proc.pid), 1)))
            since_kill = time.monotonic() - (next_kill - kill_every)
            if (  # once, between two kills (a start on a full disk is refused, by design)
                small_disk
                and kills >= 1
                and not episodes["disk filled"]
                and 0.2 * kill_every < since_kill < 0.3 * kill_every
            ):
                with contextlib.suppress(OSError), filler.open("wb") as fill:
                    while True:  # until the disk is full
                        fill.write(b"\0" * (1 << 20))
                        fill.flush()
                episodes["disk filled"] += 1
            elif small_disk and filler.exists() and since_kill >= 0.6 * kill_every:
                filler.unlink()
                episodes["disk freed"] += 1
            if time.monotonic() >= next_kill:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                kills += 1
                if edges and kills == 1:  # between two restarts: a log only replay refuses
                    _corrupt(state, "chaos-corrupt")
                    episodes["log corrupted"] += 1
                proc = _start(port, state)
                next_kill = time.monotonic() + kill_every
                print(
                    f"  {time.monotonic() - began:6.0f}s: kill -9 #{kills}, restarted", flush=True
                )
        for w in workers:
            w.join()
        stop.set()
        hole.release()
        results = [json.loads((work / f"{key}.json").read_text()) for key, _, _ in plans]
        acked = recovered = 0
        for res in results:
            if res["key"] == "chaos-corrupt" and episodes["log corrupted"]:
                continue  # held back on purpose: its calls wait for --state-recover
            acked += len(res["acked"])
            recovered += _recovered(port, res["key"], res["acked"])
    finally:
        stop.set()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        if small_disk:
            with contextlib.suppress(OSError):
                filler.unlink()
            subprocess.run(["umount", str(disk)], capture_output=True, check=False)
    classes: Counter[str] = Counter()
    per_tenant = {}
    for res in results:
        classes.update(res["classes"])
        lat = sorted(res["latencies"])
        per_tenant[res["key"]] = {
            "requests": len(lat),
            "p50_ms": round(statistics.median(lat) * 1000, 2) if lat else None,
            "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 2) if lat else None,
        }
    return {
        "minutes": minutes,
        "kills": kills,
        "requests_served": sum(t["requests"] for t in per_tenant.values()),
        "per_tenant": per_tenant,
        "answers": dict(classes),
        "server_errors": sum(v for k, v in classes.items() if k.startswith("5")),
        "designed_refusals": {k: v for k, v in classes.items() if k.startswith("refused")},
        "oversize_and_slow_heads": dict(heads),
        "acknowledged_calls": acked,
        "recovered_calls": recovered,
        "lost_calls": acked - recovered,
        "rss_mb": rss,
        "episodes": dict(episodes),
        "small_disk": small_disk,
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        f"chaos soak: {result['minutes']:g} min, {result['kills']} kill -9 + restarts, "
        f"{result['requests_served']:,} requests answered",
        f"  acknowledged calls {result['acknowledged_calls']:,}, recovered "
        f"{result['recovered_calls']:,}, lost {result['lost_calls']}",
        f"  server errors (5xx): {result['server_errors']}; designed refusals: "
        + (
            ", ".join(f"{k} {v:,}" for k, v in sorted(result["designed_refusals"].items()))
            or "none"
        ),
        "  edge episodes: "
        + (", ".join(f"{k} {v}" for k, v in sorted(result["episodes"].items())) or "none")
        + ("" if result["small_disk"] else " (no small disk: not root, or --disk-mb 0)"),
        "  answers: " + ", ".join(f"{k} {v:,}" for k, v in sorted(result["answers"].items())),
        "  oversize/slow heads: "
        + ", ".join(f"{k} {v}" for k, v in sorted(result["oversize_and_slow_heads"].items())),
        "  per tenant (p50 / p99 ms, requests):",
    ]
    for key, t in result["per_tenant"].items():
        lines.append(f"    {key:<14} {t['p50_ms']} / {t['p99_ms']}  ({t['requests']:,})")
    samples = [mb for _, mb in result["rss_mb"]]
    if samples:
        lines.append(
            f"  RSS MB: first {samples[0]}, max {max(samples)}, last {samples[-1]} "
            f"({len(samples)} samples)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m bench.chaos", description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--tenants", type=int, default=8, help="plain load tenants")
    parser.add_argument("--kill-every", type=float, default=60.0, help="seconds")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--no-edges", action="store_true", help="leave out the cap, corrupt-log and disk episodes"
    )
    parser.add_argument(
        "--disk-mb", type=int, default=256, help="the small tmpfs for the state file (0: none)"
    )
    args = parser.parse_args(argv)
    result = run(args.minutes, args.tenants, args.kill_every, not args.no_edges, args.disk_mb)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 1 if result["lost_calls"] or result["server_errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
