"""The ``cartesia-fake`` command line: serve, behaviors."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from contracts import VERSIONS
from mock_server.domain.seed import Seed
from mock_server.domain.settings import Settings
from mock_server.ledger import LEDGER, markdown_table
from mock_server.persistence import StateFileError, StateFileInUse, move_aside
from mock_server.seedfile import SeedFileError, load_seed_file


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cartesia-fake",
        description="A faithful, stateful fake of Cartesia's outbound-call API.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser(
        "serve",
        help="run the fake as an HTTP server",
        description="Serve the fake API and its /__fake__/ control plane.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port",
        type=_port,
        default=8000,
        help="port to bind; 0 picks a free one (default 8000)",
    )
    serve.add_argument(
        "--clock",
        choices=["real", "virtual"],
        default="real",
        help="real: wall clock (default); virtual: moves only via the control API",
    )
    serve.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="real-clock speed factor, e.g. 60 = a second is a minute",
    )
    serve.add_argument("--seed", type=int, default=0, help="seed for deterministic ids")
    serve.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEY",
        help="accept only this key (repeat for several); default: any key",
    )
    serve.add_argument(
        "--seed-file",
        metavar="FILE",
        help="JSON or TOML file of agents, numbers and callees for new tenants",
    )
    serve.add_argument(
        "--state",
        metavar="FILE",
        help="keep every tenant's world in this SQLite file across restarts (even kill -9)",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=900,
        metavar="N",
        help="connections served at once; beyond them a 503 (default 900, under the usual "
        "limit of 1,024 open files)",
    )
    serve.add_argument(
        "--state-recover",
        action="store_true",
        help="if the --state file is empty, damaged or unreadable, move it aside (FILE.bad-N) "
        "and start fresh, saying so (never when another server holds it)",
    )
    serve.add_argument(
        "--no-seed",
        action="store_true",
        help="start tenants empty (no documented example agent and number)",
    )
    serve.add_argument("--quiet", action="store_true", help="do not log one line per request")
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
        "difference. Tier 0 cannot place a call; tier 1 places one real call and cancels it.",
    )
    check.add_argument(
        "--base-url", required=True, help="the API to check, e.g. https://api.cartesia.ai"
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
        choices=[*VERSIONS, "both"],
        default="both",
        help="the Cartesia-Version to probe under (default: both)",
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
    call.add_argument("--metadata", help="JSON object passed to the agent as call metadata")
    call.add_argument(
        "--base-url",
        default="http://127.0.0.1:8000",
        help="API base URL (default http://127.0.0.1:8000, a local fake)",
    )
    call.add_argument(
        "--api-key",
        default=os.environ.get("CARTESIA_API_KEY") or "sk_car_local",
        help="API key (default: $CARTESIA_API_KEY, else a local test key)",
    )
    call.add_argument("--follow", action="store_true", help="follow the call until it ends")
    call.add_argument("--poll", type=float, default=0.5, help="seconds between polls")
    from mock_server import batchcmd

    batchcmd.add_parser(sub)
    return parser


def _call(args: argparse.Namespace) -> int:
    import httpx

    from mock_server.callcmd import parse_metadata, place_and_follow

    try:
        metadata = parse_metadata(args.metadata)
    except ValueError as exc:
        print(f"cartesia-fake call: --metadata: {exc}", file=sys.stderr)
        return 2
    headers = {"authorization": f"Bearer {args.api_key}", "cartesia-version": "2026-03-01"}
    with httpx.Client(base_url=args.base_url, headers=headers, timeout=30) as client:
        return place_and_follow(
            client,
            args.phone_number,
            args.agent_id,
            from_number_id=args.from_number_id,
            metadata=metadata,
            follow=args.follow,
            poll=args.poll,
        )


def _speed(value: float) -> float:
    if not value > 0:
        raise SystemExit(f"cartesia-fake: --speed must be > 0 (got {value})")
    return value


def _print_behaviors(markdown: bool) -> int:
    settings = Settings()
    if markdown:
        print(markdown_table(settings))
        return 0
    for entry in LEDGER:
        knob = f"  [knob {entry.knob}={getattr(settings, entry.knob)!r}]" if entry.knob else ""
        print(f"{entry.id:<28} {entry.provenance:<9} {entry.statement}{knob}")
    return 0


def _port(text: str) -> int:
    """A TCP port, 0-65535 (argparse shows the message)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a port is a number 0-65535, not {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number 0-65535, not {value}")
    return value


def _check_listen(host: str, port: int) -> None:
    """Fail with the CLI's own message when the address cannot be bound (in use, or not
    an address of this machine), before uvicorn would print a traceback."""
    import socket

    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise SystemExit(f"cartesia-fake: cannot listen on {host}:{port}: {exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise SystemExit(
                f"cartesia-fake: cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from None


async def _serve(args: argparse.Namespace, world: Seed) -> None:
    import uvicorn

    from mock_server.app import create_app
    from mock_server.server import close_served, uvicorn_config
    from mock_server.service import Service

    settings = Settings().with_overrides(api_keys=tuple(args.api_key))
    _check_listen(args.host, args.port)

    def make() -> Service:
        return Service(
            settings=settings,
            seed=args.seed,
            world_seed=world,
            clock=args.clock,
            speed=_speed(args.speed),
            real_latency=True,
            state_path=args.state,
        )

    try:
        service = make()
    except StateFileInUse as exc:
        raise SystemExit(f"cartesia-fake: {exc}") from None
    except StateFileError as exc:
        if not args.state_recover:
            raise SystemExit(
                f"cartesia-fake: {exc} (--state-recover moves it aside and starts fresh)"
            ) from None
        moved = move_aside(args.state)
        print(
            f"cartesia-fake: {exc}; moved it to {moved} and started a fresh state file",
            file=sys.stderr,
        )
        service = make()
    if not args.quiet:

        def log(line: str) -> None:
            print(line, file=sys.stderr, flush=True)

        service.on_request = log
    config = uvicorn_config(
        create_app(service),
        settings,
        host=args.host,
        port=args.port,
        # past --max-connections, new requests get a 503
        limit_concurrency=args.max_connections,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            raise SystemExit(f"cartesia-fake: could not listen on {args.host}:{args.port}")
        await asyncio.sleep(0.002)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.host.startswith("127."):
        print(
            f"cartesia-fake: warning: listening on {args.host}, beyond this machine; the fake "
            "has no real authentication (any key is a tenant unless --api-key lists them)",
            file=sys.stderr,
        )
    port = server.servers[0].sockets[0].getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"cartesia-fake listening on http://{host}:{port}", flush=True)
    keeper = asyncio.create_task(_keep_gc_cheap(service))
    try:
        await task
    finally:
        keeper.cancel()
        close_served(config)
        service.close()


async def _keep_gc_cheap(service: Any, every: float = 1.0, growth: int = 5_000) -> None:
    """Move stored calls out of the garbage collector's way as they pile up.

    Calls live until reset, and every full collection would walk all of them: with a million
    stored that costs a p99 spike. ``gc.freeze`` (process-wide, so only the CLI server does
    it) parks what exists now in the permanent generation.
    """
    import gc

    frozen_at = 0
    while True:
        await asyncio.sleep(every)
        stored = sum(len(t.world.calls) for t in service.tenants.all())
        if stored - frozen_at >= growth:
            gc.freeze()  # cheap (moves the generations' lists); no full collection first
            frozen_at = stored


def _run_loop(main: Any) -> None:
    """Run the server on uvloop when it is installed (uvicorn[standard]), as uvicorn.run does."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def _ignore_signal(signum: int, frame: Any) -> None:
    """uvicorn re-raises the shutdown signal once it has stopped; swallow that echo."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "behaviors":
        return _print_behaviors(args.markdown)
    if args.command == "check":
        from mock_server.checker.command import run_check_command

        return run_check_command(args)
    if args.command == "call":
        return _call(args)
    if args.command == "batch":
        from mock_server import batchcmd

        return batchcmd.run(args)
    world = Seed.empty() if args.no_seed else Seed.documented()
    if args.seed_file:
        try:
            world = load_seed_file(args.seed_file)
        except SeedFileError as exc:
            print(f"cartesia-fake: {exc}", file=sys.stderr)
            return 2
    signal.signal(signal.SIGINT, _ignore_signal)
    signal.signal(signal.SIGTERM, _ignore_signal)
    try:
        _run_loop(_serve(args, world))
    except SystemExit as exc:
        if exc.code not in (None, 0):
            print(exc.code, file=sys.stderr)
            return 1
    return 0


__all__ = ["main"]
