"""``cartesia-fake call``: place one call against the fake (or any base URL) and, with
``--follow``, show its status changes live until it ends, then its timeline."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import httpx

from mock_server.cli import terminal
from mock_server.domain.timing.clock import monotonic

TERMINAL = ("completed", "failed")


def _err(message: str) -> int:
    print(f"cartesia-fake call: {message}", file=sys.stderr)
    return 1


def place_and_follow(
    client: httpx.Client,
    to_number: str,
    agent_id: str,
    *,
    from_number_id: str,
    metadata: dict[str, Any] | None,
    follow: bool,
    poll: float = 0.5,
    timeout: float = 900.0,
    out: TextIO = sys.stdout,
) -> int:
    """Place the call; follow it if asked. Returns the process exit code."""
    item: dict[str, Any] = {"to_number": to_number}
    if metadata is not None:
        item["metadata"] = metadata
    try:
        r = client.post(
            "/agents/calls",
            json={"from_number_id": from_number_id, "agent_id": agent_id, "outbound_calls": [item]},
        )
    except httpx.HTTPError as exc:
        return _err(f"cannot reach {client.base_url}: {exc}")
    if r.status_code != 200:
        return _err(f"{r.status_code} {_message(r)}")
    [result] = r.json()["calls"]
    if "error" in result:
        return _err(f"{to_number}: {result['error'].get('code')}: {result['error'].get('message')}")
    call_id = result["agent_call_id"]
    print(f"placed {call_id} to {to_number}", file=out, flush=True)
    if not follow:
        return 0
    return _follow(client, call_id, poll=poll, timeout=timeout, out=out)


def _message(r: httpx.Response) -> str:
    try:
        return str(r.json().get("message", r.text))
    except ValueError:
        return r.text[:200]


def _follow(client: httpx.Client, call_id: str, *, poll: float, timeout: float, out: TextIO) -> int:
    clock = client.get("/__fake__/clock")
    virtual = clock.status_code == 200 and clock.json().get("mode") == "virtual"
    seen: list[tuple[str, str]] = []
    started = monotonic()
    last = None
    with terminal.spinner(out, f"{call_id} ...") as spin:
        while monotonic() - started < timeout:
            r = client.get(f"/agents/calls/{call_id}")
            if r.status_code != 200:
                return _err(f"Get Call answered {r.status_code} {_message(r)}")
            call = r.json()
            status = call["status"]
            if status != last:
                now = client.get("/__fake__/clock")
                at = now.json()["now"] if now.status_code == 200 else time.strftime("%H:%M:%S")
                label = status + (f" ({call['end_reason']})" if call.get("end_reason") else "")
                print(f"{at}  {label}", file=out, flush=True)
                seen.append((at, label))
                last = status
                if spin is not None:
                    spin.update(f"{call_id} {status} ...")
            if status in TERMINAL:
                break
            if virtual:  # the target's clock only moves when told to: move it
                client.post("/__fake__/clock/advance", json={"seconds": poll})
            else:
                time.sleep(poll)
        else:
            return _err(f"{call_id} did not end within {timeout:g}s")
    timeline = client.get(f"/__fake__/calls/{call_id}/timeline")
    if timeline.status_code == 200:
        rows = [
            (
                e["at"],
                e["event"],
                e["status"] + (f" ({e['end_reason']})" if "end_reason" in e else ""),
            )
            for e in timeline.json()["events"]
        ]
        terminal.table(out, ("at", "event", "status"), rows, title="timeline:")
    else:  # a real API has no timeline endpoint: show what was observed
        terminal.table(out, ("at", "status"), seen, title="timeline (as polled):")
    return 0 if last == "completed" else 2
