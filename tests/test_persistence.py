"""--state FILE: nothing acknowledged is lost, even after kill -9."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.domain.settings import Settings
from mock_server.service.core import Service
from mock_server.wire import decode
from mock_server.wire.versions import wire
from mock_server.wire.views import agent_call
from tests.conftest import world_of
from tests.test_cli import DOC, HEADERS, Served

pytestmark = pytest.mark.slow  # starts servers or subprocesses


def test_kill_9_loses_no_acknowledged_call(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    s = Served("--state", state, "--clock", "virtual", "--quiet")
    acknowledged: dict[str, dict] = {}
    try:
        for i in range(20):
            body = {
                **DOC,
                "outbound_calls": [{"to_number": f"+1212555{5000 + i}", "metadata": {"i": i}}] * 2,
            }
            r = httpx.post(f"{s.url}/agents/calls", headers=HEADERS, json=body)
            assert r.status_code == 200
            for item in r.json()["calls"]:
                acknowledged[item["agent_call_id"]] = {}
        httpx.post(f"{s.url}/__fake__/clock/advance", headers=HEADERS, json={"seconds": 3})
        first = next(iter(acknowledged))
        assert httpx.post(f"{s.url}/agents/calls/{first}/cancel", headers=HEADERS).json() == {
            "cancelled": True
        }
        httpx.put(
            f"{s.url}/__fake__/callees/+12125550000", headers=HEADERS, json={"outcome": "busy"}
        )
        for call_id in acknowledged:
            acknowledged[call_id] = httpx.get(
                f"{s.url}/agents/calls/{call_id}", headers=HEADERS
            ).json()
        clock = httpx.get(f"{s.url}/__fake__/clock", headers=HEADERS).json()
    finally:
        s.proc.kill()  # SIGKILL: no clean shutdown
        s.proc.communicate()
    assert s.proc.returncode == -signal.SIGKILL

    again = Served("--state", state, "--clock", "virtual", "--quiet")
    try:
        for call_id, before in acknowledged.items():
            after = httpx.get(f"{again.url}/agents/calls/{call_id}", headers=HEADERS)
            assert after.status_code == 200
            assert after.json() == before
        assert httpx.get(f"{again.url}/__fake__/clock", headers=HEADERS).json() == clock
        r = httpx.post(
            f"{again.url}/agents/calls",
            headers=HEADERS,
            json={**DOC, "outbound_calls": [{"to_number": "+12125550000"}]},
        )
        new_id = r.json()["calls"][0]["agent_call_id"]
        assert new_id not in acknowledged  # the id generator continued, no reuse
        httpx.post(f"{again.url}/__fake__/clock/run-until-idle", headers=HEADERS)
        assert (
            httpx.get(f"{again.url}/agents/calls/{new_id}", headers=HEADERS).json()["end_reason"]
            == "dial_busy"
        )
    finally:
        again.stop()


def test_state_file_from_another_seed_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "s.sqlite3"
    Served("--state", str(state), "--quiet").stop()
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "mock_server", "serve", "--state", str(state), "--seed", "7"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 1
    assert "was made with --seed 0, not 7" in out.stderr


def test_state_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("not a database" * 100)
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "mock_server", "serve", "--state", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 1
    assert "cannot use state file" in out.stderr
    assert "Traceback" not in out.stderr
    sqlite3.connect(":memory:").close()


def _service(state: str, **knobs: object) -> Service:
    return Service(settings=Settings().with_overrides(**knobs), state_path=state)


def _dial(service: Service, key: str, number: str) -> str:
    tenant = service.tenants.get(key)
    world = world_of(tenant)
    body = {
        "from_number_id": next(iter(world.numbers)),
        "agent_id": next(iter(world.agents)),
        "outbound_calls": [{"to_number": number}],
    }
    command = decode.place_calls(body, "2026-08-14", tenant.settings, per_destination=True)
    return str(tenant.create_outbound(command.command).results[0].call_id)


def _shown(service: Service, key: str, call_id: str) -> dict[str, Any]:
    """The call as Get Call shows it (the latest API version)."""
    return service.tenants.get(key).get_call(call_id, lambda v: agent_call(v, wire(None)))


def test_an_evicted_tenant_comes_back_from_the_log(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    service = _service(state, max_tenants=2)
    made = {key: _dial(service, key, "+12125551234") for key in ("sk_a", "sk_b", "sk_c")}
    service.tenants.get("sk_a").advance(90)
    before = {key: _shown(service, key, made[key]) for key in made}
    assert len(service.tenants) == 2  # the LRU bound still holds
    service.close()

    again = _service(state, max_tenants=2)
    assert len(again.tenants) == 0  # nothing is rebuilt until a key is used
    for key, call_id in made.items():
        assert _shown(again, key, call_id) == before[key]
    # a key evicted while running is rebuilt too, and keeps logging after its history
    again.tenants.get("sk_b")
    again.tenants.get("sk_c")
    live = again.tenants.keys()
    assert live == ["sk_b", "sk_c"]
    second = _dial(again, "sk_a", "+12125559876")
    assert _shown(again, "sk_a", made["sk_a"]) == before["sk_a"]
    again.close()
    third = _service(state)
    assert _shown(third, "sk_a", second)["id"] == second
    third.close()


def test_faults_and_their_remaining_hits_survive_a_restart(tmp_path: Path) -> None:
    from mock_server.domain.journal.faults import Fault

    state = str(tmp_path / "state.sqlite3")
    service = _service(state)
    tenant = service.tenants.get("sk_f")
    tenant.add_fault(Fault(method="POST", path="/agents/calls", status=503, times=3))
    assert tenant.take_fault("POST", "/agents/calls") is not None  # 1 of 3 used
    service.close()

    again = _service(state)
    tenant = again.tenants.get("sk_f")
    left = [tenant.take_fault("POST", "/agents/calls") for _ in range(3)]
    assert [f is not None and f.status for f in left] == [503, 503, False]
    again.close()
