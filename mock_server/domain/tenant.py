"""Tenant: one API key's isolated organisation, and every operation on it.

Time moves only through the tenant's clock: due transitions are applied when the virtual clock
is advanced or, on a real clock, whenever a request touches the tenant (``sync``). There are
no timers, so the state is a pure function of what was requested and of ``now``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from mock_server.domain import fastforward, lifecycle, outbound, webhooks
from mock_server.domain.clock import (
    LATEST_MS,
    Clock,
    VirtualClock,
    rfc3339,
)
from mock_server.domain.commands import FORMAT, PlaceCalls
from mock_server.domain.engine import Engine
from mock_server.domain.errors import ApiError, bad_request, not_found
from mock_server.domain.faults import Fault
from mock_server.domain.journal import JournalEntry
from mock_server.domain.listing import StartBounds, agent_page
from mock_server.domain.models import (
    Agent,
    Call,
    CalleeScript,
    CallStatus,
    Phase,
    PhoneNumber,
    Webhook,
)
from mock_server.domain.readmodels import CallPage, CallView, Placement
from mock_server.domain.seed import Seed
from mock_server.domain.settings import Settings
from mock_server.domain.world import World

T = TypeVar("T")


class ClockModeError(ApiError):
    def __init__(self, what: str) -> None:
        super().__init__(
            409, "clock_not_virtual", "Clock is real", f"{what} needs a virtual clock."
        )


class Tenant:
    """The world of one API key, guarded by a lock (a live server and a test thread share it)."""

    def __init__(
        self, key: str, *, settings: Settings, clock: Clock, seed: int, world_seed: Seed
    ) -> None:
        self.key = key
        self.settings = settings
        self.clock = clock
        self.auto_advance = False
        self._seed = seed
        #: The server's knobs, which ``reset`` brings back after ``use_settings``.
        self.server_settings = settings
        self._world_seed = world_seed
        self._lock = threading.RLock()
        #: Moves the world through time; its hooks connect the bridge and webhook sender.
        self.engine = Engine(settings)
        self.engine.snapshot = lambda world, call: self.view(call).snapshot()
        #: Called with (op, args, at) after each successful change (see ``oplog``).
        self.recorder: Callable[[str, dict[str, Any], int], None] | None = None
        #: Why this tenant's log could not be replayed (it is then not served), or None.
        self.unreplayable: str | None = None
        self.world = World.fresh(
            seed=seed, settings=settings, world_seed=world_seed, now=clock.now_ms()
        )

    def record_op(self, op: str, **args: Any) -> None:
        """Hand a successful change to the op log (persistence), if one is attached."""
        if self.recorder is not None:
            self.recorder(op, args, self.clock.now_ms())

    # ---- locking and time -------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[World]:
        """Hold the tenant and bring it up to date with its clock."""
        with self._lock:
            self.engine.run_due(self.world, self.clock.now_ms())
            yield self.world

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def observed(self) -> bool:
        """Whether moving this tenant's time may call out (a webhook, a Line agent): read
        without the lock, so a concurrent change counts as observed."""
        try:
            return not fastforward.unobserved(self.world)
        except RuntimeError:  # the agents changed while being read
            return True

    def next_due(self) -> int | None:
        """When the next transition, delivery or admission is due (None: nothing is)."""
        return self.engine.next_due(self.world)

    def _virtual(self, what: str) -> VirtualClock:
        if not isinstance(self.clock, VirtualClock):
            raise ClockModeError(what)
        return self.clock

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
            self.engine.advance_to(self.world, clock, target)
            self.record_op("advance_to", target=target)
            return target

    def step(self, limit: int) -> bool:
        """Move a virtual clock to the next event if it is due by ``limit`` (ms)."""
        with self._lock:
            clock = self._virtual("Stepping the clock")
            moved = self.engine.step(self.world, clock, limit)
            if moved:
                self.record_op("advance_to", target=clock.now_ms())
            return moved

    def run_until_idle(self) -> int:
        """Jump event to event until every call has ended; returns the final time."""
        with self._lock:
            clock = self._virtual("run-until-idle")
            self.engine.run_until_idle(self.world, clock)
            self.record_op("advance_to", target=clock.now_ms())
            return clock.now_ms()

    def poll(self) -> None:
        """A client read: with auto-advance on, jump a virtual clock to the next event."""
        if self.auto_advance and isinstance(self.clock, VirtualClock):
            with self._lock:
                due = self.next_due()
                if due is not None and due > self.clock.now_ms():
                    self.engine.advance_to(self.world, self.clock, due)
                    self.record_op("advance_to", target=due)

    def reset(self) -> None:
        """A fresh world (seed re-applied) on the server's knobs; the clock and its mode
        are kept."""
        with self._lock:
            replaying, load = self.world.replaying, self.world.server_load
            self.world = World.fresh(
                seed=self._seed,
                settings=self.server_settings,
                world_seed=self._world_seed,
                now=self.clock.now_ms(),
            )
            self.world.replaying, self.world.server_load = replaying, load
            self.use_settings(self.server_settings)
            self.record_op("reset")

    def use_settings(self, settings: Settings) -> None:
        """Follow ``settings`` from now on (``knobs.configure``): what is already planned,
        such as a queued call's dial time, stays as it was."""
        with self._lock:
            self.settings = settings
            self.engine.error_ms = round(settings.error_after_answer_seconds * 1000)
            self.world.configure(settings)

    # ---- the calls API ------------------------------------------------------------------

    def create_outbound(
        self, command: PlaceCalls, *, idempotency_key: str | None = None
    ) -> Placement:
        """Apply rules 3-5 (the shapes were decoded at the edge), then create the calls: what
        was decided, per destination and for the request."""
        with self.locked() as world:
            outbound.check_parties(command.agent_id, command.from_number_id, world)
            self._check_concurrency(world, len(command.destinations) - command.refused)
            now = self.clock.now_ms()
            results, created = outbound.create_calls(command, world, self.settings, now=now)
            self.engine.schedule_new(world, created)
            dups = world.journal.note_dials(created, now)
            self.engine.run_due(world, now)
            if self.recorder is not None:  # only a logged tenant pays for the record
                args: dict[str, Any] = {"format": FORMAT, "command": command.record()}
                if idempotency_key is not None:  # a replay rebuilds the key's record too
                    args["idempotency_key"] = idempotency_key
                self.record_op("create_outbound", **args)
            number = world.numbers[command.from_number_id]
            waits = bool(created) and created[-1].dial_at > created[-1].created_at
            return Placement(results, dups, number.provider, waits)

    def _check_concurrency(self, world: World, more: int) -> None:
        """With ``org_limit_holds_single_calls``: 429 beyond the organisation's limit."""
        limit = self.settings.organization_concurrency_limit
        if self.settings.org_limit_holds_single_calls and world.active + more > limit:
            raise ApiError(
                429,
                "concurrency_limited",
                "Too many concurrent calls",
                f"The organisation has {world.active} calls in flight; its limit is {limit}.",
                headers={"retry-after": "1"},
            )

    def _call(self, world: World, call_id: str) -> Call:
        call = world.calls.get(call_id)
        if call is None:
            raise not_found(f"Call {call_id!r} not found.", code="call_not_found")
        return call

    def view(self, call: Call) -> CallView:
        """``call`` with its agent and number, as of now (use under the lock)."""
        world = self.world
        return CallView(
            call,
            world.agents.get(call.agent_id),
            world.numbers.get(call.from_number_id),
            self.clock.now_ms(),
        )

    def get_call(
        self, call_id: str, show: Callable[[CallView], T], *, count_poll: bool = True
    ) -> T:
        """The call as ``show`` renders it (in the lock); a client's read is a poll of it."""
        self.poll()
        with self.locked() as world:
            call = self._call(world, call_id)
            if count_poll:
                world.journal.polled(call.id, self.clock.now_ms())
            return show(self.view(call))

    def call(self, call_id: str) -> Call:
        with self.locked() as world:
            return self._call(world, call_id)

    def list_calls(
        self,
        agent_id: str,
        show: Callable[[CallView], T],
        *,
        limit: int = 10,
        starting_after: str | None = None,
        ending_before: str | None = None,
        started: StartBounds | None = None,
        unknown_agent_is_404: bool = False,
    ) -> CallPage[T]:
        """A page of ``agent_id``'s calls, newest first, each rendered by ``show`` (``started``:
        inclusive start-time bounds; a call that never started is left out by them)."""
        self.poll()
        with self.locked() as world:
            if unknown_agent_is_404 and agent_id not in world.agents:
                raise not_found(f"Agent {agent_id!r} not found.", code="agent_not_found")
            if starting_after is None and ending_before is None:  # a poll, not paging on
                world.journal.polled(f"List Calls agent_id={agent_id}", self.clock.now_ms())
            page, next_page = agent_page(
                world,
                agent_id,
                limit=limit,
                after=starting_after,
                before=ending_before,
                started=started,
            )
            return CallPage([show(self.view(c)) for c in page], next_page, next_page is not None)

    def cancel(self, call_id: str) -> None:
        with self.locked() as world:
            call = self._call(world, call_id)
            if call.status is not CallStatus.STARTED:
                raise bad_request(
                    f"Call {call_id!r} is {call.status.value}; only started calls can be "
                    "cancelled.",
                    code="call_not_active",
                )
            self.engine.end_now(world, call, lifecycle.cancel_step(call, self.clock.now_ms()))
            self.record_op("cancel", call_id=call_id)

    def delete(self, call_id: str, show: Callable[[CallView], T]) -> T:
        with self.locked() as world:
            call = self._call(world, call_id)
            if call.phase is not Phase.ENDED:
                raise bad_request(
                    f"Call {call_id!r} is {call.status.value}; only completed or failed calls "
                    "can be deleted. Cancel it first.",
                    code="call_not_ended",
                )
            if call.redacted_at is None:
                call.redacted_at = self.clock.now_ms()
                self.record_op("delete", call_id=call_id)
            return show(self.view(call))

    # ---- control plane ------------------------------------------------------------------

    def add_agent(
        self,
        agent_id: str | None = None,
        *,
        name: str = "Test agent",
        deployed: bool = True,
        line_url: str | None = None,
        webhook: Webhook | None = None,
    ) -> Agent:
        """Create an agent, or update the one with ``agent_id`` (its deployment is kept)."""
        with self.locked() as world:
            existing = world.agents.get(agent_id) if agent_id else None
            if existing is not None and existing.deployed == deployed:
                existing.name = name
                agent = existing
            else:
                new_id = agent_id or world.ids.prefixed("agent_")
                agent = world.add_agent(new_id, name, deployed, self.clock.now_ms())
            agent.line_url = line_url
            agent.webhook = webhook
            self.record_op(
                "add_agent",
                agent_id=agent_id,
                name=name,
                deployed=deployed,
                line_url=line_url,
                webhook=None if webhook is None else [webhook.url, webhook.secret],
            )
            return agent

    def _within(self, have: int, knob: str, what: str) -> None:
        """400 naming the knob when one more ``what`` would pass its per-tenant limit."""
        limit = getattr(self.settings, knob)
        if have >= limit:
            raise bad_request(
                f"This tenant already has {have} {what}; the limit is {limit} (knob {knob}). "
                "Reset it (POST /__fake__/reset) or raise the knob.",
                code="tenant_limit",
            )

    def add_webhook_fault(self, fault: webhooks.WebhookFault) -> None:
        with self._lock:
            self._within(len(self.world.outbox.faults), "max_faults", "webhook faults")
            self.world.outbox.faults.append(fault)

    def add_phone_number(
        self, number: str, *, number_id: str | None = None, **fields: Any
    ) -> PhoneNumber:
        """Add a number. ``fields``: ``PhoneNumber``'s optional fields (provider,
        organization, can_place_outbound, label, provider_id, agent_id)."""
        with self.locked() as world:
            new_id = number_id or world.ids.prefixed("ap_")
            item = PhoneNumber(new_id, number, created_at=self.clock.now_ms(), **fields)
            world.numbers[new_id] = item
            self.record_op("add_phone_number", number=number, number_id=number_id, **fields)
            return item

    def set_callee(self, number: str, script: CalleeScript) -> None:
        with self.locked() as world:
            if number not in world.callees:
                self._within(len(world.callees), "max_callee_scripts", "callee scripts")
            world.callees[number] = script
            self.record_op("set_callee", number=number, script=script.as_dict())

    def set_default_callee(self, script: CalleeScript) -> None:
        with self.locked() as world:
            world.default_callee = script
            self.record_op("set_default_callee", script=script.as_dict())

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self._within(len(self.world.faults.active()), "max_faults", "faults")
            self.world.faults.add(fault)
            self.record_op("add_fault", fault=fault.as_dict())
            return fault

    def unused_faults(self) -> list[Fault]:
        with self._lock:
            return self.world.faults.unused()

    def take_fault(self, method: str, path: str, template: str | None = None) -> Fault | None:
        with self._lock:
            fault = self.world.faults.take(method, path, template)
            if fault is not None:  # logged, so a restarted fake has the same hits left
                self.record_op("take_fault", method=method, path=path, template=template)
            return fault

    def record(self, entry: JournalEntry) -> None:
        with self._lock:
            self.world.journal.record(entry)
