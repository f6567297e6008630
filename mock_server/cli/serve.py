"""``cartesia-fake serve``: its arguments, and running the fake as an HTTP server."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from mock_server.cli import args as cliargs
from mock_server.domain.settings import Settings
from mock_server.domain.tenants import knobs
from mock_server.domain.tenants.seed import Seed
from mock_server.domain.timing.clock import ClockMode
from mock_server.service import knob_values
from mock_server.service.persistence import StateFileError, StateFileInUse, move_aside
from mock_server.service.seedfile import SeedFileError, load_seed_file


def add_parser(sub: Any) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the fake as an HTTP server",
        description="Serve the fake API and its /__fake__/ control plane.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port",
        type=cliargs.port,
        default=8000,
        help="port to bind; 0 picks a free one (default 8000)",
    )
    serve.add_argument(
        "--clock",
        choices=["real", "virtual"],
        default=None,
        help="real: wall clock (default); virtual: moves only via the control API",
    )
    serve.add_argument(
        "--start",
        metavar="INSTANT",
        help="where each tenant's virtual clock starts: an RFC 3339 instant "
        "(2026-06-15T09:00:00Z) or 'now' (default 2026-03-01T12:00:00Z)",
    )
    serve.add_argument(
        "--auto-advance",
        action="store_true",
        help="on a virtual clock (implied), each Get or List Call first jumps to the next "
        "event, so a polling dialer sees its calls progress without control calls",
    )
    serve.add_argument(
        "--set",
        dest="knobs",
        action="append",
        default=[],
        type=knob_arg,
        metavar="KNOB=VALUE",
        help="change a knob for every tenant (repeat for several), e.g. --set "
        "dial_interval_seconds=2; 'cartesia-fake behaviors' lists them with their defaults",
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


def knob_arg(text: str) -> tuple[str, Any]:
    """``--set knob=value``, its value checked as the control plane checks it."""
    try:
        name, value = knob_values.parse_assignment(text)
        return name, knob_values.check({name: value})[name]
    except knobs.KnobError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _settings(args: argparse.Namespace) -> Settings:
    given = dict(args.knobs)
    if args.api_key:
        given["api_keys"] = tuple(args.api_key)
    return Settings().with_overrides(**given)


def _clock(args: argparse.Namespace) -> ClockMode:
    if args.clock is None:
        return "virtual" if args.auto_advance else "real"
    clock: ClockMode = args.clock
    return clock


def _speed(value: float) -> float:
    if not value > 0:
        raise SystemExit(f"cartesia-fake: --speed must be > 0 (got {value})")
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

    from mock_server.service.core import Service
    from mock_server.serving.app import create_app
    from mock_server.serving.server import close_served, uvicorn_config

    settings = _settings(args)
    _check_listen(args.host, args.port)
    try:
        start = knob_values.start_ms(args.start)
    except ValueError as exc:
        raise SystemExit(f"cartesia-fake serve: --{exc}") from None

    def make() -> Service:
        return Service(
            settings=settings,
            seed=args.seed,
            world_seed=world,
            clock=_clock(args),
            speed=_speed(args.speed),
            auto_advance=args.auto_advance,
            real_latency=True,
            state_path=args.state,
            start_ms=start,
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
    task, port = await started(
        server, f"cartesia-fake: could not listen on {args.host}:{args.port}"
    )
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.host.startswith("127."):
        print(
            f"cartesia-fake: warning: listening on {args.host}, beyond this machine; the fake "
            "has no real authentication (any key is a tenant unless --api-key lists them)",
            file=sys.stderr,
        )
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"cartesia-fake listening on http://{host}:{port}", flush=True)
    keeper = asyncio.create_task(_keep_gc_cheap(service))
    try:
        await task
    finally:
        keeper.cancel()
        close_served(config)
        service.close()


async def started(server: Any, failure: str) -> tuple[asyncio.Task[None], int]:
    """Start ``server`` (a ``uvicorn.Server``) on this loop; once it listens, its task and
    port. A server that stops before it listens is a ``SystemExit(failure)``."""
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            raise SystemExit(failure)
        await asyncio.sleep(0.002)
    return task, int(server.servers[0].sockets[0].getsockname()[1])


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


def run_loop(main: Any) -> None:
    """Run the server on uvloop when it is installed (uvicorn[standard]), as uvicorn.run does."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def _ignore_signal(signum: int, frame: Any) -> None:
    """uvicorn re-raises the shutdown signal once it has stopped; swallow that echo."""


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; 2 for arguments that cannot work together, 1 on failure."""
    if args.auto_advance and args.clock == "real":
        print(
            "cartesia-fake serve: --auto-advance moves a virtual clock; drop --clock real "
            "(--auto-advance implies --clock virtual)",
            file=sys.stderr,
        )
        return 2
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
        run_loop(_serve(args, world))
    except SystemExit as exc:
        if exc.code not in (None, 0):
            print(exc.code, file=sys.stderr)
            return 1
    return 0
