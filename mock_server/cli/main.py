"""The ``cartesia-fake`` command line: its parser, and each command's entry."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from mock_server.cli import args as cliargs
from mock_server.cli import call as callcmd
from mock_server.cli import check as checkcmd
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
    _add_behaviors(sub)
    checkcmd.add_parser(sub)
    callcmd.add_parser(sub)
    _add_timeline(sub)
    from mock_server.checker import spec_command
    from mock_server.cli import batch as batchcmd
    from mock_server.cli import proxy as proxycmd

    batchcmd.add_parser(sub)
    proxycmd.add_parser(sub)
    spec_command.add_parser(sub)
    return parser


def _add_behaviors(sub: Any) -> None:
    behaviors = sub.add_parser(
        "behaviors",
        help="print the behaviour ledger",
        description="Print every behaviour rule with its provenance and knob.",
    )
    behaviors.add_argument(
        "--markdown", action="store_true", help="print the README's fidelity table instead"
    )


def _add_timeline(sub: Any) -> None:
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
        return callcmd.run(args)
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
