"""Conformance probes: requests sent to the real API and to the fake, whose answers must match.

Tier 0 can never place a call or make a batch: every ``POST`` body is invalid *and* names
an agent that does not exist (``UNKNOWN_AGENT``), so a server that skipped a rule would
answer 404 instead of dialing; destinations are fictional 555-01XX numbers too. Tier 1
places one real call to a consenting number and cancels it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from contracts._loader import SHIPPED, versions_with
from contracts._probe import RUN_VERSION
from contracts._probe import Probe as Probe  # re-exported: the catalogue's record

UNKNOWN_AGENT = "agent_conformance_probe_does_not_exist"
UNKNOWN_BATCH = "acb_conformance_probe_does_not_exist"
#: The version that added List Calls' batch_id and start-time filters (and its 404s).
LIST_FILTERS_SINCE = "2026-08-14"
FICTIONAL = "+12125550199"  # 555-01XX: fictional (and refused by the fake at request time)
DOC_NUMBER_ID = "ap_Q8PRh7lXyZsawXJmN2KcT5"


def _bad(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "from_number_id": DOC_NUMBER_ID,
        "agent_id": UNKNOWN_AGENT,
        "outbound_calls": [{"to_number": FICTIONAL}],
    }
    for key, value in changes.items():
        if value is _DROP:
            body.pop(key, None)
        else:
            body[key] = value
    return body


_DROP = object()
_CALL = "/agents/calls"
_BATCHES = "/agents/calls/batches"
_UNKNOWN_CALL = "call_0000000000000000"

TIER0: tuple[Probe, ...] = (
    Probe(
        "auth.missing_key",
        0,
        "POST",
        _CALL,
        ("auth.missing", "errors.shape"),
        body=_bad(ringing_timeout_seconds=4),
        auth=False,
    ),
    Probe(
        "auth.wrong_scheme",
        0,
        "GET",
        f"{_CALL}/{_UNKNOWN_CALL}",
        ("auth.missing",),
        auth_header="Basic Y29uZm9ybWFuY2U6cHJvYmU=",
    ),
    Probe(
        "version.unknown",
        0,
        "GET",
        f"{_CALL}/{_UNKNOWN_CALL}",
        ("version.unknown",),
        version="2024-06-10",
    ),
    Probe(
        "version.missing", 0, "GET", f"{_CALL}/{_UNKNOWN_CALL}", ("version.missing",), version=None
    ),
    Probe(
        "version.sdk_default",
        0,
        "GET",
        f"{_CALL}/{_UNKNOWN_CALL}",
        ("version.accepted",),
        version="2026-08-14",
    ),
    Probe(
        "call.unknown_id",
        0,
        "GET",
        f"{_CALL}/{_UNKNOWN_CALL}",
        ("tenant.isolation", "errors.shape"),
    ),
    Probe(
        "cancel.unknown_id", 0, "POST", f"{_CALL}/{_UNKNOWN_CALL}/cancel", ("cancel.started_only",)
    ),
    Probe("delete.unknown_id", 0, "DELETE", f"{_CALL}/{_UNKNOWN_CALL}", ("delete.ended_only",)),
    Probe("audio.unknown_id", 0, "GET", f"{_CALL}/{_UNKNOWN_CALL}/audio", ("audio.wav",)),
    Probe(
        "list.limit_zero",
        0,
        "GET",
        _CALL,
        ("list.params",),
        query=MappingProxyType({"agent_id": UNKNOWN_AGENT, "limit": "0"}),
    ),
    Probe(
        "list.limit_over_100",
        0,
        "GET",
        _CALL,
        ("list.params",),
        query=MappingProxyType({"agent_id": UNKNOWN_AGENT, "limit": "101"}),
    ),
    Probe("create.invalid_json", 0, "POST", _CALL, ("create.json",), raw=json.dumps(_bad())[:-2]),
    Probe(
        "create.nan",
        0,
        "POST",
        _CALL,
        ("create.json",),
        raw=json.dumps(_bad()).replace("}]", ', "metadata": {"x": NaN}}]'),
    ),
    Probe(
        "create.missing_from_number_id",
        0,
        "POST",
        _CALL,
        ("create.required",),
        body=_bad(from_number_id=_DROP),
    ),
    Probe(
        "create.empty_outbound_calls",
        0,
        "POST",
        _CALL,
        ("create.required",),
        body=_bad(outbound_calls=[]),
    ),
    Probe(
        "create.missing_to_number",
        0,
        "POST",
        _CALL,
        ("create.required",),
        body=_bad(outbound_calls=[{"metadata": {}}]),
    ),
    Probe(
        "create.item_not_object",
        0,
        "POST",
        _CALL,
        ("create.required",),
        body=_bad(outbound_calls=[FICTIONAL]),
    ),
    Probe(
        "create.to_number_not_e164",
        0,
        "POST",
        _CALL,
        ("create.e164",),
        body=_bad(outbound_calls=[{"to_number": "2125550199"}]),
    ),
    Probe(
        "create.metadata_array",
        0,
        "POST",
        _CALL,
        ("create.metadata",),
        body=_bad(outbound_calls=[{"to_number": FICTIONAL, "metadata": [1]}]),
    ),
    Probe(
        "create.ringing_timeout_4",
        0,
        "POST",
        _CALL,
        ("create.ringing_timeout",),
        partial=True,
        body=_bad(ringing_timeout_seconds=4),
    ),
    Probe(
        "create.ringing_timeout_81",
        0,
        "POST",
        _CALL,
        ("create.ringing_timeout",),
        partial=True,
        body=_bad(ringing_timeout_seconds=81),
    ),
    Probe(
        "create.ringing_timeout_float",
        0,
        "POST",
        _CALL,
        ("create.ringing_timeout",),
        partial=True,
        body=_bad(ringing_timeout_seconds=30.0),
    ),
    Probe(
        "create.ringing_timeout_bool",
        0,
        "POST",
        _CALL,
        ("create.ringing_timeout",),
        partial=True,
        body=_bad(ringing_timeout_seconds=True),
    ),
    Probe(
        "create.max_duration_0",
        0,
        "POST",
        _CALL,
        ("create.max_duration",),
        partial=True,
        body=_bad(max_call_duration_minutes=0),
    ),
    Probe(
        "create.max_duration_481",
        0,
        "POST",
        _CALL,
        ("create.max_duration",),
        partial=True,
        body=_bad(max_call_duration_minutes=481),
    ),
    Probe(
        "create.too_many_items",
        0,
        "POST",
        _CALL,
        ("create.max_items",),
        partial=True,
        body=_bad(outbound_calls=[{"to_number": FICTIONAL}] * 101),
    ),
    Probe(
        "batch.unknown_agent",
        0,
        "POST",
        _BATCHES,
        ("batches.create", "create.agent_404"),
        body={
            "agent_id": UNKNOWN_AGENT,
            "from_number_id": DOC_NUMBER_ID,
            "recipients": [{"to_number": FICTIONAL}],
        },
    ),
    Probe(
        "batch.bad_recipient",
        0,
        "POST",
        _BATCHES,
        ("batches.create",),
        body={
            "agent_id": UNKNOWN_AGENT,
            "from_number_id": DOC_NUMBER_ID,
            "recipients": [{"to_number": FICTIONAL}, {"to_number": "2125550199"}],
        },
    ),
    Probe("batch.unknown_id", 0, "GET", f"{_BATCHES}/{UNKNOWN_BATCH}", ("batches.status",)),
    Probe(
        "batch.cancel_unknown_id",
        0,
        "POST",
        f"{_BATCHES}/{UNKNOWN_BATCH}/cancel",
        ("batches.cancel",),
    ),
    Probe(
        "create.unknown_agent_and_number",
        0,
        "POST",
        _CALL,
        ("create.rule_order", "create.agent_404"),
        body=_bad(from_number_id="ap_conformance_probe_does_not_exist"),
    ),
)


#: Probes whose answer depends on the version: each runs under the versions from its
#: ``since`` up to (not including) its ``until``, read from the lineage.
VERSIONED: tuple[Probe, ...] = (
    *(
        replace(p, until=LIST_FILTERS_SINCE)
        for p in (
            Probe("list.missing_agent_id", 0, "GET", _CALL, ("list.params",)),
            Probe(
                "list.unknown_agent_is_empty",
                0,
                "GET",
                _CALL,
                ("list.unknown_agent", "list.empty_end"),
                query=MappingProxyType({"agent_id": UNKNOWN_AGENT}),
            ),
        )
    ),
    *(
        replace(p, since=LIST_FILTERS_SINCE)
        for p in (
            Probe("list.missing_selector", 0, "GET", _CALL, ("list.params",)),
            Probe(
                "list.unknown_agent_is_404",
                0,
                "GET",
                _CALL,
                ("list.unknown_agent",),
                query=MappingProxyType({"agent_id": UNKNOWN_AGENT}),
            ),
            Probe(
                "list.unknown_batch_is_404",
                0,
                "GET",
                _CALL,
                ("list.batch_id",),
                query=MappingProxyType({"batch_id": UNKNOWN_BATCH}),
            ),
            Probe(
                "list.start_time_malformed",
                0,
                "GET",
                _CALL,
                ("list.start_time",),
                query=MappingProxyType({"agent_id": UNKNOWN_AGENT, "start_time_gte": "soon"}),
            ),
            Probe(
                "create.dynamic_variables_reserved",
                0,
                "POST",
                _CALL,
                ("create.invalid_item", "create.dynamic_variables"),
                body=_bad(
                    outbound_calls=[
                        {"to_number": FICTIONAL, "dynamic_variables": {"system__x": "y"}}
                    ]
                ),
            ),
        )
    ),
)


def tier1(to_number: str, *, agent_id: str, from_number_id: str) -> tuple[Probe, ...]:
    """Place one call to a consenting ``to_number`` (the runner cancels it at once)."""
    body = {
        "from_number_id": from_number_id,
        "agent_id": agent_id,
        "ringing_timeout_seconds": 15,
        "max_call_duration_minutes": 1,
        "outbound_calls": [{"to_number": to_number, "metadata": {"probe": "cartesia-fake"}}],
    }
    return (
        Probe(
            "call.place_and_cancel",
            1,
            "POST",
            _CALL,
            ("create.ordered_results", "ids.call", "lifecycle.statuses", "cancel.started_only"),
            body=body,
        ),
    )


#: Probes that send a version of their own (or none): the same under every run's version.
FIXED_VERSION = frozenset(p.id for p in TIER0 if p.version != RUN_VERSION)


def for_version(catalogue: tuple[Probe, ...], version: str) -> tuple[Probe, ...]:
    """The probes as sent under ``version`` (probes of another fixed version keep theirs)."""
    return tuple(replace(p, version=version) if p.version == RUN_VERSION else p for p in catalogue)


def probes(tier: int, version: str = "2026-03-01") -> tuple[Probe, ...]:
    """The tier-0 catalogue under ``version`` (tier 1 needs a destination: see ``tier1``)."""
    if tier not in (0, 1):
        raise ValueError(f"tier must be 0 or 1, got {tier!r}")
    placing = versions_with("outbound_request")
    if version not in placing:
        raise ValueError(f"version must be one of {', '.join(placing)}, got {version!r}")
    own = tuple(p for p in VERSIONED if version in SHIPPED.between(p.since, p.until))
    return for_version((*TIER0, *own), version)
