"""``cartesia-fake batch FILE.csv``: submit a CSV as a call batch and follow it to the end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.test_cli import Served

pytestmark = pytest.mark.slow  # starts servers or subprocesses

ROOT = Path(__file__).resolve().parent.parent
AGENT = "agent_Fo7pKNBUwLZxrTd6jvhpaE"
NUMBER = "ap_Q8PRh7lXyZsawXJmN2KcT5"


def _batch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_server", "batch", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_follow_shows_progress_until_the_batch_ends(tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "to_number,customer_name\n+14155550100,Ada\n+14155550101,Bo\n+14155550110,Cy\n"
        "+442079460123,Di\n"
    )
    served = Served("--quiet", "--clock", "virtual")
    try:
        out = _batch(
            str(leads), "--agent", AGENT, "--from", NUMBER, "--base-url", served.url,
            "--follow", "--limit", "2", "--poll", "5",
        )  # fmt: skip
        headers = {"authorization": "Bearer sk_car_local", "cartesia-version": "2026-08-14"}
        batches = httpx.get(f"{served.url}/agents/calls/batches", headers=headers).json()
    finally:
        served.stop()
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("created acb_")
    assert "(4 recipients)" in lines[0]
    # the create answer shows the batch before dispatch; dispatch starts after it
    assert lines[1].startswith("pending     dispatched 0, finished 0, failed 0 of 4")
    assert lines[2].startswith("in_progress dispatched 2, finished 0, failed 0 of 4")
    # every recipient dispatched is "completed" while calls are still in flight; the
    # follow goes on until they have ended
    assert "completed   dispatched 4, finished 3, failed 1 of 4" in lines
    assert "completed: dispatched 4, finished 4, failed 2" in lines[-1]
    [made] = batches["data"]
    assert (made["name"], made["target_concurrency_limit"]) == ("leads.csv", 2)


def test_bad_files_and_refusals_are_clear(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("to_number\n")
    out = _batch(str(empty), "--agent", AGENT, "--from", NUMBER)
    assert out.returncode == 1
    assert "no recipients" in out.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("phone\n4155550100\n")
    served = Served("--quiet", "--clock", "virtual")
    try:
        out = _batch(str(bad), "--agent", AGENT, "--from", NUMBER, "--base-url", served.url)
    finally:
        served.stop()
    assert out.returncode == 1
    assert "400" in out.stderr
    assert "recipients[0].to_number" in out.stderr
