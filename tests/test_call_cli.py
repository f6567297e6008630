"""``cartesia-fake call``: place a call against a served fake and follow it to the end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import Served

pytestmark = pytest.mark.slow  # starts servers or subprocesses

ROOT = Path(__file__).resolve().parent.parent
AGENT = "agent_Fo7pKNBUwLZxrTd6jvhpaE"


def _call(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_server", "call", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_follow_on_a_real_clock_shows_created_to_completed() -> None:
    served = Served("--quiet", "--speed", "60")
    try:
        out = _call(
            "+14155550140",
            AGENT,
            "--base-url",
            served.url,
            "--follow",
            "--poll",
            "0.1",
            "--metadata",
            '{"customer_name": "Ada"}',
        )
    finally:
        served.stop()
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("placed call_")
    polled = lines[1 : lines.index("timeline:")]
    statuses = [ln.split()[1] for ln in polled]
    # Which states a poll happens to see depends on the machine's speed (a 2 s ring is 33 ms
    # here); what must hold whatever the load is the order, the end, and the full timeline.
    order = ["created", "started", "completed"]
    assert statuses == sorted(set(statuses), key=order.index), statuses
    assert statuses[-1] == "completed"
    assert "completed (agent_hangup)" in out.stdout
    header, *timeline = lines[lines.index("timeline:") + 1 :]
    assert header.split() == ["at", "event", "status"]
    assert [ln.split()[1] for ln in timeline] == ["created", "dialed", "answered", "ended"]


def test_follow_moves_a_virtual_clock_itself() -> None:
    served = Served("--quiet", "--clock", "virtual")
    try:
        out = _call("+14155550125", AGENT, "--base-url", served.url, "--follow", "--poll", "5")
    finally:
        served.stop()
    assert out.returncode == 2  # the call failed: no answer
    assert "failed (dial_no_answer)" in out.stdout
    assert "2026-03-01T12:01:00.000Z  ended    failed (dial_no_answer)" in out.stdout


def test_errors_are_clear() -> None:
    served = Served("--quiet")
    try:
        rejected = _call("+14155550195", AGENT, "--base-url", served.url)
        unknown = _call("+14155550100", "agent_nope", "--base-url", served.url)
        bad_json = _call("+14155550100", AGENT, "--base-url", served.url, "--metadata", "[1]")
    finally:
        served.stop()
    assert rejected.returncode == 1
    assert "destination_rejected" in rejected.stderr
    assert unknown.returncode == 1
    assert "404 Agent 'agent_nope' not found." in unknown.stderr
    assert bad_json.returncode == 2
    assert "argument --metadata: expected a JSON object" in bad_json.stderr
    unreachable = _call("+14155550100", AGENT, "--base-url", "http://127.0.0.1:9")
    assert unreachable.returncode == 1
    assert "cannot reach" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr


@pytest.mark.parametrize("version", ["2026-03-01", "2026-08-14", None])
def test_the_version_sent_is_the_one_asked_for(version: str | None) -> None:
    """``--version`` picks the Cartesia-Version header (default: the newest that places
    calls); the served fake's journal shows what arrived."""
    import httpx

    served = Served("--quiet", "--clock", "virtual")
    try:
        extra = ["--version", version] if version else []
        out = _call("+14155550100", AGENT, "--base-url", served.url, "--api-key", "sk_v", *extra)
        journal = httpx.get(
            served.url + "/__fake__/requests", headers={"authorization": "Bearer sk_v"}
        ).json()
    finally:
        served.stop()
    assert out.returncode == 0, out.stderr
    posts = [e for e in journal["requests"] if e["method"] == "POST"]
    assert [e["headers"]["cartesia-version"] for e in posts] == [version or "2026-08-14"]
