"""State logs that cannot be replayed: what a cheap read of the whole log can tell (an
operation's arguments of the wrong shape or type, an instant that is not an integer or goes
back, a table of another layout) stops the start naming file, tenant and operation; what
only replaying can tell (an operation on a call the log never made) holds back that tenant
alone, with a 503 naming the file, the operation and ``--state-recover``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from mock_server.service.core import Service
from mock_server.service.keys import fingerprint
from mock_server.service.persistence import StateFileError, Store
from tests.conftest import service_client

AGENT = "agent_Fo7pKNBUwLZxrTd6jvhpaE"


def _logged(tmp_path: Path) -> Path:
    """A state file with two tenants that each placed nothing yet but moved their clock."""
    state = tmp_path / "state.sqlite3"
    service = Service(state_path=str(state))
    for key in ("sk_good_tenant", "sk_bad_tenant"):
        with service_client(service, key) as c:
            assert c.post("/__fake__/clock/advance", json={"seconds": 5}).status_code == 200
    service.close()
    return state


def _tenant_id(state: Path, key: str) -> str:
    """What the state file stores for ``key`` (a keyed hash, never the key)."""
    store = Store(state, seed=0)
    try:
        return store.tenant_id(key)
    finally:
        store.close()


def _append(state: Path, key: str, op: str, args: object, at: object) -> None:
    tenant = _tenant_id(state, key)
    with sqlite3.connect(state) as db:
        db.execute(
            "INSERT INTO ops (tenant, op, args, at) VALUES (?, ?, ?, ?)",
            (tenant, op, json.dumps(args), at),
        )


def test_an_operation_on_a_call_the_log_never_made_holds_back_that_tenant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = _logged(tmp_path)
    with sqlite3.connect(state) as db:
        (at,) = db.execute("SELECT max(at) FROM ops").fetchone()
    _append(state, "sk_bad_tenant", "cancel", {"call_id": "call_never_made"}, at)
    service = Service(state_path=str(state))  # starts: the read finds nothing wrong
    try:
        with service_client(service, "sk_bad_tenant") as bad:
            for _ in range(2):  # every request, not only the first
                r = bad.get("/agents/calls", params={"agent_id": AGENT})
                assert r.status_code == 503
                body = r.json()
                assert body["error_code"] == "state_unreplayable"
                assert str(state) in body["message"]
                assert "operation 2 of the tenant's log (cancel)" in body["message"]
                assert "--state-recover" in body["message"]
                assert "sk_bad_tenant" not in body["message"]  # a fingerprint, not the key
                assert fingerprint("sk_bad_tenant") in body["message"]
        with service_client(service, "sk_good_tenant") as good:  # every other tenant is served
            assert good.get("/agents/calls", params={"agent_id": AGENT}).status_code == 200
    finally:
        service.close()
    err = capsys.readouterr().err  # the server's own log says it once, too
    assert f"tenant {fingerprint('sk_bad_tenant')}: operation 2" in err
    assert "sk_bad_tenant" not in err


@pytest.mark.parametrize(
    ("op", "args", "at", "says"),
    [
        ("configure", {"changes": {"max_outbound_calls": "lots"}}, 1, "changes:"),
        ("configure", {"changes": "not an object"}, 1, "changes"),
        ("cancel", {"call": "call_1"}, 1, "call_id"),
        ("advance_to", {"target": "soon"}, 1, "target"),
        ("reset", {}, "1970-01-01T00:00:00Z", "instant that is not an integer"),
        ("reset", {}, 0, "goes back in time"),
    ],
)
def test_a_record_that_cannot_replay_stops_the_start_naming_it(
    tmp_path: Path, op: str, args: object, at: object, says: str
) -> None:
    state = _logged(tmp_path)
    with sqlite3.connect(state) as db:
        (last,) = db.execute("SELECT max(at) FROM ops").fetchone()
    _append(state, "sk_good_tenant", op, args, last + at if isinstance(at, int) and at else at)
    with pytest.raises(StateFileError) as refused:
        Service(state_path=str(state))
    message = str(refused.value)
    assert str(state) in message
    assert f"({op}) of tenant '{_tenant_id(state, 'sk_good_tenant')}'" in message
    assert "sk_good_tenant" not in message  # the file holds no key
    assert says in message


def test_a_table_of_another_layout_stops_the_start(tmp_path: Path) -> None:
    state = tmp_path / "old.sqlite3"
    with sqlite3.connect(state) as db:  # an ops table without its instant column
        db.execute("CREATE TABLE ops (seq INTEGER PRIMARY KEY, tenant TEXT, op TEXT, args TEXT)")
        db.execute("INSERT INTO ops (tenant, op, args) VALUES ('sk_x', 'reset', '{}')")
    with pytest.raises(StateFileError, match="damaged or of another layout"):
        Service(state_path=str(state))


def test_the_whole_log_is_read_cheaply(tmp_path: Path) -> None:
    """The read validates each record without building tenants: a long log of valid
    records passes (the start-up cost is measured in bench, not asserted here)."""
    state = tmp_path / "long.sqlite3"
    Store(state, seed=0).close()
    with sqlite3.connect(state) as db:
        db.executemany(
            "INSERT INTO ops (tenant, op, args, at) VALUES (?, ?, ?, ?)",
            [
                (f"sk_{i % 7}", "advance_to", json.dumps({"target": i * 10}), i * 10)
                for i in range(5000)
            ],
        )
    store = Store(state, seed=0)
    try:
        from mock_server.domain.tenants.oplog import OPS

        store.check(OPS)
    finally:
        store.close()
