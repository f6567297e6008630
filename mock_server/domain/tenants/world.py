"""World: every piece of one tenant's mutable data, replaced whole on reset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mock_server.domain.batches.dispatcher import Dispatcher
from mock_server.domain.calls.callees import DEFAULT_CALLEE
from mock_server.domain.calls.pacing import DialPacer
from mock_server.domain.ids import IdFactory
from mock_server.domain.journal.faults import FaultBook
from mock_server.domain.journal.journal import Journal
from mock_server.domain.models import Agent, Call, CalleeScript, PhoneNumber, Webhook
from mock_server.domain.settings import Settings
from mock_server.domain.tenants.idempotency import IdempotencyKeys
from mock_server.domain.tenants.seed import Seed
from mock_server.domain.timing.scheduler import Scheduler
from mock_server.domain.webhooks.outbox import Outbox


@dataclass(slots=True)
class World:
    ids: IdFactory
    pacer: DialPacer
    journal: Journal
    agents: dict[str, Agent] = field(default_factory=dict)
    numbers: dict[str, PhoneNumber] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)
    calls_by_agent: dict[str, list[Call]] = field(default_factory=dict)
    #: Agents with a call started since their list was last sorted (see ``listing``).
    unsorted: set[str] = field(default_factory=set)
    callees: dict[str, CalleeScript] = field(default_factory=dict)
    default_callee: CalleeScript = DEFAULT_CALLEE
    scheduler: Scheduler = field(default_factory=Scheduler)
    faults: FaultBook = field(default_factory=FaultBook)
    outbox: Outbox = field(default_factory=lambda: Outbox(1000))
    #: Webhooks made with POST /agents/webhooks, by id, oldest first.
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    #: Idempotency-Key -> the request it answered (only with ``honour_idempotency_key``).
    idempotency: IdempotencyKeys = field(default_factory=IdempotencyKeys)
    #: Call batches and the dispatcher that drains them.
    dispatcher: Dispatcher = field(default_factory=lambda: Dispatcher(Settings()))
    call_seq: int = 0
    #: Calls not yet ended (the organisation's concurrency in use).
    active: int = 0
    #: Fast-forward only: (end instant, seq, call) of calls finished ahead of time whose
    #: ends the batch dispatcher has not been told of yet (see ``fastforward``).
    ends: list[tuple[int, int, Call]] = field(default_factory=list)
    #: Logged operations are being replayed: they were accepted once and are never refused
    #: again (the call cap is not applied to them; see ``outbound.check_capacity``).
    replaying: bool = False
    #: Calls and queued recipients across every tenant of the server (set by ``Tenants``;
    #: None for a world of its own), for ``max_calls_total``.
    server_load: Callable[[], int] | None = None

    @classmethod
    def fresh(cls, *, seed: int, settings: Settings, world_seed: Seed, now: int) -> World:
        ids = IdFactory(seed)
        world = cls(
            ids=ids,
            pacer=DialPacer(round(settings.dial_interval_seconds * 1000)),
            journal=Journal(
                settings.journal_size,
                round(settings.duplicate_dial_window_seconds * 1000),
                settings.journal_bytes,
            ),
            outbox=Outbox(settings.journal_size),
            dispatcher=Dispatcher(settings),
        )
        for a in world_seed.agents:
            world.add_agent(a.id, a.name, a.deployed, now)
        for n in world_seed.numbers:
            world.numbers[n.id] = PhoneNumber(
                n.id, n.number, n.provider, n.organization, n.can_place_outbound, n.label, now
            )
        world.callees.update(world_seed.callees)
        if world_seed.default_callee is not None:
            world.default_callee = world_seed.default_callee
        return world

    def configure(self, settings: Settings) -> None:
        """Pace, admit and spot duplicates by ``settings`` from now on."""
        self.pacer.interval_ms = round(settings.dial_interval_seconds * 1000)
        self.journal.duplicate_window_ms = round(settings.duplicate_dial_window_seconds * 1000)
        self.dispatcher.settings = settings

    def add_agent(self, agent_id: str, name: str, deployed: bool, now: int) -> Agent:
        agent = Agent(agent_id, name, deployed, now)
        if deployed:
            agent.deployment_id = self.ids.prefixed("ad_")
            agent.deployment_version_id = self.ids.prefixed("av_")
        self.agents[agent_id] = agent
        return agent
