"""The command line: serve (listening line, request log, signals, flags) and behaviors."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow  # starts servers or subprocesses

ROOT = Path(__file__).resolve().parent.parent


class Served:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mock_server", "serve", "--port", "0", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        assert line.startswith("cartesia-fake listening on http://127.0.0.1:"), line
        self.url = line.rsplit(" ", 1)[1]

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=15)
        return self.proc.returncode, out, err


@pytest.fixture
def served() -> Iterator[Served]:
    s = Served()
    yield s
    if s.proc.poll() is None:
        s.proc.kill()
    s.proc.communicate(timeout=15)


HEADERS = {"x-api-key": "k", "cartesia-version": "2026-03-01"}
DOC = {
    "from_number_id": "ap_Q8PRh7lXyZsawXJmN2KcT5",
    "agent_id": "agent_Fo7pKNBUwLZxrTd6jvhpaE",
    "ringing_timeout_seconds": 30,
    "outbound_calls": [{"to_number": "+14155550175", "metadata": {"customer_id": "cust_123"}}],
}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_documented_example_and_clean_exit(served: Served, sig: int) -> None:
    r = httpx.post(f"{served.url}/agents/calls", headers=HEADERS, json=DOC)
    assert r.status_code == 200
    call_id = r.json()["calls"][0]["agent_call_id"]
    assert httpx.get(f"{served.url}/agents/calls/{call_id}", headers=HEADERS).json()["id"] == (
        call_id
    )
    code, out, err = served.stop(sig)
    assert code == 0
    assert out.strip() == ""  # the listening line was the only stdout line
    assert "Traceback" not in err
    log = [line for line in err.splitlines() if "/agents/calls" in line]
    assert len(log) == 2
    assert "POST /agents/calls -> 200" in log[0]


def test_serve_real_clock_moves_and_rejects_advance(served: Served) -> None:
    r = httpx.post(f"{served.url}/__fake__/clock/advance", headers=HEADERS, json={"seconds": 1})
    assert r.status_code == 409
    assert r.json()["error_code"] == "clock_not_virtual"
    first = httpx.get(f"{served.url}/__fake__/clock", headers=HEADERS).json()
    time.sleep(0.05)
    second = httpx.get(f"{served.url}/__fake__/clock", headers=HEADERS).json()
    assert first["mode"] == "real"
    assert second["now"] > first["now"]


def test_serve_virtual_clock_and_api_key_allow_list() -> None:
    s = Served("--clock", "virtual", "--api-key", "good", "--api-key", "also-good", "--quiet")
    try:
        ok = {"authorization": "Bearer also-good"}
        r = httpx.post(f"{s.url}/__fake__/clock/advance", headers=ok, json={"seconds": 60})
        assert r.json()["now"] == "2026-03-01T12:01:00.000Z"
        bad = httpx.get(f"{s.url}/__fake__/clock", headers={"authorization": "Bearer nope"})
        assert bad.status_code == 401
        assert bad.json()["error_code"] == "invalid_api_key"
    finally:
        code, _, err = s.stop(signal.SIGINT)
    assert code == 0
    assert "/__fake__" not in err  # --quiet


def test_serve_with_speed_factor() -> None:
    s = Served("--speed", "600", "--quiet")
    try:
        a = httpx.get(f"{s.url}/__fake__/clock", headers=HEADERS).json()["now"]
        time.sleep(0.1)
        b = httpx.get(f"{s.url}/__fake__/clock", headers=HEADERS).json()["now"]
    finally:
        s.stop()
    assert b[11:19] > a[11:19]  # 0.1 s real is a minute of fake time


def test_seed_file_json_and_toml(tmp_path: Path) -> None:
    data = {
        "agents": [{"id": "agent_mine", "name": "Mine"}],
        "phone_numbers": [{"id": "ap_mine", "number": "+12025550150"}],
        "callees": {"+12125550000": {"outcome": "busy"}},
    }
    (tmp_path / "seed.json").write_text(json.dumps(data))
    (tmp_path / "seed.toml").write_text(
        '[[agents]]\nid = "agent_mine"\n[[phone_numbers]]\nid = "ap_mine"\n'
        'number = "+12025550150"\n'
    )
    for name in ("seed.json", "seed.toml"):
        s = Served("--seed-file", str(tmp_path / name), "--quiet")
        try:
            r = httpx.post(
                f"{s.url}/agents/calls",
                headers=HEADERS,
                json={
                    "from_number_id": "ap_mine",
                    "agent_id": "agent_mine",
                    "outbound_calls": [{"to_number": "+12125550000"}],
                },
            )
            assert r.status_code == 200, r.text
            r = httpx.post(f"{s.url}/agents/calls", headers=HEADERS, json=DOC)
            assert r.status_code == 404  # the documented seed is replaced
        finally:
            s.stop()


def _cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """``python3 -m mock_server ARGS`` to its end, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "mock_server", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


def test_bad_seed_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "seed.json"
    bad.write_text(json.dumps({"agents": [{"name": "no id"}], "extra": 1}))
    out = _cli("serve", "--seed-file", str(bad))
    assert out.returncode == 2
    assert "agents[0].id: is required" in out.stderr
    assert "extra: is not an allowed field" in out.stderr
    assert "Traceback" not in out.stderr


def test_behaviors_command_lists_the_ledger() -> None:
    out = _cli("behaviors")
    assert "create.ringing_timeout" in out.stdout
    assert "[knob max_outbound_calls=100]" in out.stdout


def test_help_is_clear() -> None:
    out = _cli("serve", "--help")
    for flag in ("--host", "--port", "--clock", "--speed", "--seed", "--api-key", "--seed-file"):
        assert flag in out.stdout
    bad = _cli("serve", "--clock", "sundial")
    assert bad.returncode == 2
    assert "invalid choice" in bad.stderr


def test_listening_beyond_loopback_warns_that_there_is_no_real_auth() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "serve", "--port", "0", "--host", "0.0.0.0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    assert line.startswith("cartesia-fake listening on http://0.0.0.0:")
    assert "no real authentication" in err


def test_sigterm_ends_the_server_even_with_a_stalled_request() -> None:
    import socket

    served = Served("--quiet")
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /agents/calls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\nAuthorization: Bearer k\r\n\r\n{"from'
        )  # and then nothing: the body never comes
        code, _, err = served.stop()  # raises TimeoutExpired if the server hangs
    assert code == 0
    assert "Traceback" not in err


def test_serve_refuses_a_bad_or_busy_port_in_its_own_words() -> None:
    bad = _cli("serve", "--port", "70000")
    assert bad.returncode == 2
    assert "a port is a number 0-65535, not 70000" in bad.stderr
    served = Served("--quiet")
    try:
        port = served.url.rsplit(":", 1)[1]
        busy = _cli("serve", "--port", port, "--quiet")
    finally:
        served.stop()
    assert busy.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in busy.stderr
    assert "Traceback" not in busy.stderr


def test_check_says_when_the_target_rejects_the_key_or_cannot_be_reached() -> None:
    served = Served("--quiet", "--api-key", "sk_right")
    try:
        rejected = _cli(
            "check",
            "--base-url",
            served.url,
            "--api-key",
            "sk_wrong",
            "--interval",
            "0",
            timeout=60,
        )
    finally:
        served.stop()
    assert rejected.returncode == 2
    assert "the target rejected the API key (401" in rejected.stderr
    no_scheme = _cli("check", "--base-url", "127.0.0.1:9", "--api-key", "k", timeout=60)
    assert no_scheme.returncode == 2
    assert "did you mean 'http://127.0.0.1:9'?" in no_scheme.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["call", "+14155550170", "agent_x", "--base-url", "localhost:8000"], "http://"),
        (["batch", "x.csv", "--agent", "a", "--base-url", "ftp://h"], "http:// or https://"),
        (["call", "+14155550170", "agent_x", "--metadata", "[1]"], "got a JSON array"),
        (["call", "+14155550170", "agent_x", "--metadata", "{oops"], "is not JSON"),
    ],
)
def test_client_commands_refuse_bad_arguments_saying_what_they_expect(
    args: list[str], expected: str
) -> None:
    out = _cli(*args)
    assert out.returncode == 2, out
    assert expected in out.stderr
    assert "--metadata: --metadata" not in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_a_yaml_seed_file_is_refused_saying_which_formats_work(tmp_path: Path, suffix: str) -> None:
    seed = tmp_path / f"seed{suffix}"
    seed.write_text("agents: []\n")
    out = _cli("serve", "--seed-file", str(seed))
    assert out.returncode == 2
    assert "YAML is not supported" in out.stderr
    assert "JSON" in out.stderr
    assert "TOML" in out.stderr


def test_timeline_command_saves_a_served_fakes_calls(tmp_path: Path) -> None:
    served = Served("--quiet", "--clock", "virtual")
    try:
        with httpx.Client(base_url=served.url, headers=HEADERS) as c:
            c.post("/agents/calls", json=DOC)
            c.post("/__fake__/clock/run-until-idle")
        out = _cli(
            "timeline",
            "--base-url",
            served.url,
            "--api-key",
            "k",
            "--out",
            str(tmp_path / "t.html"),
        )
        wrong = _cli("timeline", "--base-url", "http://127.0.0.1:9", "--api-key", "k")
    finally:
        served.stop()
    assert out.returncode == 0, out.stderr
    page = (tmp_path / "t.html").read_text()
    assert 'data-outcome="completed"' in page
    assert "+14155550175" in page
    assert wrong.returncode == 1
    assert "cannot reach http://127.0.0.1:9" in wrong.stderr
