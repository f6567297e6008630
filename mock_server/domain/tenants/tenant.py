"""Tenant: one API key's isolated organisation: its lock, clock, engine and world, the
transactions that are the only way in, and moving its time (the calls API and the set-up
operations are its mixins, ``calls.py`` and ``setup.py``).

Time moves only through the tenant's clock: due transitions are applied when the virtual clock
is advanced or, on a real clock, whenever a request touches the tenant (``sync``). There are
no timers, so the state is a pure function of what was requested and of ``now``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from mock_server.domain.calls.readmodels import CallView
from mock_server.domain.errors import ApiError, bad_request
from mock_server.domain.models import Call
from mock_server.domain.settings import Settings
from mock_server.domain.tenants.calls import CallOperations
from mock_server.domain.tenants.load import StoreLoad
from mock_server.domain.tenants.operations import Recorder
from mock_server.domain.tenants.seed import Seed
from mock_server.domain.tenants.setup import SetUpOperations
from mock_server.domain.tenants.transaction import Transaction
from mock_server.domain.tenants.world import World
from mock_server.domain.timing import fastforward
from mock_server.domain.timing.clock import LATEST_MS, Clock, ClockMode, VirtualClock, rfc3339
from mock_server.domain.timing.engine import Engine, EngineHooks


class ClockModeError(ApiError):
    def __init__(self, what: str) -> None:
        super().__init__(
            409, "clock_not_virtual", "Clock is real", f"{what} needs a virtual clock."
        )


class Tenant(CallOperations, SetUpOperations):
    """The world of one API key, guarded by a lock (a live server and a test thread share it).

    ``hooks`` connect the engine to the outside (the Line bridge, the webhook sender); they
    are given here, once, and are not called while the world replays its op log."""

    def __init__(
        self,
        key: str,
        *,
        settings: Settings,
        clock: Clock,
        seed: int,
        world_seed: Seed,
        hooks: EngineHooks | None = None,
        load: StoreLoad | None = None,
    ) -> None:
        self.key = key
        self.settings = settings
        self._clock = clock
        self.auto_advance = False
        self._seed = seed
        #: The server's knobs, which ``reset`` brings back after ``use_settings``.
        self.server_settings = settings
        self._world_seed = world_seed
        self._lock = threading.RLock()
        #: Moves the world through time.
        self._engine = Engine(
            settings,
            EngineHooks() if hooks is None else hooks,
            lambda world, call: self._view(world, call).snapshot(),
        )
        #: Called with (op, args, at) after each successful change (see ``oplog``).
        self.recorder: Recorder | None = None
        #: Why this tenant's log could not be replayed (it is then not served), or None.
        self.unreplayable: str | None = None
        self._world = World.fresh(
            seed=seed, settings=settings, world_seed=world_seed, now=clock.now_ms()
        )
        #: The server-wide running total this tenant reports its count to, and its share.
        self._load = load
        self._reported = 0
        self._world.server_load = None if load is None else load.total
        self._tx: Transaction
        self._renew()
        self._catching_up = _Holding(self, catch_up=True)
        self._holding = _Holding(self, catch_up=False)

    # ---- locking and time -------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[Transaction]:
        """Hold the tenant, bring it up to date with its clock, and hand over its world."""
        return self._catching_up

    def holding(self) -> AbstractContextManager[Transaction]:
        """A transaction that does not apply due transitions first (the per-request
        bookkeeping: faults, the journal)."""
        return self._holding

    def _renew(self) -> None:
        """The transaction handed out from now on (after the world, knobs or clock
        changed); one object, not one per holding (a request takes three)."""
        world = self._world
        self._tx = Transaction(
            world=world,
            settings=self.settings,
            now_ms=self._clock.now_ms,
            view=lambda call: self._view(world, call),
            _record=self._record,
            _engine=self._engine,
        )

    def _enter(self, catch_up: bool) -> Transaction:
        self._lock.acquire()
        if catch_up:
            try:
                self._engine.run_due(self._world, self._clock.now_ms())
            except BaseException:
                self._lock.release()
                raise
        return self._tx

    def _leave(self, report: bool) -> None:
        """Give the lock back; after a transaction (``report``), bring the server-wide
        total up to date first (a holding changes no call count)."""
        if report and self._load is not None:
            self._report(self._load)
        self._lock.release()

    def _report(self, load: StoreLoad) -> None:
        """Bring the server-wide total up to this tenant's count (under the lock)."""
        held = self.stored_calls()
        if held != self._reported:
            load.add(held - self._reported)
            self._reported = held

    def detach(self) -> None:
        """Stop counting towards the server-wide total (the tenant leaves memory)."""
        with self._lock:
            if self._load is not None:
                self._load.add(-self._reported)
                self._reported, self._load = 0, None

    def _record(self, op: str, args: dict[str, Any]) -> None:
        """Hand a successful change to the op log (persistence), if one is attached."""
        if self.recorder is not None:
            self.recorder(op, args, self._clock.now_ms())

    def _view(self, world: World, call: Call) -> CallView:
        return CallView(
            call,
            world.agents.get(call.agent_id),
            world.numbers.get(call.from_number_id),
            self._clock.now_ms(),
        )

    def now_ms(self) -> int:
        return self._clock.now_ms()

    def stored_calls(self) -> int:
        """Calls held and batch recipients still queued (each will be a call): what the
        call cap counts. Read without the lock (a running sum, not a decision)."""
        return len(self._world.calls) + self._world.dispatcher.queued()

    def has_faults(self) -> bool:
        """Whether any fault is set: read without the lock (a fault added while a request
        is under way may or may not hit it, as if it came just before or just after)."""
        return bool(self._world.faults)

    def holds_calls(self) -> bool:
        return bool(self._world.calls)

    @property
    def clock_mode(self) -> ClockMode:
        """``virtual`` or ``real``."""
        return self._clock.mode

    @contextmanager
    def replaying(self) -> Iterator[None]:
        """While the tenant replays its op log: nothing is refused on the call cap (it was
        accepted once) and the engine's outside hooks are not called."""
        with self._lock:
            self._world.replaying = True
        try:
            yield
        finally:
            with self._lock:
                self._world.replaying = False

    def use_clock(self, clock: Clock) -> None:
        """Follow ``clock`` from now on (a rebuilt tenant goes back to a real clock)."""
        with self._lock:
            self._clock = clock
            self._renew()

    def observed(self) -> bool:
        """Whether moving this tenant's time may call out (a webhook, a Line agent): read
        without the lock, so a concurrent change counts as observed."""
        try:
            return not fastforward.unobserved(self._world)
        except RuntimeError:  # the agents changed while being read
            return True

    def next_due(self) -> int | None:
        """When the next transition, delivery or admission is due (None: nothing is)."""
        return self._engine.next_due(self._world)

    def _virtual(self, what: str) -> VirtualClock:
        if not isinstance(self._clock, VirtualClock):
            raise ClockModeError(what)
        return self._clock

    def advance(self, seconds: float) -> int:
        """Move a virtual clock forward, applying every transition in time order."""
        if not seconds >= 0:
            raise bad_request(f"seconds must be >= 0, got {seconds!r}")
        with self._lock:
            clock = self._virtual("Advancing the clock")
            target = clock.now_ms() + round(seconds * 1000)
            if target > LATEST_MS:
                raise bad_request(
                    f"seconds: the clock may not pass {rfc3339(LATEST_MS)} (it is "
                    f"{rfc3339(clock.now_ms())}); advance by at most "
                    f"{(LATEST_MS - clock.now_ms()) / 1000:g} seconds.",
                    code="clock_limit",
                )
            self._engine.advance_to(self._world, clock, target)
            self._record("advance_to", {"target": target})
            return target

    def step(self, limit: int) -> bool:
        """Move a virtual clock to the next event if it is due by ``limit`` (ms)."""
        with self._lock:
            clock = self._virtual("Stepping the clock")
            moved = self._engine.step(self._world, clock, limit)
            if moved:
                self._record("advance_to", {"target": clock.now_ms()})
            return moved

    def run_until_idle(self) -> int:
        """Jump event to event until every call has ended; returns the final time."""
        with self._lock:
            clock = self._virtual("run-until-idle")
            self._engine.run_until_idle(self._world, clock)
            self._record("advance_to", {"target": clock.now_ms()})
            return clock.now_ms()

    def poll(self) -> None:
        """A client read: with auto-advance on, jump a virtual clock to the next event."""
        if self.auto_advance and isinstance(self._clock, VirtualClock):
            with self._lock:
                due = self.next_due()
                if due is not None and due > self._clock.now_ms():
                    self._engine.advance_to(self._world, self._clock, due)
                    self._record("advance_to", {"target": due})

    def reset(self) -> None:
        """A fresh world (seed re-applied) on the server's knobs; the clock and its mode
        are kept."""
        with self._lock:
            replaying, load = self._world.replaying, self._world.server_load
            self._world = World.fresh(
                seed=self._seed,
                settings=self.server_settings,
                world_seed=self._world_seed,
                now=self._clock.now_ms(),
            )
            self._world.replaying, self._world.server_load = replaying, load
            self.use_settings(self.server_settings)
            self._record("reset", {})
            if self._load is not None:
                self._report(self._load)

    def use_settings(self, settings: Settings) -> None:
        """Follow ``settings`` from now on (``knobs.configure``): what is already planned,
        such as a queued call's dial time, stays as it was."""
        with self._lock:
            self.settings = settings
            self._engine.error_ms = round(settings.error_after_answer_seconds * 1000)
            self._world.configure(settings)
            self._renew()


class _Holding:
    """``with tenant.transaction()`` / ``tenant.holding()``: the lock taken, due work
    applied (``catch_up``), the tenant's transaction handed over; the lock given back."""

    __slots__ = ("_catch_up", "_tenant")

    def __init__(self, tenant: Tenant, *, catch_up: bool) -> None:
        self._tenant = tenant
        self._catch_up = catch_up

    def __enter__(self) -> Transaction:
        return self._tenant._enter(self._catch_up)

    def __exit__(self, *exc: object) -> None:
        self._tenant._leave(self._catch_up)
