"""The call lifecycle as data: which events move a call from phase to phase, and when.

``TRANSITIONS`` is the whole state machine; ``next_step`` is a pure function of a call that
says what happens to it next and at which instant. The tenant applies steps as time passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, NamedTuple

from mock_server.domain.models import Call, CallStatus, Phase

Event = Literal["dialed", "answered", "ended"]


class Step(NamedTuple):
    """One transition due at ``at`` (ms): the event, and how the call looks after it.

    A NamedTuple: millions are made in a large simulation, and tuples are the cheapest."""

    at: int
    event: Event
    phase: Phase
    status: CallStatus
    end_reason: str | None = None
    error_message: str | None = None


#: (phase, event) -> phase after it. Anything not listed is not a legal move.
TRANSITIONS: Mapping[tuple[Phase, Event], Phase] = MappingProxyType(
    {
        (Phase.QUEUED, "dialed"): Phase.RINGING,
        (Phase.RINGING, "answered"): Phase.TALKING,
        (Phase.RINGING, "ended"): Phase.ENDED,
        (Phase.TALKING, "ended"): Phase.ENDED,
    }
)

#: Failure end reasons while ringing, by callee outcome.
RING_FAILURES: Mapping[str, str] = MappingProxyType(
    {
        "busy": "dial_busy",
        "dial_failed": "dial_failed",
        "no_answer": "dial_no_answer",
    }
)

PLATFORM_ERROR_MESSAGE = "The call failed because of a platform error (simulated by cartesia-fake)."


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def next_step(call: Call, *, error_after_answer_ms: int) -> Step | None:
    """What happens next to ``call``, or None once it has ended."""
    script = call.script
    if call.phase is Phase.QUEUED:
        return Step(call.dial_at, "dialed", Phase.RINGING, CallStatus.CREATED)
    if call.phase is Phase.RINGING:
        timeout_at = call.dial_at + call.ringing_timeout_ms
        no_answer = Step(timeout_at, "ended", Phase.ENDED, CallStatus.FAILED, "dial_no_answer")
        ring_at = call.dial_at + _ms(script.ring_seconds)
        if script.outcome == "no_answer" or ring_at >= timeout_at:
            return no_answer
        if script.outcome in ("answer", "error"):
            return Step(ring_at, "answered", Phase.TALKING, CallStatus.STARTED)
        return Step(ring_at, "ended", Phase.ENDED, CallStatus.FAILED, RING_FAILURES[script.outcome])
    if call.phase is Phase.TALKING:
        assert call.answered_at is not None
        limit_at = call.answered_at + call.max_duration_ms
        max_duration = Step(limit_at, "ended", Phase.ENDED, CallStatus.COMPLETED, "max_duration")
        planned = call.planned_end
        if planned is not None:
            end_at = call.answered_at + planned.after_ms
            if end_at >= limit_at:
                return max_duration
            return Step(
                end_at,
                "ended",
                Phase.ENDED,
                planned.status,
                planned.end_reason,
                planned.error_message,
            )
        if script.outcome == "error":
            talk = script.talk_seconds
            fail_at = call.answered_at + (_ms(talk) if talk is not None else error_after_answer_ms)
            if fail_at >= limit_at:
                return max_duration
            return Step(
                fail_at, "ended", Phase.ENDED, CallStatus.FAILED, "error", PLATFORM_ERROR_MESSAGE
            )
        if script.talk_seconds is None:
            return max_duration
        hangup_at = call.answered_at + _ms(script.talk_seconds)
        if hangup_at >= limit_at:
            return max_duration
        reason = "agent_hangup" if script.hangup_by == "agent" else "client_hangup"
        return Step(hangup_at, "ended", Phase.ENDED, CallStatus.COMPLETED, reason)
    return None


def apply(call: Call, step: Step) -> None:
    """Move ``call`` through ``step`` (checked against ``TRANSITIONS``)."""
    target = TRANSITIONS.get((call.phase, step.event))
    if target is not step.phase:
        raise RuntimeError(f"illegal transition {call.phase} --{step.event}--> {step.phase}")
    call.phase = step.phase
    call.status = step.status
    if step.event == "answered":
        call.answered_at = step.at
    elif step.event == "ended":
        call.ended_at = step.at
        call.end_reason = step.end_reason
        call.error_message = step.error_message


def cancel_step(call: Call, now: int) -> Step:
    """The API cancel of a started call: it ends ``completed``/``api_cancelled`` now."""
    return Step(now, "ended", Phase.ENDED, CallStatus.COMPLETED, "api_cancelled")
