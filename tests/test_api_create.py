"""POST /agents/calls and Get Call, black-box, through all three doors."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from contracts import validate
from tests.conftest import AGENT, NUMBER, Door

DOC_BODY = {
    "from_number_id": "ap_Q8PRh7lXyZsawXJmN2KcT5",
    "agent_id": "agent_Fo7pKNBUwLZxrTd6jvhpaE",
    "ringing_timeout_seconds": 30,
    "outbound_calls": [{"to_number": "+14155559876", "metadata": {"customer_id": "cust_123"}}],
}


def assert_error(response, status: int, code: str, *needles: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    validate("error", body)
    assert body["error_code"] == code
    assert response.headers["x-request-id"] == body["request_id"]
    for needle in needles:
        assert needle in body["message"], (needle, body["message"])
    return body


def test_documented_example_verbatim(door: Door) -> None:
    r = door.request(
        "POST",
        "/agents/calls",
        headers={
            "X-API-Key": door.key,
            "Cartesia-Version": "2026-03-01",
            "Content-Type": "application/json",
            "authorization": "",
        },
        content=json.dumps(DOC_BODY),
    )
    # The client's default Authorization is blanked: X-API-Key alone authenticates.
    assert r.status_code == 200, r.text
    body = r.json()
    door.validate("outbound_response", body)
    [item] = body["calls"]
    assert item["number"] == "+14155559876"
    assert re.fullmatch(r"call_[0-9A-Za-z]{16}", item["agent_call_id"])
    call = door.call(item["agent_call_id"])
    door.validate("agent_call", call)
    assert call["id"] == item["agent_call_id"]
    assert call["status"] == "created"
    if door.latest:  # 2026-08-14's call object has dynamic_variables, not metadata
        assert "metadata" not in call
        assert call["dynamic_variables"] is None
    else:
        assert call["metadata"] == {"customer_id": "cust_123"}
    assert call["agent_id"] == AGENT
    assert call["telephony_params"]["to"] == "+14155559876"
    assert call["telephony_params"]["direction"] == "outbound"


def test_x_api_key_and_bearer_reach_the_same_tenant(door: Door) -> None:
    [call_id] = door.call_ids("+14155559876")
    r = door.get(f"/agents/calls/{call_id}", headers={"authorization": "", "x-api-key": door.key})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == call_id


def test_status_endpoint(door: Door) -> None:
    r = door.get("/")
    assert r.status_code == 200
    assert r.json() == {"ok": True, "version": door.version}
    assert "x-request-id" in r.headers


@pytest.mark.parametrize("auth", [None, "", "Bearer", "Basic abc", "Token x"])
def test_missing_or_empty_key_is_401(door: Door, auth: str | None) -> None:
    headers = {"authorization": auth} if auth is not None else {}
    r = door._client.build_request("POST", "/agents/calls", json=DOC_BODY)
    del r.headers["authorization"]
    r.headers.update(headers)
    response = (
        door._loop.run_until_complete(door._client.send(r)) if door._loop else door._client.send(r)
    )
    assert_error(response, 401, "missing_api_key", "Authorization: Bearer")


def test_auth_is_checked_before_version_and_body(door: Door) -> None:
    r = door.post(
        "/agents/calls",
        content=b"not json",
        headers={"authorization": "", "cartesia-version": "1999-01-01"},
    )
    assert r.status_code == 401


def test_unknown_version_is_404(door: Door) -> None:
    r = door.post("/agents/calls", json=DOC_BODY, headers={"cartesia-version": "2023-01-01"})
    assert_error(r, 404, "api_version_not_found", "2023-01-01")


def test_a_legacy_version_on_post_calls_is_the_live_apis_plain_404(door: Door) -> None:
    """POST /agents/calls is documented from 2026-03-01 on: a legacy header gets the answer
    the live API gives an unsupported version (plain text), and nothing is dialed."""
    r = door.post("/agents/calls", json=DOC_BODY, headers={"cartesia-version": "2025-04-16"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == (
        "API version not found: No API schema exists for the requested Cartesia-Version."
    )
    assert door.get("/agents/calls", params={"agent_id": AGENT}).json()["data"] == []


def test_missing_version_is_400_before_body(door: Door) -> None:
    req_headers = {"cartesia-version": ""}
    r = door.post("/agents/calls", content=b"{bad", headers=req_headers)
    assert_error(r, 400, "missing_cartesia_version", "Cartesia-Version")


def test_sdk_version_and_duplicate_version_accepted(door: Door) -> None:
    r = door.post("/agents/calls", json=DOC_BODY, headers={"cartesia-version": "2026-08-14"})
    assert r.status_code == 200
    r = door.post(
        "/agents/calls",
        json=DOC_BODY,
        headers=[("cartesia-version", "2026-03-01"), ("Cartesia-Version", "2026-08-14")],
    )
    assert r.status_code == 200, r.text
    journal = door.get("/__fake__/requests").json()["requests"]
    last_post = [e for e in journal if e["method"] == "POST"][-1]
    assert any("Cartesia-Version sent 2 times" in w for w in last_post["warnings"])
    r = door.post(
        "/agents/calls", json=DOC_BODY, headers={"cartesia-version": "2026-03-01, 2023-01-01"}
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"{", "Malformed JSON"),
        (b"[1, 2]", "JSON object"),
        (b'"text"', "JSON object"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": Infinity}', "Infinity"),
        (b'{"a": -Infinity}', "Infinity"),
        ('{"a": 1}'.encode("utf-16"), "UTF-8"),
        ('{"a": 1}'.encode("utf-32"), "UTF-8"),
        ('{"a": 1}'.encode("utf-16-le"), "NUL"),
        (b"\xef\xbb\xbf{}", "byte-order mark"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b'{"a": ' + b"1" * 5000 + b"}", "cannot be parsed"),
        (b"[" * 10_000 + b"]" * 10_000, "nesting"),
        (b'{"a": 1, "a": 2}', "Duplicate key"),
    ],
    ids=lambda v: v[:24].decode("latin-1") if isinstance(v, bytes) else None,
)
def test_malformed_bodies_are_400(door: Door, content: bytes, needle: str) -> None:
    r = door.post("/agents/calls", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    body = r.json()
    validate("error", body)
    assert needle in body["message"]


def test_oversize_body_is_400(door: Door) -> None:
    big = {
        **DOC_BODY,
        "outbound_calls": [{"to_number": "+14155559876", "metadata": {"blob": "x" * 1_100_000}}],
    }
    r = door.post("/agents/calls", json=big)
    assert_error(r, 400, "body_too_large", "1048576")


def test_wrong_content_type_is_400(door: Door) -> None:
    r = door.post(
        "/agents/calls",
        content=json.dumps(DOC_BODY),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_error(r, 400, "unsupported_content_type")


SHAPE_CASES = [
    (
        {"agent_id": AGENT, "outbound_calls": [{"to_number": "+14155559876"}]},
        ["from_number_id: is required"],
    ),
    (
        {
            "from_number_id": "",
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "+14155559876"}],
        },
        ["from_number_id: must not be empty"],
    ),
    (
        {
            "from_number_id": NUMBER,
            "agent_id": "",
            "outbound_calls": [{"to_number": "+14155559876"}],
        },
        ["agent_id: must not be empty"],
    ),
    ({"from_number_id": NUMBER, "agent_id": AGENT}, ["outbound_calls: is required"]),
    (
        {"from_number_id": NUMBER, "agent_id": AGENT, "outbound_calls": {}},
        ["outbound_calls: must be an array"],
    ),
    (
        {"from_number_id": NUMBER, "agent_id": AGENT, "outbound_calls": []},
        ["outbound_calls: must have at least 1"],
    ),
    (
        {
            "from_number_id": NUMBER,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "+14155559876"}] * 101,
        },
        ["outbound_calls: must have at most 100"],
    ),
    (
        {"from_number_id": NUMBER, "agent_id": AGENT, "outbound_calls": ["+14155559876"]},
        ["outbound_calls[0]: must be an object"],
    ),
    (
        {"from_number_id": NUMBER, "agent_id": AGENT, "outbound_calls": [{}]},
        ["outbound_calls[0].to_number: is required"],
    ),
    (
        {
            "from_number_id": NUMBER,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "+14155559876\n"}],
        },
        ["outbound_calls[0].to_number: must be a valid e164"],
    ),
    (
        {
            "from_number_id": NUMBER,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "14155559876"}],
        },
        ["outbound_calls[0].to_number"],
    ),
    (
        {
            "from_number_id": NUMBER,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "+04155559876"}],
        },
        ["outbound_calls[0].to_number"],
    ),
    (
        {
            "from_number_id": NUMBER,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "+1234567890123456"}],
        },
        ["outbound_calls[0].to_number"],
    ),
    (
        {
            "from_number_id": NUMBER,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "+14155559876", "metadata": []}],
        },
        ["outbound_calls[0].metadata: must be an object"],
    ),
    (
        {
            "from_number_id": NUMBER,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "+14155559876", "metadata": "x"}],
        },
        ["outbound_calls[0].metadata"],
    ),
    (
        {"from_number_id": 5, "agent_id": AGENT, "outbound_calls": [{"to_number": "+14155559876"}]},
        ["from_number_id: must be a string"],
    ),
]


#: The cases where one item is wrong but still names its destination (a string to_number).
ITEM_CASES = range(9, 15)


@pytest.mark.parametrize(("body", "needles"), SHAPE_CASES)
def test_shape_rules_name_the_field(door: Door, body: dict, needles: list[str]) -> None:
    r = door.post("/agents/calls", json=body)
    if door.latest and SHAPE_CASES.index((body, needles)) in ITEM_CASES:
        # 2026-08-14 (ledger create.invalid_item): that destination fails alone, in the 200.
        assert r.status_code == 200, r.text
        [item] = r.json()["calls"]
        assert "agent_call_id" not in item
        assert item["number"] == body["outbound_calls"][0]["to_number"]
        for needle in needles:
            assert needle in item["error"]["message"]
    else:
        assert_error(r, 400, "invalid_request_body", *needles)


def test_a_bad_item_fails_alone_under_2026_08_14(door: Door) -> None:
    items = [
        {"to_number": "+14155550100"},
        {"to_number": "4155550100"},
        {"to_number": "+14155550101", "dynamic_variables": {"secret__token": "x"}},
        {"to_number": "+14155550102", "dynamic_variables": {"ok": "x" * 17_000}},
    ]
    r = door.post("/agents/calls", json={**DOC_BODY, "outbound_calls": items})
    if not door.latest:
        # 2026-03-01: a malformed to_number fails the request; dynamic_variables is unknown
        # there and ignored (ledger create.unknown_fields).
        assert_error(r, 400, "invalid_request_body", "outbound_calls[1].to_number")
        return
    assert r.status_code == 200, r.text
    calls = r.json()["calls"]
    assert [c["number"] for c in calls] == [i["to_number"] for i in items]
    assert "agent_call_id" in calls[0]
    assert calls[1]["error"]["code"] == "invalid_to_number"
    assert calls[2]["error"]["code"] == "invalid_dynamic_variables"
    assert "reserved" in calls[2]["error"]["message"]
    assert "16384 bytes" in calls[3]["error"]["message"]
    listed = door.get("/agents/calls", params={"agent_id": AGENT}).json()["data"]
    assert [c["id"] for c in listed] == [calls[0]["agent_call_id"]]  # only one call exists


def test_dynamic_variables_round_trip(door: Door) -> None:
    variables = {"customer_name": "Ada", "balance": 12.5, "vip": True}
    item = {"to_number": "+14155550100", "dynamic_variables": variables}
    r = door.post("/agents/calls", json={**DOC_BODY, "outbound_calls": [item]})
    assert r.status_code == 200, r.text
    call = door.call(r.json()["calls"][0]["agent_call_id"])
    door.validate("agent_call", call)
    if door.latest:
        assert call["dynamic_variables"] == variables
    else:
        assert "dynamic_variables" not in call


@pytest.mark.parametrize("field", ["ringing_timeout_seconds", "max_call_duration_minutes"])
@pytest.mark.parametrize("value", [True, False, 30.0, "30", [30], {"v": 30}])
def test_integers_must_be_integers(door: Door, field: str, value: object) -> None:
    r = door.post("/agents/calls", json={**DOC_BODY, field: value})
    assert_error(r, 400, "invalid_request_body", f"{field}: must be an integer")


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("ringing_timeout_seconds", 4, False),
        ("ringing_timeout_seconds", 5, True),
        ("ringing_timeout_seconds", 80, True),
        ("ringing_timeout_seconds", 81, False),
        ("ringing_timeout_seconds", -1, False),
        ("ringing_timeout_seconds", None, True),
        ("max_call_duration_minutes", 0, False),
        ("max_call_duration_minutes", 1, True),
        ("max_call_duration_minutes", 480, True),
        ("max_call_duration_minutes", 481, False),
        ("max_call_duration_minutes", None, True),
    ],
)
def test_integer_boundaries(door: Door, field: str, value: int | None, ok: bool) -> None:
    r = door.post("/agents/calls", json={**DOC_BODY, field: value})
    if ok:
        assert r.status_code == 200, r.text
    else:
        assert_error(r, 400, "invalid_request_body", f"{field}: must be")


def test_null_metadata_is_absent(door: Door) -> None:
    body = {**DOC_BODY, "outbound_calls": [{"to_number": "+14155559876", "metadata": None}]}
    [call_id] = [c["agent_call_id"] for c in door.post("/agents/calls", json=body).json()["calls"]]
    call = door.call(call_id)
    assert call.get("metadata") is None
    assert ("metadata" in call) == (not door.latest)


def test_every_bad_field_is_named_at_once(door: Door) -> None:
    body = {
        "from_number_id": "",
        "outbound_calls": [{"to_number": "555"}, {"metadata": 1}, 7],
        "ringing_timeout_seconds": 4,
        "max_call_duration_minutes": 30.5,
    }
    err = assert_error(door.post("/agents/calls", json=body), 400, "invalid_request_body")
    for path in [
        "from_number_id",
        "agent_id",
        "outbound_calls[0].to_number",
        "outbound_calls[1].to_number",
        "outbound_calls[1].metadata",
        "outbound_calls[2]",
        "ringing_timeout_seconds",
        "max_call_duration_minutes",
    ]:
        assert f"{path}:" in err["message"], path


def test_unknown_fields_are_ignored(door: Door) -> None:
    body = {
        **DOC_BODY,
        "surprise": 1,
        "outbound_calls": [{"to_number": "+14155559876", "dynamic_variables": {}}],
    }
    assert door.post("/agents/calls", json=body).status_code == 200


def test_unknown_agent_is_404(door: Door) -> None:
    r = door.post("/agents/calls", json={**DOC_BODY, "agent_id": "agent_nope"})
    assert_error(r, 404, "agent_not_found", "agent_nope")


def test_shape_is_checked_before_agent(door: Door) -> None:
    r = door.post(
        "/agents/calls", json={**DOC_BODY, "agent_id": "agent_nope", "ringing_timeout_seconds": 1}
    )
    assert_error(r, 400, "invalid_request_body")


def test_undeployed_agent_is_404_deployment(door: Door) -> None:
    r = door.post("/__fake__/agents", json={"id": "agent_draft", "deployed": False})
    assert r.status_code == 201
    r = door.post("/agents/calls", json={**DOC_BODY, "agent_id": "agent_draft"})
    assert_error(r, 404, "deployment_not_found", "Deployment not found")


def test_unknown_number_is_404_and_agent_checked_first(door: Door) -> None:
    r = door.post("/agents/calls", json={**DOC_BODY, "from_number_id": "ap_nope"})
    assert_error(r, 404, "phone_number_not_found", "ap_nope")
    r = door.post(
        "/agents/calls", json={**DOC_BODY, "from_number_id": "ap_nope", "agent_id": "agent_nope"}
    )
    assert_error(r, 404, "agent_not_found")


def test_other_organisation_number_is_403(door: Door) -> None:
    r = door.post(
        "/__fake__/phone-numbers",
        json={"id": "ap_theirs", "number": "+12025550111", "organization": "other"},
    )
    assert r.status_code == 201
    r = door.post("/agents/calls", json={**DOC_BODY, "from_number_id": "ap_theirs"})
    assert_error(r, 403, "phone_number_forbidden", "ap_theirs")


def test_number_that_cannot_dial_out_is_400(door: Door) -> None:
    door.post(
        "/__fake__/phone-numbers",
        json={"id": "ap_inbound", "number": "+12025550112", "can_place_outbound": False},
    )
    r = door.post("/agents/calls", json={**DOC_BODY, "from_number_id": "ap_inbound"})
    assert_error(r, 400, "outbound_not_supported", "ap_inbound")


def test_results_are_ordered_with_per_destination_errors(door: Door) -> None:
    numbers = [
        "+14155550195",
        "+14155559876",
        "+442071838750",
        "+14165550100",
        "+18765550100",
        "+12125550101",
        "+14155559876",
    ]
    r = door.dial(*numbers)
    assert r.status_code == 200
    calls = r.json()["calls"]
    door.validate("outbound_response", r.json())
    assert [c["number"] for c in calls] == numbers
    ok = ["agent_call_id" in c for c in calls]
    assert ok == [False, True, False, False, False, True, True]
    assert calls[0]["error"]["code"] == "destination_rejected"
    for i in (2, 3, 4):  # UK, Canada, Jamaica: not US
        assert calls[i]["error"]["code"] == "destination_not_allowed"
        assert "agent_call_id" not in calls[i]
    assert calls[1]["agent_call_id"] != calls[6]["agent_call_id"]
    journal = door.get("/__fake__/requests").json()
    warnings = [w for e in journal["requests"] for w in e["warnings"]]
    assert any("more than once" in w for w in warnings)


def test_twilio_number_may_dial_abroad(door: Door) -> None:
    door.post(
        "/__fake__/phone-numbers",
        json={"id": "ap_twilio", "number": "+12025550113", "provider": "twilio"},
    )
    r = door.post(
        "/agents/calls",
        json={
            **DOC_BODY,
            "from_number_id": "ap_twilio",
            "outbound_calls": [{"to_number": "+442071838750"}],
        },
    )
    [item] = r.json()["calls"]
    assert "agent_call_id" in item
    assert door.call(item["agent_call_id"])["telephony_account_type"] == "twilio"


@pytest.mark.parametrize("xx", range(90, 100))
def test_magic_90_99_rejected_per_destination(door: Door, xx: int) -> None:
    [item] = door.dial(f"+1303555{100 + xx:04d}"[:-4] + f"01{xx}").json()["calls"]
    assert item["error"]["code"] == "destination_rejected"


def test_get_unknown_call_is_404(door: Door) -> None:
    assert_error(door.get("/agents/calls/call_doesnotexist0000"), 404, "call_not_found")


def test_tenants_are_isolated(door: Door) -> None:
    [call_id] = door.call_ids("+14155559876")
    other = {"authorization": "Bearer sk_someone_else_" + uuid.uuid4().hex}
    assert_error(door.get(f"/agents/calls/{call_id}", headers=other), 404, "call_not_found")
    assert door.get(f"/agents/calls/{call_id}").status_code == 200


def test_unknown_route_is_api_shaped_404(door: Door) -> None:
    r = door.get("/agents/nothing/here")
    assert_error(r, 404, "route_not_found", "GET /agents/nothing/here")
    problems = door.fake.service.forget_problems(door.key)
    assert [p.kind for p in problems] == ["unknown_route"]
