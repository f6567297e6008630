"""What each API version looks like on the wire, stated as deltas along the lineage.

The lineage (``contracts.SHIPPED``) orders the versions and gives each its shapes; this module
adds what a contract cannot say — how a version's errors are written, which List Calls rules
it has, how a deleted call looks — as one delta per version: the root states every flag, each
later version only what it changes. The fields a shape has are read from its contract, so
adding a field to one version's call object is its contract and one value in
``views.agent_call``. A version that renames a field says so in ``renames`` (wire name ->
the renderer's name).

Renderers (``views.py``) and handlers read a ``WireVersion``; nothing tests version strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from operator import itemgetter
from types import MappingProxyType
from typing import Any, Literal

from contracts import SHIPPED, Lineage

ErrorFormat = Literal["structured", "plain"]


@dataclass(frozen=True, slots=True)
class WireFlags:
    """The rules of one version that its contracts do not state (see ``WIRE_DELTAS``)."""

    #: Error bodies: structured JSON (2026-03-01 on) or the legacy ``Title: Message`` text.
    error_format: ErrorFormat
    #: Fields a deleted (redacted) call no longer shows.
    redacted_fields: tuple[str, ...]
    #: List Calls answers ``has_more``.
    list_has_more: bool
    #: List Calls answers 404 for an unknown ``agent_id`` (otherwise an empty page).
    list_unknown_agent_404: bool
    #: List Calls accepts ``batch_id`` instead of ``agent_id``, and the start-time bounds.
    list_filters: bool
    #: An invalid outbound item may fail only its destination (knob ``invalid_item``).
    per_destination_validation: bool
    #: Wire field -> the renderer's name for it, for a version that renames a field.
    renames: Mapping[str, str]
    #: A batch whose every recipient failed before dialing shows ``failed`` (2026-08-14);
    #: before, the docs' table reserved ``failed`` and such a batch shows ``completed``.
    batch_failed_status: bool


#: Each version's changes to the flags, along ``contracts.SHIPPED``: the root states all.
WIRE_DELTAS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "2024-06-10": {
            "error_format": "plain",
            "redacted_fields": ("metadata", "summary", "transcript"),
            "list_has_more": False,
            "list_unknown_agent_404": False,
            "list_filters": False,
            "per_destination_validation": False,
            "renames": MappingProxyType({}),
            "batch_failed_status": False,
        },
        "2024-11-13": {},
        "2025-04-16": {},
        "2025-11-04": {},
        "2026-03-01": {"error_format": "structured"},
        "2026-08-14": {
            "redacted_fields": ("dynamic_variables", "summary", "transcript"),
            "list_has_more": True,
            "list_unknown_agent_404": True,
            "list_filters": True,
            "per_destination_validation": True,
            "batch_failed_status": True,
        },
    }
)

#: The legacy call statuses (before 2026-03-01) by the fake's own (ledger version.legacy_status).
LEGACY_STATUS = MappingProxyType(
    {"created": "active", "started": "active", "completed": "completed", "failed": "failed"}
)


#: Every ``telephony_params`` field the renderer writes.
TELEPHONY_FIELDS = frozenset({"from", "to", "call_sid", "direction", "connection_type"})


@dataclass(frozen=True, slots=True)
class WireVersion:
    """What one Cartesia-Version looks like on the wire."""

    name: str
    flags: WireFlags
    #: ``AgentCall`` fields, in the contract's order, the transcript left out.
    plain_fields: tuple[str, ...]
    #: Picks ``plain_fields``' values out of the renderer's dict, in C (``itemgetter``).
    pick: Callable[[dict[str, Any]], tuple[Any, ...]]
    #: The call object has a ``transcript`` (written last, when asked for).
    has_transcript: bool
    #: Transcript turn fields, in order: the properties of its ``transcript_turn`` contract.
    turn_fields: tuple[str, ...]
    #: Batch recipient fields (empty where the version has no batches).
    recipient_fields: tuple[str, ...]
    #: ``telephony_params`` fields, in order.
    telephony_fields: tuple[str, ...]
    #: ``telephony_fields`` are every field the renderer writes (nothing to leave out).
    telephony_whole: bool
    #: The fields a transcript turn's tool call keeps (empty: as the agent reported it).
    tool_call_fields: tuple[str, ...]
    #: The status names, by the fake's (``created``, ``started``, ``completed``, ``failed``).
    status_names: Mapping[str, str]
    #: The statuses ``api_cancelled`` ends show as (legacy: ``cancelled``), else None.
    cancelled_status: str | None

    @property
    def call_fields(self) -> tuple[str, ...]:
        return (*self.plain_fields, "transcript") if self.has_transcript else self.plain_fields

    @property
    def error_format(self) -> ErrorFormat:
        return self.flags.error_format

    @property
    def redacted_fields(self) -> tuple[str, ...]:
        return self.flags.redacted_fields

    @property
    def list_has_more(self) -> bool:
        return self.flags.list_has_more

    @property
    def list_unknown_agent_404(self) -> bool:
        return self.flags.list_unknown_agent_404

    @property
    def list_filters(self) -> bool:
        return self.flags.list_filters

    @property
    def per_destination_validation(self) -> bool:
        return self.flags.per_destination_validation


_FLAG_NAMES = tuple(f.name for f in fields(WireFlags))


def _props(lineage: Lineage, shape: str, version: str) -> dict[str, Any]:
    schema = lineage.schemas(version).get(shape)
    return dict(schema.get("properties", {})) if schema is not None else {}


def _build(lineage: Lineage, name: str, flags: WireFlags) -> WireVersion:
    call = _props(lineage, "agent_call", name)
    plain = tuple(f for f in call if f != "transcript")
    renamed = tuple(flags.renames.get(f, f) for f in plain)
    statuses = list(call["status"]["enum"])
    legacy = "active" in statuses
    telephony = call.get("telephony_params", {}).get("properties", {})
    return WireVersion(
        name=name,
        flags=flags,
        plain_fields=plain,
        pick=_picker(renamed),
        has_transcript="transcript" in call,
        turn_fields=tuple(_props(lineage, "transcript_turn", name)),
        recipient_fields=tuple(_props(lineage, "batch_recipient", name)),
        telephony_fields=tuple(telephony),
        telephony_whole=set(telephony) >= TELEPHONY_FIELDS,
        tool_call_fields=tuple(
            _props(lineage, "transcript_turn", name)
            .get("tool_calls", {})
            .get("items", {})
            .get("properties", {})
        ),
        status_names=LEGACY_STATUS if legacy else MappingProxyType({s: s for s in statuses}),
        cancelled_status="cancelled" if "cancelled" in statuses else None,
    )


def _picker(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    if len(names) == 1:
        only = names[0]
        return lambda values: (values[only],)
    return itemgetter(*names)


class WireTable:
    """Every version of a lineage as a ``WireVersion``: each one's flags are its base's,
    changed by its delta. Built once; a test may build its own for a throwaway version."""

    def __init__(self, lineage: Lineage, deltas: Mapping[str, Mapping[str, Any]]) -> None:
        self.lineage = lineage
        self._deltas = MappingProxyType(dict(deltas))
        table: dict[str, WireVersion] = {}
        states: dict[str, dict[str, Any]] = {}
        for version in lineage.versions:
            delta = deltas.get(version.name, {})
            unknown = set(delta) - set(_FLAG_NAMES)
            if unknown:
                raise ValueError(f"{version.name}: unknown wire flags {sorted(unknown)}")
            base = {} if version.base is None else states[version.base]
            state = {**base, **delta}
            missing = [f for f in _FLAG_NAMES if f not in state]
            if missing:
                raise ValueError(f"{version.name}: the root must state {missing}")
            states[version.name] = state
            table[version.name] = _build(lineage, version.name, WireFlags(**state))
        self._table = MappingProxyType(table)
        self.names = lineage.names
        self.latest = lineage.latest

    def __contains__(self, name: object) -> bool:
        return name in self._table

    def get(self, name: str | None) -> WireVersion:
        """The wire version named ``name`` (the latest when None)."""
        return self._table[name or self.latest]

    def extend(self, lineage: Lineage, delta: Mapping[str, Any]) -> WireTable:
        """The table of ``lineage`` (this one's, one version longer) with its delta added."""
        return WireTable(lineage, {**self._deltas, lineage.names[-1]: delta})


#: The shipped lineage on the wire.
SHIPPED_WIRE = WireTable(SHIPPED, WIRE_DELTAS)


def wire(version: str | None) -> WireVersion:
    """The shipped wire version named ``version`` (the latest when None)."""
    return SHIPPED_WIRE.get(version)
