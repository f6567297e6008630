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


#: How a call that has not ended will end: (answered at, or None if it never is; ended at;
#: its final status; end reason; error message). A call's future depends only on itself.
Plan = tuple[int | None, int, CallStatus, str, str | None]


def plan(call: Call, error_after_answer_ms: int) -> Plan:
    """The rest of ``call``'s life (one that has not ended), from its script, its limits
    and, once it talks, its answer time and any planned end."""
    script = call.script
    if call.phase is _TALKING:
        answered_at = call.answered_at
        assert answered_at is not None
    else:  # queued or ringing: the dial time is fixed
        timeout_at = call.dial_at + call.ringing_timeout_ms
        ring_at = call.dial_at + script.ring_ms
        outcome = script.outcome
        if outcome == "no_answer" or ring_at >= timeout_at:
            return None, timeout_at, _FAILED, "dial_no_answer", None
        if outcome != "answer" and outcome != "error":
            return None, ring_at, _FAILED, RING_FAILURES[outcome], None
        answered_at = ring_at
    limit_at = answered_at + call.max_duration_ms
    planned = call.planned_end
    if planned is not None:
        end_at = answered_at + planned.after_ms
        if end_at >= limit_at:
            return answered_at, limit_at, _COMPLETED, "max_duration", None
        return answered_at, end_at, planned.status, planned.end_reason, planned.error_message
    talk = script.talk_ms
    if script.outcome == "error":
        fail_at = answered_at + (talk if talk is not None else error_after_answer_ms)
        if fail_at >= limit_at:
            return answered_at, limit_at, _COMPLETED, "max_duration", None
        return answered_at, fail_at, _FAILED, "error", PLATFORM_ERROR_MESSAGE
    if talk is None or answered_at + talk >= limit_at:
        return answered_at, limit_at, _COMPLETED, "max_duration", None
    reason = "agent_hangup" if script.hangup_by == "agent" else "client_hangup"
    return answered_at, answered_at + talk, _COMPLETED, reason, None


def next_step(call: Call, error_after_answer_ms: int) -> Step | None:
    """What happens next to ``call`` (the next move of its ``plan``), or None once it has
    ended."""
    phase = call.phase
    if phase is _QUEUED:
        return dial_step(call)
    if phase is _ENDED:
        return None
    answered_at, ended_at, status, reason, message = plan(call, error_after_answer_ms)
    if phase is _RINGING and answered_at is not None:
        return _new(Step, (answered_at, "answered", _TALKING, _STARTED, None, None))
    return _new(Step, (ended_at, "ended", _ENDED, status, reason, message))


def settle(call: Call, error_after_answer_ms: int) -> int:
    """Move ``call`` (not ended) through the rest of its ``plan`` at once, as stepping through
    each transition would leave it (a legal path by construction: queued, ringing, talking
    if answered, ended); return the instant it ended. For the fast-forward."""
    answered_at, ended_at, status, reason, message = plan(call, error_after_answer_ms)
    if answered_at is not None and call.phase is not _TALKING:
        call.answered_at = call.sort_time = answered_at
    call.phase = _ENDED
    call.status = status
    call.ended_at = ended_at
    call.end_reason = reason
    call.error_message = message
    return ended_at


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
