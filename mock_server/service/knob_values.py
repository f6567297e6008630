"""Knob values from outside: checked against the ``control_settings`` contract and the
lineage, so the CLI, the control plane and ``FakeCartesia(**knobs)`` say the same thing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from contracts import VERSIONS, errors_of, versions_with
from mock_server.domain.settings import Settings, knob_names, suggest
from mock_server.domain.tenants.knobs import KnobError, tenant_names
from mock_server.service.keys import fingerprint


def check(changes: Mapping[str, Any], *, tenant_only: bool = False) -> dict[str, Any]:
    """The changes as Settings field values, or a KnobError naming every problem."""
    known = knob_names()
    if tenant_only:
        problems = tenant_names(changes)
    else:
        problems = [
            f"{name!r} is not a knob{suggest(name, known)}" for name in changes if name not in known
        ]
    if not problems:
        problems = [
            # an API key is named by its fingerprint, never printed
            f"{e.path}: not a valid key ({fingerprint(str(_at(changes, e.path)))})"
            if e.path.startswith("api_keys")
            else f"{e.path}: {e.message}"
            for e in errors_of("control_settings", dict(changes))
        ]
    for version in changes.get("accepted_versions", ()) if not problems else ():
        if version not in VERSIONS:
            problems.append(
                f"accepted_versions: {version!r} is not a served version ({', '.join(VERSIONS)})"
            )
    hook_version = changes.get("webhook_api_version")
    hooks = versions_with("webhook")
    if not problems and hook_version is not None and hook_version not in hooks:
        problems.append(
            f"webhook_api_version: {hook_version!r} is not a version with webhooks "
            f"({', '.join(hooks)})"
        )
    if problems:
        raise KnobError("; ".join(problems))
    return {
        name: tuple(value) if isinstance(value, list) else value for name, value in changes.items()
    }


def _at(changes: Mapping[str, Any], path: str) -> Any:
    """The value at a contract error's path (``api_keys[2]``, ``api_keys``)."""
    value: Any = changes
    for part in path.replace("]", "").replace("[", ".").split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list | tuple) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
    return value


def settings_of(overrides: Mapping[str, Any]) -> Settings:
    """The default knobs with ``overrides``: an unknown name is a TypeError (with the closest
    name), a value a knob cannot take a KnobError."""
    settings = Settings().with_overrides(**overrides)
    check({k: list(v) if isinstance(v, tuple) else v for k, v in overrides.items()})
    if settings.max_outbound_calls > settings.max_request_items:
        raise KnobError(
            f"max_outbound_calls: {settings.max_outbound_calls} is over max_request_items "
            f"({settings.max_request_items}), the server's ceiling on one request's work; "
            "raise that too"
        )
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


def start_ms(value: object) -> int | None:
    """Where virtual clocks start (``FakeCartesia(start=...)``, ``serve --start``): an RFC
    3339 instant or a ``datetime`` (with an offset), ``"now"`` for the wall clock's instant,
    or None for the default (2026-03-01T12:00:00Z). A ValueError says what it takes."""
    from datetime import datetime

    from mock_server.domain.timing.clock import RealClock

    if value is None:
        return None
    if value == "now":
        return RealClock().now_ms()
    when = value
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            when = None
    if not isinstance(when, datetime) or when.tzinfo is None:
        raise ValueError(
            f"start: an RFC 3339 instant with an offset (2026-06-15T09:00:00Z), a datetime "
            f"with a timezone, or 'now' (got {value!r})"
        )
    return int(when.timestamp() * 1000)
