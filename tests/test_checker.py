"""The conformance checker: passes against the fake, names what an altered target changed,
and no tier-0 probe could ever place a call."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from contracts import versions_with
from contracts.probes import FIXED_VERSION, TIER0, UNKNOWN_AGENT, probes
from mock_server import FakeCartesia
from mock_server.checker.check import run_check
from mock_server.service.ledger import LEDGER
from tests.conftest import world_of
from tests.test_cli import Served

#: The versions that place calls (the lineage decides which).
CALL_VERSIONS = versions_with("outbound_request")

ROOT = Path(__file__).resolve().parent.parent


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_server", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_check_passes_against_the_served_fake(tmp_path: Path) -> None:
    served = Served("--quiet")
    try:
        out = _check(
            "--base-url",
            served.url,
            "--api-key",
            "sk_check",
            "--interval",
            "0",
            "--report",
            str(tmp_path / "r.json"),
        )
        md = _check(
            "--base-url",
            served.url,
            "--api-key",
            "sk_check",
            "--interval",
            "0",
            "--report",
            str(tmp_path / "r.md"),
        )
    finally:
        served.stop()
    assert out.returncode == 0, out.stdout + out.stderr
    total = len(probes(0, CALL_VERSIONS[0])) + len(
        [p for p in probes(0, CALL_VERSIONS[1]) if p.id not in FIXED_VERSION]
    )  # by default, under both versions; probes with a version of their own run once
    assert f"{total} match, 0 differ, 0 error" in out.stdout
    last = probes(0, CALL_VERSIONS[-1])[-1].id
    assert f"[{total}/{total}] {last}@{CALL_VERSIONS[-1]}: match" in out.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["ok"] is True
    assert report["ledger"]["version.unknown"] == "confirmed"
    assert set(report["ledger"]) == {e.id for e in LEDGER}
    assert md.returncode == 0
    assert "| `version.missing@2026-03-01` | match |" in (tmp_path / "r.md").read_text()
    assert report["ledger"]["list.unknown_agent"] == "confirmed"  # probed under each version


@pytest.mark.slow
def test_check_names_the_changed_probe_and_ledger_entry() -> None:
    altered = FakeCartesia(missing_version_status=404, validate_responses=False)
    try:
        url = altered.serve().url
        out = _check(
            "--base-url", url, "--api-key", "sk_check", "--interval", "0", "--version", "2026-03-01"
        )
    finally:
        altered.close()
    assert out.returncode == 1
    [line] = [ln for ln in out.stdout.splitlines() if ln.startswith("version.missing ")]
    assert "differs" in line
    assert "status: target 404 but the fake 400" in line
    assert "contradicted: version.missing" in out.stdout
    assert sum(" differs " in ln for ln in out.stdout.splitlines()) == 1


def test_check_detects_a_changed_validation_rule_in_process() -> None:
    altered = FakeCartesia(max_outbound_calls=200, validate_responses=False)
    report = run_check("https://api.cartesia.ai", "sk_x", transport=altered.transport(), interval=0)
    bad = [o for o in report.outcomes if o.verdict != "match"]
    assert [o.probe.id for o in bad] == [f"create.too_many_items@{v}" for v in CALL_VERSIONS]
    assert report.ledger()["create.max_items"] == "contradicted"


def test_every_tier0_create_probe_carries_an_unknown_agent() -> None:
    creates = [
        p
        for p in TIER0
        if p.method == "POST" and p.path in ("/agents/calls", "/agents/calls/batches")
    ]
    assert len(creates) >= 17
    for probe in creates:
        if probe.body is not None:
            assert probe.body["agent_id"] == UNKNOWN_AGENT, probe.id
        else:
            assert f'"agent_id": "{UNKNOWN_AGENT}"' in (probe.raw or ""), probe.id


def test_tier0_probes_create_no_call_even_with_a_lax_validator() -> None:
    """Repair each body's shape: the unknown agent alone still stops it with a 404."""
    with FakeCartesia() as fake:
        client = fake.client()
        for probe in TIER0:
            if probe.body is None or probe.method != "POST":
                continue
            repaired = {
                "from_number_id": FakeCartesia.from_number_id,
                "agent_id": probe.body["agent_id"],
                "outbound_calls": [{"to_number": "+12125550199"}],
            }
            r = client.post("/agents/calls", json=repaired)
            assert r.status_code == 404, probe.id
            client.post(
                "/agents/calls",
                content=probe.content(),
                headers={"content-type": "application/json"},
            )
        assert world_of(fake.tenant()).calls == {}


def test_honours_retry_after_on_429() -> None:
    with FakeCartesia(validate_responses=False) as target:
        target.add_fault(status=429, retry_after=0.2, times=2, api_key="sk_x")
        slept: list[float] = []
        from mock_server.checker import runner

        original = runner.Sender.__init__

        def init(self, *a, **k):  # type: ignore[no-untyped-def]
            original(self, *a, **k)
            self._sleep = slept.append

        runner.Sender.__init__ = init  # type: ignore[method-assign]
        try:
            report = run_check(
                "https://api.cartesia.ai", "sk_x", transport=target.transport(), interval=0
            )
        finally:
            runner.Sender.__init__ = original  # type: ignore[method-assign]
    assert report.ok
    assert slept.count(0.2) == 2


@pytest.mark.slow
def test_tier1_places_and_cancels_one_call_against_the_served_fake(tmp_path: Path) -> None:
    # The callee talks for ten virtual hours, so however slowly a loaded machine polls, the
    # call is still talking when the checker cancels it (no race with its natural end).
    seed = {
        "agents": [{"id": "agent_Fo7pKNBUwLZxrTd6jvhpaE"}],
        "phone_numbers": [{"id": "ap_Q8PRh7lXyZsawXJmN2KcT5", "number": "+12025550100"}],
        "callees": {"+12125559876": {"outcome": "answer", "talk_seconds": 36000}},
    }
    (tmp_path / "seed.json").write_text(json.dumps(seed))
    served = Served("--quiet", "--speed", "10", "--seed-file", str(tmp_path / "seed.json"))
    try:
        out = _check(
            "--base-url",
            served.url,
            "--api-key",
            "sk_t1",
            "--tier",
            "1",
            "--i-understand-this-dials",
            "--to",
            "+12125559876",
            "--interval",
            "0",
        )
        calls = httpx.get(
            f"{served.url}/agents/calls",
            params={"agent_id": "agent_Fo7pKNBUwLZxrTd6jvhpaE"},
            headers={"authorization": "Bearer sk_t1", "cartesia-version": "2026-03-01"},
        ).json()["data"]
    finally:
        served.stop()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "call.place_and_cancel" in out.stdout
    [call] = calls
    assert (call["status"], call["end_reason"]) == ("completed", "api_cancelled")


@pytest.mark.parametrize(
    "args",
    [
        ["--tier", "1"],
        ["--tier", "1", "--to", "+12125559876"],
        ["--tier", "1", "--i-understand-this-dials"],
    ],
)
def test_tier1_needs_explicit_consent(args: list[str]) -> None:
    out = _check("--base-url", "http://127.0.0.1:9", "--api-key", "k", *args)
    assert out.returncode == 2
    assert "--i-understand-this-dials" in out.stderr


def test_probes_differ_by_version_where_the_api_does() -> None:
    old = {p.id for p in probes(0, "2026-03-01")}
    new = {p.id for p in probes(0, "2026-08-14")}
    assert "list.unknown_agent_is_empty" in old - new
    assert {"list.unknown_agent_is_404", "list.unknown_batch_is_404"} <= new - old
    assert {p.version for p in probes(0, "2026-08-14") if p.id.startswith("create.")} == {
        "2026-08-14"
    }


def test_a_fake_that_drops_a_version_is_caught_under_that_version_only() -> None:
    old_only = FakeCartesia(accepted_versions=("2026-03-01",), validate_responses=False)
    report = run_check(
        "https://api.cartesia.ai", "sk_x", transport=old_only.transport(), interval=0
    )
    bad = [o.probe for o in report.outcomes if o.verdict != "match"]
    assert "list.unknown_agent_is_404@2026-08-14" in {p.id for p in bad}
    # Under 2026-03-01 only the probe that itself sends 2026-08-14 notices.
    assert {p.id for p in bad if p.version == "2026-03-01" or p.version is None} == set()
    assert {p.version for p in bad} == {"2026-08-14"}


def test_a_rule_only_partly_exercised_is_never_reported_confirmed() -> None:
    """A fake with a 50-item limit refuses 101 items just as the real API does: the tier-0
    probe cannot tell, so create.max_items is "partly confirmed", not "confirmed"."""
    lax = FakeCartesia(max_outbound_calls=50, validate_responses=False)
    report = run_check("https://api.cartesia.ai", "sk_x", transport=lax.transport(), interval=0)
    ledger = report.ledger()
    assert ledger["create.max_items"] == "partly confirmed"
    assert ledger["create.ringing_timeout"] == "partly confirmed"
    assert ledger["version.missing"] == "confirmed"
    untested = [rule for rule, verdict in ledger.items() if verdict == "untested"]
    assert untested  # tier 0 cannot exercise every rule, and the report says which
    table = report.table()
    assert "untested: " + ", ".join(untested) in table
    assert "partly confirmed" in table


def test_one_missing_version_is_one_finding() -> None:
    old_only = FakeCartesia(accepted_versions=("2026-03-01",), validate_responses=False)
    report = run_check(
        "https://api.cartesia.ai", "sk_x", transport=old_only.transport(), interval=0
    )
    differing = [o for o in report.outcomes if o.verdict == "differs"]
    findings = report.findings()
    top, probes = findings[0]
    assert len(differing) > 5
    assert len(probes) >= len(differing) - 2  # nearly every difference shares one cause
    assert "api_version_not_found" in top or "404" in top
    assert f"{len(probes):>3} probe(s): {top}" in report.table()
