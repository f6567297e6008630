"""Every difference between the served API versions, in one table.

A request's ``Cartesia-Version`` picks a ``WireVersion``; the renderers in ``views.py`` and
the route handlers read it instead of testing version strings, and the contracts of each
version live in ``contracts/schemas/<version>/`` (shared shapes in ``contracts/schemas/``).
The fields a shape has are its contract's properties, so adding a field to one version's call
object is one contract file (``contracts/schemas/<version>/agent_call.json``) and one line of
the renderer (the dict of ``views.agent_call``). To serve a new version: add its contract
folder (only the shapes that changed), one entry here, and any new field's value in
``views.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from types import MappingProxyType
from typing import Any

from contracts import LATEST, VERSIONS, load_schema


@dataclass(frozen=True, slots=True)
class WireVersion:
    """What one Cartesia-Version looks like on the wire."""

    name: str
    #: ``AgentCall`` fields, in order: the properties of the version's ``agent_call`` contract.
    call_fields: tuple[str, ...]
    #: Transcript turn fields, in order: the properties of its ``transcript_turn`` contract.
    turn_fields: tuple[str, ...]
    #: Batch recipient fields, in order: the properties of its ``batch_recipient`` contract.
    recipient_fields: tuple[str, ...]
    #: ``call_fields`` but the transcript (which every contract puts last).
    #: Fields a deleted (redacted) call no longer shows.
    redacted_fields: tuple[str, ...]
    plain_fields: tuple[str, ...]
    #: Picks ``plain_fields``' values out of a dict, in C (``operator.itemgetter``).
    pick: Callable[[dict[str, Any]], tuple[Any, ...]]
    #: List Calls answers ``has_more``.
    list_has_more: bool
    #: List Calls answers 404 for an unknown ``agent_id`` (otherwise an empty page).
    list_unknown_agent_404: bool
    #: List Calls accepts ``batch_id`` instead of ``agent_id``, and the start-time bounds.
    list_filters: bool
    #: An invalid outbound item may fail only its destination (knob ``invalid_item``).
    per_destination_validation: bool


def _fields(contract: str, version: str) -> tuple[str, ...]:
    """The fields a shape has under ``version``: its contract's properties, in order."""
    return tuple(load_schema(contract, version)["properties"])


def _wire(name: str, **flags: Any) -> WireVersion:
    call_fields = _fields("agent_call", name)
    assert call_fields[-1] == "transcript", "the renderer writes the transcript last"
    return WireVersion(
        name=name,
        call_fields=call_fields,
        plain_fields=call_fields[:-1],
        pick=itemgetter(*call_fields[:-1]),
        turn_fields=_fields("transcript_turn", name),
        recipient_fields=_fields("batch_recipient", name),
        **flags,
    )


WIRE_VERSIONS = MappingProxyType(
    {
        "2026-03-01": _wire(
            "2026-03-01",
            redacted_fields=("metadata", "summary", "transcript"),
            list_has_more=False,
            list_unknown_agent_404=False,
            list_filters=False,
            per_destination_validation=False,
        ),
        "2026-08-14": _wire(
            "2026-08-14",
            redacted_fields=("dynamic_variables", "summary", "transcript"),
            list_has_more=True,
            list_unknown_agent_404=True,
            list_filters=True,
            per_destination_validation=True,
        ),
    }
)

assert tuple(WIRE_VERSIONS) == VERSIONS, "every contract version has a wire version"


def wire(version: str | None) -> WireVersion:
    """The wire version named ``version`` (the latest when None)."""
    return WIRE_VERSIONS[version or LATEST]
