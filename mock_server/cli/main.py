"""The ``cartesia-fake`` command line: its parser, and each command's entry."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from contracts import versions_with
from mock_server.cli import args as cliargs
from mock_server.cli import serve as servecmd
from mock_server.cli import terminal
from mock_server.domain.settings import Settings
from mock_server.service.ledger import LEDGER, markdown_table


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cartesia-fake",
        description="A faithful, stateful fake of Cartesia's agent-call API, with a "
        "contract-testing kit: serve it, call through it, check it against the real API, "
        "watch it.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    servecmd.add_parser(sub)
    behaviors = sub.add_parser(
        "behaviors",
        help="print the behaviour ledger",
        description="Print every behaviour rule with its provenance and knob.",
    )
    behaviors.add_argument(
        "--markdown", action="store_true", help="print the README's fidelity table instead"
    )
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
    call.add_argument("--follow", action="store_true", help="follow the call until it ends")
    call.add_argument("--poll", type=float, default=0.5, help="seconds between polls")
    timeline = sub.add_parser(
        "timeline",
        help="save a served fake's calls as one HTML page (the dashboard, frozen)",
        description="Fetch the tenant's timeline from a served fake (GET /__fake__/ui/file) "
        "and write it to a standalone HTML file: open it in any browser, no server needed.",
    )
    timeline.add_argument(
        "--base-url",
        default="http://127.0.0.1:8000",
        type=cliargs.base_url,
        help="the served fake (default http://127.0.0.1:8000)",
    )
    timeline.add_argument(
        "--api-key",
        default=os.environ.get("CARTESIA_API_KEY"),
        help="the tenant to show (default: $CARTESIA_API_KEY)",
    )
    timeline.add_argument(
        "--out", default="cartesia-timeline.html", help="file to write (default %(default)s)"
    )
    from mock_server.checker import spec_command
    from mock_server.cli import batch as batchcmd
    from mock_server.cli import proxy as proxycmd

    batchcmd.add_parser(sub)
    proxycmd.add_parser(sub)
    spec_command.add_parser(sub)
    return parser


def _call(args: argparse.Namespace) -> int:
    import httpx

    from mock_server.cli.call import place_and_follow

    headers = {"authorization": f"Bearer {args.api_key}", "cartesia-version": "2026-03-01"}
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


def _print_behaviors(markdown: bool) -> int:
    settings = Settings()
    if markdown:
        print(markdown_table(settings))
        return 0
    rows = [
        (
            entry.id,
            entry.provenance,
            entry.statement
            + (f"  [knob {entry.knob}={getattr(settings, entry.knob)!r}]" if entry.knob else ""),
        )
        for entry in LEDGER
    ]
    terminal.table(sys.stdout, ("rule", "provenance", "statement"), rows)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:  # `cartesia-fake behaviors | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _timeline(args: argparse.Namespace) -> int:
    import httpx

    if not args.api_key:
        print("cartesia-fake timeline: needs --api-key or $CARTESIA_API_KEY", file=sys.stderr)
        return 2
    try:
        r = httpx.get(
            args.base_url.rstrip("/") + "/__fake__/ui/file",
            headers={"authorization": f"Bearer {args.api_key}"},
            timeout=60,
        )
    except httpx.HTTPError as exc:
        print(f"cartesia-fake timeline: cannot reach {args.base_url}: {exc}", file=sys.stderr)
        return 1
    if r.status_code != 200:
        print(
            f"cartesia-fake timeline: {args.base_url} answered {r.status_code}; is it a "
            "cartesia-fake server?",
            file=sys.stderr,
        )
        return 1
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(r.text)
    print(f"wrote {args.out}")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "behaviors":
        return _print_behaviors(args.markdown)
    if args.command == "check":
        from mock_server.cli.check import run_check_command

        return run_check_command(args)
    if args.command == "call":
        return _call(args)
    if args.command == "batch":
        from mock_server.cli import batch as batchcmd

        return batchcmd.run(args)
    if args.command == "timeline":
        return _timeline(args)
    if args.command == "proxy":
        from mock_server.cli import proxy as proxycmd

        return proxycmd.run(args)
    if args.command == "contracts":
        from mock_server.checker import spec_command

        return spec_command.run(args)
    return servecmd.run(args)


__all__ = ["main"]
