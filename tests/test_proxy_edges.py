"""The proxy at its edges: bounded recordings, secrets out of them, a cut gzip stream counted
as unchecked, a second run into the same folder going on after the first, a pooled
connection the upstream dropped retried once for idempotent requests, and SIGTERM with a
request hanging on the upstream exiting in seconds with the report written."""

from __future__ import annotations

import contextlib
import gzip
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server.domain.timing.clock import monotonic
from mock_server.proxy.app import ProxyState
from mock_server.serving.server import LiveServer
from tests.test_cli import ROOT
from tests.test_proxy import ProxyServer, _settled

pytestmark = pytest.mark.slow  # servers and subprocesses
KEY = "sk_car_TopSecretKey123"
HEADERS = {"authorization": f"Bearer {KEY}", "cartesia-version": "2026-08-14"}


def _upstream() -> Starlette:
    """An upstream with the answers these edges need."""
    big = b'{"data": "' + b"x" * 300_000 + b'"}'

    async def big_answer(request: Request) -> Response:
        return Response(big, media_type="application/json")

    async def echo_key(request: Request) -> Response:
        body = {"secret": "whsec_hidden", "note": f"your key is {KEY}", "id": "wh_1"}
        return Response(json.dumps(body), media_type="application/json")

    async def cut_gzip(request: Request) -> Response:
        whole = gzip.compress(json.dumps({"summaries": []}).encode() * 50)
        return Response(
            whole[: len(whole) // 2],
            media_type="application/json",
            headers={"content-encoding": "gzip"},
        )

    return Starlette(
        routes=[
            Route("/big", big_answer),
            Route("/agents/webhooks", echo_key, methods=["GET", "POST"]),
            Route("/agents", cut_gzip),
        ]
    )


def test_recordings_are_bounded_keyless_and_a_cut_stream_is_counted(tmp_path: Path) -> None:
    record = tmp_path / "rec"
    with LiveServer(_upstream()) as upstream:
        state = ProxyState(upstream.url, record=record, max_record_bytes=100_000)
        with ProxyServer(state) as proxy, httpx.Client(headers=HEADERS) as c:
            big = c.get(f"{proxy.url}/big")
            assert len(big.content) > 300_000  # the client gets the answer whole
            hook = c.post(
                f"{proxy.url}/agents/webhooks",
                json={"url": "https://example.com/h", "secret": "whsec_sent"},
            )
            assert hook.json()["secret"] == "whsec_hidden"  # unchanged for the client
            cut = c.get(f"{proxy.url}/agents")
            assert cut.status_code == 200
            report = _settled(state, 3)
    files = sorted(record.glob("*.json"))
    assert len(files) == 3  # every exchange recorded, the cut one too
    text = "\n".join(f.read_text() for f in files)
    assert KEY not in text
    assert "whsec_hidden" not in text
    assert "whsec_sent" not in text
    assert "[redacted]" in text
    big_file = json.loads(files[0].read_text())
    assert big_file["response"]["body"]["omitted"].startswith("over --max-record-bytes")
    assert big_file["response"]["body"]["bytes"] > 300_000
    assert max(f.stat().st_size for f in files) < 20_000
    unchecked = [d for d in report["deviations"] if d["kind"] == "unchecked"]
    assert any("stream cut short" in d["detail"] for d in unchecked), unchecked
    assert report["exchanges"] == 3


def _proxy_cli(upstream: str, *extra: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "proxy", "--upstream", upstream, "--port", "0",
         *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert "listening on http://" in line, line + (proc.stderr.read() if proc.stderr else "")
    return proc, line.split(" -> ")[0].rsplit(" ", 1)[1]


def test_a_second_run_into_the_same_folder_records_after_the_first(tmp_path: Path) -> None:
    record = tmp_path / "rec"
    with LiveServer(_upstream()) as upstream:
        for run in range(2):
            proc, url = _proxy_cli(upstream.url, "--record", str(record))
            try:
                with httpx.Client(headers=HEADERS) as c:
                    c.get(f"{url}/agents/webhooks")
                deadline = monotonic() + 30
                while len(list(record.glob("*.json"))) < run + 1:
                    assert monotonic() < deadline
                    time.sleep(0.05)
            finally:
                proc.send_signal(signal.SIGTERM)
                _, err = proc.communicate(timeout=30)
            if run == 1:
                assert "already holds a recording up to #1; this run records from #2" in err
    names = sorted(f.name for f in record.glob("*.json"))
    assert [n[:6] for n in names] == ["000001", "000002"]


def test_sigterm_with_a_request_hanging_upstream_exits_quickly_with_the_report(
    tmp_path: Path,
) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def hold() -> None:
        with contextlib.suppress(OSError):
            held.append(listener.accept()[0])

    threading.Thread(target=hold, daemon=True).start()
    port = listener.getsockname()[1]
    report = tmp_path / "report.json"
    proc, url = _proxy_cli(f"http://127.0.0.1:{port}", "--report", str(report))
    waiting = threading.Thread(
        target=lambda: httpx.get(f"{url}/agents", headers=HEADERS, timeout=60), daemon=True
    )
    try:
        waiting.start()
        deadline = monotonic() + 30
        while not held:  # the request reached the hanging upstream
            assert monotonic() < deadline
            time.sleep(0.05)
        sent = monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        took = monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
        for sock in held:
            sock.close()
        listener.close()
    assert took < 5, took
    assert json.loads(report.read_text())["exchanges"] == 0


def test_an_idempotent_request_on_a_dropped_pooled_connection_is_retried() -> None:
    """The upstream answers, keeps the connection without saying it will close it, then
    closes it: the next GET through the proxy reaches it on a fresh connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"

    def serve() -> None:
        with contextlib.suppress(OSError):  # the listener is closed when the test is over
            for _ in range(3):
                conn, _ = listener.accept()
                conn.recv(65536)
                conn.sendall(answer)
                time.sleep(0.2)
                conn.close()  # no "Connection: close" was said

    threading.Thread(target=serve, daemon=True).start()
    state = ProxyState(f"http://127.0.0.1:{port}")
    try:
        with ProxyServer(state) as proxy, httpx.Client(headers=HEADERS) as c:
            assert c.get(f"{proxy.url}/agents").status_code == 200
            time.sleep(0.5)  # the upstream has closed the pooled connection by now
            assert c.get(f"{proxy.url}/agents").status_code == 200
    finally:
        listener.close()


def test_a_recorded_batch_campaign_replays_clean_and_names_real_fields(tmp_path: Path) -> None:
    from mock_server import FakeCartesia
    from mock_server.recordings.replay import replay

    record = tmp_path / "campaign"
    with FakeCartesia() as upstream_fake:
        state = ProxyState(upstream_fake.serve().url, record=record)
        with ProxyServer(state) as proxy, httpx.Client(base_url=proxy.url, headers=HEADERS) as c:
            body = {
                "name": "campaign",
                "agent_id": FakeCartesia.agent_id,
                "from_number_id": FakeCartesia.from_number_id,
                "recipients": [{"to_number": f"+1415555010{i}"} for i in range(4)],
            }
            made = c.post("/agents/calls/batches", json=body).json()
            c.post("/__fake__/clock/advance", json={"seconds": 1})
            c.get(f"/agents/calls/batches/{made['id']}")
            c.get("/agents/calls", params={"batch_id": made["id"]})
            c.get("/agents/calls/batches")
            c.post(f"/agents/calls/batches/{made['id']}/cancel")
            _settled(state, 6)
    report = replay(record, FakeCartesia())
    assert report.differences == [], report.table()
    # one knob changed: the default limit is half the organisation's (60 -> 8)
    changed = replay(record, FakeCartesia(organization_concurrency_limit=8))
    details = [d.detail for d in changed.differences]
    assert any("target_concurrency_limit: recorded 30 but the fake 4" in d for d in details)
    assert not any("recorded_concurrency_limit" in d for d in details)
