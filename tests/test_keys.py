"""API keys are never stored or shown whole: the state file keeps a keyed hash (the same
key is still the same tenant after a restart), and messages, timeline files and knob errors
show only a short fingerprint, however short the key."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mock_server import FakeCartesia
from mock_server.service.core import Service
from mock_server.service.keys import fingerprint
from mock_server.service.knob_values import check
from tests.conftest import AGENT, NUMBER, service_client

KEY = "sk_car_Secret42"


def test_the_state_file_holds_a_keyed_hash_and_the_key_finds_its_tenant(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    service = Service(state_path=str(state))
    body = {"agent_id": AGENT, "from_number_id": NUMBER}
    with service_client(service, KEY) as c:
        made = c.post(
            "/agents/calls", json={**body, "outbound_calls": [{"to_number": "+14155550100"}]}
        )
        call_id = made.json()["calls"][0]["agent_call_id"]
    service.close()
    for file in tmp_path.iterdir():
        assert KEY.encode() not in file.read_bytes(), file
    with sqlite3.connect(state) as db:
        [(stored,)] = db.execute("SELECT DISTINCT tenant FROM ops").fetchall()
    assert stored.startswith("hmac:")
    again = Service(state_path=str(state))
    try:
        with service_client(again, KEY) as c:
            assert c.get(f"/agents/calls/{call_id}").status_code == 200
        with service_client(again, "sk_car_Other") as other:
            assert other.get(f"/agents/calls/{call_id}").status_code == 404
    finally:
        again.close()


def test_a_file_with_raw_keys_is_rewritten_with_hashes(tmp_path: Path) -> None:
    state = tmp_path / "old.sqlite3"
    service = Service(state_path=str(state))
    with service_client(service, KEY) as c:
        assert c.post("/__fake__/clock/advance", json={"seconds": 5}).status_code == 200
    service.close()
    with sqlite3.connect(state) as db:  # as a 0.2.0 file before hashing: raw keys, no salt
        db.execute("UPDATE ops SET tenant = ?", (KEY,))
        db.execute("DELETE FROM meta WHERE key = 'key_salt'")
    again = Service(state_path=str(state))
    try:
        with service_client(again, KEY) as c:
            now = c.get("/__fake__/clock").json()["now"]
            assert now.endswith(":05.000Z")  # its five seconds came back with it
    finally:
        again.close()
    with sqlite3.connect(state) as db:
        tenants = {t for (t,) in db.execute("SELECT tenant FROM ops")}
    assert KEY not in tenants


@pytest.mark.parametrize("key", ["sk_a", "abcdefgh", "sk_car_" + "x" * 40])
def test_timeline_files_show_a_fingerprint_only(key: str, tmp_path: Path) -> None:
    with FakeCartesia() as fake:
        c = fake.client(api_key=key)
        c.post(
            "/agents/calls",
            json={
                "agent_id": AGENT,
                "from_number_id": NUMBER,
                "outbound_calls": [{"to_number": "+14155550100"}],
            },
        )
        page = fake.timeline_html(tmp_path / "t.html", api_key=key).read_text()
    assert key not in page
    assert fingerprint(key) in page


def test_knob_errors_name_keys_by_fingerprint() -> None:
    secret = "sk_live_" + "s" * 300
    with pytest.raises(Exception, match=fingerprint(secret)) as refused:
        check({"api_keys": [secret]})
    assert secret not in str(refused.value)
    assert "s" * 50 not in str(refused.value)
