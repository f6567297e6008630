"""Property tests: strategies round-trip through the contracts, and the fake obeys the rules
for any valid request, any labelled invalid request, and any workload."""

from __future__ import annotations

import json

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument

from contracts import errors_of, is_e164, versions_with
from contracts.strategies import (
    RULES,
    VERSION_RULES,
    agent_calls,
    dynamic_variables,
    e164_numbers,
    invalid_e164_numbers,
    invalid_outbound_requests,
    magic_numbers,
    outbound_requests,
    workloads,
)
from mock_server import FakeCartesia
from mock_server.domain.errors import ApiError
from mock_server.http import jsonbody
from tests.conftest import examples, world_of

#: The versions that place calls (the lineage decides which).
CALL_VERSIONS = versions_with("outbound_request")


@pytest.fixture(scope="module")
def shared_fake():
    with FakeCartesia(max_calls_per_tenant=10**7) as fake:
        yield fake
        assert not fake.problems()


VERSIONS_ = pytest.mark.parametrize("version", CALL_VERSIONS)


@VERSIONS_
@given(data=st.data())
def test_outbound_requests_validate(version: str, data: st.DataObject) -> None:
    body = data.draw(outbound_requests(version=version))
    assert errors_of("outbound_request", body, version=version) == []


@VERSIONS_
@given(data=st.data())
def test_agent_calls_validate(version: str, data: st.DataObject) -> None:
    call = data.draw(agent_calls(version=version))
    assert errors_of("agent_call", call, version=version) == []
    other = "2026-03-01" if version == "2026-08-14" else "2026-08-14"
    assert errors_of("agent_call", call, version=other) != []  # the shapes really differ


@given(dynamic_variables(max_size=64))
def test_dynamic_variables_validate(variables: dict) -> None:
    item = {"to_number": "+14155550100", "dynamic_variables": variables}
    assert errors_of("outbound_item", item, version="2026-08-14") == []


@given(e164_numbers())
def test_e164_numbers_are_e164(number: str) -> None:
    assert is_e164(number)


@given(invalid_e164_numbers())
def test_invalid_e164_numbers_are_not(number: str) -> None:
    assert not is_e164(number)


@given(e164_numbers(region="us"))
def test_us_numbers_are_us_for_libphonenumber(number: str) -> None:
    from mock_server.domain.calls.outbound import region_of

    assert region_of(number) == "US"


@given(outbound_requests())
def test_every_valid_request_is_accepted(shared_fake: FakeCartesia, body: dict) -> None:
    r = shared_fake.client().post("/agents/calls", json=body)
    assert r.status_code == 200, r.text
    assert [c["number"] for c in r.json()["calls"]] == [
        c["to_number"] for c in body["outbound_calls"]
    ]


@VERSIONS_
@settings(max_examples=examples(3))
@given(data=st.data())
def test_every_labelled_invalid_request_is_refused_naming_its_field(
    shared_fake: FakeCartesia, version: str, data: st.DataObject
) -> None:
    case = data.draw(invalid_outbound_requests(version=version))
    client = shared_fake.client()
    r = client.post("/agents/calls", json=case.body, headers={"cartesia-version": version})
    if case.per_destination:  # 2026-08-14: that destination fails alone, in the 200
        assert r.status_code == 200, (case.rule, r.text)
        index = int(case.path.split("[")[1].split("]")[0])
        item = r.json()["calls"][index]
        assert "agent_call_id" not in item, case.rule
        assert f"{case.path}" in item["error"]["message"], (case.rule, item)
        return
    assert r.status_code == 400, (case.rule, r.text)
    assert f"{case.path}" in r.json()["message"], (case.rule, r.json()["message"])


def test_every_rule_has_a_label() -> None:
    assert len(RULES) == 23
    assert len(VERSION_RULES["2026-03-01"]) == 17


_keys = st.sampled_from(["a", "b", "c", 'd"', "é"])
_json = st.recursive(
    st.one_of(st.integers(-5, 5), st.text(alphabet='ab":{}[]', max_size=4), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(st.tuples(_keys, inner), max_size=4).map(lambda pairs: ("obj", pairs)),
    ),
    max_leaves=12,
)


def _render(value: object) -> str:
    if isinstance(value, tuple):
        pairs = value[1]
        return "{" + ", ".join(f"{json.dumps(k)} : {_render(v)}" for k, v in pairs) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_render(v) for v in value) + "]"
    return json.dumps(value)


def _has_duplicates(value: object) -> bool:
    if isinstance(value, tuple):
        keys = [k for k, _ in value[1]]
        return len(keys) != len(set(keys)) or any(_has_duplicates(v) for _, v in value[1])
    if isinstance(value, list):
        return any(_has_duplicates(v) for v in value)
    return False


@given(_json)
def test_duplicate_keys_are_always_found(value: object) -> None:
    text = _render(value).encode()
    if _has_duplicates(value):
        with pytest.raises(ApiError, match="Duplicate key"):
            jsonbody.parse(text, max_depth=64)
    else:
        jsonbody.parse(text, max_depth=64)


def _deeper_than(text: str, limit: int) -> bool:
    """The model: walk every character, tracking strings and escapes by hand."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


@given(st.text(alphabet='[]{}"\\ a:,', max_size=40), st.integers(0, 5))
def test_the_depth_scan_counts_brackets_outside_strings_only(text: str, limit: int) -> None:
    assert jsonbody._depth_exceeds(text, limit) == _deeper_than(text, limit)


@settings(max_examples=examples(0.6))
@given(workloads(from_number_ids=("ap_Q8PRh7lXyZsawXJmN2KcT5", "ap_b", "ap_tw")))
def test_any_workload_keeps_spacing_and_ends_in_time(workload) -> None:
    with FakeCartesia() as fake:
        tenant = fake.tenant()
        tenant.add_phone_number("+12025550199", number_id="ap_b")
        tenant.add_phone_number("+12025550198", number_id="ap_tw", provider="twilio")
        client = fake.client()
        for wait, body in workload.steps:
            fake.advance(wait)
            assert client.post("/agents/calls", json=body).status_code == 200
        fake.run_until_idle()
        fake.assert_dial_spacing(at_least=1.0, from_number_id="ap_Q8PRh7lXyZsawXJmN2KcT5")
        fake.assert_dial_spacing(at_least=1.0, from_number_id="ap_b")
        for call in world_of(tenant).calls.values():
            assert call.ended_at is not None
            assert call.ended_at <= call.dial_at + call.ringing_timeout_ms + call.max_duration_ms


@pytest.mark.parametrize(
    "strategy",
    [
        magic_numbers(decades=(12,)),
        e164_numbers(region="mars"),  # type: ignore[arg-type]
        outbound_requests(max_items=0),
        invalid_outbound_requests(rules=("nope",)),
        workloads(from_number_ids=()),
    ],
)
def test_argument_errors_are_deferred_to_draw_time(strategy) -> None:
    @given(strategy)
    def draw(value: object) -> None:
        raise AssertionError("unreachable: the strategy must refuse its arguments")

    with pytest.raises(InvalidArgument):
        draw()


@settings(max_examples=examples(0.4))
@given(workloads(from_number_ids=("ap_Q8PRh7lXyZsawXJmN2KcT5", "ap_b")))
def test_fast_forward_reaches_the_same_state_as_stepping(workload) -> None:
    def outcome(finish: str) -> tuple[list[tuple], int]:
        with FakeCartesia(seed=3) as fake:
            fake.tenant().add_phone_number("+12025550199", number_id="ap_b")
            client = fake.client()
            for wait, body in workload.steps:
                fake.advance(wait)
                client.post("/agents/calls", json=body)
            if finish == "fast":
                fake.run_until_idle()  # no webhook, no bridge: the fast path
            else:
                fake.tenant().advance(10**6)  # steps through every event in time order
            calls = sorted(world_of(fake.tenant()).calls.values(), key=lambda c: c.seq)
            state = [
                # sort_time is the List order
                (
                    *(c.id, c.phase, c.status, c.end_reason, c.error_message, c.dial_at),
                    *(c.answered_at, c.ended_at, c.sort_time),
                )
                for c in calls
            ]
            assert fake.queue() == {"numbers": []}
            assert all(c.ended_at is not None for c in calls)
            return state, len(calls)

    fast, stepped = outcome("fast"), outcome("stepped")
    assert fast == stepped
