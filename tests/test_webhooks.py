"""Webhooks: lifecycle events arrive in order with the secret, on the tenant's clock; receiver
5xx is retried; delivery faults drop, duplicate, delay and reorder."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from mock_server import FakeCartesia
from pytest_plugin.sink import WebhookSink

AGENT = FakeCartesia.agent_id


@pytest.fixture
def fake(cartesia_webhook_sink: WebhookSink) -> Iterator[FakeCartesia]:
    with FakeCartesia() as f:
        r = f.client().post(
            "/__fake__/agents",
            json={
                "id": AGENT,
                "webhook": {
                    "url": cartesia_webhook_sink.url,
                    "secret": cartesia_webhook_sink.secret,
                },
            },
        )
        assert r.status_code == 201, r.text
        yield f


def _dial(fake: FakeCartesia, *numbers: str) -> list[str]:
    r = fake.client().post(
        "/agents/calls",
        json={
            "from_number_id": fake.from_number_id,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": n} for n in numbers],
        },
    )
    return [c["agent_call_id"] for c in r.json()["calls"]]


def test_lifecycle_events_in_order_with_the_secret(
    fake: FakeCartesia, cartesia_webhook_sink: WebhookSink
) -> None:
    [answered] = _dial(fake, "+14155550100")
    fake.advance(1)
    assert cartesia_webhook_sink.received == []  # nothing before the answer, on the clock
    fake.advance(1)
    assert cartesia_webhook_sink.events() == ["call_started"]
    fake.run_until_idle()
    [busy] = _dial(fake, "+14155550110")
    fake.run_until_idle()
    got = cartesia_webhook_sink.received
    assert [r.event for r in got] == [
        "call_started",
        "call_completed",
        "post_call_analysis",  # only after an answered call
        "call_failed",
    ]
    assert {r.secret for r in got} == {cartesia_webhook_sink.secret}
    # the bytes as sent and every header, for a team's own signature check
    assert json.loads(got[0].raw) == got[0].body
    assert got[0].headers["x-webhook-secret"] == cartesia_webhook_sink.secret
    assert got[0].headers["content-type"].startswith("application/json")
    assert got[0].body["call"]["status"] == "started"
    assert got[1].body["call"]["id"] == answered
    assert got[1].body["call"]["end_reason"] == "client_hangup"
    assert got[1].body["call"] == fake.get_call(answered)  # the Get Call object (2026-08-14)
    assert "dynamic_variables" in got[1].body["call"]
    analysis = got[2].body
    assert set(analysis) == {"type", "timestamp", "call_id", "analysis"}
    assert analysis["call_id"] == answered
    assert "lasted 30s" in analysis["analysis"]["summary"]
    assert (got[3].body["call"]["id"], got[3].body["call"]["end_reason"]) == (busy, "dial_busy")
    assert got[1].body["timestamp"] == "2026-03-01T12:00:32.000Z"


def test_payloads_follow_the_webhook_version_knob(cartesia_webhook_sink: WebhookSink) -> None:
    with FakeCartesia(webhook_api_version="2026-03-01") as f:
        hook = {"url": cartesia_webhook_sink.url, "secret": cartesia_webhook_sink.secret}
        f.client().post("/__fake__/agents", json={"id": AGENT, "webhook": hook})
        _dial(f, "+14155550100")
        f.run_until_idle()
    call = cartesia_webhook_sink.received[1].body["call"]
    assert call["metadata"] is None
    assert "dynamic_variables" not in call


def test_receiver_5xx_is_retried_with_backoff(
    fake: FakeCartesia, cartesia_webhook_sink: WebhookSink
) -> None:
    cartesia_webhook_sink.fail_next(2, status=503)
    _dial(fake, "+14155550100")
    fake.advance(2)
    assert [r.status for r in cartesia_webhook_sink.received] == [503]
    fake.advance(1)  # first retry 1 s later
    fake.advance(2)  # second retry 2 s after that
    assert [r.status for r in cartesia_webhook_sink.received] == [503, 503, 200]
    record = fake.client().get("/__fake__/webhooks").json()["deliveries"]
    assert record[0]["results"] == ["503", "503", "200"]
    assert record[0]["state"] == "delivered"


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"kind": "drop", "event": "call_started"}, ["call_completed", "post_call_analysis"]),
        (
            {"kind": "duplicate", "event": "call_completed"},
            ["call_started", "call_completed", "call_completed", "post_call_analysis"],
        ),
        (
            {"kind": "reorder", "event": "call_started"},
            ["call_completed", "call_started", "post_call_analysis"],
        ),
        (
            {"kind": "delay", "event": "call_started", "delay_seconds": 60},
            ["call_completed", "post_call_analysis", "call_started"],
        ),
    ],
)
def test_delivery_faults(
    fake: FakeCartesia, cartesia_webhook_sink: WebhookSink, fault: dict, expected: list[str]
) -> None:
    r = fake.client().post("/__fake__/webhook-faults", json={**fault, "times": 1})
    assert r.status_code == 201
    _dial(fake, "+14155550100")
    fake.run_until_idle()
    assert cartesia_webhook_sink.events() == expected


def test_unreachable_receiver_gives_up_after_retries() -> None:
    with FakeCartesia() as fake:
        fake.client().post(
            "/__fake__/agents",
            json={"id": AGENT, "webhook": {"url": "http://127.0.0.1:9/hook", "secret": "s"}},
        )
        _dial(fake, "+14155550130")
        fake.run_until_idle()
        [delivery] = fake.client().get("/__fake__/webhooks").json()["deliveries"]
        assert delivery["state"] == "failed"
        assert delivery["attempts"] == 6
        assert delivery["results"][0].startswith("ConnectError")


def test_bad_webhook_config_is_400() -> None:
    with FakeCartesia() as fake:
        for hook in ({"url": "ftp://x", "secret": "s"}, {"url": "http://x"}):
            r = fake.client().post("/__fake__/agents", json={"id": AGENT, "webhook": hook})
            assert r.status_code == 400


def test_documented_webhook_api_create_and_attach(cartesia_webhook_sink: WebhookSink) -> None:
    with FakeCartesia() as fake:
        client = fake.client()
        r = client.post(
            "/agents/webhooks",
            json={
                "display_name": "ops",
                "url": cartesia_webhook_sink.url,
                "secret": cartesia_webhook_sink.secret,
            },
        )
        assert r.status_code == 200, r.text  # documented: 200, not 201
        webhook = r.json()
        assert webhook["id"].startswith("wh_")
        assert "secret" not in webhook
        r = client.patch(f"/agents/{AGENT}", json={"webhook_id": webhook["id"]})
        assert r.status_code == 200
        _dial(fake, "+14155550130")
        fake.run_until_idle()
        assert cartesia_webhook_sink.events() == ["call_failed"]
        assert client.patch(f"/agents/{AGENT}", json={"webhook_id": "wh_nope"}).status_code == 404
        assert client.patch("/agents/agent_nope", json={"name": "x"}).status_code == 404
        bad = client.post("/agents/webhooks", json={"url": "not a url", "secret": ""})
        assert bad.status_code == 400
        assert "url" in bad.json()["message"]
        assert "secret" in bad.json()["message"]
        client.patch(f"/agents/{AGENT}", json={"webhook_id": None})
        _dial(fake, "+14155550130")
        fake.run_until_idle()
        assert cartesia_webhook_sink.events() == ["call_failed"]  # detached: nothing more


def test_webhooks_list_update_delete(cartesia_webhook_sink: WebhookSink) -> None:
    with FakeCartesia() as fake:
        client = fake.client()
        made = [
            client.post(
                "/agents/webhooks",
                json={"display_name": f"hook {i}", "url": f"https://x.test/{i}", "secret": "s"},
            ).json()["id"]
            for i in range(3)
        ]
        page = client.get("/agents/webhooks", params={"limit": 2}).json()
        assert [w["id"] for w in page["data"]] == made[:2]
        assert (page["has_more"], page["next_page"]) == (True, made[1])
        assert all("secret" not in w for w in page["data"])
        rest = client.get("/agents/webhooks", params={"starting_after": made[1]}).json()
        assert ([w["id"] for w in rest["data"]], rest["has_more"]) == ([made[2]], False)
        back = client.get("/agents/webhooks", params={"ending_before": made[2]}).json()
        assert [w["id"] for w in back["data"]] == made[:2]
        # Update: url required; answers the id as a JSON string; attached agents follow it.
        client.patch(f"/agents/{AGENT}", json={"webhook_id": made[0]})
        hook = {"url": cartesia_webhook_sink.url, "secret": cartesia_webhook_sink.secret}
        r = client.patch(f"/agents/webhooks/{made[0]}", json=hook)
        assert (r.status_code, r.json()) == (200, made[0])
        assert client.patch(f"/agents/webhooks/{made[0]}", json={"secret": "x"}).status_code == 400
        _dial(fake, "+14155550130")
        fake.run_until_idle()
        assert cartesia_webhook_sink.events() == ["call_failed"]
        # Delete: the id again; the agent is detached; a second delete is 404.
        r = client.delete(f"/agents/webhooks/{made[0]}")
        assert (r.status_code, r.json()) == (200, made[0])
        assert client.delete(f"/agents/webhooks/{made[0]}").status_code == 404
        _dial(fake, "+14155550130")
        fake.run_until_idle()
        assert cartesia_webhook_sink.events() == ["call_failed"]  # nothing more
        listed = client.get("/agents/webhooks").json()["data"]
        assert [w["id"] for w in listed] == made[1:]


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("https://exa]mple:notaport/%%", "not a valid URL"),
        ("https://example.com:99999/hook", "not a valid URL"),
        ("ftp://example.com/hook", "url: must match"),  # the contract refuses it first
        ("https:///hook", "must name a host"),
        ("https://exa_mple.com/hook", "not a valid host name"),
        ("https://-bad-.example.com/hook", "not a valid host name"),
        ("https://example.com/a%zz", "percent-escape"),
    ],
)
def test_webhook_urls_are_parsed_as_urls(url: str, needle: str) -> None:
    with FakeCartesia() as fake:
        c = fake.client()
        r = c.post("/agents/webhooks", json={"url": url, "secret": "s3cret"})
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "invalid_request_body"
        assert needle in r.json()["message"]
        assert c.get("/agents/webhooks").json()["data"] == []
        good = c.post("/agents/webhooks", json={"url": "https://h.example:8443/x", "secret": "s"})
        assert good.status_code == 200, good.text
        r = c.patch(f"/agents/webhooks/{good.json()['id']}", json={"url": url})
        assert r.status_code == 400
        assert c.get("/agents/webhooks").json()["data"][0]["url"] == "https://h.example:8443/x"
