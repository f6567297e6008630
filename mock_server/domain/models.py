"""Domain records: agents, phone numbers, callee scripts and calls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from mock_server.domain.calls.transcripts import Turn

Outcome = Literal["answer", "busy", "no_answer", "dial_failed", "error"]
HangupBy = Literal["client", "agent"]
Provider = Literal["cartesia", "twilio", "sip_trunk"]


class CallStatus(StrEnum):
    """The public ``AgentCall.status`` values (Cartesia-Version 2026-03-01)."""

    CREATED = "created"
    STARTED = "started"
    COMPLETED = "completed"
    FAILED = "failed"


class Phase(StrEnum):
    """Where a call is in its life; finer than the public status (queued and ringing are both
    ``created``)."""

    QUEUED = "queued"
    RINGING = "ringing"
    TALKING = "talking"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class CalleeScript:
    """How the callee behaves. ``talk_seconds=None`` talks until the maximum duration."""

    outcome: Outcome = "answer"
    ring_seconds: float = 2.0
    talk_seconds: float | None = 30.0
    hangup_by: HangupBy = "client"
    #: What the callee says, turn by turn, to a bridged Line agent.
    says: tuple[str, ...] = ()
    #: ``ring_seconds`` and ``talk_seconds`` in whole milliseconds, worked out once.
    ring_ms: int = field(init=False, repr=False, compare=False)
    talk_ms: int | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ring_ms", round(self.ring_seconds * 1000))
        talk = self.talk_seconds
        object.__setattr__(self, "talk_ms", None if talk is None else round(talk * 1000))

    @classmethod
    def of(cls, value: CalleeScript | str | Mapping[str, Any]) -> CalleeScript:
        """A script from a script, an outcome (``"busy"``) or its fields as a mapping; a
        clear ``ValueError`` for anything else."""
        if isinstance(value, CalleeScript):
            return value
        fields_: dict[str, Any] = {"outcome": value} if isinstance(value, str) else dict(value)
        known = ("outcome", "ring_seconds", "talk_seconds", "hangup_by", "says")
        unknown = sorted(set(fields_) - set(known))
        if unknown:
            raise ValueError(f"unknown callee field(s) {unknown}; known: {list(known)}")
        outcomes = get_args(Outcome)
        if fields_.get("outcome", "answer") not in outcomes:
            raise ValueError(
                f"callee outcome must be one of {list(outcomes)} (got {fields_['outcome']!r})"
            )
        if "says" in fields_:
            fields_["says"] = tuple(fields_["says"])
        return cls(**fields_)

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "ring_seconds": self.ring_seconds,
            "talk_seconds": self.talk_seconds,
            "hangup_by": self.hangup_by,
            "says": list(self.says),
        }


@dataclass(slots=True, eq=False)
class Webhook:
    """Where an agent's call events are POSTed, with the shared secret. One made with
    ``POST /agents/webhooks`` has an id; agents it is attached to share this object, so an
    update reaches them."""

    url: str
    secret: str
    id: str | None = None
    display_name: str | None = None
    created_at: int = 0
    updated_at: int = 0


#: A seeded agent's voice and language (INFERRED: the docs show no agent's values; any voice
#: id and an ISO 639-1 language read the same to a client).
DEFAULT_TTS_VOICE = "694f9389-aac1-45b6-b726-9d9369183238"
DEFAULT_TTS_LANGUAGE = "en"


@dataclass(slots=True)
class Agent:
    id: str
    name: str
    deployed: bool
    created_at: int
    #: What the SDKs' AgentSummary requires (ledger agents.fields): set by PATCH.
    description: str | None = None
    tts_voice: str = DEFAULT_TTS_VOICE
    tts_language: str = DEFAULT_TTS_LANGUAGE
    #: When a PATCH last changed it (None: never, so ``created_at``).
    updated_at: int | None = None
    deployment_id: str | None = None
    deployment_version_id: str | None = None
    deployment_region: str = "US"
    #: The team's Line agent (``ws://host:port/ws``); answered calls are bridged to it.
    line_url: str | None = None
    webhook: Webhook | None = None


@dataclass(slots=True)
class PhoneNumber:
    id: str
    number: str
    provider: Provider = "cartesia"
    organization: Literal["self", "other"] = "self"
    can_place_outbound: bool = True
    label: str | None = None
    created_at: int = 0
    #: The Twilio account or SIP trunk the number belongs to (None for Cartesia numbers).
    provider_id: str | None = None
    #: The agent the number is assigned to, if any.
    agent_id: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedEnd:
    """How a call that is already talking will end: ``after_ms`` from the answer."""

    after_ms: int
    status: CallStatus
    end_reason: str
    error_message: str | None = None


@dataclass(slots=True, eq=False)
class Call:
    """One outbound call. Timestamps are integer milliseconds; ``None`` means not (yet)."""

    id: str
    seq: int
    agent_id: str
    from_number_id: str
    to_number: str
    metadata: dict[str, Any] | None
    ringing_timeout_ms: int
    max_duration_ms: int
    script: CalleeScript
    created_at: int
    dial_at: int
    phase: Phase = Phase.QUEUED
    status: CallStatus = CallStatus.CREATED
    answered_at: int | None = None
    ended_at: int | None = None
    end_reason: str | None = None
    error_message: str | None = None
    redacted_at: int | None = None
    #: Set by a bridged conversation: its turns, and how and when the call ends.
    transcript: list[Turn] | None = None
    planned_end: PlannedEnd | None = None
    #: The scheduler's live heap entry for this call's next transition, if any.
    pending: Any = None
    #: Newest-first order key: the creation time (set at creation), then the start time once
    #: answered (set by ``lifecycle.apply``). A field, not derived, so List orders calls with
    #: ``attrgetter`` at C speed.
    sort_time: int = 0
    #: The item's ``dynamic_variables`` (Cartesia-Version 2026-08-14), if it sent any.
    dynamic_variables: dict[str, Any] | None = None
    #: The batch that placed the call, if one did.
    batch_id: str | None = None
