"""``cartesia-fake proxy``: the validating proxy from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mock_server.cli import args as cliargs
from mock_server.cli import serve as servecmd
from mock_server.cli import terminal


def add_parser(sub: Any) -> None:
    proxy = sub.add_parser(
        "proxy",
        help="forward your dialer's traffic to the real API, checking every answer",
        description="A transparent proxy: each request goes to --upstream unchanged (your "
        "key, nothing added) and its answer comes back unchanged; on the side, each answer is "
        "checked against its contract and, where the fake's answer needs no state, against "
        "the fake's. GET /__proxy__/report shows what was found (?format=json|markdown|text).",
    )
    proxy.add_argument(
        "--upstream",
        required=True,
        type=cliargs.base_url,
        help="the API to forward to, e.g. https://api.cartesia.ai",
    )
    proxy.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    proxy.add_argument("--port", type=cliargs.port, default=8001, help="port (default 8001)")
    proxy.add_argument(
        "--record",
        metavar="DIR",
        help="also save each exchange in DIR, one JSON file each (keys redacted, ids kept)",
    )
    proxy.add_argument(
        "--report",
        metavar="FILE",
        help="on exit, write the report: FILE.md for Markdown, anything else JSON",
    )
    proxy.add_argument(
        "--max-record-bytes",
        type=int,
        default=1_048_576,
        metavar="N",
        help="bodies over N bytes (1 MiB) are passed on whole but recorded and checked only "
        "as a marker; a compressed answer may decode to 8 N at most",
    )


def run(args: argparse.Namespace) -> int:
    import itertools
    import signal

    import uvicorn

    from mock_server.proxy.app import ProxyState, create_proxy
    from mock_server.recordings import exchange

    record = Path(args.record) if args.record else None
    state = ProxyState(args.upstream, record=record, max_record_bytes=args.max_record_bytes)
    if record is not None:
        last = exchange.last_seq(record)
        if last:  # a second run into the same folder goes on after the first, never over it
            state.seq = itertools.count(last + 1)
            print(
                f"cartesia-fake proxy: {record} already holds a recording up to #{last}; "
                f"this run records from #{last + 1}",
                file=sys.stderr,
                flush=True,
            )
    config = uvicorn.Config(
        create_proxy(state),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        lifespan="on",  # the app closes its upstream connections at shutdown
        # a request waiting on a hanging upstream does not hold the shutdown (its upstream
        # timeout is minutes): the report is written within seconds of SIGTERM
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)

    async def main() -> None:
        task, port = await servecmd.started(
            server, f"cartesia-fake proxy: could not listen on {args.host}:{args.port}"
        )
        print(
            f"cartesia-fake proxy listening on http://{args.host}:{port} -> {args.upstream}",
            flush=True,
        )
        await task

    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    try:
        servecmd.run_loop(main())
    except SystemExit as exc:
        print(exc.code, file=sys.stderr)
        return 1
    report = state.report
    if args.report:
        terminal.write_report(args.report, report)
    print(report.table(), end="", file=sys.stderr)
    return 0 if report.ok else 1
