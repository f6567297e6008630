"""Wire shapes of the API: domain records rendered as JSON-able dicts for one API version.

One renderer per shape; each takes the ``WireVersion`` (``versions.py``) and reads from it
which fields the version has, so no handler tests version strings.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterable, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from mock_server.domain.batches.batch import Batch, Recipient
from mock_server.domain.calls.outbound import ItemResult
from mock_server.domain.calls.readmodels import CallPage, CallView
from mock_server.domain.calls.transcripts import Turn
from mock_server.domain.models import Agent, Phase, PhoneNumber, Webhook
from mock_server.domain.timing.clock import rfc3339
from mock_server.domain.webhooks.outbox import Delivery
from mock_server.wire.bytecache import LruBytes
from mock_server.wire.codec import json_bytes
from mock_server.wire.versions import WireVersion

_AUDIO_RATE = 8000  # 8 kHz, 8-bit mono: small, valid, and its length follows the talk time


def _ts(ms: int | None) -> str | None:
    return None if ms is None else rfc3339(ms)


# ---- transcript turns -----------------------------------------------------------------------

_TURN_FIELDS: MappingProxyType[str, Callable[[Turn], Any]] = MappingProxyType(
    {
        "role": lambda t: t.role,
        "text": lambda t: t.text,
        "start_timestamp": lambda t: t.start,
        "end_timestamp": lambda t: t.end,
        "end_reason": lambda t: t.end_reason,
        "tool_calls": lambda t: [dict(c) for c in t.tool_calls] or None,
        "stt_ttfb": lambda t: t.ttfb if t.role == "user" else None,
        "tts_ttfb": lambda t: t.ttfb if t.role == "assistant" else None,
        # the legacy turn's own fields (before 2025-11-04)
        "text_chunks": lambda t: [{"text": t.text, "start_timestamp": t.start}],
        "vad_buffer_ms": lambda t: None,
        "log_event": lambda t: None,
        "log_metric": lambda t: None,
    }
)


def turn(item: Turn, version: WireVersion) -> dict[str, Any]:
    out = {name: _TURN_FIELDS[name](item) for name in version.turn_fields}
    keep = version.tool_call_fields
    if keep and out.get("tool_calls"):
        out["tool_calls"] = [{k: c.get(k) for k in keep} for c in out["tool_calls"]]
    return out


# ---- the AgentCall object -------------------------------------------------------------------


def _summary(view: CallView) -> str | None:
    call = view.call
    if call.phase is not Phase.ENDED or call.answered_at is None or call.ended_at is None:
        return None
    seconds = (call.ended_at - call.answered_at) / 1000
    return f"Outbound call to {call.to_number} lasted {seconds:g}s and ended ({call.end_reason})."


def _transcript(view: CallView, version: WireVersion) -> list[dict[str, Any]] | None:
    turns = view.transcript()
    return None if turns is None else [turn(t, version) for t in turns]


def agent_call(
    view: CallView, version: WireVersion, *, include_transcript: bool = True
) -> dict[str, Any]:
    """The ``AgentCall`` object as Get Call returns it under ``version``: the version's
    fields in its order (the transcript, costliest, last and only when asked for), less
    what a deleted call no longer shows. Every field any version has is worked out here, in
    one dict (the hot path of Get and List Calls), and the version picks its own."""
    call, agent, number = view.call, view.agent, view.number
    redacted = call.redacted_at is not None
    telephony: dict[str, Any] = {
        "call_sid": "CA" + call.id[5:].lower().ljust(32, "0"),
        "direction": "outbound",
        "connection_type": "phone",
    }
    if not redacted:
        telephony["from"] = number.number if number is not None else ""
        telephony["to"] = call.to_number
    if not version.telephony_whole:
        telephony = {k: telephony[k] for k in version.telephony_fields if k in telephony}
    answered, ended = call.answered_at, call.ended_at
    status = version.status_names[call.status.value]
    if version.cancelled_status is not None and call.end_reason == "api_cancelled":
        status = version.cancelled_status
    values = {
        "id": call.id,
        "agent_id": call.agent_id,
        "agent_name": agent.name if agent is not None else None,
        "status": status,
        "start_time": None if answered is None else rfc3339(answered),
        "end_time": None if ended is None else rfc3339(ended),
        "end_reason": call.end_reason,
        "telephony_params": telephony or None,
        "telephony_account_type": number.provider if number is not None else "cartesia",
        "deployment_id": agent.deployment_id if agent else None,
        "deployment_version_id": agent.deployment_version_id if agent else None,
        "deployment_region": agent.deployment_region if agent else "US",
        "zdr_enabled": False,
        "error_message": call.error_message,
        "redacted_at": None if call.redacted_at is None else rfc3339(call.redacted_at),
        "metadata": call.metadata,
        "dynamic_variables": call.dynamic_variables,
        "summary": _summary(view) if ended is not None else None,
    }
    if redacted:
        hidden = version.redacted_fields
        return {name: values[name] for name in version.plain_fields if name not in hidden}
    out = dict(zip(version.plain_fields, version.pick(values), strict=True))
    if include_transcript and version.has_transcript:
        out["transcript"] = _transcript(view, version)
    return out


class CallWithCachedTranscript(NamedTuple):
    """A Get Call body whose transcript was rendered once: the call without it, and the
    transcript's JSON (the last property, so the two join by bytes). ``turns`` is the
    rendered list when it was rendered for this answer (so its contract is checked once)."""

    head: dict[str, Any]
    transcript: bytes
    turns: list[dict[str, Any]] | None

    def json(self) -> bytes:
        return json_bytes(self.head)[:-1] + b',"transcript":' + self.transcript + b"}"

    def checked(self) -> dict[str, Any]:
        """What the contract check sees: the whole call when the transcript is new, else the
        call with a null transcript (its turns were checked when first rendered)."""
        return {**self.head, "transcript": self.turns}


def agent_call_once(
    view: CallView, version: WireVersion, cache: LruBytes
) -> dict[str, Any] | CallWithCachedTranscript:
    """Get Call's body; an ended call's transcript is rendered once per version and shared
    by every call with an equal one, so a read costs the same whatever the talk time."""
    key = view.final_transcript_key()
    if key is None or view.call.redacted_at is not None:
        return agent_call(view, version)
    head = agent_call(view, version, include_transcript=False)
    cache_key = (version.name, *key)
    raw = cache.get(cache_key)
    if raw is not None:
        return CallWithCachedTranscript(head, raw, None)
    turns = _transcript(view, version) or []
    raw = json_bytes(turns)
    cache.put(cache_key, raw)
    return CallWithCachedTranscript(head, raw, turns)


def call_page(page: CallPage[dict[str, Any]], version: WireVersion) -> dict[str, Any]:
    """List Calls' body; the page's calls are already rendered (``agent_call``)."""
    out: dict[str, Any] = {"data": page.calls, "next_page": page.next_page}
    if version.list_has_more:
        out["has_more"] = page.has_more
    return out


def outbound_results(results: Sequence[ItemResult]) -> dict[str, Any]:
    """The 200 body of ``POST /agents/calls``: one entry per item, in request order."""
    calls: list[dict[str, Any]] = []
    for r in results:
        if r.call_id is not None:
            calls.append({"number": r.number, "agent_call_id": r.call_id})
        else:
            calls.append(
                {"number": r.number, "error": {"code": r.error_code, "message": r.error_message}}
            )
    return {"calls": calls}


# ---- phone numbers and agents ---------------------------------------------------------------


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def provider(number: PhoneNumber) -> dict[str, Any]:
    """The ``provider`` variant: ``cartesia`` carries only its type; Twilio carries the
    account (``api_key_sid`` masked) and region; a SIP trunk its id and label."""
    if number.provider == "twilio":
        pid = number.provider_id or "tp_" + _digest("provider", number.id)[:20]
        return {
            "type": "twilio",
            "id": pid,
            "account_sid": "AC" + _digest("account", pid)[:32],
            "api_key_sid": "SK" + "*" * 28 + _digest("key", pid)[:4],
            "region": "us1",
            "label": number.label,
        }
    if number.provider == "sip_trunk":
        pid = number.provider_id or "st_" + _digest("trunk", number.id)[:20]
        return {"type": "sip_trunk", "id": pid, "label": number.label}
    return {"type": "cartesia"}


def phone_number(number: PhoneNumber, agents: dict[str, Agent] | None = None) -> dict[str, Any]:
    owner = (agents or {}).get(number.agent_id) if number.agent_id else None
    return {
        "id": number.id,
        "number": number.number,
        "agent": None if owner is None else {"id": owner.id, "name": owner.name},
        "created_at": rfc3339(number.created_at),
        "updated_at": rfc3339(number.created_at),
        "provider": provider(number),
        "label": number.label,
    }


def agent(item: Agent, numbers: Iterable[PhoneNumber] = ()) -> dict[str, Any]:
    """The ``AgentSummary`` the SDKs type: every required field, its numbers, its webhook."""
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "created_at": rfc3339(item.created_at),
        "updated_at": rfc3339(item.updated_at or item.created_at),
        "deployment_count": 1 if item.deployed else 0,
        "has_text_to_agent_run": False,
        "tts_voice": item.tts_voice,
        "tts_language": item.tts_language,
        "phone_numbers": [{"id": n.id, "number": n.number} for n in numbers],
        "webhook_id": item.webhook.id if item.webhook is not None else None,
        "deleted_at": None,
        "git_deploy_branch": None,
        "git_repository": None,
    }


def agent_number(number: PhoneNumber, agent_id: str) -> dict[str, Any]:
    """One entry of ``GET /agents/{agent_id}/phone-numbers`` (a bare array, as the SDKs type
    it): the number, its agent, whether Cartesia manages it."""
    return {
        "id": number.id,
        "agent_id": agent_id,
        "number": number.number,
        "is_cartesia_managed": number.provider == "cartesia",
        "created_at": rfc3339(number.created_at),
        "updated_at": rfc3339(number.created_at),
    }


def webhook(webhook_id: str, hook: Webhook) -> dict[str, Any]:
    """A webhook as List Webhooks shows it: never its secret."""
    return {
        "id": webhook_id,
        "url": hook.url,
        "display_name": hook.display_name,
        "created_at": rfc3339(hook.created_at),
        "updated_at": rfc3339(hook.updated_at),
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


# ---- webhook payloads -----------------------------------------------------------------------


def webhook_payload(delivery: Delivery, version: WireVersion) -> dict[str, Any]:
    """The JSON body POSTed for one delivery: ``{type, timestamp, ...}`` (ledger
    ``webhooks.envelope``)."""
    head: dict[str, Any] = {"type": delivery.event, "timestamp": rfc3339(delivery.due)}
    view = delivery.call
    if delivery.event == "call_turn" and delivery.turn is not None:
        t = delivery.turn
        body: dict[str, Any] = {
            "role": t.role,
            "text": t.text,
            "start_timestamp": t.start,
            "end_timestamp": t.end,
            "was_interrupted": False,
        }
        if t.tool_calls:
            body["tool_calls"] = [dict(c) for c in t.tool_calls]
        return {**head, "call_id": view.call.id, "turn": body}
    if delivery.event == "post_call_analysis":
        return {**head, "call_id": view.call.id, "analysis": {"summary": _summary(view)}}
    return {**head, "call": agent_call(view, version)}


# ---- call batches ---------------------------------------------------------------------------


def recipient(batch: Batch, index: int, r: Recipient, version: WireVersion) -> dict[str, Any]:
    """The batch's ``index``-th recipient."""
    call = r.call
    values: dict[str, Any] = {
        "id": batch.recipient_id(index),
        "to_number": r.to_number,
        "status": r.status,
        "created_at": rfc3339(batch.created_at),
        "agent_call_id": call.id if call is not None else None,
        "end_reason": r.end_reason,
        "error_message": r.error,
        "metadata": r.metadata,
    }
    return {name: values[name] for name in version.recipient_fields}


def batch(item: Batch, version: WireVersion, *, with_recipients: bool) -> dict[str, Any]:
    """The ``AgentCallBatch`` object; totals and status are counted from the recipients."""
    scheduled, dispatched, finished = item.totals()
    status = item.status()
    if status == "failed" and not version.flags.batch_failed_status:
        status = "completed"  # the table before 2026-08-14: failed "reserved"
    out: dict[str, Any] = {
        "id": item.id,
        "name": item.name,
        "agent_id": item.agent_id,
        "from_number_id": item.from_number_id,
        "region": item.region,
        "target_concurrency_limit": item.limit,
        "status": status,
        "total_calls_scheduled": scheduled,
        "total_calls_dispatched": dispatched,
        "total_calls_finished": finished,
        "retry_count": item.retry_count,
        "created_at": rfc3339(item.created_at),
        "last_updated_at": rfc3339(item.updated_at),
        "scheduled_at": _ts(item.scheduled_at),
        "admitted_at": _ts(item.admitted_at),
    }
    if with_recipients:
        out["recipients"] = [recipient(item, i, r, version) for i, r in enumerate(item.recipients)]
    return out
