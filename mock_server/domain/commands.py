"""Typed commands: what a request asks the domain to do, decoded at the edge for its version.

The domain takes these, never a request body plus a version string: a field a version does
not have never reaches it. The op log stores them (``record``/``from_record``) with
``FORMAT``; ``mock_server.wire.oplog_formats`` upgrades older records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

#: The op-log format of commands (1: request bodies and a version, before commands).
FORMAT = 2


@dataclass(frozen=True, slots=True)
class Refusal:
    """An item refused at the edge on its own (2026-08-14's per-destination validation)."""

    code: str
    message: str


class Destination(NamedTuple):
    """One number to call, with what the request's version lets it carry. (A NamedTuple,
    like the results: one is made per destination, and a frozen dataclass costs more.)"""

    to_number: str
    metadata: dict[str, Any] | None = None
    dynamic_variables: dict[str, Any] | None = None
    refusal: Refusal | None = None

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {"to_number": self.to_number}
        if self.metadata is not None:
            out["metadata"] = self.metadata
        if self.dynamic_variables is not None:
            out["dynamic_variables"] = self.dynamic_variables
        if self.refusal is not None:
            out["refusal"] = [self.refusal.code, self.refusal.message]
        return out

    @staticmethod
    def from_record(raw: Mapping[str, Any]) -> Destination:
        refusal = raw.get("refusal")
        return Destination(
            raw["to_number"],
            raw.get("metadata"),
            raw.get("dynamic_variables"),
            None if refusal is None else Refusal(*refusal),
        )


class PlaceCalls(NamedTuple):
    """``POST /agents/calls``: place one call per destination, in order."""

    from_number_id: str
    agent_id: str
    destinations: tuple[Destination, ...]
    ringing_timeout_seconds: int | None = None
    max_call_duration_minutes: int | None = None
    #: How many destinations carry a ``refusal`` (counted once, by whoever builds it).
    refused: int = 0

    def record(self) -> dict[str, Any]:
        return {
            "from_number_id": self.from_number_id,
            "agent_id": self.agent_id,
            "destinations": [d.record() for d in self.destinations],
            "ringing_timeout_seconds": self.ringing_timeout_seconds,
            "max_call_duration_minutes": self.max_call_duration_minutes,
        }

    @staticmethod
    def from_record(raw: Mapping[str, Any]) -> PlaceCalls:
        destinations = tuple(Destination.from_record(d) for d in raw["destinations"])
        return PlaceCalls(
            raw["from_number_id"],
            raw["agent_id"],
            destinations,
            raw.get("ringing_timeout_seconds"),
            raw.get("max_call_duration_minutes"),
            sum(1 for d in destinations if d.refusal is not None),
        )


@dataclass(frozen=True, slots=True)
class CreateBatch:
    """``POST /agents/calls/batches``: a campaign the dispatcher dials under its limit."""

    name: str
    agent_id: str
    from_number_id: str
    recipients: tuple[Destination, ...]
    target_concurrency_limit: int | None = None
    ringing_timeout_seconds: int | None = None
    max_call_duration_minutes: int | None = None
    #: RFC 3339 as sent (checked against the clock by the domain), or None: start now.
    scheduled_at: str | None = None
    region: str | None = None

    def record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "agent_id": self.agent_id,
            "from_number_id": self.from_number_id,
            "recipients": [r.record() for r in self.recipients],
            "target_concurrency_limit": self.target_concurrency_limit,
            "ringing_timeout_seconds": self.ringing_timeout_seconds,
            "max_call_duration_minutes": self.max_call_duration_minutes,
            "scheduled_at": self.scheduled_at,
            "region": self.region,
        }

    @staticmethod
    def from_record(raw: Mapping[str, Any]) -> CreateBatch:
        return CreateBatch(
            raw["name"],
            raw["agent_id"],
            raw["from_number_id"],
            tuple(Destination.from_record(r) for r in raw["recipients"]),
            raw.get("target_concurrency_limit"),
            raw.get("ringing_timeout_seconds"),
            raw.get("max_call_duration_minutes"),
            raw.get("scheduled_at"),
            raw.get("region"),
        )


@dataclass(frozen=True, slots=True)
class UpdateAgent:
    """``PATCH /agents/{agent_id}``: the fields the request set (``given``); a ``webhook_id``
    given as None detaches the agent's webhook."""

    agent_id: str
    name: str | None = None
    webhook_id: str | None = None
    given: frozenset[str] = frozenset()
    description: str | None = None
    tts_voice: str | None = None
    tts_language: str | None = None

    def record(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "name": self.name,
            "webhook_id": self.webhook_id,
            "given": sorted(self.given),
            "description": self.description,
            "tts_voice": self.tts_voice,
            "tts_language": self.tts_language,
        }

    @staticmethod
    def from_record(raw: Mapping[str, Any]) -> UpdateAgent:
        return UpdateAgent(
            raw["agent_id"],
            raw.get("name"),
            raw.get("webhook_id"),
            frozenset(raw["given"]),
            raw.get("description"),
            raw.get("tts_voice"),
            raw.get("tts_language"),
        )


@dataclass(frozen=True, slots=True)
class UpdateWebhook:
    """``PATCH /agents/webhooks/{webhook_id}``: a new ``url``, and ``secret`` and
    ``display_name`` when ``given``."""

    webhook_id: str
    url: str
    secret: str | None = None
    display_name: str | None = None
    given: frozenset[str] = frozenset()

    def record(self) -> dict[str, Any]:
        return {
            "webhook_id": self.webhook_id,
            "url": self.url,
            "secret": self.secret,
            "display_name": self.display_name,
            "given": sorted(self.given),
        }

    @staticmethod
    def from_record(raw: Mapping[str, Any]) -> UpdateWebhook:
        return UpdateWebhook(
            raw["webhook_id"],
            raw["url"],
            raw.get("secret"),
            raw.get("display_name"),
            frozenset(raw["given"]),
        )
