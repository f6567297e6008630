"""API representations of domain records (plain JSON-able dicts), transcripts and audio."""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from typing import Any

from mock_server.domain.clock import rfc3339
from mock_server.domain.models import Agent, Call, Phase, PhoneNumber

_AUDIO_RATE = 8000  # 8 kHz, 8-bit mono: small, valid, and its length follows the talk time

_SCRIPT: tuple[tuple[str, str], ...] = (
    ("assistant", "Hello{name}, this is {agent} calling. Do you have a minute?"),
    ("user", "Yes, go ahead."),
    ("assistant", "Thanks. I'm calling about your recent request with us."),
    ("user", "Okay, what about it?"),
    ("assistant", "Everything is ready on our side; I just need to confirm a few details."),
    ("user", "Sure, that works."),
)


def _ts(ms: int | None) -> str | None:
    return None if ms is None else rfc3339(ms)


def transcript(call: Call, agent_name: str, now: int) -> list[dict[str, Any]] | None:
    """A plausible, deterministic conversation covering the talk time so far."""
    if call.answered_at is None:
        return None
    if call.transcript is not None:  # a bridged conversation with the team's Line agent
        return list(call.transcript)
    talked = ((call.ended_at if call.ended_at is not None else now) - call.answered_at) / 1000
    name = ""
    if call.metadata and isinstance(call.metadata.get("customer_name"), str):
        name = " " + call.metadata["customer_name"]
    turns: list[dict[str, Any]] = []
    start = 0.5
    index = 0
    while True:
        role, text = _SCRIPT[index % len(_SCRIPT)]
        end = start + 2.5
        if end > talked:
            break
        turns.append(
            {
                "role": role,
                "text": text.format(name=name, agent=agent_name),
                "start_timestamp": round(start, 3),
                "end_timestamp": round(end, 3),
                "end_reason": "tts_completed" if role == "assistant" else None,
                "tool_calls": None,
            }
        )
        start = end + 0.5
        index += 1
    return turns


def agent_call(
    call: Call,
    agent: Agent | None,
    *,
    now: int,
    from_number: str,
    account_type: str,
    include_transcript: bool,
) -> dict[str, Any]:
    """The ``AgentCall`` object as Get Call returns it (redacted fields omitted)."""
    name = agent.name if agent is not None else None
    telephony: dict[str, Any] = {
        "call_sid": "CA" + call.id[5:].lower().ljust(32, "0"),
        "direction": "outbound",
        "connection_type": "phone",
    }
    out: dict[str, Any] = {
        "id": call.id,
        "agent_id": call.agent_id,
        "agent_name": name,
        "status": call.status.value,
        "start_time": _ts(call.answered_at),
        "end_time": _ts(call.ended_at),
        "end_reason": call.end_reason,
        "telephony_params": telephony,
        "telephony_account_type": account_type,
        "deployment_id": agent.deployment_id if agent else None,
        "deployment_version_id": agent.deployment_version_id if agent else None,
        "deployment_region": agent.deployment_region if agent else "US",
        "zdr_enabled": False,
        "error_message": call.error_message,
        "redacted_at": _ts(call.redacted_at),
    }
    if call.redacted_at is None:
        telephony["from"] = from_number
        telephony["to"] = call.to_number
        out["metadata"] = call.metadata
        out["summary"] = _summary(call)
        if include_transcript:
            out["transcript"] = transcript(call, name or "your agent", now)
    return out


def _summary(call: Call) -> str | None:
    if call.phase is not Phase.ENDED or call.answered_at is None:
        return None
    assert call.ended_at is not None
    seconds = (call.ended_at - call.answered_at) / 1000
    return f"Outbound call to {call.to_number} lasted {seconds:g}s and ended ({call.end_reason})."


def phone_number(number: PhoneNumber) -> dict[str, Any]:
    return {
        "id": number.id,
        "number": number.number,
        "agent": None,
        "created_at": rfc3339(number.created_at),
        "updated_at": rfc3339(number.created_at),
        "provider": {"type": number.provider},
        "label": number.label,
    }


def agent(item: Agent, numbers: list[PhoneNumber]) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "description": None,
        "created_at": rfc3339(item.created_at),
        "updated_at": rfc3339(item.created_at),
        "deployment_count": 1 if item.deployed else 0,
        "phone_numbers": [{"id": n.id, "number": n.number} for n in numbers],
    }


def wav(seconds: float) -> bytes:
    """A valid PCM WAV of ``seconds`` of silence (8 kHz, 8-bit, mono)."""
    frames = max(0, round(seconds * _AUDIO_RATE))
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + frames, b"WAVE", b"fmt ", 16, 1, 1,
        _AUDIO_RATE, _AUDIO_RATE, 1, 8, b"data", frames,
    )  # fmt: skip
    return header + b"\x80" * frames


def queue(waiting: Mapping[str, Iterable[Call]]) -> dict[str, Any]:
    """The dial queue: per number, the calls still waiting, in dial order."""
    numbers = []
    for number_id, calls in waiting.items():
        items = [
            {
                "agent_call_id": c.id,
                "to_number": c.to_number,
                "position": i,
                "dial_at": rfc3339(c.dial_at),
            }
            for i, c in enumerate(calls, start=1)
        ]
        numbers.append({"from_number_id": number_id, "waiting": items})
    return {"numbers": numbers}


def timeline(call: Call) -> list[dict[str, Any]]:
    """The call's events so far, oldest first."""
    events: list[dict[str, Any]] = [
        {"at": rfc3339(call.created_at), "event": "created", "status": "created"}
    ]
    if call.phase is not Phase.QUEUED:
        events.append({"at": rfc3339(call.dial_at), "event": "dialed", "status": "created"})
    if call.answered_at is not None:
        events.append({"at": rfc3339(call.answered_at), "event": "answered", "status": "started"})
    if call.ended_at is not None:
        events.append(
            {
                "at": rfc3339(call.ended_at),
                "event": "ended",
                "status": call.status.value,
                "end_reason": call.end_reason,
            }
        )
    return events
