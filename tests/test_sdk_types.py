"""The official SDK's own types as a contract: every answer the fake serves on a route the
Python SDK (``cartesia`` 4.2.0) types is validated with pydantic's ``TypeAdapter`` against
that type, under each version the SDKs send (4.x: 2026-08-14, 3.x: 2025-11-04). The one
difference allowed is the ledger's ``sdk.call_status``: the SDK still types
``AgentCall.status`` as ``active|completed|failed|cancelled``."""

from __future__ import annotations

from typing import Any

import pytest
from cartesia.types import AgentSummary
from cartesia.types.agent_list_phone_numbers_response import AgentListPhoneNumbersResponse
from cartesia.types.agent_list_response import AgentListResponse
from cartesia.types.agents.agent_call import AgentCall
from pydantic import TypeAdapter, ValidationError

from mock_server import FakeCartesia
from mock_server.service import ledger
from tests.conftest import AGENT, NUMBER

SDK_VERSIONS = ("2026-08-14", "2025-11-04")
#: The differences the ledger names: (type, field) -> rule.
KNOWN = {("AgentCall", "status"): "sdk.call_status"}


def _differences(model: Any, name: str, body: Any) -> set[tuple[str, str]]:
    try:
        TypeAdapter(model).validate_python(body)
    except ValidationError as exc:
        return {(name, str(next(p for p in e["loc"] if isinstance(p, str)))) for e in exc.errors()}
    return set()


def sdk_answers(version: str) -> list[tuple[str, Any]]:
    """Every answer the fake serves, under ``version``, on a route the SDKs type: (the
    SDK's type name, the body), for the Python and the JS SDK's checks alike."""
    answers: list[tuple[str, Any]] = []
    with FakeCartesia(api_version=version) as fake:
        c = fake.client()
        fake.tenant().add_phone_number("+14155550999", agent_id=AGENT)
        hook = c.post(
            "/agents/webhooks",
            json={"url": "https://example.com/hook", "secret": "s3cret"},
            headers={"cartesia-version": "2026-08-14"},
        ).json()
        updated = c.patch(
            f"/agents/{AGENT}",
            json={
                "description": "Front desk",
                "tts_voice": "voice_x",
                "tts_language": "de",
                "webhook_id": hook["id"],
            },
        )
        assert updated.status_code == 200, updated.text
        answers.append(("AgentSummary", updated.json()))
        shown = c.get(f"/agents/{AGENT}").json()
        answers.append(("AgentSummary", shown))
        assert (shown["description"], shown["tts_voice"], shown["tts_language"]) == (
            "Front desk",
            "voice_x",
            "de",
        )
        assert shown["webhook_id"] == hook["id"]
        assert [n["number"] for n in shown["phone_numbers"]] == ["+14155550999"]
        answers.append(("AgentListResponse", c.get("/agents").json()))
        numbers = c.get(f"/agents/{AGENT}/phone-numbers").json()
        answers.append(("AgentListPhoneNumbersResponse", numbers))
        body = {"from_number_id": NUMBER, "agent_id": AGENT}
        made = c.post(
            "/agents/calls",
            json={**body, "outbound_calls": [{"to_number": "+14155550100"}]},
            headers={"cartesia-version": "2026-08-14"},
        ).json()
        call_id = made["calls"][0]["agent_call_id"]
        for moment in (0, 10, 600):  # created, talking, ended
            fake.advance(moment)
            answers.append(("AgentCall", c.get(f"/agents/calls/{call_id}").json()))
        listed = c.get("/agents/calls", params={"agent_id": AGENT, "expand": "transcript"}).json()
        answers.append(("CallsPage", listed))
    return answers


def check_differences(found: set[tuple[str, str]], version: str) -> None:
    """Fail on a difference the ledger does not name; the known one must be real."""
    unexplained = {d for d in found if d not in KNOWN}
    assert not unexplained, f"answers the SDK's types refuse, with no ledger entry: {unexplained}"
    for difference in found:
        assert ledger.LEDGER_BY_ID[KNOWN[difference]].provenance in ("DOC", "INFERRED")
    if version == "2026-08-14":  # the one known difference is real, and named
        assert found == {("AgentCall", "status")}
    else:  # 2025-11-04 answers the statuses the SDK types
        assert found == set()


#: The Python SDK's model for each type name.
PY_MODELS: dict[str, Any] = {
    "AgentSummary": AgentSummary,
    "AgentListResponse": AgentListResponse,
    "AgentListPhoneNumbersResponse": AgentListPhoneNumbersResponse,
    "AgentCall": AgentCall,
}


@pytest.mark.parametrize("version", SDK_VERSIONS)
def test_every_sdk_typed_answer_meets_the_sdks_types(version: str) -> None:
    found: set[tuple[str, str]] = set()
    for name, body in sdk_answers(version):
        if name == "CallsPage":  # the SDK pages it; each entry is an AgentCall
            for call in body["data"]:
                found |= _differences(AgentCall, "AgentCall", call)
        else:
            found |= _differences(PY_MODELS[name], name, body)
    check_differences(found, version)


def test_delete_agent_as_the_sdk_calls_it() -> None:
    import cartesia
    import httpx

    with FakeCartesia() as fake:
        client = cartesia.Cartesia(
            api_key="sk_sdk",
            base_url="https://api.cartesia.ai",
            http_client=httpx.Client(transport=fake.transport()),
            max_retries=0,
        )
        spare = fake.client(api_key="sk_sdk").post("/__fake__/agents", json={"name": "Spare"})
        spare_id = spare.json()["id"]
        assert client.agents.delete(spare_id) is None
        with pytest.raises(cartesia.NotFoundError):
            client.agents.retrieve(spare_id)
        assert client.agents.update(AGENT, description="kept").description == "kept"
        assert client.agents.list_phone_numbers(AGENT) == []
        fake.tenant("sk_sdk").add_phone_number("+14155550998", agent_id=AGENT)
        [number] = client.agents.list_phone_numbers(AGENT)
        assert (number.number, number.agent_id, number.is_cartesia_managed) == (
            "+14155550998",
            AGENT,
            True,
        )
        r = fake.client(api_key="sk_sdk").delete("/agents/calls")
        assert r.status_code == 405
        client.close()


def with_a_number_and_a_call(fake: FakeCartesia, key: str, number: str) -> None:
    """Tenant ``key``: ``number`` assigned to the seeded agent, and one call placed."""
    fake.tenant(key).add_phone_number(number, agent_id=AGENT)
    placed = fake.client(api_key=key).post(
        "/agents/calls",
        json={
            "agent_id": AGENT,
            "from_number_id": NUMBER,
            "outbound_calls": [{"to_number": "+14155550100"}],
        },
    )
    assert placed.status_code == 200, placed.text


@pytest.mark.slow
def test_the_python_sdk_at_its_defaults_against_a_served_fake() -> None:
    """A served run: the SDK unchanged (its own Cartesia-Version, its own HTTP client), every
    typed agent call it has, each answer parsed into its models."""
    import cartesia

    with FakeCartesia() as fake:
        server = fake.serve()
        with_a_number_and_a_call(fake, "sk_py_sdk", "+14155550996")
        fake.advance(600)
        with cartesia.Cartesia(api_key="sk_py_sdk", base_url=server.url) as client:
            updated = client.agents.update(AGENT, description="served", tts_voice="v")
            assert (updated.description, updated.tts_voice) == ("served", "v")
            assert AGENT in [a.id for a in client.agents.list().summaries]
            assert [n.number for n in client.agents.list_phone_numbers(AGENT)] == ["+14155550996"]
            [call] = list(client.agents.calls.list(agent_id=AGENT))
            again = client.agents.calls.retrieve(call.id)
            assert (again.agent_id, again.end_time is not None) == (AGENT, True)
