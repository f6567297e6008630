"""The surface the docs describe today, through every door and under both versions: List
Calls' filters, phone-number providers, filters and pages, named faults, paths not served."""

from __future__ import annotations

import pytest

from contracts import validate
from tests.conftest import AGENT, NUMBER, Door


def _ended_calls(door: Door, n: int) -> list[str]:
    """``n`` answered calls, one second apart (one number paces them), all ended."""
    ids = door.call_ids(*[f"+1415555010{i}" for i in range(n)])
    door.run_until_idle()
    return ids


def test_list_calls_selector_follows_the_version(door: Door) -> None:
    r = door.get("/agents/calls", params={"batch_id": "acb_nope"})
    if door.latest:  # agent_id or batch_id; no batch exists yet
        assert r.status_code == 404, r.text
        assert r.json()["error_code"] == "batch_not_found"
    else:
        assert r.status_code == 400
        assert "agent_id" in r.json()["message"]
    none = door.get("/agents/calls")
    assert none.status_code == 400
    assert ("batch_id" in none.json()["message"]) == door.latest


def test_unknown_agent_is_404_under_2026_08_14_and_empty_before(door: Door) -> None:
    r = door.get("/agents/calls", params={"agent_id": "agent_nope"})
    if door.latest:
        assert r.status_code == 404
        assert r.json()["error_code"] == "agent_not_found"
    else:
        assert r.json() == {"data": [], "next_page": None}


def test_has_more_agrees_with_next_page(door: Door) -> None:
    _ended_calls(door, 3)
    pages = []
    params: dict[str, str | int] = {"agent_id": AGENT, "limit": 2}
    while True:
        body = door.get("/agents/calls", params=params).json()
        door.validate("call_list", body)
        pages.append(body)
        if not body["data"]:
            break
        params["starting_after"] = body["data"][-1]["id"]
    assert [len(p["data"]) for p in pages] == [2, 1, 0]
    for page in pages:
        assert ("has_more" in page) == door.latest
        if door.latest:
            assert page["has_more"] == (page["next_page"] is not None)


def test_start_time_bounds_are_inclusive_and_checked(door: Door) -> None:
    ids = _ended_calls(door, 3)
    starts = {c: door.call(c)["start_time"] for c in ids}  # 12:00:02, :03, :04
    params = {
        "agent_id": AGENT,
        "start_time_gte": starts[ids[1]],
        "start_time_lte": starts[ids[2]].replace(".000Z", "Z"),
    }
    r = door.get("/agents/calls", params=params)
    assert r.status_code == 200, r.text
    got = [c["id"] for c in r.json()["data"]]
    if not door.latest:  # 2026-03-01 has no such filters: they are ignored
        assert sorted(got) == sorted(ids)
        return
    assert got == [ids[2], ids[1]]  # inclusive at both ends, newest first
    for bad, needle in [
        ({"start_time_gte": "yesterday"}, "start_time_gte"),
        ({"start_time_lte": "2026-03-01 12:00:00"}, "start_time_lte"),
        (
            {"start_time_gte": "2026-03-02T00:00:00Z", "start_time_lte": "2026-03-01T00:00:00Z"},
            "start_time_gte must not be after",
        ),
    ]:
        r = door.get("/agents/calls", params={"agent_id": AGENT, **bad})
        assert r.status_code == 400, bad
        assert needle in r.json()["message"]
    queued = door.call_ids("+14155550105")[0]  # never started: outside any bound
    later = door.get(
        "/agents/calls", params={"agent_id": AGENT, "start_time_gte": "2026-01-01T00:00:00Z"}
    )
    assert queued not in [c["id"] for c in later.json()["data"]]


def _number(door: Door, number: str, **extra: object) -> dict:  # type: ignore[type-arg]
    r = door.post("/__fake__/phone-numbers", json={"number": number, **extra})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_phone_number_providers_filters_and_pages(door: Door) -> None:
    twilio = _number(door, "+12025550111", provider="twilio", provider_id="tw_1", label="Sales")
    trunk = _number(door, "+12025550112", provider="sip_trunk", agent_id=AGENT)
    provider = twilio["provider"]
    assert (provider["type"], provider["id"], provider["region"]) == ("twilio", "tw_1", "us1")
    assert provider["account_sid"].startswith("AC")
    assert "*" in provider["api_key_sid"]  # masked, never the secret
    assert trunk["provider"]["type"] == "sip_trunk"
    assert trunk["agent"]["id"] == AGENT

    def ids(**params: object) -> list[str]:
        r = door.get("/agents/phone-numbers", params=params)
        assert r.status_code == 200, r.text
        validate("phone_number_list", r.json())
        return [n["id"] for n in r.json()["data"]]

    assert ids() == [NUMBER, twilio["id"], trunk["id"]]
    assert ids(type="twilio") == [twilio["id"]]
    assert ids(provider_id="tw_1") == [twilio["id"]]
    assert ids(agent_id=AGENT) == [trunk["id"]]
    assert ids(q="sales") == [twilio["id"]]
    assert ids(q="0112") == [trunk["id"]]
    first = door.get("/agents/phone-numbers", params={"limit": 2}).json()
    assert (len(first["data"]), first["has_more"]) == (2, True)
    rest = ids(starting_after=first["data"][-1]["id"])
    assert rest == [trunk["id"]]
    bad = door.get("/agents/phone-numbers", params={"type": "fax"})
    assert bad.status_code == 400
    assert "type" in bad.json()["message"]
    mine = door.get(f"/agents/{AGENT}/phone-numbers").json()  # a bare array, as the SDKs type it
    assert [(n["id"], n["agent_id"], n["is_cartesia_managed"]) for n in mine] == [
        (trunk["id"], AGENT, False)
    ]
    door.validate("agent_phone_number_list", mine)
    shown = door.get(f"/agents/{AGENT}").json()
    assert shown["phone_numbers"] == [{"id": trunk["id"], "number": trunk["number"]}]
    assert door.get("/agents/agent_nope/phone-numbers").status_code == 404


def test_named_faults_cancel_502_and_delete_500(door: Door) -> None:
    [talking, ended] = door.call_ids("+14155550150", "+14155550130")
    door.advance(5)
    r = door.post("/__fake__/faults", json={"name": "cancel_undeliverable", "times": 1})
    assert r.status_code == 201, r.text
    first = door.post(f"/agents/calls/{talking}/cancel")
    assert first.status_code == 502
    assert first.json()["error_code"] == "cancel_undeliverable"
    assert "Retry" in first.json()["message"]
    assert door.call(talking)["status"] == "started"  # not delivered: nothing happened
    assert door.post(f"/agents/calls/{talking}/cancel").json() == {"cancelled": True}
    door.post("/__fake__/faults", json={"name": "delete_incomplete", "times": 1})
    failed = door.delete(f"/agents/calls/{ended}")
    assert (failed.status_code, failed.json()["error_code"]) == (500, "delete_incomplete")
    retried = door.delete(f"/agents/calls/{ended}")  # deletion is idempotent
    assert retried.status_code == 200
    assert retried.json()["redacted_at"] is not None


@pytest.mark.parametrize(
    "path",
    ["/agents/templates", "/agents/templates/t_1", "/agents/deployments", "/v1/agents/a_1"],
)
def test_paths_not_served_are_a_clear_404(door: Door, path: str) -> None:
    r = door.get(path)
    assert r.status_code == 404
    body = r.json()
    assert body["error_code"] == "route_not_found"
    assert path in body["message"]
    assert "not found" not in body["message"].lower() or "Agent" not in body["message"]
    problems = door.fake.service.forget_problems(door.key)
    assert [p.kind for p in problems] == ["unknown_route"]


def test_the_call_object_has_exactly_its_versions_contract_fields(door: Door) -> None:
    """The renderer writes the contract's properties: a field added to one version's
    agent_call.json (and given a value in views.agent_call) appears there and only there."""
    from contracts import load_schema

    [call_id] = door.call_ids("+14155550100")
    door.run_until_idle()
    call = door.call(call_id)
    assert list(call) == list(load_schema("agent_call", door.version)["properties"])
    turn = call["transcript"][0]
    assert list(turn) == list(load_schema("transcript_turn", door.version)["properties"])


@pytest.mark.parametrize(("path", "allow"), [("calls", "GET, POST"), ("webhooks", "GET, POST")])
def test_patch_on_a_collection_is_405_not_an_agent(door: Door, path: str, allow: str) -> None:
    r = door.request("PATCH", f"/agents/{path}", json={"name": "x"})
    assert r.status_code == 405
    assert r.headers["allow"] == allow
    assert r.json()["error_code"] == "method_not_allowed"
