"""Which tenants the in-process helpers act on when a test names no API key.

A dialer may use API keys of its own. Clock helpers then move every tenant on a virtual
clock (one virtual time for the whole fake), and assertions look at the tenant that holds
calls, or fail naming the keys that do.
"""

from __future__ import annotations

from mock_server.domain.reads import lookups
from mock_server.domain.tenants.tenant import Tenant
from mock_server.service.core import Service
from mock_server.service.keys import fingerprint


def clock_tenants(service: Service, default_key: str, api_key: str | None) -> list[Tenant]:
    """The tenants a clock helper moves: the one named, else every tenant on a virtual
    clock (the default key's included)."""
    if api_key is not None:
        return [service.tenants.get(api_key)]
    service.tenants.get(default_key)
    return [t for t in service.tenants.all() if t.clock_mode == "virtual"]


def checked_tenant(service: Service, default_key: str, api_key: str | None) -> Tenant:
    """The tenant an assertion looks at: the one named; else the default key's if it holds
    calls, else the one tenant that does (several: an ``AssertionError`` naming them)."""
    if api_key is not None:
        return service.tenants.get(api_key)
    default = service.tenants.get(default_key)
    if default.holds_calls():
        return default
    holding = [t for t in service.tenants.all() if t.holds_calls()]
    if len(holding) == 1:
        return holding[0]
    if holding:
        keys = ", ".join(fingerprint(t.key) for t in holding)
        raise AssertionError(
            f"calls were placed with several API keys ({keys}: "
            "mock_server.service.keys.fingerprint of each) and none with the fake's default: "
            "pass api_key= to say which to check"
        )
    return default


def tenant_holding(service: Service, default_key: str, api_key: str | None, call_id: str) -> Tenant:
    """The tenant named, else the one whose world holds ``call_id`` (the default key's if
    none does, so the error is the usual 404)."""
    if api_key is not None:
        return service.tenants.get(api_key)
    default = service.tenants.get(default_key)
    if lookups.knows(default, call=call_id):
        return default
    for tenant in service.tenants.all():
        if lookups.knows(tenant, call=call_id):
            return tenant
    return default


def shown_tenants(service: Service, default_key: str, api_key: str | None) -> list[Tenant]:
    """The tenants a state shows: the one named, else every tenant holding calls (the
    default key's first), else the default key's."""
    if api_key is not None:
        return [service.tenants.get(api_key)]
    default = service.tenants.get(default_key)
    others = [t for t in service.tenants.all() if t.holds_calls() and t is not default]
    return ([default] if default.holds_calls() or not others else []) + others
