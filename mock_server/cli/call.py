"""``cartesia-fake call``: place one call against the fake (or any base URL) and, with
``--follow``, show its status changes live until it ends, then its timeline."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from contracts import LATEST, versions_with
from mock_server.cli import args as cliargs
from mock_server.cli import terminal
from mock_server.domain.timing.clock import monotonic

if TYPE_CHECKING:  # httpx loads when a call is placed: serve starts without it
    import httpx

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
    import httpx

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


def add_parser(sub: Any) -> None:
    """The ``call`` subcommand's options."""
    call = sub.add_parser(
        "call",
        help="place one call and optionally follow it to the end",
        description="Place one outbound call through POST /agents/calls (the counterpart of "
        "Cartesia's 'cartesia call'); --follow shows its status changes live, then the "
        "timeline. Against a virtual-clock fake, --follow moves the clock itself.",
    )
    call.add_argument("phone_number", help="destination, E.164 (e.g. +14155550100)")
    call.add_argument("agent_id", help="the agent that places the call")
    call.add_argument(
        "--from",
        dest="from_number_id",
        default="ap_Q8PRh7lXyZsawXJmN2KcT5",
        help="from_number_id (default: the documented example's number)",
    )
    call.add_argument(
        "--metadata",
        type=cliargs.json_object,
        help="JSON object passed to the agent as call metadata",
    )
    cliargs.add_target(call)
    call.add_argument(
        "--version",
        dest="api_version",
        default=LATEST,
        choices=versions_with("outbound_request"),
        help=f"Cartesia-Version to send (default {LATEST})",
    )
    call.add_argument("--follow", action="store_true", help="follow the call until it ends")
    call.add_argument("--poll", type=float, default=0.5, help="seconds between polls")


def run(args: argparse.Namespace) -> int:
    import httpx

    headers = {"authorization": f"Bearer {args.api_key}", "cartesia-version": args.api_version}
    with httpx.Client(base_url=args.base_url, headers=headers, timeout=30) as client:
        return place_and_follow(
            client,
            args.phone_number,
            args.agent_id,
            from_number_id=args.from_number_id,
            metadata=args.metadata,
            follow=args.follow,
            poll=args.poll,
        )
