"""Wire shapes of the control plane (``/__fake__/``): clock, queue, timelines, journal,
webhook deliveries. These do not depend on the API version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mock_server.domain.journal.journal import JournalEntry
from mock_server.domain.models import Call, Phase
from mock_server.domain.timing.clock import rfc3339
from mock_server.domain.webhooks.outbox import Delivery


def clock(now: int, mode: str) -> dict[str, Any]:
    return {"now": rfc3339(now), "mode": mode}


def queue(waiting: Mapping[str, Sequence[Call]]) -> dict[str, Any]:
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


def delivery(item: Delivery) -> dict[str, Any]:
    return {
        "id": item.id,
        "event": item.event,
        "url": item.url,
        "attempts": item.attempts,
        "results": list(item.results),
        "state": item.state,
        "call_id": item.call_id,
    }


def journal_entry(e: JournalEntry) -> dict[str, Any]:
    return {
        "at": rfc3339(e.at),
        "method": e.method,
        "path": e.path,
        "status": e.status,
        "headers": e.headers,
        "warnings": e.warnings,
        "body": e.body,
        "rules": list(e.rules),
    }
