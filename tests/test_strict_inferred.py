"""Strict mode (SPEC §6): which INFERRED ledger rules each answer relied on, and failing on them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mock_server import FakeCartesia
from mock_server.service import ledger

ROOT = Path(__file__).resolve().parent.parent
PLAIN = "+14155551234"  # not a magic number
BUSY = "+14155550110"  # 555-011X: busy


def _post(fake: FakeCartesia, *numbers: str, **extra: object) -> dict[str, object]:
    body = {
        "from_number_id": fake.from_number_id,
        "agent_id": fake.agent_id,
        "outbound_calls": [{"to_number": n} for n in numbers],
        **extra,
    }
    r = fake.client().post("/agents/calls", json=body)
    return {"status": r.status_code, "body": r.json()}


def test_a_plain_documented_call_relies_on_nothing_inferred() -> None:
    with FakeCartesia() as fake:
        made = _post(fake, PLAIN)
        assert made["status"] == 200
        fake.run_until_idle()
        call_id = made["body"]["calls"][0]["agent_call_id"]  # type: ignore[index]
        assert fake.client().get(f"/agents/calls/{call_id}").json()["end_reason"] == "client_hangup"
        assert fake.inferred_rules() == {}
        fake.assert_no_inferred_rules()


def test_errors_name_the_rule_behind_them_and_the_code_naming() -> None:
    with FakeCartesia() as fake:
        r = fake.client().post("/agents/calls", json={"outbound_calls": "nope"})
        assert r.status_code == 400
        used = fake.inferred_rules()
        assert set(used) == {"create.shape_all_fields", "errors.codes"}
        assert used["errors.codes"][0].endswith("POST /agents/calls -> 400")
        r = fake.client().post("/agents/calls", json={}, headers={"cartesia-version": ""})
        assert "version.missing" in fake.inferred_rules()


def test_a_magic_busy_callee_relies_on_the_magic_table_and_the_busy_rule() -> None:
    with FakeCartesia() as fake:
        made = _post(fake, BUSY, BUSY)
        # the second dial waits a second behind the first: pacing per number is relied on
        assert set(fake.inferred_rules()) == {"callees.magic", "create.duplicates", "pacing.scope"}
        fake.run_until_idle()
        call_id = made["body"]["calls"][0]["agent_call_id"]  # type: ignore[index]
        fake.client().get(f"/agents/calls/{call_id}")
        assert {"lifecycle.busy", "callees.magic"} <= set(fake.inferred_rules())


def test_list_cursors_and_the_empty_last_page() -> None:
    with FakeCartesia() as fake:
        made = _post(fake, PLAIN)
        call_id = made["body"]["calls"][0]["agent_call_id"]  # type: ignore[index]
        page = fake.client().get(
            "/agents/calls", params={"agent_id": fake.agent_id, "starting_after": call_id}
        )
        assert page.json()["data"] == []
        assert {"list.cursors", "list.empty_end"} <= set(fake.inferred_rules())


def test_the_assertion_names_rules_statements_and_requests_and_allow_works() -> None:
    with FakeCartesia() as fake:
        fake.client().post("/agents/calls", json={"outbound_calls": "nope"})
        with pytest.raises(AssertionError) as caught:
            fake.assert_no_inferred_rules()
        text = str(caught.value)
        statement = next(e.statement for e in ledger.LEDGER if e.id == "create.shape_all_fields")
        assert "create.shape_all_fields" in text
        assert statement in text
        assert "POST /agents/calls -> 400" in text
        fake.assert_no_inferred_rules(allow=["create.shape_all_fields", "errors.codes"])


def test_the_journal_endpoint_shows_the_rules() -> None:
    with FakeCartesia() as fake:
        fake.client().post("/agents/calls", json={"outbound_calls": "nope"})
        entries = fake.client().get("/__fake__/requests").json()["requests"]
        assert "create.shape_all_fields" in entries[0]["rules"]


def test_every_rule_the_code_relies_on_is_in_the_ledger() -> None:
    ids = {e.id for e in ledger.LEDGER}
    pattern = re.compile(r"""(?:rely|rules\.append)\(\s*"([a-z_.]+)"\s*\)""")
    named = set()
    for path in (ROOT / "mock_server").rglob("*.py"):
        named |= set(pattern.findall(path.read_text()))
    assert named, "the scan found no rely() calls"
    assert named <= ids, named - ids
    mapped = {c for e in ledger.LEDGER for c in e.error_codes}
    assert "invalid_json" in mapped
    assert ledger.rules_for_error("concurrency_limited") == ()


def test_unknown_fields_ignored_rely_on_that_rule() -> None:
    with FakeCartesia() as fake:
        assert _post(fake, PLAIN, surprise=1)["status"] == 200
        assert set(fake.inferred_rules()) == {"create.unknown_fields"}
