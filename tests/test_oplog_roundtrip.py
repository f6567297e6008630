"""Every operation the op log records round-trips: a tenant driven through every kind of
change, then rebuilt from its log by a new service on the same file, reads back the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from mock_server.domain.tenants import oplog
from mock_server.service.core import Service
from mock_server.serving.app import create_app
from mock_server.serving.transports import SyncTransport
from tests.conftest import world_of

KEY = "sk_roundtrip"
AGENT = "agent_Fo7pKNBUwLZxrTd6jvhpaE"
NUMBER = "ap_Q8PRh7lXyZsawXJmN2KcT5"


def _client(service: Service) -> httpx.Client:
    return httpx.Client(
        transport=SyncTransport(create_app(service)),
        base_url="https://api.cartesia.ai",
        headers={"authorization": f"Bearer {KEY}", "cartesia-version": "2026-08-14"},
    )


def _ok(r: httpx.Response) -> dict[str, Any]:
    assert r.is_success, (r.request.method, r.request.url.path, r.status_code, r.text)
    return r.json() if r.content else {}


def _dial(c: httpx.Client, *numbers: str) -> list[str]:
    body = {"from_number_id": NUMBER, "agent_id": AGENT}
    made = _ok(
        c.post(
            "/agents/calls", json={**body, "outbound_calls": [{"to_number": n} for n in numbers]}
        )
    )
    return [item["agent_call_id"] for item in made["calls"]]


def _every_kind_of_change(service: Service) -> None:
    with _client(service) as c:
        _dial(c, "+14155550170")
        _ok(c.post("/__fake__/reset"))  # reset, then the world that survives it
        _ok(c.post("/__fake__/agents", json={"id": "agent_second", "name": "Second desk"}))
        _ok(c.post("/__fake__/phone-numbers", json={"number": "+12025550101", "label": "Spare"}))
        _ok(c.put("/__fake__/callees/+14155550171", json={"outcome": "busy", "ring_seconds": 4}))
        service.tenants.get(KEY).set_default_callee(
            __import__("mock_server").CalleeScript(outcome="answer", talk_seconds=45)
        )
        hook = _ok(
            c.post(
                "/agents/webhooks",
                json={"url": "http://127.0.0.1:9/hook", "secret": "whsec_rt", "display_name": "rt"},
            )
        )
        _ok(
            c.patch(
                f"/agents/webhooks/{hook['id']}",
                json={
                    "url": "http://127.0.0.1:9/hook",
                    "secret": "whsec_rt",
                    "display_name": "renamed",
                },
            )
        )
        second = _ok(
            c.post(
                "/agents/webhooks",
                json={
                    "url": "http://127.0.0.1:9/other",
                    "secret": "whsec_rt2",
                    "display_name": "gone",
                },
            )
        )
        _ok(c.delete(f"/agents/webhooks/{second['id']}"))
        _ok(
            c.patch(
                f"/agents/{AGENT}",
                json={"name": "Renamed desk", "description": "Front", "tts_language": "de"},
            )
        )
        spare = _ok(c.post("/__fake__/agents", json={"name": "Spare desk"}))
        _ok(c.delete(f"/agents/{spare['id']}"))
        _ok(c.patch("/__fake__/settings", json={"dial_interval_seconds": 7}))
        first, second_call, third = _dial(c, "+14155550170", "+14155550171", "+14155550172")
        fault = {"method": "DELETE", "path": f"/agents/calls/{second_call}", "status": 500}
        _ok(c.post("/__fake__/faults", json={**fault, "times": 2}))
        assert c.delete(f"/agents/calls/{second_call}").status_code == 500  # one hit taken
        _ok(c.post("/__fake__/clock/advance", json={"seconds": 5}))
        _ok(c.post(f"/agents/calls/{first}/cancel"))
        batch = _ok(
            c.post(
                "/agents/calls/batches",
                json={
                    "name": "roundtrip",
                    "agent_id": AGENT,
                    "from_number_id": NUMBER,
                    "target_concurrency_limit": 1,
                    "recipients": [{"to_number": f"+1415555{180 + i:04d}"} for i in range(4)],
                },
            )
        )
        _ok(c.post("/__fake__/clock/advance", json={"seconds": 3}))
        _ok(c.post(f"/agents/calls/batches/{batch['id']}/cancel"))
        _ok(c.post("/__fake__/clock/advance", json={"seconds": 120}))
        busy = _ok(
            c.post(
                "/agents/calls/batches",
                json={
                    "name": "roundtrip",
                    "agent_id": AGENT,
                    "from_number_id": NUMBER,
                    "recipients": [{"to_number": "+14155550111"}, {"to_number": "+14155550172"}],
                },
            )
        )
        _ok(c.post("/__fake__/clock/advance", json={"seconds": 120}))
        _ok(c.post(f"/agents/calls/batches/{busy['id']}/retry"))  # the busy one again
        _ok(c.post("/__fake__/clock/advance", json={"seconds": 600}))
        _ok(c.delete(f"/agents/calls/{third}"))


def _pages(c: httpx.Client, path: str, **params: Any) -> Iterator[dict[str, Any]]:
    query: dict[str, Any] = {"limit": 100, **params}
    while True:
        page = _ok(c.get(path, params=query))
        if "summaries" in page:  # GET /agents: one page of summaries
            yield from page["summaries"]
            return
        yield from page["data"]
        if not page.get("has_more") or not page["data"]:
            return
        query["starting_after"] = page["data"][-1]["id"]


def _picture(service: Service) -> dict[str, Any]:
    """What the tenant answers, read through the API (reads change nothing that is logged)."""
    with _client(service) as c:
        agents = [a["id"] for a in _pages(c, "/agents")]
        calls = {
            agent: [
                _ok(c.get(f"/agents/calls/{call['id']}"))
                for call in _pages(c, "/agents/calls", agent_id=agent)
            ]
            for agent in agents
        }
        tenant = service.tenants.get(KEY)
        return {
            "clock": _ok(c.get("/__fake__/clock")),
            "settings": _ok(c.get("/__fake__/settings")),
            "agents": list(_pages(c, "/agents")),
            "numbers": list(_pages(c, "/agents/phone-numbers")),
            "webhooks": list(_pages(c, "/agents/webhooks")),
            "batches": list(_pages(c, "/agents/calls/batches")),
            "calls": calls,
            "faults": [f.as_dict() for f in world_of(tenant).faults.active()],
            "callees": {k: v.as_dict() for k, v in world_of(tenant).callees.items()},
            "default_callee": world_of(tenant).default_callee.as_dict(),
        }


def test_every_logged_operation_replays_to_the_same_tenant(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    first = Service(state_path=state)
    _every_kind_of_change(first)
    before = _picture(first)
    assert first.store is not None
    logged = {op for op, _, _ in first.store.operations(KEY)}
    first.close()
    assert logged == set(oplog.OPS), f"not exercised: {sorted(set(oplog.OPS) - logged)}"

    again = Service(state_path=state)
    try:
        assert _picture(again) == before
    finally:
        again.close()


def test_an_honoured_idempotency_key_survives_a_restart(tmp_path: Path) -> None:
    from mock_server.domain.settings import Settings

    settings = Settings().with_overrides(honour_idempotency_key=True)
    state = tmp_path / "state.db"
    body = {
        "from_number_id": NUMBER,
        "agent_id": AGENT,
        "outbound_calls": [{"to_number": "+14155550175"}],
    }
    first = Service(settings=settings, state_path=state)
    with _client(first) as c:
        made = _ok(c.post("/agents/calls", json=body, headers={"idempotency-key": "retry-1"}))
    first.close()
    again = Service(settings=settings, state_path=state)
    try:
        with _client(again) as c:
            retried = _ok(
                c.post("/agents/calls", json=body, headers={"idempotency-key": "retry-1"})
            )
        assert retried == made
        assert len(world_of(again.tenants.get(KEY)).calls) == 1  # nobody dialled twice
    finally:
        again.close()
