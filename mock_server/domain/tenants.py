"""Tenants: one isolated world per API key, created on first use."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from mock_server.domain.clock import Clock
from mock_server.domain.ids import derive_seed
from mock_server.domain.seed import Seed
from mock_server.domain.settings import Settings
from mock_server.domain.tenant import Tenant


class Tenants:
    """Creates each key's tenant on first use with the same settings, seed and clock kind."""

    def __init__(
        self,
        *,
        settings: Settings,
        seed: int,
        world_seed: Seed,
        clock_factory: Callable[[str], Clock],
    ) -> None:
        self.settings = settings
        self.seed = seed
        self.world_seed = world_seed
        self._clock_factory = clock_factory
        self._tenants: OrderedDict[str, Tenant] = OrderedDict()
        self._lock = threading.Lock()
        #: Called once for every tenant created, before first use (persistence restores the
        #: tenant from its log and attaches its recorder here).
        self.on_create: Callable[[Tenant], None] | None = None

    def get(self, key: str) -> Tenant:
        """The tenant of ``key``; beyond ``max_tenants`` the least recently used is dropped."""
        with self._lock:
            tenant = self._tenants.get(key)
            if tenant is not None:
                self._tenants.move_to_end(key)
                return tenant
            tenant = Tenant(
                key,
                settings=self.settings,
                clock=self._clock_factory(key),
                seed=derive_seed(self.seed, key),
                world_seed=self.world_seed,
            )
            if self.on_create is not None:
                self.on_create(tenant)
            self._tenants[key] = tenant
            while len(self._tenants) > self.settings.max_tenants:
                self._tenants.popitem(last=False)
            return tenant

    def keys(self) -> list[str]:
        return list(self._tenants)

    def all(self) -> list[Tenant]:
        return list(self._tenants.values())

    def __len__(self) -> int:
        return len(self._tenants)
