"""The Python API of FakeCartesia: the same operations as the control plane, one implementation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

import mock_server
from mock_server import CalleeScript, FakeCartesia, Seed
from mock_server.service.keys import fingerprint


def test_python_api_and_http_see_the_same_world(fake: FakeCartesia) -> None:
    http = fake.client()
    fake.set_callee("+12125550000", outcome="busy", ring_seconds=4)
    r = http.post(
        "/agents/calls",
        json={
            "from_number_id": fake.from_number_id,
            "agent_id": fake.agent_id,
            "outbound_calls": [{"to_number": "+12125550000"}] * 2,
        },
    )
    first, second = (c["agent_call_id"] for c in r.json()["calls"])
    assert fake.queue() == http.get("/__fake__/queue").json()
    fake.advance(10)
    assert fake.timeline(second) == http.get(f"/__fake__/calls/{second}/timeline").json()["events"]
    call = fake.call(first)
    assert (call.status.value, call.end_reason) == ("failed", "dial_busy")
    assert fake.get_call(first) == http.get(f"/agents/calls/{first}").json()
    dups = fake.duplicate_dials()
    assert [(d.first_call_id, d.second_call_id) for d in dups] == [(first, second)]
    fake.reset()
    assert http.get(f"/agents/calls/{first}").status_code == 404


@pytest.mark.slow
def test_context_manager_closes_live_servers() -> None:
    with FakeCartesia() as fake:
        server = fake.serve()
        assert httpx.get(server.url + "/").json()["ok"] is True
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/", timeout=1)


def test_sync_transport_works_inside_a_running_loop(fake: FakeCartesia) -> None:
    async def inside() -> int:
        return fake.client().get("/").status_code

    assert asyncio.run(inside()) == 200


async def _async_roundtrip(fake: FakeCartesia) -> dict:
    async with fake.async_client() as client:
        r = await client.post(
            "/agents/calls",
            json=_one(fake, "+14155550140"),
        )
        call_id = r.json()["calls"][0]["agent_call_id"]
        fake.run_until_idle()
        return (await client.get(f"/agents/calls/{call_id}")).json()


def test_async_client(fake: FakeCartesia) -> None:
    call = asyncio.run(_async_roundtrip(fake))
    assert (call["status"], call["end_reason"]) == ("completed", "agent_hangup")


def test_unknown_knob_fails_with_the_list() -> None:
    with pytest.raises(TypeError, match="max_outbound_calls"):
        FakeCartesia(max_outbond_calls=3)


def test_knobs_change_rules() -> None:
    with FakeCartesia(
        max_outbound_calls=2, reject_unknown_fields=True, pacing_scope="organization"
    ) as fake:
        http = fake.client()
        fake.tenant().add_phone_number("+12025550140", number_id="ap_b")
        body = {
            "from_number_id": fake.from_number_id,
            "agent_id": fake.agent_id,
            "outbound_calls": [{"to_number": "+12125550000"}] * 3,
        }
        r = http.post("/agents/calls", json=body)
        assert "outbound_calls: must have at most 2 items" in r.json()["message"]
        r = http.post(
            "/agents/calls",
            json={**body, "outbound_calls": [{"to_number": "+12125550000", "x": 1}], "y": 2},
        )
        assert "outbound_calls[0].x: is not an allowed field" in r.json()["message"]
        assert "y: is not an allowed field" in r.json()["message"]
        a = http.post("/agents/calls", json={**body, "outbound_calls": body["outbound_calls"][:1]})
        b = http.post(
            "/agents/calls",
            json={**body, "from_number_id": "ap_b", "outbound_calls": body["outbound_calls"][:1]},
        )
        ids = [a.json()["calls"][0]["agent_call_id"], b.json()["calls"][0]["agent_call_id"]]
        fake.advance(5)
        dialed = [fake.timeline(i)[1]["at"] for i in ids]
        assert dialed == ["2026-03-01T12:00:00.000Z", "2026-03-01T12:00:01.000Z"]


def test_custom_world_and_empty_seed() -> None:
    with FakeCartesia(world=Seed.empty()) as fake:
        assert fake.client().get("/agents").json() == {"summaries": []}
    script = CalleeScript("no_answer")
    world = Seed(
        default_callee=script, agents=Seed.documented().agents, numbers=Seed.documented().numbers
    )
    with FakeCartesia(world=world) as fake:
        r = fake.client().post(
            "/agents/calls",
            json=_one(fake, "+12125559999"),
        )
        fake.run_until_idle()
        assert fake.call(r.json()["calls"][0]["agent_call_id"]).end_reason == "dial_no_answer"


def test_problems_fail_expect_no_problems() -> None:
    fake = FakeCartesia()
    expected = pytest.raises(AssertionError, match=r"\[unknown_route\] GET /nope")
    with expected, fake.expect_no_problems():
        fake.client().get("/nope")


def test_public_facade_exports() -> None:
    assert "FakeCartesia" in mock_server.__all__
    assert mock_server.FakeCartesia is FakeCartesia


def test_stores_are_bounded() -> None:
    with FakeCartesia(max_tenants=3, journal_size=4) as fake:
        for i in range(5):
            fake.client(api_key=f"k{i}").get("/nope")  # 5 tenants, 5 unknown-route problems
        assert len(fake.service.tenants) == 3
        assert fake.service.tenants.keys() == ["k2", "k3", "k4"]
        assert len(fake.problems()) == 4
        fake.service.forget_problems()


def test_auto_advance_moves_the_clock_when_a_dialer_polls() -> None:
    with FakeCartesia(auto_advance=True) as fake:
        client = fake.client()
        r = client.post(
            "/agents/calls",
            json=_one(fake, "+14155550100"),
        )
        call_id = r.json()["calls"][0]["agent_call_id"]
        seen = []
        for _ in range(10):  # a naive polling loop, as a dialer would write it
            status = client.get(f"/agents/calls/{call_id}").json()["status"]
            seen.append(status)
            if status in ("completed", "failed"):
                break
        assert seen == ["started", "completed"]  # dial, answer at 2 s, hang up at 32 s
        assert client.get("/__fake__/clock").json()["now"] == "2026-03-01T12:00:32.000Z"


def _one(fake: FakeCartesia, number: str) -> dict[str, object]:
    """A POST /agents/calls body dialling ``number`` from the fake's seeded agent and number."""
    return {
        "from_number_id": fake.from_number_id,
        "agent_id": fake.agent_id,
        "outbound_calls": [{"to_number": number}],
    }


@pytest.mark.parametrize(
    ("default", "status"),
    [("busy", ("failed", "dial_busy")), ({"outcome": "no_answer"}, ("failed", "dial_no_answer"))],
)
def test_default_callee_takes_an_outcome_or_a_dict(
    default: object, status: tuple[str, str]
) -> None:
    with FakeCartesia(default_callee=default) as fake:  # type: ignore[arg-type]
        r = fake.client().post(
            "/agents/calls",
            json=_one(fake, "+14155550175"),
        )
        fake.run_until_idle()
        call = fake.get_call(r.json()["calls"][0]["agent_call_id"])
        assert (call["status"], call["end_reason"]) == status


def test_a_bad_callee_says_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="must be one of"):
        FakeCartesia(default_callee="hangs_up")
    with pytest.raises(ValueError, match="known:"), FakeCartesia() as fake:
        fake.set_callee("+14155550175", rings=3)


def test_dialed_in_order_names_the_first_difference_and_counts_repeats() -> None:
    numbers = ["+14155550170", "+14155550171", "+14155550170", "+14155550172"]
    with FakeCartesia() as fake:
        for number in numbers:  # one request each: the order is the order of the requests
            fake.client().post(
                "/agents/calls",
                json=_one(fake, number),
            )
        fake.assert_dialed_in_order(numbers)
        fake.assert_dialed_in_order(["+14155550170", "+14155550171"])  # a prefix of each
        swapped = [numbers[0], numbers[2], numbers[1], numbers[3]]
        with pytest.raises(AssertionError, match=r"differs at position 1: expected \+14155550170"):
            fake.assert_dialed_in_order(swapped)
        with pytest.raises(AssertionError, match=r"\+14155550172 \(expected 2, dialed 1\)"):
            fake.assert_dialed_in_order([*numbers, "+14155550172"])


def test_a_fault_by_route_template_hits_that_route_only() -> None:
    with FakeCartesia() as fake:
        client = fake.client()
        r = client.post(
            "/agents/calls",
            json=_one(fake, "+14155550175"),
        )
        call_id = r.json()["calls"][0]["agent_call_id"]
        fake.add_fault(method="GET", path="/agents/calls/{id}", status=503)
        assert client.get(f"/agents/calls/{call_id}").status_code == 503  # every Get Call
        assert client.get(f"/agents/calls/{call_id[:-1]}x").status_code == 503
        assert client.get("/agents/calls", params={"agent_id": fake.agent_id}).status_code == 200
        assert client.get("/agents/calls/batches").status_code == 200  # a route of its own
        assert fake.unused_faults() == []


@pytest.mark.parametrize(
    ("fields", "named_field"),
    [
        ({"status": 200}, "status"),
        ({"method": "get", "status": 500}, "method"),
        ({"path": "agents/calls", "status": 500}, "path"),
        ({"status": 500, "times": 0}, "times"),
        ({"latency_seconds": -1}, "latency_seconds"),
        ({}, "a fault needs"),
    ],
)
def test_add_fault_refuses_what_could_never_fire(
    fields: dict[str, object], named_field: str
) -> None:
    with FakeCartesia() as fake, pytest.raises(ValueError, match=named_field):
        fake.add_fault(**fields)  # type: ignore[arg-type]


def test_the_journal_keeps_what_was_sent_and_answered_with_secrets_redacted() -> None:
    with FakeCartesia() as fake:
        client = fake.client()
        body = {
            "from_number_id": fake.from_number_id,
            "agent_id": fake.agent_id,
            "outbound_calls": [{"to_number": "+14155550175", "metadata": {"lead": 7}}],
        }
        made = client.post("/agents/calls", json=body).json()
        call_id = made["calls"][0]["agent_call_id"]
        client.get(f"/agents/calls/{call_id}")
        client.post(
            "/agents/webhooks",
            json={"url": "http://127.0.0.1:9/h", "secret": "whsec_TOPSECRET", "display_name": "d"},
        )
        [create] = fake.requests(method="POST", path="/agents/calls")
        assert create.request_json() == body
        assert create.response_json() == made
        [read] = fake.requests(path="/agents/calls/{call_id}", status=200)
        assert read.response_json()["id"] == call_id
        [hook] = fake.requests(path="/agents/webhooks")
        assert hook.request_json()["secret"] == "***"
        assert b"TOPSECRET" not in (hook.request_body or b"")
        assert fake.requests(method="DELETE") == []


def test_helpers_follow_the_keys_the_dialer_uses() -> None:
    with FakeCartesia() as fake:
        own = fake.client(api_key="sk_dialer_own")
        r = own.post(
            "/agents/calls",
            json=_one(fake, "+14155550175"),
        )
        call_id = r.json()["calls"][0]["agent_call_id"]
        fake.advance(60)  # moves every virtual tenant, the dialer's own key's included
        assert own.get(f"/agents/calls/{call_id}").json()["status"] == "completed"
        [call] = fake.assert_dialed("+14155550175")  # found under the key that holds calls
        assert call.id == call_id
        assert fake.wait_for_status(call_id, "completed").id == call_id
        with pytest.raises(
            AssertionError, match=r"ended completed \(.*\) at .*can never be failed"
        ):
            fake.wait_for_status(call_id, "failed")  # at once: an ended call stays ended
        other = fake.client(api_key="sk_dialer_other")
        other.post(
            "/agents/calls",
            json=_one(fake, "+14155550176"),
        )
        with pytest.raises(
            AssertionError,
            match=f"{fingerprint('sk_dialer_own')}, {fingerprint('sk_dialer_other')}",
        ):
            fake.assert_dialed("+14155550175")
        fake.assert_dialed("+14155550176", api_key="sk_dialer_other")


@pytest.mark.parametrize("honour", [False, True])
def test_idempotency_key_is_ignored_with_a_warning_unless_the_knob_honours_it(
    honour: bool,
) -> None:
    with FakeCartesia(honour_idempotency_key=honour) as fake:
        client = fake.client()
        body = {
            "from_number_id": fake.from_number_id,
            "agent_id": fake.agent_id,
            "outbound_calls": [{"to_number": "+14155550175"}],
        }
        first = client.post("/agents/calls", json=body, headers={"idempotency-key": "k1"})
        retry = client.post("/agents/calls", json=body, headers={"idempotency-key": "k1"})
        assert first.status_code == retry.status_code == 200
        calls = fake.assert_dialed("+14155550175")
        [entry, *_] = fake.requests(method="POST", path="/agents/calls")
        assert "create.idempotency_key" in entry.rules
        if honour:
            assert retry.json() == first.json()
            assert len(calls) == 1
            other = client.post(
                "/agents/calls",
                json={**body, "outbound_calls": [{"to_number": "+14155550176"}]},
                headers={"idempotency-key": "k1"},
            )
            assert other.status_code == 400
            assert other.json()["error_code"] == "idempotency_key_reused"
        else:
            assert retry.json() != first.json()
            assert len(calls) == 2
            assert any("Idempotency-Key sent and ignored" in w for w in entry.warnings)


def test_client_headers_add_to_the_defaults() -> None:
    with FakeCartesia() as fake:
        old = fake.client(headers={"cartesia-version": "2026-03-01"})
        assert old.headers["cartesia-version"] == "2026-03-01"
        assert old.headers["authorization"] == f"Bearer {fake.api_key}"
        listed = old.get("/agents/calls", params={"agent_id": "agent_nope"})
        assert listed.status_code == 200  # 2026-03-01: an unknown agent is an empty page
        assert listed.json()["data"] == []
        assert fake.async_client(headers={"x-extra": "1"}).headers["x-extra"] == "1"


def test_timeline_html_shows_every_tenant_holding_calls(tmp_path: Path) -> None:
    with FakeCartesia() as fake:
        for key, number in (("sk_dialer_a", "+14155550110"), ("sk_dialer_b", "+14155550135")):
            fake.client(api_key=key).post("/agents/calls", json=_one(fake, number))
        fake.run_until_idle()
        page = fake.timeline_html(tmp_path / "calls.html").read_text()
        assert page.count("<h2 class='tenant'>") == 2
        assert 'data-outcome="busy"' in page
        assert 'data-outcome="failed"' in page
        only = fake.timeline_html(tmp_path / "a.html", api_key="sk_dialer_a").read_text()
        assert 'data-outcome="failed"' not in only
        assert "https://" not in only.split("<main>")[0]  # nothing loaded from the network
