"""PATCH /__fake__/settings: a tenant's knobs change while it runs, checked, journaled, for
that tenant only, until its reset; and ``serve --set`` / ``--auto-advance`` at start."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import Door

from bench.served import start_fake
from contracts import errors_of
from mock_server import FakeCartesia
from mock_server.domain.settings import Settings, knob_names
from mock_server.domain.tenants import knobs

ROOT = Path(__file__).resolve().parent.parent


def _dial_times(door: Door, *numbers: str) -> list[float]:
    """Seconds after the first dial at which each call to ``numbers`` (one request) dials."""
    ids = door.call_ids(*numbers)
    door.run_until_idle()
    dialed = []
    for call_id in ids:
        events = {e["event"]: datetime.fromisoformat(e["at"]) for e in door.timeline(call_id)}
        dialed.append(events["dialed"])
    return [(at - dialed[0]).total_seconds() for at in dialed]


def test_a_tenant_changes_its_dial_spacing_and_only_its_own(door: Door) -> None:
    assert _dial_times(door, "+14155550170", "+14155550171") == [0, 1]
    r = door.patch("/__fake__/settings", json={"dial_interval_seconds": 4})
    assert r.status_code == 200, r.text
    assert errors_of("control_settings_view", r.json()) == []
    assert r.json()["knobs"]["dial_interval_seconds"] == 4
    assert door.get("/__fake__/settings").json()["knobs"]["dial_interval_seconds"] == 4
    assert _dial_times(door, "+14155550172", "+14155550173", "+14155550174") == [0, 4, 8]
    # another tenant of the same fake still dials one second apart
    other = Door(door.name, door.fake, door.key + "_other", _base_url(door), door.version)
    try:
        assert other.get("/__fake__/settings").json()["knobs"]["dial_interval_seconds"] == 1
        assert _dial_times(other, "+14155550176", "+14155550177") == [0, 1]
    finally:
        other.close()
    # the change is in the journal, with what was sent
    entries = door.get("/__fake__/requests").json()["requests"]
    patched = [e for e in entries if e["method"] == "PATCH" and e["path"] == "/__fake__/settings"]
    assert [e["status"] for e in patched] == [200]
    # reset brings back the server's knobs
    assert door.post("/__fake__/reset").status_code == 200
    assert door.get("/__fake__/settings").json()["knobs"]["dial_interval_seconds"] == 1


def _base_url(door: Door) -> str | None:
    return str(door._client.base_url) if door.name == "live" else None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"max_body_bytes": 10_000}, "'max_body_bytes' is server-wide"),
        ({"max_body_bytes": 10_000}, "serve --set max_body_bytes="),
        ({"dial_intervl_seconds": 2}, "did you mean 'dial_interval_seconds'"),
        ({"dial_interval_seconds": -1}, "dial_interval_seconds"),
        ({"pacing_scope": "planet"}, "pacing_scope"),
        ({"honour_idempotency_key": "yes"}, "honour_idempotency_key"),
        ({}, "dial_interval_seconds"),  # an empty change lists what may change
        ([1, 2], "JSON object"),
    ],
)
def test_bad_settings_are_a_400_naming_the_problem_and_change_nothing(
    door: Door, body: Any, expected: str
) -> None:
    before = door.get("/__fake__/settings").json()
    r = door.patch("/__fake__/settings", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "invalid_control_request"
    assert expected in r.json()["message"], r.json()
    assert door.get("/__fake__/settings").json() == before


def test_a_mixed_change_is_refused_whole() -> None:
    with FakeCartesia() as fake:
        tenant = fake.tenant()
        with pytest.raises(knobs.KnobError, match="max_tenants"):
            knobs.configure(tenant, {"dial_interval_seconds": 3, "max_tenants": 5})
        assert tenant.settings.dial_interval_seconds == 1


def test_the_settings_contract_covers_every_knob_and_accepts_the_defaults() -> None:
    view = {"knobs": knobs.current(Settings()), "tenant_knobs": sorted(knobs.TENANT_KNOBS)}
    assert errors_of("control_settings_view", view) == []
    assert set(view["knobs"]) == set(knob_names())
    assert set(knob_names()) >= knobs.TENANT_KNOBS


def test_facade_knobs_are_checked_like_the_control_plane() -> None:
    with pytest.raises(ValueError, match="journal_size"):
        FakeCartesia(journal_size=0)
    with pytest.raises(TypeError, match="did you mean 'journal_size'"):
        FakeCartesia(journal_sise=10)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_server", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "dial_intervl_seconds=2"], "did you mean 'dial_interval_seconds'"),
        (["--set", "max_body_bytes=lots"], "max_body_bytes"),
        (["--set", "pacing_scope"], "expected knob=value"),
        (["--auto-advance", "--clock", "real"], "--auto-advance moves a virtual clock"),
    ],
)
def test_serve_refuses_bad_knobs_in_its_own_words(args: list[str], expected: str) -> None:
    out = _cli("serve", "--port", "0", *args)
    assert out.returncode == 2, out
    assert expected in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_serve_set_and_auto_advance() -> None:
    proc, url = start_fake(
        "--auto-advance",
        "--set",
        "dial_interval_seconds=2.5",
        "--set",
        "accepted_versions=2026-08-14",
    )
    try:
        headers = {"x-api-key": "k", "cartesia-version": "2026-08-14"}
        with httpx.Client(base_url=url, headers=headers, timeout=10) as c:
            view = c.get("/__fake__/settings").json()
            assert view["knobs"]["dial_interval_seconds"] == 2.5
            assert view["knobs"]["accepted_versions"] == ["2026-08-14"]
            old = c.get("/agents", headers={"cartesia-version": "2026-03-01"})
            assert old.status_code == 404
            assert c.get("/__fake__/clock").json()["mode"] == "virtual"
            made = c.post(
                "/agents/calls",
                json={
                    "agent_id": FakeCartesia.agent_id,
                    "from_number_id": FakeCartesia.from_number_id,
                    "outbound_calls": [{"to_number": "+14155550178"}],
                },
            )
            call_id = made.json()["calls"][0]["agent_call_id"]
            # auto-advance: polling alone takes the call to its end, no control call needed
            statuses = [c.get(f"/agents/calls/{call_id}").json()["status"] for _ in range(10)]
            assert statuses[-1] == "completed", statuses
    finally:
        proc.terminate()
        proc.communicate(timeout=15)


def test_auto_advance_implies_a_virtual_clock() -> None:
    from mock_server.cli import serve as servecmd
    from mock_server.cli.main import _parser

    assert servecmd._clock(_parser().parse_args(["serve", "--auto-advance"])) == "virtual"
    assert servecmd._clock(_parser().parse_args(["serve"])) == "real"
