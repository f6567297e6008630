"""Tenants: one isolated world per API key, created on first use."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from mock_server.domain.errors import ApiError
from mock_server.domain.ids import derive_seed
from mock_server.domain.settings import Settings
from mock_server.domain.tenants.load import StoreLoad
from mock_server.domain.tenants.seed import Seed
from mock_server.domain.tenants.tenant import Tenant
from mock_server.domain.timing.clock import Clock
from mock_server.domain.timing.engine import EngineHooks


class Tenants:
    """Creates each key's tenant on first use with the same settings, seed and clock kind."""

    def __init__(
        self,
        *,
        settings: Settings,
        seed: int,
        world_seed: Seed,
        clock_factory: Callable[[str], Clock],
        hooks: EngineHooks | None = None,
    ) -> None:
        self.settings = settings
        self.seed = seed
        self.world_seed = world_seed
        self._clock_factory = clock_factory
        #: The engine's hooks to the outside, given to every tenant built.
        self._hooks = hooks
        self._tenants: OrderedDict[str, Tenant] = OrderedDict()
        #: Calls and queued recipients across every tenant held (``load``).
        self._load = StoreLoad()
        self._lock = threading.Lock()
        #: key -> the lock held while that key's tenant is being built
        self._building: dict[str, threading.Lock] = {}
        #: Called once for every tenant created, before first use (persistence restores the
        #: tenant from its log and attaches its recorder here).
        self.on_create: Callable[[Tenant], None] | None = None

    def loaded(self, key: str) -> Tenant | None:
        """The tenant of ``key`` if it is in memory, without waiting for any lock."""
        return self._tenants.get(key)

    def get(self, key: str) -> Tenant:
        """The tenant of ``key``, created (and rebuilt from the op log) on first use.

        Beyond ``max_tenants`` the least recently used tenant that can be dropped without
        losing anything (its world is in the op log, or it holds no call) makes room; when
        none can, the new key is refused with a 503 (ledger ``store.max_tenants``): a
        tenant's calls never vanish to make room for another's. A tenant is built outside
        the tenants' lock (rebuilding it may take long), one build per key at a time."""
        with self._lock:
            tenant = self._tenants.get(key)
            if tenant is not None:
                self._tenants.move_to_end(key)
                return tenant
            building = self._building.setdefault(key, threading.Lock())
        with building:
            tenant = self._tenants.get(key)
            if tenant is None:
                tenant = self._build(key)
            with self._lock:
                self._building.pop(key, None)
            return tenant

    def _build(self, key: str) -> Tenant:
        with self._lock:
            dropped = self._make_room()
        _detach(dropped)
        tenant = Tenant(
            key,
            settings=self.settings,
            clock=self._clock_factory(key),
            seed=derive_seed(self.seed, key),
            world_seed=self.world_seed,
            hooks=self._hooks,
            load=self._load,
        )
        try:
            if self.on_create is not None:
                self.on_create(tenant)
            with self._lock:
                dropped = self._make_room()
                self._tenants[key] = tenant
        except BaseException:
            tenant.detach()  # never held: its calls leave the total
            raise
        _detach(dropped)
        return tenant

    def _make_room(self) -> Tenant | None:
        """Drop a tenant if the store is full (the caller holds the lock, and detaches the
        tenant dropped once it has let go: a tenant's lock is never taken under this one)."""
        if len(self._tenants) < self.settings.max_tenants:
            return None
        victim = next((k for k, t in list(self._tenants.items()) if _droppable(t)), None)
        if victim is None:
            raise ApiError(
                503,
                "tenant_store_full",
                "Too many tenants",
                f"The fake holds {len(self._tenants)} tenants with calls (knob "
                "max_tenants) and keeps each one's calls; reset or retire keys "
                "(POST /__fake__/reset), or run with --state.",
                headers={"retry-after": "60"},
            )
        return self._tenants.pop(victim)

    def load(self) -> int:
        """Calls and queued batch recipients across every tenant in memory (a running total
        each tenant keeps up to date as it gives its lock back: a count, not a snapshot)."""
        return self._load.total()

    def forget(self, tenant: Tenant) -> None:
        """Drop ``tenant`` from memory (if it is still the one held for its key): its next
        request rebuilds it from the op log, as after an eviction."""
        with self._lock:
            if self._tenants.get(tenant.key) is not tenant:
                return
            del self._tenants[tenant.key]
        tenant.detach()

    def keys(self) -> list[str]:
        return list(self._tenants)

    def all(self) -> list[Tenant]:
        return list(self._tenants.values())

    def __len__(self) -> int:
        return len(self._tenants)


def _detach(tenant: Tenant | None) -> None:
    if tenant is not None:
        tenant.detach()


def _droppable(tenant: Tenant) -> bool:
    """Whether dropping ``tenant`` from memory loses nothing: it is in the op log, or it
    holds no call."""
    return tenant.recorder is not None or not tenant.holds_calls()
