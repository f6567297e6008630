"""The lineage as a structure: a throwaway version declared in a test is served, documented
and validated from a few places; no field crosses versions (a property); a state file written
before commands replays; and client code written for 2025-04-16 works unchanged."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import SHIPPED, VERSIONS, ApiVersion, errors_of, validator_for, versions_with
from contracts.strategies import outbound_requests
from mock_server import FakeCartesia
from mock_server.service.core import Service
from mock_server.serving.app import create_app
from mock_server.serving.transports import SyncTransport
from mock_server.wire.versions import SHIPPED_WIRE
from tests.conftest import AGENT, NUMBER, examples

FIXTURES = Path(__file__).parent / "fixtures"
PLACING = versions_with("outbound_request")


def test_a_throwaway_version_is_served_documented_and_validated_from_three_places() -> None:
    # 1. the version: its base and the one shape it changes (agent_name renamed)
    throwaway = ApiVersion(
        "2099-01-01",
        "2026-08-14",
        "a test's throwaway: agent_name is called agent_label",
        shapes={
            "agent_call.patch": {
                "properties": {"agent_name": None, "agent_label": {"type": ["string", "null"]}},
            }
        },
    )
    lineage = SHIPPED.extend(throwaway, latest=True)
    # 2. its wire delta: the renderer's name for the renamed field
    table = SHIPPED_WIRE.extend(lineage, {"renames": {"agent_label": "agent_name"}})
    # 3. an app serving that lineage
    service = Service(validate_responses=True)
    client = httpx.Client(
        transport=SyncTransport(create_app(service, table)),
        base_url="http://fake",
        headers={"authorization": "Bearer sk_throwaway", "cartesia-version": "2099-01-01"},
    )
    body = {
        "from_number_id": NUMBER,
        "agent_id": AGENT,
        "outbound_calls": [{"to_number": "+14155550100"}],
    }
    r = client.post("/agents/calls", json=body)  # inherited from 2026-08-14
    assert r.status_code == 200, r.text
    call = client.get(f"/agents/calls/{r.json()['calls'][0]['agent_call_id']}").json()
    assert "agent_label" in call
    assert "agent_name" not in call
    assert call["agent_label"] == client.get(f"/agents/{AGENT}").json()["name"]
    assert validator_for("agent_call", "2099-01-01", lineage=lineage).errors(call) == []
    assert validator_for("agent_call", "2099-01-01", lineage=lineage).errors(
        {**call, "agent_label": 5}
    ), "the throwaway contract checks the renamed field"
    assert service.problems() == [], "every answer met the throwaway version's contracts"
    doc = client.get("/openapi.json", params={"version": "2099-01-01"}).json()
    props = doc["components"]["schemas"]["agent_call"]["properties"]
    assert "agent_label" in props
    assert "agent_name" not in props
    # the shipped versions are untouched
    shipped = client.get(
        f"/agents/calls/{call['id']}", headers={"cartesia-version": "2026-08-14"}
    ).json()
    assert "agent_name" in shipped
    assert "agent_label" not in shipped
    client.close()
    service.close()


#: A field that one placing version's items have and another's lack.
FOREIGN = st.sampled_from([None, {"first_name": "Ada"}])


@settings(max_examples=examples(0.3))
@given(
    sent=st.sampled_from(PLACING),
    read=st.sampled_from(VERSIONS),
    body=outbound_requests(max_items=3, version="2026-08-14"),
    foreign=FOREIGN,
)
def test_no_field_crosses_versions(
    sent: str, read: str, body: dict[str, Any], foreign: dict[str, str] | None
) -> None:
    """For any request accepted under version A, every read under version B shows only B's
    fields, and a field A does not have is never shown (it was never stored)."""
    items = [dict(item) for item in body["outbound_calls"]]
    if foreign is not None:
        items = [{**item, "dynamic_variables": foreign} for item in items]
    with FakeCartesia() as fake:
        client = fake.client()
        r = client.post(
            "/agents/calls",
            json={**body, "outbound_calls": items},
            headers={"cartesia-version": sent},
        )
        assert r.status_code == 200, r.text
        sent_has_variables = SHIPPED.has_field("outbound_item", "dynamic_variables", sent)
        for made in r.json()["calls"]:
            if "agent_call_id" not in made:
                continue
            shown = client.get(
                f"/agents/calls/{made['agent_call_id']}", headers={"cartesia-version": read}
            ).json()
            assert errors_of("agent_call", shown, version=read) == []
            assert set(shown) <= set(SHIPPED.schemas(read)["agent_call"]["properties"])
            if "dynamic_variables" in shown and not sent_has_variables:
                assert shown["dynamic_variables"] is None


def _state_file(tmp_path: Path) -> Path:
    """The committed state file (written by the release before commands), as a file."""
    path = tmp_path / "state.sqlite"
    db = sqlite3.connect(path)
    db.executescript((FIXTURES / "state-format1.sql").read_text())
    db.close()
    return path


def _started(state: Path) -> tuple[Service, httpx.Client]:
    """A service started on ``state`` and a client of the fixture's tenant."""
    service = Service(state_path=str(state))
    client = httpx.Client(
        transport=SyncTransport(create_app(service)),
        base_url="http://fake",
        headers={"authorization": "Bearer sk_fixture_key", "cartesia-version": "2026-08-14"},
    )
    return service, client


def test_a_state_file_written_before_commands_still_starts_and_reads_back(tmp_path: Path) -> None:
    import json

    recorded = json.loads((FIXTURES / "state-format1-calls.json").read_text())
    expected: dict[str, dict[str, Any]] = recorded["calls"]
    raw = sqlite3.connect(_state_file(tmp_path)).execute("SELECT args FROM ops").fetchall()
    assert all('"format"' not in args for (args,) in raw), "the fixture is of format 1"
    service, client = _started(tmp_path / "state.sqlite")
    listed = client.get("/agents/calls", params={"agent_id": AGENT, "limit": 100}).json()["data"]
    got = {
        c["id"]: {
            "status": c["status"],
            "to": c["telephony_params"]["to"],
            "end_reason": c["end_reason"],
        }
        for c in listed
    }
    assert got == expected
    assert len(client.get("/agents/calls/batches").json()["data"]) == 2
    assert client.get(f"/agents/{AGENT}").json()["name"] == recorded["agent_name"]
    hooks = client.get("/agents/webhooks").json()["data"]
    got_hooks = [
        {"id": h["id"], "url": h["url"], "display_name": h.get("display_name")} for h in hooks
    ]
    assert got_hooks == recorded["webhooks"]
    # the log now holds commands: a second start replays them as they are
    client.post(
        "/agents/calls",
        json={
            "from_number_id": NUMBER,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": "+14155550140"}],
        },
    )
    client.close()
    service.close()
    again, client = _started(tmp_path / "state.sqlite")
    listed = client.get("/agents/calls", params={"agent_id": AGENT, "limit": 100}).json()["data"]
    assert len(listed) == len(expected) + 1
    client.close()
    again.close()


class LegacyDialerClient:
    """Client code as public dialers write it for Cartesia-Version 2025-04-16 (lists an
    agent's calls, reads one, downloads its audio), modelled on the legacy docs snapshot."""

    def __init__(self, base_url: str, api_key: str, **kwargs: Any) -> None:
        self.http = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {api_key}", "Cartesia-Version": "2025-04-16"},
            **kwargs,
        )

    def recent_calls(self, agent_id: str, limit: int = 10) -> list[dict[str, Any]]:
        r = self.http.get("/agents/calls", params={"agent_id": agent_id, "limit": limit})
        r.raise_for_status()
        page = r.json()
        return list(page["data"])

    def finished(self, call_id: str) -> bool:
        r = self.http.get(f"/agents/calls/{call_id}")
        r.raise_for_status()
        return r.json()["status"] in ("completed", "failed", "cancelled")

    def recording(self, call_id: str) -> bytes:
        r = self.http.get(f"/agents/calls/{call_id}/audio")
        r.raise_for_status()
        return r.content


@pytest.mark.parametrize("served", [False, True], ids=["in-process", "served"])
def test_client_code_written_for_2025_04_16_works_unchanged(served: bool) -> None:
    with FakeCartesia() as fake:
        fake.client().post(
            "/agents/calls",
            json={
                "from_number_id": NUMBER,
                "agent_id": AGENT,
                "outbound_calls": [{"to_number": "+14155550100"}, {"to_number": "+14155550111"}],
            },
        )
        fake.run_until_idle()
        if served:
            dialer = LegacyDialerClient(fake.serve().url, fake.api_key)
        else:
            dialer = LegacyDialerClient("http://fake", fake.api_key, transport=fake.transport())
        calls = dialer.recent_calls(AGENT)
        assert sorted(c["telephony_params"]["to"] for c in calls) == [
            "+14155550100",
            "+14155550111",
        ]
        for call in calls:
            assert dialer.finished(call["id"])
        answered = [c for c in calls if c["status"] == "completed"]
        assert answered, "the answering callee's call completed"
        for call in answered:
            assert dialer.recording(call["id"])[:4] == b"RIFF"
        dialer.http.close()
        assert fake.problems() == []
