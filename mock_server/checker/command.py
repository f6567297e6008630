"""``cartesia-fake check``: run the conformance checker from the command line."""

from __future__ import annotations

import argparse
import sys

from contracts import VERSIONS


def run_check_command(args: argparse.Namespace) -> int:
    """The ``check`` subcommand: probe, print the report, write it if asked; the exit code."""
    from mock_server.checker.check import run_check
    from mock_server.checker.runner import Outcome

    if not args.api_key:
        print("cartesia-fake: check needs --api-key or $CARTESIA_API_KEY", file=sys.stderr)
        return 2
    if args.tier == 1 and not (args.dials and args.to):
        print(
            "cartesia-fake: --tier 1 places a real call: add --i-understand-this-dials and "
            "--to NUMBER (a number whose owner agreed to be called)",
            file=sys.stderr,
        )
        return 2
    tty = sys.stderr.isatty()

    def progress(i: int, n: int, outcome: Outcome) -> None:
        line = f"[{i}/{n}] {outcome.probe.id}: {outcome.verdict}"
        print(
            ("\r\033[K" + line) if tty else line,
            end="" if tty and i < n else "\n",
            file=sys.stderr,
            flush=True,
        )

    report = run_check(
        args.base_url,
        args.api_key,
        tier=args.tier,
        to_number=args.to,
        agent_id=args.agent_id,
        from_number_id=args.from_number_id,
        interval=args.interval,
        on_progress=progress,
        versions=VERSIONS if args.api_version == "both" else (args.api_version,),
    )
    print(report.table())
    if args.report:
        text = report.to_markdown() if args.report.endswith(".md") else report.to_json()
        with open(args.report, "w", encoding="utf-8") as out:
            out.write(text)
    return 0 if report.ok else 1
