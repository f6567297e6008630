"""The state file is owned: one server at a time, a damaged or empty file stops ``serve``
naming the file (``--state-recover`` moves it aside and says so), and a sped-up real clock
never runs backwards across a restart."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.service.core import Service
from mock_server.service.persistence import StateFileError, StateFileInUse, Store
from mock_server.wire import decode
from tests.conftest import world_of
from tests.test_cli import ROOT, Served

pytestmark = pytest.mark.slow  # starts servers or subprocesses


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    """``serve`` that is expected to refuse to start (so it returns at once)."""
    return subprocess.run(
        [sys.executable, "-m", "mock_server", "serve", "--port", "0", "--quiet", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_second_server_on_the_same_file_refuses_to_start(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    first = Served("--state", state, "--quiet")
    try:
        second = _serve("--state", state, "--state-recover")
    finally:
        first.stop()
    assert second.returncode != 0
    assert f"state file {state} is in use by another cartesia-fake (pid" in second.stderr
    assert not list(tmp_path.glob("*.bad-*"))  # never "recovered" from a running server


def test_an_empty_file_stops_serve_and_recover_moves_it_aside(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    state.write_bytes(b"")
    refused = _serve("--state", str(state))
    assert refused.returncode != 0
    assert f"state file {state} is empty" in refused.stderr
    assert "--state-recover" in refused.stderr
    served = Served("--state", str(state), "--state-recover", "--quiet")
    code, _, err = served.stop()
    assert code == 0
    assert f"moved it to {state}.bad-1 and started a fresh state file" in err
    assert (tmp_path / "state.sqlite3.bad-1").exists()


def test_an_unreplayable_operation_names_the_file_tenant_and_operation(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    Store(state, seed=0).close()
    with sqlite3.connect(state) as db:
        db.execute("INSERT INTO ops (tenant, op, args, at) VALUES ('sk_team', 'teleport', '{}', 0)")
    refused = _serve("--state", str(state))
    assert refused.returncode != 0
    assert f"state file {state}: operation 1 of tenant 'sk_team' is 'teleport'" in refused.stderr
    with sqlite3.connect(state) as db:
        db.execute("UPDATE ops SET op = 'reset', args = 'not json' WHERE seq = 1")
    with pytest.raises(StateFileError, match="arguments that are not JSON"):
        Service(state_path=str(state))


def test_two_stores_in_one_process_are_refused_too(tmp_path: Path) -> None:
    first = Store(tmp_path / "s.sqlite3", seed=0)
    try:
        with pytest.raises(StateFileInUse):
            Store(tmp_path / "s.sqlite3", seed=0)
    finally:
        first.close()
    Store(tmp_path / "s.sqlite3", seed=0).close()  # free again once closed


def test_a_second_store_through_a_symlink_is_refused_naming_the_holder(tmp_path: Path) -> None:
    import os

    real = tmp_path / "real.sqlite3"
    link = tmp_path / "link.sqlite3"
    link.symlink_to(real)
    first = Store(real, seed=0)
    try:
        with pytest.raises(
            StateFileInUse, match=rf"in use by another cartesia-fake \(pid {os.getpid()}\)"
        ):
            Store(link, seed=0)
    finally:
        first.close()


def test_a_real_clock_carries_on_from_the_last_logged_instant(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    logged = Service(state_path=state)  # a virtual clock far ahead of the wall clock
    tenant = logged.tenants.get("sk_ahead")
    tenant.advance(30 * 24 * 3600)
    tenant.reset()  # any logged operation at that instant
    ahead = tenant.now_ms()
    logged.close()
    again = Service(state_path=state, clock="real", speed=60)
    try:
        restored = again.tenants.get("sk_ahead")
        assert restored.clock_mode == "real"
        assert restored.now_ms() >= ahead  # not back to the wall clock
    finally:
        again.close()


def _one_call(service: Service) -> str:
    tenant = service.tenants.get("sk_wal")
    body = {
        "from_number_id": "ap_Q8PRh7lXyZsawXJmN2KcT5",
        "agent_id": "agent_Fo7pKNBUwLZxrTd6jvhpaE",
        "outbound_calls": [{"to_number": "+14155550175"}],
    }
    decoded = decode.place_calls(body, "2026-08-14", tenant.settings, per_destination=True)
    [result] = tenant.create_outbound(decoded.command).results
    assert result.call_id is not None
    return result.call_id


def test_a_file_copied_without_its_wal_after_a_crash_is_refused(tmp_path: Path) -> None:
    import shutil

    state = tmp_path / "live" / "state.db"
    state.parent.mkdir()
    crashed = Service(state_path=state)  # never closed: as after kill -9
    call_id = _one_call(crashed)
    alone, whole = tmp_path / "alone", tmp_path / "whole"
    alone.mkdir()
    whole.mkdir()
    shutil.copy(state, alone / "state.db")
    shutil.copy(state, whole / "state.db")
    shutil.copy(f"{state}-wal", whole / "state.db-wal")
    with pytest.raises(StateFileError, match=r"write-ahead log .*state\.db-wal is missing"):
        Service(state_path=alone / "state.db")  # closes what it opened before refusing
    restored = Service(state_path=whole / "state.db")  # with its log: everything is there
    assert restored.tenants.get("sk_wal").call(call_id).id == call_id
    restored.close()
    crashed.close()
    clean = tmp_path / "clean"
    clean.mkdir()
    shutil.copy(state, clean / "state.db")  # closed cleanly: the main file holds it all
    again = Service(state_path=clean / "state.db")
    assert again.tenants.get("sk_wal").call(call_id).id == call_id
    again.close()


def test_serve_names_the_missing_wal_and_recover_starts_fresh(tmp_path: Path) -> None:
    import shutil

    state = tmp_path / "state.db"
    crashed = Service(state_path=tmp_path / "orig.db")
    _one_call(crashed)
    shutil.copy(tmp_path / "orig.db", state)
    refused = _serve("--state", str(state))
    assert refused.returncode == 1
    assert "state.db-wal is missing" in refused.stderr
    crashed.close()


def test_a_log_made_on_another_starting_world_is_refused(tmp_path: Path) -> None:
    from mock_server.domain.tenants.seed import Seed

    state = tmp_path / "state.db"
    first = Service(state_path=state)
    _one_call(first)
    first.close()
    refused = _serve("--state", str(state), "--no-seed")
    assert refused.returncode == 1
    assert "another starting world" in refused.stderr
    with pytest.raises(StateFileError, match="another starting world"):
        Service(state_path=state, world_seed=Seed.empty())
    again = Service(state_path=state)  # the same world as before: it replays
    assert len(world_of(again.tenants.get("sk_wal")).calls) == 1
    again.close()
