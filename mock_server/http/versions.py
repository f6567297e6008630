"""Every difference between the served API versions, in one table.

A request's ``Cartesia-Version`` picks a ``WireVersion``; the renderers in ``views.py`` and
the route handlers read it instead of testing version strings, and the contracts of each
version live in ``contracts/schemas/<version>/`` (shared shapes in ``contracts/schemas/``).
To serve a new version: add its contract folder (only the shapes that changed), one entry
here, and any new field's builder in ``views.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from contracts import LATEST, VERSIONS


@dataclass(frozen=True, slots=True)
class WireVersion:
    """What one Cartesia-Version looks like on the wire."""

    name: str
    #: ``AgentCall`` fields, in the order they are written.
    call_fields: tuple[str, ...]
    #: Transcript turn fields, in order.
    turn_fields: tuple[str, ...]
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


_COMMON_HEAD = ("id", "agent_id", "agent_name", "status", "start_time", "end_time", "end_reason")

WIRE_VERSIONS = MappingProxyType(
    {
        "2026-03-01": WireVersion(
            name="2026-03-01",
            call_fields=(
                *_COMMON_HEAD,
                "telephony_params",
                "telephony_account_type",
                "deployment_id",
                "deployment_version_id",
                "deployment_region",
                "zdr_enabled",
                "error_message",
                "redacted_at",
                "metadata",
                "summary",
                "transcript",
            ),
            turn_fields=(
                "role",
                "text",
                "start_timestamp",
                "end_timestamp",
                "end_reason",
                "tool_calls",
            ),
            redacted_fields=("metadata", "summary", "transcript"),
            list_has_more=False,
            list_unknown_agent_404=False,
            list_filters=False,
            per_destination_validation=False,
        ),
        "2026-08-14": WireVersion(
            name="2026-08-14",
            call_fields=(
                *_COMMON_HEAD,
                "telephony_params",
                "telephony_account_type",
                "error_message",
                "redacted_at",
                "dynamic_variables",
                "summary",
                "transcript",
            ),
            turn_fields=(
                "role",
                "text",
                "start_timestamp",
                "end_timestamp",
                "stt_ttfb",
                "tts_ttfb",
                "tool_calls",
            ),
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
