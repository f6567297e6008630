"""Service: everything one running fake holds (tenants, settings, problems seen), minus HTTP."""

from __future__ import annotations

import os
import random
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mock_server.bridge.line import LineBridge
from mock_server.bridge.loop import BridgeLoop
from mock_server.bridge.webhook import WebhookSender
from mock_server.domain.errors import ApiError
from mock_server.domain.models import Call
from mock_server.domain.settings import Settings
from mock_server.domain.tenants import oplog
from mock_server.domain.tenants.registry import Tenants
from mock_server.domain.tenants.seed import Seed
from mock_server.domain.tenants.tenant import Tenant
from mock_server.domain.tenants.world import World
from mock_server.domain.timing.clock import Clock, ClockMode, RealClock, VirtualClock
from mock_server.domain.timing.engine import EngineHooks
from mock_server.service.budget import Budget
from mock_server.service.keys import fingerprint
from mock_server.service.persistence import NotDurable, Store
from mock_server.wire import oplog_formats
from mock_server.wire.bytecache import LruBytes


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a test should fail on: ``kind`` is exception, contract or unknown_route."""

    kind: str
    tenant: str | None
    detail: str


class Service:
    """The tenants and the record of problems, shared by every door into one fake."""

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        seed: int = 0,
        world_seed: Seed | None = None,
        clock: ClockMode = "virtual",
        speed: float = 1.0,
        validate_responses: bool = False,
        real_latency: bool = False,
        state_path: str | None = None,
        auto_advance: bool = False,
        start_ms: int | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.clock_mode: ClockMode = clock
        #: Where a new tenant's virtual clock starts (None: ``DEFAULT_EPOCH_MS``).
        self.start_ms = start_ms
        self.speed = speed
        self.validate_responses = validate_responses
        self.auto_advance = auto_advance
        self.real_latency = real_latency
        self.bridge_loop = BridgeLoop()
        self.line_bridge = LineBridge(self.bridge_loop)
        self.webhook_sender = WebhookSender(
            self.bridge_loop, api_version=self.settings.webhook_api_version
        )
        self.tenants = Tenants(
            settings=self.settings,
            seed=seed,
            world_seed=world_seed if world_seed is not None else Seed.documented(),
            clock_factory=self._new_clock,
            hooks=EngineHooks(answered=self._bridge_answered, send_webhook=self.webhook_sender),
        )
        self._problems: deque[Problem] = deque(maxlen=self.settings.journal_size)
        #: Rendered transcripts of ended calls, shared by equal ones (``http/views.py``).
        self.render_cache = LruBytes()
        #: Draws request ids (not the calls' ids, which come from the seeded tenants).
        self.request_ids = random.Random(os.urandom(16))
        self._lock = threading.Lock()
        self.on_request: Callable[[str], None] | None = None
        #: The runaway budgets (``mock_server.service.budget``), checked before each API request;
        #: what they raise reaches the client's code.
        self.budget: Budget | None = None
        self.store: Store | None = None
        if state_path is not None:
            self.store = Store(state_path, seed=seed, world=self.tenants.world_seed.fingerprint())
            try:
                self.store.check(oplog.OPS)
            except Exception:
                self.store.close()
                raise
        for tenant in self.tenants.all():
            self._attach(tenant)
        self.tenants.on_create = self._attach

    def _attach(self, tenant: Tenant) -> None:
        """Connect a tenant to the outside world: bridge, webhook sender, op log.

        A logged tenant is rebuilt first, while still unconnected: replaying its past must not
        call agents, send webhooks or log the operations again.
        """
        if self.store is not None:
            try:
                self._restore(tenant, self.store)
            except oplog.ReplayError as exc:  # only this tenant is held back
                tenant.unreplayable = (
                    f"state file {self.store.path}: tenant {fingerprint(tenant.key)}: {exc}. This "
                    "tenant is not served until the file is fixed or moved aside (restart "
                    "with --state-recover to start it fresh)."
                )
                print(f"cartesia-fake: {tenant.unreplayable}", file=sys.stderr, flush=True)
                return
            tenant.recorder = self._durable(tenant, self.store.recorder(tenant.key))
        tenant.auto_advance = self.auto_advance

    def _durable(
        self, tenant: Tenant, record: Callable[[str, dict[str, Any], int], None]
    ) -> Callable[[str, dict[str, Any], int], None]:
        """``record``, but a change the state file cannot take (a full disk, say) is a 503
        and is undone: the tenant is dropped from memory and its next request rebuilds it
        from the log, which never had the change (ledger ``store.not_durable``)."""

        def durable(op: str, args: dict[str, Any], at: int) -> None:
            try:
                record(op, args, at)
            except NotDurable as exc:
                self.tenants.forget(tenant)
                raise ApiError(
                    503,
                    "state_not_durable",
                    "Change not saved",
                    f"{exc}. Nothing was changed: the request was not applied. Free space "
                    "for the state file, then retry.",
                    headers={"retry-after": "30"},
                ) from None

        return durable

    def _bridge_answered(self, call: Call, world: World) -> None:
        agent = world.agents.get(call.agent_id)
        if agent is None or agent.line_url is None:
            return
        number = world.numbers.get(call.from_number_id)
        self.line_bridge(call, agent, number.number if number else "", call.script.says)

    def _new_clock(self, key: str) -> Clock:
        if self.store is not None:
            first = self.store.first_at(key)
            if first is not None:  # a logged tenant: rebuilt on a virtual clock, see _restore
                return VirtualClock(first)
        if self.clock_mode == "virtual":
            return VirtualClock() if self.start_ms is None else VirtualClock(self.start_ms)
        return RealClock(speed=self.speed)

    def _restore(self, tenant: Tenant, store: Store) -> None:
        """Rebuild a tenant from its logged operations (after a start, or an eviction)."""
        replayed = oplog.replay_all(
            tenant,
            (  # the settings as the ops before have left them
                (op, oplog_formats.upgrade(op, args, tenant.settings), at)
                for op, args, at in store.operations(tenant.key)
            ),
        )
        if replayed and self.clock_mode == "real":  # never earlier than what was logged
            tenant.use_clock(RealClock(speed=self.speed, not_before=tenant.now_ms()))

    def close(self) -> None:
        self.bridge_loop.close()
        if self.store is not None:
            self.store.close()

    def report(self, problem: Problem) -> None:
        with self._lock:
            self._problems.append(problem)

    def problems(self, tenant: str | None = None) -> list[Problem]:
        with self._lock:
            return [p for p in self._problems if tenant is None or p.tenant == tenant]

    def forget_problems(self, tenant: str | None = None) -> list[Problem]:
        """Remove and return the problems of ``tenant`` (all when None)."""
        with self._lock:
            taken = [p for p in self._problems if tenant is None or p.tenant == tenant]
            self._problems = deque(
                (p for p in self._problems if p not in taken), maxlen=self._problems.maxlen
            )
            return taken
