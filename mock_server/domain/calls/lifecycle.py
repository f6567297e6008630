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

    A NamedTuple: millions are made in a large simulation, and tuples are the cheapest. The
    hot paths below make them with ``tuple.__new__`` and all six fields (a quarter of the
    cost of the generated constructor)."""

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


# The members as plain names: an enum attribute lookup costs ~150 ns, and a large simulation
# makes millions of steps.
_QUEUED, _RINGING, _TALKING, _ENDED = Phase.QUEUED, Phase.RINGING, Phase.TALKING, Phase.ENDED
_CREATED, _STARTED = CallStatus.CREATED, CallStatus.STARTED
_COMPLETED, _FAILED = CallStatus.COMPLETED, CallStatus.FAILED
_new = tuple.__new__


def dial_step(call: Call) -> Step:
    """A queued call's first transition: the dial, at its dial time."""
    return _new(Step, (call.dial_at, "dialed", _RINGING, _CREATED, None, None))


def next_step(call: Call, error_after_answer_ms: int) -> Step | None:
    """What happens next to ``call``, or None once it has ended."""
    phase = call.phase
    if phase is _QUEUED:
        return dial_step(call)
    script = call.script
    if phase is _RINGING:
        timeout_at = call.dial_at + call.ringing_timeout_ms
        ring_at = call.dial_at + script.ring_ms
        outcome = script.outcome
        if outcome == "no_answer" or ring_at >= timeout_at:
            return _new(Step, (timeout_at, "ended", _ENDED, _FAILED, "dial_no_answer", None))
        if outcome == "answer" or outcome == "error":
            return _new(Step, (ring_at, "answered", _TALKING, _STARTED, None, None))
        return _new(Step, (ring_at, "ended", _ENDED, _FAILED, RING_FAILURES[outcome], None))
    if phase is _TALKING:
        answered_at = call.answered_at
        assert answered_at is not None
        limit_at = answered_at + call.max_duration_ms
        planned = call.planned_end
        if planned is not None:
            end_at = answered_at + planned.after_ms
            if end_at >= limit_at:
                return _max_duration(limit_at)
            reason, message = planned.end_reason, planned.error_message
            return _new(Step, (end_at, "ended", _ENDED, planned.status, reason, message))
        talk = script.talk_ms
        if script.outcome == "error":
            fail_at = answered_at + (talk if talk is not None else error_after_answer_ms)
            if fail_at >= limit_at:
                return _max_duration(limit_at)
            return _new(Step, (fail_at, "ended", _ENDED, _FAILED, "error", PLATFORM_ERROR_MESSAGE))
        if talk is None:
            return _max_duration(limit_at)
        hangup_at = answered_at + talk
        if hangup_at >= limit_at:
            return _max_duration(limit_at)
        reason = "agent_hangup" if script.hangup_by == "agent" else "client_hangup"
        return _new(Step, (hangup_at, "ended", _ENDED, _COMPLETED, reason, None))
    return None


def _max_duration(limit_at: int) -> Step:
    return _new(Step, (limit_at, "ended", _ENDED, _COMPLETED, "max_duration", None))


def apply(call: Call, step: Step) -> None:
    """Move ``call`` through ``step`` (checked against ``TRANSITIONS``)."""
    at, event, phase, status, end_reason, error_message = step
    if TRANSITIONS.get((call.phase, event)) is not phase:
        raise RuntimeError(f"illegal transition {call.phase} --{event}--> {phase}")
    call.phase = phase
    call.status = status
    if event == "answered":
        call.answered_at = call.sort_time = at
    elif event == "ended":
        call.ended_at = at
        call.end_reason = end_reason
        call.error_message = error_message


def cancel_step(call: Call, now: int) -> Step:
    """The API cancel of a started call: it ends ``completed``/``api_cancelled`` now."""
    return Step(now, "ended", Phase.ENDED, CallStatus.COMPLETED, "api_cancelled")
