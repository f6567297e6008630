"""Every Cartesia-Version a client sends, through every door: a call placed under one version
reads back under every other in that version's shape; the legacy versions (2024-06-10,
2024-11-13, 2025-04-16) answer Get Call, List Calls and Download Call Audio as the older docs
snapshot describes them, with plain-text errors; routes documented only from 2026-03-01 answer
a legacy header as the live API answers an unsupported version; and no field of one version
leaks into another."""

from __future__ import annotations

from typing import Any

import pytest

from contracts import VERSIONS, errors_of, load_schema, versions_with
from mock_server import FakeCartesia
from tests.conftest import AGENT, NUMBER, Door

LEGACY = ("2024-06-10", "2024-11-13", "2025-04-16")
PLACING = versions_with("outbound_request")
#: The legacy call object, field by field, from the older Get Call snapshot
#: (legacy-versions.md): no agent_name, end_reason, metadata, deployment_version_id, redacted_at.
LEGACY_CALL_FIELDS = {
    "id",
    "agent_id",
    "status",
    "start_time",
    "end_time",
    "transcript",
    "telephony_params",
    "summary",
    "error_message",
    "deployment_id",
}
LEGACY_TURN_FIELDS = {
    "role",
    "text",
    "text_chunks",
    "start_timestamp",
    "end_timestamp",
    "end_reason",
    "tool_calls",
    "vad_buffer_ms",
    "tts_ttfb",
    "log_event",
    "log_metric",
}
CURRENT = {"cartesia-version": "2026-08-14"}
TO = "+14155550100"


def _place(door: Door, *items: dict[str, Any]) -> list[str]:
    """Place calls under 2026-08-14 (whatever version the door reads under)."""
    body = {"from_number_id": NUMBER, "agent_id": AGENT, "outbound_calls": list(items)}
    r = door.post("/agents/calls", json=body, headers=CURRENT)
    assert r.status_code == 200, r.text
    return [c["agent_call_id"] for c in r.json()["calls"]]


def _ended_call(door: Door) -> str:
    [call_id] = _place(door, {"to_number": TO, "dynamic_variables": {"first_name": "Ada"}})
    door.run_until_idle()
    return call_id


def test_a_call_reads_back_under_every_version_in_its_shape(any_door: Door) -> None:
    call_id = _ended_call(any_door)
    r = any_door.get(f"/agents/calls/{call_id}")
    assert r.status_code == 200, r.text
    call = r.json()
    any_door.validate("agent_call", call)
    own = set(load_schema("agent_call", any_door.version)["properties"])
    assert set(call) == own
    assert ("dynamic_variables" in call) == (any_door.version == "2026-08-14")
    if any_door.version in LEGACY:
        assert set(call) == LEGACY_CALL_FIELDS
        assert call["status"] == "completed"
        assert call["telephony_params"] == {"to": TO, "from": "+12025550100"}
        assert set(call["transcript"][0]) == LEGACY_TURN_FIELDS
    elif any_door.version == "2025-11-04":
        assert call["status"] == "completed"
        assert "agent_name" in call
        assert "end_reason" in call
    else:
        assert call["status"] == "completed"


def test_list_calls_under_every_version(any_door: Door) -> None:
    ids = _place(any_door, {"to_number": TO}, {"to_number": "+14155550111"})
    any_door.run_until_idle()
    r = any_door.get("/agents/calls", params={"agent_id": AGENT, "expand": "transcript"})
    assert r.status_code == 200, r.text
    page = r.json()
    any_door.validate("call_list", page)
    assert sorted(c["id"] for c in page["data"]) == sorted(ids)
    assert ("has_more" in page) == (any_door.version == "2026-08-14")
    if any_door.version in LEGACY:
        assert set(page) == {"data", "next_page"}
        turn = page["data"][0]["transcript"][0]
        assert set(turn) == LEGACY_TURN_FIELDS
        assert turn["text_chunks"] == [
            {"text": turn["text"], "start_timestamp": turn["start_timestamp"]}
        ]


def test_audio_downloads_under_every_version(any_door: Door) -> None:
    call_id = _ended_call(any_door)
    r = any_door.get(f"/agents/calls/{call_id}/audio")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    assert r.content[:4] == b"RIFF"


@pytest.mark.parametrize("version", LEGACY)
def test_legacy_statuses_follow_the_call(fake: FakeCartesia, version: str) -> None:
    client = fake.client()
    legacy = {"cartesia-version": version}
    body = {"from_number_id": NUMBER, "agent_id": AGENT, "outbound_calls": [{"to_number": TO}]}
    [made] = client.post("/agents/calls", json=body).json()["calls"]
    call_id = made["agent_call_id"]
    assert client.get(f"/agents/calls/{call_id}", headers=legacy).json()["status"] == "active"
    fake.advance(10)  # answered by now: started
    assert client.get(f"/agents/calls/{call_id}", headers=legacy).json()["status"] == "active"
    assert client.post(f"/agents/calls/{call_id}/cancel").status_code == 200
    shown = client.get(f"/agents/calls/{call_id}", headers=legacy).json()
    assert shown["status"] == "cancelled"
    current = client.get(f"/agents/calls/{call_id}").json()
    assert (current["status"], current["end_reason"]) == ("completed", "api_cancelled")


@pytest.mark.parametrize("version", [*LEGACY, "2025-11-04"])
def test_legacy_errors_are_plain_text(any_version_fake: FakeCartesia, version: str) -> None:
    r = any_version_fake.client().get(
        "/agents/calls/call_0000000000000000", headers={"cartesia-version": version}
    )
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == "Not found: Call 'call_0000000000000000' not found."
    r = any_version_fake.client().get(
        "/agents/calls", headers={"cartesia-version": version, "authorization": ""}
    )
    assert (r.status_code, r.text.split(":")[0]) == (401, "Missing API key")


@pytest.fixture
def any_version_fake() -> FakeCartesia:
    return FakeCartesia()


LATER_ROUTES = [
    ("POST", "/agents/calls"),
    ("POST", "/agents/calls/call_0000000000000000/cancel"),
    ("DELETE", "/agents/calls/call_0000000000000000"),
    ("GET", "/agents/calls/batches"),
    ("POST", "/agents/calls/batches"),
    ("GET", "/agents/webhooks"),
    ("GET", "/agents/phone-numbers"),
]


@pytest.mark.parametrize(("method", "path"), LATER_ROUTES)
@pytest.mark.parametrize("version", [*LEGACY, "2025-11-04"])
def test_routes_from_2026_03_01_answer_a_legacy_header_like_the_live_api(
    fake: FakeCartesia, method: str, path: str, version: str
) -> None:
    r = fake.client().request(method, path, json={}, headers={"cartesia-version": version})
    assert r.status_code == 404
    assert (
        r.text == "API version not found: No API schema exists for the requested Cartesia-Version."
    )


def test_knob_oldest_served_answers_a_later_route_as_its_first_version() -> None:
    with FakeCartesia(version_not_on_route="oldest_served") as fake:
        r = fake.client().get("/agents/calls/batches", headers={"cartesia-version": "2025-04-16"})
        assert r.status_code == 200, r.text
        assert errors_of("batch_list", r.json(), version="2026-03-01") == []
        [entry] = fake.requests()[-1:]
        assert any("answered as 2026-03-01" in w for w in entry.warnings)


def test_knob_legacy_call_shape_answers_the_2026_03_01_object() -> None:
    with FakeCartesia(legacy_call_shape="2026-03-01") as fake:
        client = fake.client()
        body = {"from_number_id": NUMBER, "agent_id": AGENT, "outbound_calls": [{"to_number": TO}]}
        call_id = client.post("/agents/calls", json=body).json()["calls"][0]["agent_call_id"]
        r = client.get(f"/agents/calls/{call_id}", headers={"cartesia-version": "2025-04-16"})
        assert r.status_code == 200
        assert errors_of("agent_call", r.json(), version="2026-03-01") == []
        assert r.json()["status"] == "created"
        # errors keep the legacy format: the header still names a legacy version
        r = client.get("/agents/calls/nope", headers={"cartesia-version": "2025-04-16"})
        assert r.text.startswith("Not found: ")


def test_dynamic_variables_under_2026_03_01_are_dropped_and_never_shown(fake: FakeCartesia) -> None:
    client = fake.client()
    body = {
        "from_number_id": NUMBER,
        "agent_id": AGENT,
        "outbound_calls": [{"to_number": TO, "dynamic_variables": {"first_name": "Ada"}}],
    }
    r = client.post("/agents/calls", json=body, headers={"cartesia-version": "2026-03-01"})
    assert r.status_code == 200, r.text
    call_id = r.json()["calls"][0]["agent_call_id"]
    warnings = fake.requests()[-1].warnings
    assert any("dynamic_variables dropped" in w and "2026-03-01" in w for w in warnings)
    shown = client.get(f"/agents/calls/{call_id}", headers={"cartesia-version": "2026-08-14"})
    assert shown.json()["dynamic_variables"] is None


def test_knob_reject_request_makes_another_versions_field_a_400() -> None:
    with FakeCartesia(other_version_fields="reject_request") as fake:
        body = {
            "from_number_id": NUMBER,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": TO, "dynamic_variables": {"a": "b"}}],
        }
        client = fake.client()
        r = client.post("/agents/calls", json=body, headers={"cartesia-version": "2026-03-01"})
        assert r.status_code == 400
        assert r.json()["error_code"] == "invalid_request_body"
        assert "dynamic_variables" in r.json()["message"]
        assert "2026-08-14" in r.json()["message"]
        listed = client.get("/agents/calls", params={"agent_id": AGENT}).json()["data"]
        assert listed == []


def test_every_version_is_accepted_by_default_and_can_be_narrowed() -> None:
    with FakeCartesia() as fake:
        for version in VERSIONS:
            r = fake.client().get(
                "/agents/calls", params={"agent_id": AGENT}, headers={"cartesia-version": version}
            )
            assert r.status_code == 200, (version, r.text)
    with FakeCartesia(accepted_versions=("2026-08-14",)) as fake:
        r = fake.client().get(
            "/agents/calls", params={"agent_id": AGENT}, headers={"cartesia-version": "2025-04-16"}
        )
        assert r.status_code == 404
        assert "supported: 2026-08-14" in r.text
    with pytest.raises(Exception, match="not a served version"):
        FakeCartesia(accepted_versions=("1999-01-01",))


def test_placing_versions_come_from_the_lineage() -> None:
    assert PLACING == ("2026-03-01", "2026-08-14")
    assert set(VERSIONS) - set(PLACING) == {*LEGACY, "2025-11-04"}
