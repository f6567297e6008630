"""Knobs changed after start: which ones a tenant may change, and changing them.

``serve --set knob=value`` may change any knob; ``PATCH /__fake__/settings`` only the
tenant knobs below (the others shape the server itself: its connections, its tenants, what
it accepts before it knows the tenant). Values are checked before they get here, against the
``control_settings`` contract (``mock_server.service.knob_values``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server.domain.settings import Settings, knob_names, suggest
from mock_server.domain.tenants.tenant import Tenant

#: Knobs one tenant may change at run time (ledger control.settings).
TENANT_KNOBS = frozenset(
    {
        "reject_unknown_fields",
        "max_outbound_calls",
        "dial_interval_seconds",
        "pacing_scope",
        "pace_twilio_numbers",
        "error_after_answer_seconds",
        "duplicate_dial_window_seconds",
        "invalid_item",
        "organization_concurrency_limit",
        "batch_dispatch_delay_ms",
        "org_limit_holds_single_calls",
        "max_callee_scripts",
        "max_faults",
        "max_webhooks",
        "honour_idempotency_key",
        "other_version_fields",
        "legacy_call_shape",
    }
)


class KnobError(ValueError):
    """A knob that does not exist, may not be changed here, or a value it cannot take."""


def tenant_names(changes: Mapping[str, Any]) -> list[str]:
    """The problems with the names of ``changes`` for one tenant: not a knob, or server-wide."""
    known = knob_names()
    problems: list[str] = []
    for name in changes:
        if name not in known:
            problems.append(f"{name!r} is not a knob{suggest(name, known)}")
        elif name not in TENANT_KNOBS:
            problems.append(
                f"{name!r} is server-wide: set it when starting, with "
                f"'cartesia-fake serve --set {name}=...'"
            )
    return problems


def configure(tenant: Tenant, values: Mapping[str, Any]) -> Settings:
    """Change some of one tenant's knobs from now on (ledger control.settings), and log the
    change so that ``--state`` keeps it. ``values`` were checked at the edge
    (``knob_values.check``); a KnobError names a knob this tenant may not change."""
    problems = tenant_names(values)
    ceiling = tenant.server_settings.max_request_items
    asked = values.get("max_outbound_calls")
    with tenant.transaction() as tx:
        if isinstance(asked, int) and asked > ceiling and not tx.world.replaying:
            problems.append(
                f"max_outbound_calls: at most {ceiling}, the server's ceiling on one "
                "request's work (max_request_items, server-wide: 'cartesia-fake serve --set "
                "max_request_items=...')"
            )
        if problems:
            raise KnobError("; ".join(problems))
        tenant.use_settings(tx.settings.with_overrides(**values))
        tx.record("configure", changes=values)
    return tenant.settings


def current(settings: Settings) -> dict[str, Any]:
    """Every knob's value (lists for tuples), in declaration order."""
    return {
        name: list(value) if isinstance(value, tuple) else value
        for name in knob_names()
        for value in (getattr(settings, name),)
    }
