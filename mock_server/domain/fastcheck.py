"""A fast pre-check of outbound requests that only ever says "certainly valid".

Full JSON Schema validation costs more than the rest of a request. Most requests are valid, so
this checks the common shape directly, with every limit read from the contract itself; when it
cannot vouch for a body, the caller runs the full validator, which also words the errors. A
property test checks that a body this accepts is always accepted by the schema too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts import is_e164, load_schema

_KNOWN_TOP = frozenset(
    {
        "from_number_id",
        "agent_id",
        "outbound_calls",
        "ringing_timeout_seconds",
        "max_call_duration_minutes",
    }
)


@dataclass(frozen=True, slots=True)
class Limits:
    ring_min: int
    ring_max: int
    max_min: int
    max_max: int
    min_items: int

    #: Item fields that only the full validator checks (their presence means "not sure").
    deep_item_fields: frozenset[str] = frozenset()

    @classmethod
    def from_contract(cls, version: str | None = None) -> Limits:
        props = load_schema("outbound_request", version)["properties"]
        item = load_schema("outbound_item", version)["properties"]
        ring = props["ringing_timeout_seconds"]
        dur = props["max_call_duration_minutes"]
        return cls(
            ring["minimum"],
            ring["maximum"],
            dur["minimum"],
            dur["maximum"],
            props["outbound_calls"]["minItems"],
            frozenset(item) - {"to_number", "metadata"},
        )


def _int_in(value: Any, low: int, high: int) -> bool:
    if value is None:
        return True
    return type(value) is int and low <= value <= high


def certainly_valid(
    body: Mapping[str, Any], limits: Limits, *, max_items: int, reject_unknown: bool
) -> bool:
    """True only if ``body`` is valid; False means "run the full validator"."""
    if reject_unknown and not _KNOWN_TOP.issuperset(body):
        return False
    from_id, agent_id, calls = (
        body.get("from_number_id"),
        body.get("agent_id"),
        body.get("outbound_calls"),
    )
    if type(from_id) is not str or not from_id or type(agent_id) is not str or not agent_id:
        return False
    if type(calls) is not list or not limits.min_items <= len(calls) <= max_items:
        return False
    ring_min, ring_max = limits.ring_min, limits.ring_max
    if not _int_in(body.get("ringing_timeout_seconds"), ring_min, ring_max):
        return False
    if not _int_in(body.get("max_call_duration_minutes"), limits.max_min, limits.max_max):
        return False
    for item in calls:
        if type(item) is not dict or not is_e164(item.get("to_number")):
            return False
        if reject_unknown and not {"to_number", "metadata"}.issuperset(item):
            return False
        if limits.deep_item_fields and not limits.deep_item_fields.isdisjoint(item):
            return False
        metadata = item.get("metadata")
        if metadata is not None and type(metadata) is not dict:
            return False
    return True


_BATCH_INTS = (
    ("target_concurrency_limit", 1, 2**63),
    ("ringing_timeout_seconds", 5, 80),
    ("max_call_duration_minutes", 1, 480),
)
_RECIPIENT_KEYS = frozenset({"to_number", "metadata"})


def certainly_valid_batch(body: Mapping[str, Any]) -> bool:
    """True only if a batch body is valid (common shapes: recipients with a to_number and
    at most a metadata object); False means "run the full validator". Like
    ``certainly_valid``, a property test checks it never accepts what the contract rejects."""
    for key in ("agent_id", "from_number_id"):
        value = body.get(key)
        if type(value) is not str or not value:
            return False
    name = body.get("name")
    if name is not None and (type(name) is not str or len(name) > 200):
        return False
    for key, low, high in _BATCH_INTS:
        if not _int_in(body.get(key), low, high):
            return False
    if body.get("scheduled_at") is not None or body.get("region") is not None:
        return False
    recipients = body.get("recipients")
    if type(recipients) is not list or not 1 <= len(recipients) <= 5000:
        return False
    for item in recipients:
        if type(item) is not dict or not _RECIPIENT_KEYS.issuperset(item):
            return False
        if not is_e164(item.get("to_number")):
            return False
        metadata = item.get("metadata")
        if metadata is not None and type(metadata) is not dict:
            return False
    return True
