"""``cartesia-fake check``: run the conformance checker from the command line."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from contracts import LATEST, versions_with
from mock_server.cli import args as cliargs
from mock_server.cli import serve as servecmd
from mock_server.cli import terminal


def _preflight(base_url: str, api_key: str) -> str | None:
    """Why the target cannot be checked at all (unreachable, key rejected), or
    None: a rejected key would otherwise read as every probe contradicting the fake."""
    import httpx

    try:
        r = httpx.get(
            base_url.rstrip("/") + "/agents",
            headers={"authorization": f"Bearer {api_key}", "cartesia-version": LATEST},
            timeout=15,
        )
    except httpx.HTTPError as exc:
        return f"cannot reach {base_url}: {type(exc).__name__}: {exc}"
    if r.status_code in (401, 403):
        return (
            f"the target rejected the API key ({r.status_code} on GET /agents); nothing was "
            "compared. Check --api-key or $CARTESIA_API_KEY."
        )
    return None


def _replay(args: argparse.Namespace) -> int:
    """``check --replay DIR``: the recording against a fresh fake; 0 when every answer
    matches, 1 on any difference, 2 when the recording cannot be read."""
    from mock_server.kit.facade import FakeCartesia
    from mock_server.recordings.replay import replay

    try:
        with FakeCartesia(**dict(args.knobs)) as fake:
            report = replay(args.replay, fake)
    except (OSError, ValueError) as exc:
        print(f"cartesia-fake: cannot replay {args.replay}: {exc}", file=sys.stderr)
        return 2
    print(report.table())
    if args.report:
        terminal.write_report(args.report, report)
    return 0 if report.ok else 1


def run_check_command(args: argparse.Namespace) -> int:
    """The ``check`` subcommand: probe, print the report, write it if asked; the exit code."""
    from mock_server.checker.check import run_check
    from mock_server.checker.runner import Outcome

    if (args.base_url is None) == (args.replay is None):
        print("cartesia-fake: check needs --base-url URL or --replay DIR", file=sys.stderr)
        return 2
    if args.replay is not None:
        return _replay(args)
    if args.knobs:
        print(
            "cartesia-fake: --set applies to --replay (the fake replayed against)", file=sys.stderr
        )
        return 2
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
    problem = _preflight(args.base_url, args.api_key)
    if problem is not None:
        print(f"cartesia-fake: {problem}", file=sys.stderr)
        return 2
    with terminal.Steps(sys.stderr, "probes", None) as steps:

        def progress(i: int, n: int, outcome: Outcome) -> None:
            line = f"[{i}/{n}] {outcome.probe.id}: {outcome.verdict}"
            steps.update(i, f"{outcome.probe.id}: {outcome.verdict}", total=n, line=line)

        report = run_check(
            args.base_url,
            args.api_key,
            tier=args.tier,
            to_number=args.to,
            agent_id=args.agent_id,
            from_number_id=args.from_number_id,
            interval=args.interval,
            on_progress=progress,
            versions=(
                versions_with("outbound_request")
                if args.api_version == "both"
                else (args.api_version,)
            ),
        )
    if terminal.is_terminal(sys.stdout):
        terminal.table(sys.stdout, ("probe", "verdict", "details"), report.rows())
        print(report.summary())
    else:
        print(report.table())
    if args.report:
        terminal.write_report(args.report, report)
    return 0 if report.ok else 1


def add_parser(sub: Any) -> None:
    """The ``check`` subcommand's options."""
    check = sub.add_parser(
        "check",
        help="compare any base URL (the real API, say) with the fake",
        description="Send the conformance probes to BASE-URL and to the fake, and report every "
        "difference. Tier 0 cannot place a call; tier 1 places one real call and cancels it. "
        "With --replay DIR, replay a recording against the fake instead (no key needed).",
    )
    check.add_argument(
        "--base-url",
        type=cliargs.base_url,
        help="the API to check, e.g. https://api.cartesia.ai",
    )
    check.add_argument(
        "--replay",
        metavar="DIR",
        help="instead: replay a recording (cartesia-fake proxy --record DIR) against a fresh "
        "fake and compare its answers with the recorded ones",
    )
    check.add_argument(
        "--set",
        dest="knobs",
        action="append",
        default=[],
        type=servecmd.knob_arg,
        metavar="KNOB=VALUE",
        help="with --replay: a knob of the fake replayed against (repeatable)",
    )
    check.add_argument(
        "--api-key",
        default=os.environ.get("CARTESIA_API_KEY"),
        help="API key for the target (default: $CARTESIA_API_KEY)",
    )
    check.add_argument(
        "--tier",
        type=int,
        choices=[0, 1],
        default=0,
        help="0: safe, never dials (default); 1: also places one call",
    )
    check.add_argument(
        "--report",
        metavar="FILE",
        help="write the report: FILE.md for Markdown, anything else JSON",
    )
    check.add_argument(
        "--interval",
        type=float,
        default=0.2,
        help="seconds between probes to the target (default 0.2)",
    )
    check.add_argument(
        "--i-understand-this-dials",
        dest="dials",
        action="store_true",
        help="required with --tier 1: a real phone will ring",
    )
    check.add_argument("--to", metavar="E164", help="tier 1: the consenting number to call")
    check.add_argument(
        "--version",
        dest="api_version",
        choices=[*versions_with("outbound_request"), "both"],
        default="both",
        help="the Cartesia-Version to probe under (default: both: every version that places calls)",
    )
    check.add_argument(
        "--agent-id",
        default="agent_Fo7pKNBUwLZxrTd6jvhpaE",
        help="tier 1: the agent that places the call",
    )
    check.add_argument(
        "--from-number-id",
        default="ap_Q8PRh7lXyZsawXJmN2KcT5",
        help="tier 1: the number to call from",
    )
