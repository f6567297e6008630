"""Benchmarks: every figure is a ratio against a floor measured in the same run."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mock_server.domain.tenants.tenant import Tenant
    from mock_server.domain.tenants.world import World

#: Benchmarks make far more requests than any test: the budgets' limits are lifted (their
#: checks still run on every request, as in a test).
UNBOUNDED = {
    "max_requests": None,
    "max_response_bytes": None,
    "max_virtual_seconds": None,
    "max_wall_seconds": None,
}


def world_of(tenant: Tenant) -> World:
    """A tenant's world, for counting what a benchmark made (``tenant.holding()``)."""
    with tenant.holding() as tx:
        return tx.world
