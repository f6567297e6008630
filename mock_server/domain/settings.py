"""Settings: every knob that changes a behaviour rule. Each field is named by a ledger entry."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Literal

PacingScope = Literal["number", "organization"]

#: Agent-call concurrency per plan (Line's scaling docs): presets for
#: ``organization_concurrency_limit``.
PLAN_CONCURRENCY = MappingProxyType({"free": 8, "pro": 12, "startup": 20, "scale": 60})
InvalidItem = Literal["per_destination", "reject_request"]
VersionNotOnRoute = Literal["not_found", "oldest_served"]
OtherVersionFields = Literal["drop", "reject_request"]
LegacyCallShape = Literal["legacy", "2026-03-01"]


@dataclass(frozen=True, slots=True)
class Settings:
    """Knobs of the fake. Defaults follow the dossier; ``mock_server.service.ledger`` says why."""

    max_body_bytes: int = 1_048_576
    max_json_depth: int = 64
    max_outbound_calls: int = 100
    reject_unknown_fields: bool = False
    #: The Cartesia-Version values answered (empty: every version of the lineage).
    accepted_versions: tuple[str, ...] = ()
    #: A version the fake knows, on a route documented only from a later one (ledger
    #: version.route_since): the live API's plain 404, or served as the oldest that has it.
    version_not_on_route: VersionNotOnRoute = "not_found"
    #: A request field that exists only in another version (2026-08-14's dynamic_variables
    #: sent under 2026-03-01; ledger version.other_fields): dropped with a journal warning
    #: and never stored, or the whole request a 400.
    other_version_fields: OtherVersionFields = "drop"
    #: Get and List Calls under 2024-06-10, 2024-11-13 and 2025-04-16 (ledger
    #: version.legacy_shape): the legacy call object, or the 2026-03-01 one.
    legacy_call_shape: LegacyCallShape = "legacy"
    missing_version_status: int = 400
    dial_interval_seconds: float = 1.0
    pacing_scope: PacingScope = "number"
    pace_twilio_numbers: bool = False
    error_after_answer_seconds: float = 5.0
    journal_size: int = 1000
    duplicate_dial_window_seconds: float = 300.0
    max_calls_per_tenant: int = 2_000_000
    #: Server-wide: calls and queued batch recipients across every tenant (ledger
    #: store.max_calls_total); one more is a 503 server_store_full.
    max_calls_total: int = 4_000_000
    #: Server-wide ceiling on one request's work: a tenant's max_outbound_calls cannot be
    #: raised past it (ledger serve.request_ceiling).
    max_request_items: int = 1_000
    max_tenants: int = 10_000
    api_keys: tuple[str, ...] = field(default=())
    #: Under 2026-08-14, an item with a malformed to_number or bad dynamic_variables fails
    #: only its destination (ledger create.invalid_item); "reject_request" 400s the request.
    invalid_item: InvalidItem = "per_destination"
    #: The API version whose shapes webhook payloads use (ledger webhooks.version).
    webhook_api_version: str = "2026-08-14"
    #: Calls the organisation may have in flight (ledger batches.concurrency); batches are
    #: held back by it, single calls only with ``org_limit_holds_single_calls``.
    organization_concurrency_limit: int = PLAN_CONCURRENCY["scale"]
    #: How long after a create (or retry) answers the dispatcher first looks at the batch
    #: (ledger batches.dispatch_delay): the answer always shows it before any dispatch.
    batch_dispatch_delay_ms: int = 1
    #: A POST /agents/calls beyond the organisation's limit is 429 concurrency_limited.
    org_limit_holds_single_calls: bool = False
    #: Per-tenant bounds on what the control plane and the webhook API store (ledger
    #: store.tenant_limits): one more is a 400 tenant_limit naming the knob.
    max_callee_scripts: int = 10_000
    max_faults: int = 1_000
    max_webhooks: int = 1_000
    #: Honour an Idempotency-Key on POST /agents/calls (ledger create.idempotency_key); by
    #: default it is ignored with a journal warning, as the real API documents no such header.
    honour_idempotency_key: bool = False
    #: The request journal keeps at most this many bytes as well as ``journal_size``
    #: entries (ledger store.journal_bytes).
    journal_bytes: int = 8_388_608
    #: Served fakes: tenants whose requests may run beside the serving loop at once
    #: (ledger serve.isolation).
    aside_workers: int = 64
    #: Served fakes: connection bounds (ledger serve.connections).
    max_request_line_bytes: int = 8_192
    max_header_bytes: int = 65_536
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 10.0
    idle_timeout_seconds: int = 5

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the named knobs changed; unknown names fail with the list of knobs."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            hints = "".join(f"; {name!r}{suggest(name, known)}" for name in unknown)
            raise TypeError(f"unknown knob(s) {unknown}{hints}; known: {sorted(known)}")
        return replace(self, **overrides)


def knob_names() -> tuple[str, ...]:
    """Every knob, in declaration order."""
    return tuple(f.name for f in fields(Settings))


def suggest(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when ``name`` is close to one of ``known``, else ``''``."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
