"""``cartesia-fake batch FILE.csv``: submit a CSV of recipients as one call batch and, with
``--follow``, show its progress live (dispatched / finished / failed) until it ends.

The CSV has a header row; the ``to_number`` column (or ``phone``, or else the first column)
is the destination, and every other non-empty column becomes one of the recipient's
``dynamic_variables`` (under ``--version 2026-03-01``: its ``metadata``).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from typing import Any, TextIO

import httpx

from contracts import LATEST, SHIPPED, versions_with
from mock_server.cli import args as cliargs
from mock_server.cli import terminal
from mock_server.domain.timing.clock import monotonic

ENDED = ("completed", "failed", "cancelled")


def add_parser(sub: Any) -> None:
    batch = sub.add_parser(
        "batch",
        help="submit a CSV of recipients as one call batch; --follow shows its progress",
        description="Create a call batch (POST /agents/calls/batches) from FILE.csv: a header "
        "row, a to_number (or phone) column, and any other columns as each recipient's "
        "dynamic variables. --follow shows dispatched / finished / failed live until the "
        "batch ends (against a virtual-clock fake it moves the clock itself). Exit status: "
        "0 completed, 2 failed or cancelled, 1 the request was refused or the file is bad.",
    )
    batch.add_argument("file", help="CSV file of recipients")
    batch.add_argument("--agent", dest="agent_id", required=True, help="the agent that calls")
    batch.add_argument(
        "--from", dest="from_number_id", required=True, help="from_number_id to dial from"
    )
    batch.add_argument("--name", default=None, help="the batch's name (default: the file's)")
    batch.add_argument("--limit", type=int, default=None, help="target_concurrency_limit")
    batch.add_argument("--follow", action="store_true", help="follow the batch until it ends")
    batch.add_argument("--poll", type=float, default=1.0, help="seconds between polls")
    batch.add_argument(
        "--version",
        dest="api_version",
        default=LATEST,
        choices=versions_with("batch_request"),
        help=f"Cartesia-Version to send (default {LATEST})",
    )
    cliargs.add_target(batch)


def _err(message: str) -> int:
    print(f"cartesia-fake batch: {message}", file=sys.stderr)
    return 1


def read_recipients(path: str, *, version: str) -> list[dict[str, Any]]:
    """The CSV's rows as outbound items (ValueError naming the row when one is unusable)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ValueError(f"{path}: no recipients (a header row, then one row per recipient)")
    columns = list(rows[0])
    phone = next((c for c in ("to_number", "phone") if c in columns), columns[0])
    has_variables = SHIPPED.has_field("outbound_item", "dynamic_variables", version)
    extra_key = "dynamic_variables" if has_variables else "metadata"
    items = []
    for line, row in enumerate(rows, start=2):
        number = (row.get(phone) or "").strip()
        if not number:
            raise ValueError(f"{path}:{line}: no {phone}")
        item: dict[str, Any] = {"to_number": number}
        extra = {k: v for k, v in row.items() if k != phone and k and v not in (None, "")}
        if extra:
            item[extra_key] = extra
        items.append(item)
    return items


def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    try:
        recipients = read_recipients(args.file, version=args.api_version)
    except (OSError, ValueError, csv.Error) as exc:
        return _err(str(exc))
    headers = {"authorization": f"Bearer {args.api_key}", "cartesia-version": args.api_version}
    body: dict[str, Any] = {
        "name": args.name or os.path.basename(args.file),
        "agent_id": args.agent_id,
        "from_number_id": args.from_number_id,
        "recipients": recipients,
    }
    if args.limit is not None:
        body["target_concurrency_limit"] = args.limit
    with httpx.Client(base_url=args.base_url, headers=headers, timeout=30) as client:
        try:
            r = client.post("/agents/calls/batches", json=body)
        except httpx.HTTPError as exc:
            return _err(f"cannot reach {args.base_url}: {exc}")
        if r.status_code != 201:
            return _err(f"{r.status_code} {r.json().get('message', r.text)[:400]}")
        batch = r.json()
        print(f"created {batch['id']} ({len(recipients)} recipients)", file=out, flush=True)
        if not args.follow:
            return 0
        return follow(client, batch["id"], poll=args.poll, out=out)


def _counts(batch: dict[str, Any]) -> tuple[int, int, int, int]:
    failed = sum(r["status"] == "failed" for r in batch["recipients"])
    return (
        batch["total_calls_scheduled"],
        batch["total_calls_dispatched"],
        batch["total_calls_finished"],
        failed,
    )


def follow(client: httpx.Client, batch_id: str, *, poll: float, out: TextIO) -> int:
    """Poll the batch until its status is final and every call it dispatched has ended,
    showing progress; a virtual clock is moved by ``poll`` seconds a step.
    A progress bar on a terminal, one line per change otherwise."""
    clock = client.get("/__fake__/clock")
    virtual = clock.status_code == 200 and clock.json().get("mode") == "virtual"
    started = monotonic()
    with terminal.Steps(out, batch_id, None) as steps:
        last: tuple[int, int, int, int] | None = None
        while True:
            r = client.get(f"/agents/calls/batches/{batch_id}")
            if r.status_code != 200:
                return _err(f"Get Call Batch answered {r.status_code}")
            batch = r.json()
            counts = _counts(batch)
            scheduled, dispatched, finished, failed = counts
            detail = f"dispatched {dispatched}, finished {finished}, failed {failed}"
            line = f"{batch['status']:<11} {detail} of {scheduled}"
            steps.update(finished, detail, total=scheduled, line=line if counts != last else None)
            last = counts
            # the status says how far dispatch has got (completed: every recipient
            # dispatched); follow on until the calls dispatched have ended too
            if batch["status"] in ENDED and finished == dispatched:
                break
            if virtual:
                client.post("/__fake__/clock/advance", json={"seconds": poll})
            else:
                time.sleep(poll)
    took = monotonic() - started
    print(f"{batch_id} {batch['status']}: {detail} ({took:.1f}s)", file=out, flush=True)
    return 0 if batch["status"] == "completed" else 2
