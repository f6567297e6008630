"""A change the state file cannot take (a full disk) is refused with a 503 and leaves the
tenant as the log has it; a start on a disk that cannot be written is one clear line and
exit status 1. The full disk is SQLite's own: ``max_page_count`` makes the file full exactly
as a full filesystem does (``database or disk is full``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mock_server.service.core import Service
from mock_server.service.persistence import StateFileError, Store
from tests.conftest import AGENT, NUMBER, service_client
from tests.test_cli import ROOT

pytestmark = pytest.mark.slow  # subprocesses

KEY = "sk_disk"


def _place(c: httpx.Client, first: int, n: int) -> httpx.Response:
    calls = [{"to_number": f"+1212{5000000 + first + i:07d}"} for i in range(n)]
    body = {"agent_id": AGENT, "from_number_id": NUMBER, "outbound_calls": calls}
    return c.post("/agents/calls", json=body)


def _limit(store: Store, pages: int | None) -> None:
    """Let the state file grow by at most ``pages`` more pages (None: no limit)."""
    db = store._db  # the test stands in for the filesystem
    now = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {now + pages if pages is not None else 1_000_000}")


def _listed(c: httpx.Client) -> set[str]:
    ids: set[str] = set()
    params = {"agent_id": AGENT, "limit": 100}
    while True:
        page = c.get("/agents/calls", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        ids |= {call["id"] for call in body["data"]}
        if not body["next_page"]:
            return ids
        params["starting_after"] = body["next_page"]


def test_a_change_that_cannot_be_logged_is_refused_and_undone(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    service = Service(state_path=str(state))
    accepted: set[str] = set()
    try:
        with service_client(service, KEY) as c:
            assert service.store is not None
            _limit(service.store, 2)  # the disk fills after a few requests
            refused = None
            for i in range(90):
                r = _place(c, i * 100, 100)
                if r.status_code != 200:
                    refused = r
                    break
                accepted |= {call["agent_call_id"] for call in r.json()["calls"]}
            assert refused is not None, "the state file never filled"
            assert accepted, "it filled before anything was accepted"
            assert refused.status_code == 503, refused.text
            body = refused.json()
            assert body["error_code"] == "state_not_durable"
            assert "database or disk is full" in body["message"]
            assert "Nothing was changed" in body["message"]
            assert refused.headers["retry-after"] == "30"
            assert _listed(c) == accepted  # the refused calls are not in memory either
            assert _place(c, 9000, 100).status_code == 503  # still full: refused again
            assert _listed(c) == accepted
            _limit(service.store, None)  # room again
            again = _place(c, 9500, 3)
            assert again.status_code == 200, again.text
            accepted |= {call["agent_call_id"] for call in again.json()["calls"]}
            assert _listed(c) == accepted
    finally:
        service.close()
    restarted = Service(state_path=str(state))
    try:
        with service_client(restarted, KEY) as c:
            assert _listed(c) == accepted  # what was answered 200, no more
    finally:
        restarted.close()


def test_a_start_on_an_unwritable_disk_is_one_clear_line(tmp_path: Path) -> None:
    for name in ("in-process", "served"):  # SQLite cannot write its log beside the file
        Path(f"{tmp_path / name}.sqlite3-wal").mkdir()
    with pytest.raises(StateFileError, match="cannot use state file"):
        Store(tmp_path / "in-process.sqlite3", seed=0)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    for path in (tmp_path / "served.sqlite3", blocked / "state.sqlite3"):
        run = subprocess.run(
            [sys.executable, "-m", "mock_server", "serve", "--port", "0", "--state", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 1, run.stderr
        assert "Traceback" not in run.stderr
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, run.stderr
        assert lines[0].startswith("cartesia-fake: cannot use state file")
