"""What was said on a call: turns as domain records, and the synthetic conversation a call
without a bridged Line agent is given (deterministic, covering its talk time so far).

How a turn is shown on the wire depends on the API version (``mock_server/wire/views.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_server.domain.models import Call

Role = str  # "user" | "assistant" | "system"

_SCRIPT: tuple[tuple[str, str], ...] = (
    ("assistant", "Hello{name}, this is {agent} calling. Do you have a minute?"),
    ("user", "Yes, go ahead."),
    ("assistant", "Thanks. I'm calling about your recent request with us."),
    ("user", "Okay, what about it?"),
    ("assistant", "Everything is ready on our side; I just need to confirm a few details."),
    ("user", "Sure, that works."),
)

#: Time to first byte of speech-to-text (user turns) and text-to-speech (agent turns).
STT_TTFB_SECONDS = 0.18
TTS_TTFB_SECONDS = 0.24


@dataclass(frozen=True, slots=True)
class Turn:
    """One turn of the conversation; times are seconds from the answer."""

    role: Role
    text: str
    start: float
    end: float
    #: Why the turn ended (an agent turn whose speech finished: ``tts_completed``).
    end_reason: str | None = None
    #: Tool calls the agent made in this turn, as the agent reported them.
    tool_calls: tuple[dict[str, Any], ...] = ()

    @property
    def ttfb(self) -> float:
        return TTS_TTFB_SECONDS if self.role == "assistant" else STT_TTFB_SECONDS


#: The names a greeting may use, first found first: metadata (2026-03-01), then the call's
#: dynamic variables (2026-08-14), so a test can see the values it sent arrive.
_NAME_KEYS = ("customer_name", "first_name", "name")


def _customer(call: Call) -> str | None:
    for values in (call.metadata, call.dynamic_variables):
        for key in _NAME_KEYS:
            customer = (values or {}).get(key)
            if isinstance(customer, str) and customer:
                return customer
    return None


def final_key(call: Call, agent_name: str) -> tuple[int, str, str | None] | None:
    """What the transcript of an ended, unbridged call depends on — its talk time, the agent's
    name and the customer's — so equal keys mean equal transcripts (None: the transcript can
    still change, or is the bridged agent's own)."""
    if call.ended_at is None or call.answered_at is None or call.transcript is not None:
        return None
    return (call.ended_at - call.answered_at, agent_name, _customer(call))


def synthetic(call: Call, agent_name: str, now: int) -> list[Turn] | None:
    """The conversation of an answered call up to ``now`` (None before the answer)."""
    if call.answered_at is None:
        return None
    if call.transcript is not None:  # a bridged conversation with the team's Line agent
        return list(call.transcript)
    talked = ((call.ended_at if call.ended_at is not None else now) - call.answered_at) / 1000
    customer = _customer(call)
    name = "" if customer is None else " " + customer
    turns: list[Turn] = []
    start = 0.5
    index = 0
    while True:
        role, text = _SCRIPT[index % len(_SCRIPT)]
        end = start + 2.5
        if end > talked:
            return turns
        turns.append(
            Turn(
                role,
                text.format(name=name, agent=agent_name),
                round(start, 3),
                round(end, 3),
                "tts_completed" if role == "assistant" else None,
            )
        )
        start = end + 0.5
        index += 1
