"""The Line agent bridge, proven with the real ``cartesia-line`` package (pinned in the test
extra): a call's metadata reaches ``get_agent`` and the agent's greeting lands in the
transcript; bridge failures end the call failed/error and never hang the fake."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import line  # noqa: F401  (the real cartesia-line package, from the test extra)
import pytest

from mock_server import FakeCartesia, LiveServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

AGENT = FakeCartesia.agent_id


def _agent_app(*, fail: bool = False) -> Any:
    from line.events import AgentEndCall, AgentSendText, CallStarted, UserTurnEnded
    from line.voice_agent_app import VoiceAgentApp

    async def get_agent(env: Any, call_request: Any) -> Any:
        if fail:
            raise RuntimeError("the agent's own bug")
        name = (call_request.metadata or {}).get("customer_name", "there")
        seen = {"to": call_request.to, "agent_call_id": call_request.agent_call_id}

        async def agent(turn_env: Any, event: Any) -> Any:
            if isinstance(event, CallStarted):
                yield AgentSendText(
                    text=f"Hello {name}, this is Acme calling about order "
                    f"{seen['agent_call_id']} for {seen['to']}."
                )
            elif isinstance(event, UserTurnEnded):
                said = " ".join(getattr(c, "content", "") for c in event.content)
                if "bye" in said.lower():
                    yield AgentSendText(text="Goodbye!")
                    yield AgentEndCall()
                else:
                    yield AgentSendText(text="Great, it ships tomorrow.")

        return agent

    return VoiceAgentApp(get_agent=get_agent).fastapi_app


@pytest.fixture(scope="module")
def line_agent() -> Iterator[str]:
    with LiveServer(_agent_app()) as server:
        yield server.url.replace("http://", "ws://") + "/ws"


@pytest.fixture(scope="module")
def failing_agent() -> Iterator[str]:
    with LiveServer(_agent_app(fail=True)) as server:
        yield server.url.replace("http://", "ws://") + "/ws"


def _place(client: httpx.Client, line_url: str, *, says: list[str] | None = None) -> str:
    assert (
        client.post(
            "/__fake__/agents", json={"id": AGENT, "name": "Acme", "line_url": line_url}
        ).status_code
        == 201
    )
    if says is not None:
        client.put("/__fake__/callees/+14155550175", json={"outcome": "answer", "says": says})
    r = client.post(
        "/agents/calls",
        json={
            "from_number_id": FakeCartesia.from_number_id,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "+14155550175", "metadata": {"customer_name": "Ada"}}],
        },
    )
    call_id: str = r.json()["calls"][0]["agent_call_id"]
    return call_id


def test_metadata_reaches_get_agent_and_the_greeting_is_in_the_transcript(
    line_agent: str,
) -> None:
    with FakeCartesia() as fake:
        client = fake.client()
        assert client.headers["cartesia-version"] == "2026-08-14"  # placed under today's API
        call_id = _place(client, line_agent, says=["Yes, this is Ada.", "Thanks, bye!"])
        assert fake.client().get(f"/agents/calls/{call_id}").json()["transcript"] is None
        fake.run_until_idle()
        call = client.get(f"/agents/calls/{call_id}").json()
        assert (call["status"], call["end_reason"]) == ("completed", "agent_hangup")
        turns = [(t["role"], t["text"]) for t in call["transcript"]]
        assert turns[0] == (
            "assistant",
            f"Hello Ada, this is Acme calling about order {call_id} for +14155550175.",
        )
        assert turns[1:] == [
            ("user", "Yes, this is Ada."),
            ("assistant", "Great, it ships tomorrow."),
            ("user", "Thanks, bye!"),
            ("assistant", "Goodbye!"),
        ]
        listed = client.get(
            "/agents/calls", params={"agent_id": AGENT, "expand": "transcript"}
        ).json()
        assert listed["data"][0]["transcript"] == call["transcript"]
        events = fake.timeline(call_id)
        talk = (events[-1]["at"], events[-2]["at"])
        assert talk[0] > talk[1]  # the conversation took virtual time


def test_callee_hangs_up_when_it_has_said_everything(line_agent: str) -> None:
    with FakeCartesia() as fake:
        client = fake.client()
        call_id = _place(client, line_agent, says=["Who is this?"])
        fake.run_until_idle()
        call = client.get(f"/agents/calls/{call_id}").json()
        assert (call["status"], call["end_reason"]) == ("completed", "client_hangup")
        assert [t["role"] for t in call["transcript"]] == ["assistant", "user", "assistant"]


@pytest.mark.slow
def test_bridge_through_the_live_server(line_agent: str) -> None:
    with FakeCartesia() as fake:
        server = fake.serve()
        client = httpx.Client(
            base_url=server.url,
            headers={"authorization": f"Bearer {fake.api_key}", "cartesia-version": "2026-03-01"},
        )
        call_id = _place(client, line_agent, says=["Bye now."])
        client.post("/__fake__/clock/run-until-idle")
        call = client.get(f"/agents/calls/{call_id}").json()
        client.close()
        assert call["end_reason"] == "agent_hangup"
        assert "Hello Ada" in call["transcript"][0]["text"]


def test_unreachable_agent_fails_the_call_with_a_clear_message() -> None:
    with FakeCartesia() as fake:
        client = fake.client()
        call_id = _place(client, "ws://127.0.0.1:9/ws")
        fake.run_until_idle()
        call = client.get(f"/agents/calls/{call_id}").json()
        assert (call["status"], call["end_reason"]) == ("failed", "error")
        assert call["error_message"].startswith("Line agent bridge: cannot reach the agent")


def test_agent_that_raises_fails_the_call(failing_agent: str) -> None:
    with FakeCartesia() as fake:
        client = fake.client()
        call_id = _place(client, failing_agent)
        fake.run_until_idle()
        call = client.get(f"/agents/calls/{call_id}").json()
        assert (call["status"], call["end_reason"]) == ("failed", "error")
        assert "the agent's own bug" in call["error_message"]


def test_bad_line_url_is_400() -> None:
    with FakeCartesia() as fake:
        r = fake.client().post("/__fake__/agents", json={"id": AGENT, "line_url": "http://x"})
        assert r.status_code == 400
        assert "line_url" in r.json()["message"]


def test_bridged_turns_are_delivered_as_call_turn_webhooks(
    line_agent: str, cartesia_webhook_sink: object
) -> None:
    from pytest_plugin.sink import WebhookSink

    assert isinstance(cartesia_webhook_sink, WebhookSink)
    with FakeCartesia() as fake:
        client = fake.client()
        client.post(
            "/__fake__/agents",
            json={
                "id": AGENT,
                "line_url": line_agent,
                "webhook": {
                    "url": cartesia_webhook_sink.url,
                    "secret": cartesia_webhook_sink.secret,
                },
            },
        )
        client.put("/__fake__/callees/+14155550175", json={"outcome": "answer", "says": ["Bye!"]})
        client.post(
            "/agents/calls",
            json={
                "from_number_id": FakeCartesia.from_number_id,
                "agent_id": AGENT,
                "outbound_calls": [
                    {"to_number": "+14155550175", "metadata": {"customer_name": "Bo"}}
                ],
            },
        )
        fake.run_until_idle()
    events = cartesia_webhook_sink.events()
    assert events == [
        "call_started",
        "call_turn",
        "call_turn",
        "call_turn",
        "call_completed",
        "post_call_analysis",
    ]
    turns = [r.body["turn"] for r in cartesia_webhook_sink.received if r.event == "call_turn"]
    assert [t["role"] for t in turns] == ["assistant", "user", "assistant"]
    assert turns[0]["text"].startswith("Hello Bo")
