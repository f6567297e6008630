"""Knobs changed after start: which ones a tenant may change, and checking new values.

``serve --set knob=value`` may change any knob; ``PATCH /__fake__/settings`` only the
tenant knobs below (the others shape the server itself: its connections, its tenants, what
it accepts before it knows the tenant). Values are checked against the ``control_settings``
contract, so the CLI, the control plane and ``FakeCartesia(**knobs)`` say the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from contracts import VERSIONS, errors_of
from mock_server.domain.settings import Settings, knob_names, suggest
from mock_server.domain.tenant import Tenant

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


def check(changes: Mapping[str, Any], *, tenant_only: bool = False) -> dict[str, Any]:
    """The changes as Settings field values, or a KnobError naming every problem."""
    known = knob_names()
    problems: list[str] = []
    for name in changes:
        if name not in known:
            problems.append(f"{name!r} is not a knob{suggest(name, known)}")
        elif tenant_only and name not in TENANT_KNOBS:
            problems.append(
                f"{name!r} is server-wide: set it when starting, with "
                f"'cartesia-fake serve --set {name}=...'"
            )
    if not problems:
        problems = [f"{e.path}: {e.message}" for e in errors_of("control_settings", dict(changes))]
    for version in changes.get("accepted_versions", ()) if not problems else ():
        if version not in VERSIONS:
            problems.append(
                f"accepted_versions: {version!r} is not a served version ({', '.join(VERSIONS)})"
            )
    if problems:
        raise KnobError("; ".join(problems))
    return {
        name: tuple(value) if isinstance(value, list) else value for name, value in changes.items()
    }


def settings_of(overrides: Mapping[str, Any]) -> Settings:
    """The default knobs with ``overrides``: an unknown name is a TypeError (with the closest
    name), a value a knob cannot take a KnobError."""
    settings = Settings().with_overrides(**overrides)
    check({k: list(v) if isinstance(v, tuple) else v for k, v in overrides.items()})
    return settings


def parse_assignment(text: str) -> tuple[str, Any]:
    """``knob=value`` from the command line. The value is read as JSON when it is JSON
    (``true``, ``2.5``, ``["a"]``), a comma-separated list for list knobs, else a string."""
    name, sep, raw = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not name:
        raise KnobError(f"expected knob=value, got {text!r}")
    known = knob_names()
    if name not in known:
        raise KnobError(f"{name!r} is not a knob{suggest(name, known)}")
    raw = raw.strip()
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    if isinstance(getattr(Settings(), name), tuple) and isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    return name, value


def configure(tenant: Tenant, changes: Mapping[str, Any]) -> Settings:
    """Change some of one tenant's knobs from now on (ledger control.settings), and log the
    change so that ``--state`` keeps it. A KnobError names every problem; nothing changes."""
    values = check(changes, tenant_only=True)
    with tenant.locked():
        tenant.use_settings(tenant.settings.with_overrides(**values))
        tenant.record_op("configure", changes=values)
        return tenant.settings


def current(settings: Settings) -> dict[str, Any]:
    """Every knob's value (lists for tuples), in declaration order."""
    return {
        name: list(value) if isinstance(value, tuple) else value
        for name in knob_names()
        for value in (getattr(settings, name),)
    }
