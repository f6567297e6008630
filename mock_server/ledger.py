"""The behaviour ledger: every rule the fake follows, where it comes from, and its knob.

This is the one place knobs are tied to rules: a test checks that every ``Settings`` field is
named here, and the README's fidelity section is generated from this table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from mock_server.domain.settings import Settings

Provenance = Literal["DOC", "INFERRED", "VERIFIED"]

_CREATE = "https://docs.cartesia.ai/api-reference/agents/calls/create-outbound-call"
_DIALING = "https://docs.cartesia.ai/line/integrations/telephony/outbound-dialing"
_GET = "https://docs.cartesia.ai/api-reference/agents/calls/get-call"
_LIST = "https://docs.cartesia.ai/api-reference/agents/calls/list-calls"
_CANCEL = "https://docs.cartesia.ai/api-reference/agents/calls/cancel-call.md"
_DELETE = "https://docs.cartesia.ai/api-reference/agents/calls/delete-call.md"
_AUDIO = "https://docs.cartesia.ai/api-reference/agents/calls/download-call-audio.md"
_ERRORS = "https://docs.cartesia.ai/use-the-api/api-errors.md"
_CONV = "https://docs.cartesia.ai/use-the-api/api-conventions"
_NUMBERS = "https://docs.cartesia.ai/line/integrations/telephony/cartesia-numbers.md"
_BATCH = "https://docs.cartesia.ai/api-reference/agents/call-batches/create-call-batch"


@dataclass(frozen=True, slots=True)
class Behavior:
    """One rule: ``source`` is a URL for DOC, the reason for INFERRED."""

    id: str
    statement: str
    provenance: Provenance
    source: str
    knob: str | None = None


LEDGER: tuple[Behavior, ...] = (
    Behavior(
        "auth.headers",
        "Both 'Authorization: Bearer <key>' and 'X-API-Key: <key>' authenticate.",
        "DOC",
        _CONV,
    ),
    Behavior(
        "auth.missing",
        "A missing or empty key is answered 401 before anything else is checked.",
        "INFERRED",
        "401 is the status third parties report; the check order is our choice",
    ),
    Behavior(
        "auth.allow_list",
        "With an allow-list of keys, any other key is 401.",
        "INFERRED",
        "the real API rejects unknown keys; the fake accepts any key unless given a list",
        "api_keys",
    ),
    Behavior(
        "tenant.isolation",
        "Each key is an isolated organisation: other keys' calls are 404.",
        "INFERRED",
        "organisations never see each other's calls",
    ),
    Behavior(
        "version.accepted",
        "Cartesia-Version 2026-03-01 and 2026-08-14 are accepted.",
        "DOC",
        _CREATE,
        "accepted_versions",
    ),
    Behavior(
        "version.unknown",
        "An unsupported Cartesia-Version is 404 'API version not found'.",
        "DOC",
        "https://github.com/cartesia-ai/cartesia-js/issues/101",
    ),
    Behavior(
        "version.missing",
        "A missing Cartesia-Version is 400.",
        "INFERRED",
        "the header is required in every spec; the status is not documented",
        "missing_version_status",
    ),
    Behavior(
        "version.duplicate",
        "A comma-joined or repeated Cartesia-Version is accepted when every value is supported, with a journal warning.",
        "INFERRED",
        "the Python SDK sends two version lines when default_headers uses another case",
    ),
    Behavior(
        "errors.shape",
        "Every error body is {error_code, title, message, request_id} and X-Request-Id equals request_id.",
        "DOC",
        _ERRORS,
    ),
    Behavior(
        "errors.codes",
        "error_code strings other than concurrency_limited are snake_case names of our choosing.",
        "INFERRED",
        "real codes for these endpoints are undocumented",
    ),
    Behavior(
        "create.json",
        "A body that is not UTF-8 JSON (including NaN/Infinity, duplicate keys, a BOM, UTF-16/32) is 400 invalid_json.",
        "INFERRED",
        "invalid JSON syntax is undocumented; 400 matches 'Invalid request body'",
    ),
    Behavior(
        "create.content_type",
        "A Content-Type other than JSON is 400 unsupported_content_type.",
        "INFERRED",
        "the docs always send application/json",
    ),
    Behavior(
        "create.body_limit",
        "A body over the size limit is 400 body_too_large.",
        "INFERRED",
        "the legacy endpoint documented a 1 MB metadata limit",
        "max_body_bytes",
    ),
    Behavior(
        "create.depth_limit",
        "JSON nested deeper than the limit is 400 invalid_json.",
        "INFERRED",
        "protects the parser; no real limit is documented",
        "max_json_depth",
    ),
    Behavior(
        "create.rule_order",
        "POST /agents/calls checks JSON, then shape, then agent, then number ownership, then outbound capability.",
        "INFERRED",
        "the order of the documented 400/403/404 causes is not documented",
    ),
    Behavior(
        "create.shape_all_fields",
        "A shape 400 names the JSON path of every offending field at once.",
        "INFERRED",
        "helps a dialer fix every problem in one round trip",
    ),
    Behavior(
        "create.required",
        "from_number_id, agent_id and outbound_calls (>= 1 item) are required; each item needs to_number.",
        "DOC",
        _CREATE,
    ),
    Behavior(
        "create.max_items",
        "outbound_calls may hold at most 100 items.",
        "INFERRED",
        "no maximum is documented",
        "max_outbound_calls",
    ),
    Behavior(
        "create.e164",
        "to_number must be a whole-string E.164 number (+ then 2-15 digits, no leading 0).",
        "INFERRED",
        "the docs say 'E.164 format'; the server's exact check is unknown",
    ),
    Behavior(
        "create.metadata",
        "metadata must be a JSON object; null means absent.",
        "INFERRED",
        "the 400 list mentions 'invalid metadata'; null handling is undocumented",
    ),
    Behavior(
        "create.ringing_timeout",
        "ringing_timeout_seconds is an integer 5..80, default 60; null means omitted; 30.0 and booleans are not integers.",
        "DOC",
        _DIALING,
    ),
    Behavior(
        "create.max_duration",
        "max_call_duration_minutes is an integer 1..480, default 480; null means omitted.",
        "INFERRED",
        "range and default copied from the batch endpoint " + _BATCH,
    ),
    Behavior(
        "create.unknown_fields",
        "Unknown body fields are ignored.",
        "INFERRED",
        "additionalProperties was not captured",
        "reject_unknown_fields",
    ),
    Behavior(
        "create.agent_404",
        "An unknown agent_id is 404; an agent with no deployment is 404 'deployment not found'.",
        "DOC",
        _CREATE,
    ),
    Behavior(
        "create.number_404",
        "An unknown from_number_id is 404; a number of another organisation is 403.",
        "DOC",
        _CREATE,
    ),
    Behavior(
        "create.number_outbound",
        "A number that cannot place outbound calls is 400.",
        "DOC",
        _CREATE,
    ),
    Behavior(
        "create.ordered_results",
        "The 200 has one calls[] entry per outbound_calls item, in the same order.",
        "DOC",
        _DIALING,
    ),
    Behavior(
        "create.per_destination",
        "A destination that fails alone gets {number, error:{code,message}} and no agent_call_id.",
        "DOC",
        _CREATE,
    ),
    Behavior(
        "create.us_only",
        "Cartesia numbers may call US destinations only (by libphonenumber region); others fail per destination.",
        "DOC",
        _NUMBERS,
    ),
    Behavior(
        "create.duplicates",
        "Duplicate to_numbers in one request create separate calls, with a journal warning.",
        "INFERRED",
        "duplicates are undocumented",
    ),
    Behavior(
        "ids.call",
        "Call ids are 'call_' + 16 base62 characters from a seeded generator.",
        "DOC",
        _DIALING,
    ),
    Behavior(
        "pacing.one_per_second",
        "Calls from a Cartesia number dial at most one per interval, queued FIFO across requests.",
        "DOC",
        _DIALING,
        "dial_interval_seconds",
    ),
    Behavior(
        "pacing.scope",
        "Pacing is per phone number.",
        "INFERRED",
        "the docs say 'for Cartesia phone numbers' without a scope",
        "pacing_scope",
    ),
    Behavior(
        "pacing.twilio",
        "Twilio numbers are not paced.",
        "INFERRED",
        "the pacing sentence names Cartesia numbers only",
        "pace_twilio_numbers",
    ),
    Behavior(
        "lifecycle.statuses",
        "Status is created (queued and ringing), then started when answered, then completed or failed.",
        "DOC",
        _GET,
    ),
    Behavior(
        "lifecycle.no_answer",
        "A callee that does not answer fails dial_no_answer exactly at dial time + ringing_timeout_seconds.",
        "INFERRED",
        "the timeout is documented; the status and end reason are our reading",
    ),
    Behavior(
        "lifecycle.busy",
        "A busy callee fails dial_busy; a carrier failure fails dial_failed.",
        "INFERRED",
        "end reasons are documented, the timing is ours",
    ),
    Behavior(
        "lifecycle.max_duration",
        "A started call still talking at max_call_duration_minutes ends completed/max_duration.",
        "INFERRED",
        "the status of a max-duration end is undocumented",
    ),
    Behavior(
        "lifecycle.platform_error",
        "A platform error after answer ends failed/error with error_message, some seconds after the answer.",
        "INFERRED",
        "the delay is arbitrary",
        "error_after_answer_seconds",
    ),
    Behavior(
        "callees.magic",
        "+1 NPA 555 01XX destinations have fixed behaviours by XX; 90-99 are refused per destination.",
        "INFERRED",
        "fictional numbers keep tests from ringing people",
    ),
    Behavior(
        "cancel.started_only",
        "Only a started call can be cancelled; it ends completed/api_cancelled; others are 400.",
        "DOC",
        _CANCEL,
    ),
    Behavior(
        "delete.ended_only",
        "Only completed or failed calls can be deleted; an active call is 400.",
        "DOC",
        _DELETE,
    ),
    Behavior(
        "delete.redaction",
        "Delete omits transcript, metadata, summary and telephony from/to afterwards and sets redacted_at.",
        "DOC",
        _DELETE,
    ),
    Behavior(
        "list.order",
        "List Calls is newest start_time first; calls that never started sort by creation time.",
        "DOC",
        _LIST,
    ),
    Behavior(
        "list.params",
        "agent_id is required and limit is 1..100 (default 10); violations are 400.",
        "DOC",
        _LIST,
    ),
    Behavior(
        "list.cursors",
        "starting_after/ending_before page by call id; an unknown cursor is 400.",
        "INFERRED",
        "cursor errors are undocumented",
    ),
    Behavior(
        "list.empty_end",
        "Paging past the last call returns an empty data array, so the SDKs' auto-pagination stops.",
        "INFERRED",
        "the SDK stops only on an empty page",
    ),
    Behavior(
        "list.expand", "Transcripts appear in List Calls only with expand=transcript.", "DOC", _LIST
    ),
    Behavior(
        "audio.wav",
        "Audio is audio/wav for answered, ended, non-redacted calls; otherwise 404.",
        "INFERRED",
        "availability is undocumented; " + _AUDIO,
    ),
    Behavior(
        "faults.retry_after",
        "Injected 429 responses carry Retry-After.",
        "INFERRED",
        "the SDK honours Retry-After; the real header is undocumented",
    ),
    Behavior(
        "journal.size",
        "The request journal keeps the newest N requests per tenant.",
        "INFERRED",
        "bounded so a shared server cannot grow without limit",
        "journal_size",
    ),
    Behavior(
        "journal.duplicate_dial",
        "Two dials to one destination from one number within the window are flagged.",
        "INFERRED",
        "the SDK retries POSTs without an idempotency key",
        "duplicate_dial_window_seconds",
    ),
    Behavior(
        "store.max_tenants",
        "A server keeps at most N tenants; beyond that the least recently used tenant is forgotten.",
        "INFERRED",
        "bounded memory for a shared server that gets a new key per test",
        "max_tenants",
    ),
    Behavior(
        "store.max_calls",
        "A tenant holds at most N calls; more is 429 call_store_full until reset.",
        "INFERRED",
        "bounded memory for long-running shared servers",
        "max_calls_per_tenant",
    ),
)


def ledger_document(settings: Settings) -> dict[str, Any]:
    """The ledger as served at /__fake__/behaviors, with each knob's current value."""
    behaviors = []
    for entry in LEDGER:
        item = asdict(entry)
        if entry.knob is not None:
            value = getattr(settings, entry.knob)
            item["knob_value"] = list(value) if isinstance(value, tuple) else value
        behaviors.append(item)
    return {"behaviors": behaviors}


def markdown_table(settings: Settings | None = None) -> str:
    """The ledger as the README's fidelity table."""
    current = settings or Settings()
    rows = ["| id | rule | provenance | knob (default) |", "| --- | --- | --- | --- |"]
    for entry in LEDGER:
        source = entry.source if entry.provenance == "DOC" else f"INFERRED: {entry.source}"
        if entry.provenance == "DOC":
            source = f"[DOC]({entry.source})"
        knob = ""
        if entry.knob:
            value = getattr(current, entry.knob)
            knob = f"`{entry.knob}` ({list(value) if isinstance(value, tuple) else value!r})"
        statement = entry.statement.replace("|", "\\|")
        rows.append(f"| `{entry.id}` | {statement} | {source} | {knob} |")
    return "\n".join(rows)
