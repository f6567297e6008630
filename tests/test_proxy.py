"""The validating proxy and recorded-exchange replay, tested without the real API: the
upstream is a served fake, clean or altered by a small drifting proxy."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server import FakeCartesia, LiveServer
from mock_server.domain.timing.clock import monotonic
from mock_server.proxy.app import ProxyState, create_proxy
from mock_server.recordings.replay import replay

pytestmark = pytest.mark.slow  # servers on sockets

SECRET = "sk_live_do_not_store_me"


@pytest.fixture
def upstream() -> Iterator[str]:
    with FakeCartesia() as fake:
        yield fake.serve().url


def _drifting(upstream: str) -> Starlette:
    """The served fake, with three drifts: an invalid create answers 422 instead of 400, Get
    Call renames ``status`` to ``state``, and List Calls loses ``has_more``."""

    async def relay(request: Request) -> Response:
        async with httpx.AsyncClient(base_url=upstream) as client:
            answer = await client.request(
                request.method,
                request.url.path,
                params=request.query_params,
                headers={k: v for k, v in request.headers.items() if k != "host"},
                content=await request.body(),
            )
        status, body = answer.status_code, answer.content
        path = request.url.path
        if request.method == "POST" and path == "/agents/calls" and status == 400:
            status = 422
        elif request.method == "GET" and path.startswith("/agents/calls/call_") and status == 200:
            data = answer.json()
            data["state"] = data.pop("status")
            body = json.dumps(data).encode()
        elif request.method == "GET" and path == "/agents/calls" and status == 200:
            data = answer.json()
            data.pop("has_more", None)
            body = json.dumps(data).encode()
        return Response(body, status, media_type=answer.headers.get("content-type"))

    return Starlette(routes=[Route("/{path:path}", relay, methods=["GET", "POST", "DELETE"])])


def _traffic(url: str) -> int:
    """What a staging dialer might send; returns how many requests."""
    headers = {"authorization": f"Bearer {SECRET}", "cartesia-version": "2026-08-14"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
        body = {"agent_id": FakeCartesia.agent_id, "from_number_id": FakeCartesia.from_number_id}
        two = [{"to_number": "+14155550175"}, {"to_number": "+14155550176"}]
        made = c.post("/agents/calls", json={**body, "outbound_calls": two})
        assert made.status_code == 200, made.text
        call_id = made.json()["calls"][0]["agent_call_id"]
        c.get(f"/agents/calls/{call_id}")
        c.get("/agents/calls", params={"agent_id": FakeCartesia.agent_id})
        c.post("/agents/calls", json={**body, "outbound_calls": "none"})  # a 400
        c.get("/agents", headers={"cartesia-version": "2020-01-01"})  # unknown version
        c.get("/agents/templates")  # a route the fake does not serve
        c.get("/agents/calls/call_0000000000000000")  # unknown id: depends on state
    return 7


def _settled(state: ProxyState, n: int) -> dict[str, Any]:
    """The report once the proxy has checked ``n`` exchanges (checks run after answering)."""
    deadline = monotonic() + 60
    while state.report.exchanges < n:
        assert monotonic() < deadline, f"only {state.report.exchanges} of {n} checked"
        time.sleep(0.01)
    return state.report.as_dict()


class ProxyServer:
    """The proxy app under uvicorn in a thread, with its lifespan (which closes its upstream
    connections), as ``cartesia-fake proxy`` runs it."""

    def __init__(self, state: ProxyState) -> None:
        config = uvicorn.Config(
            create_proxy(state), port=0, log_level="warning", lifespan="on", log_config=None
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ProxyServer:
        self.thread.start()
        deadline = monotonic() + 30
        while not self.server.started:
            assert monotonic() < deadline, "the proxy did not start"
            time.sleep(0.005)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def _run_proxy(upstream: str, record: Path | None = None) -> tuple[ProxyState, ProxyServer]:
    state = ProxyState(upstream, record=record)
    return state, ProxyServer(state)


def test_a_clean_upstream_gives_an_empty_report(upstream: str, tmp_path: Path) -> None:
    state, proxy = _run_proxy(upstream)
    with proxy:
        n = _traffic(proxy.url)
        report = _settled(state, n)
        served = httpx.get(f"{proxy.url}/__proxy__/report").json()
    assert report["deviations"] == []
    assert served["exchanges"] == n
    for rule in ("create.shape_all_fields", "version.unknown", "routes.not_served"):
        assert rule in report["confirmed"]  # predicted by the fake and confirmed
    for rule in ("call.shape", "list.has_more", "create.ordered_results"):
        assert rule in report["confirmed"]  # real answers met their contracts


def test_a_drifting_upstream_is_reported_naming_each_deviation_and_its_rules(
    upstream: str,
) -> None:
    with LiveServer(_drifting(upstream)) as drift:
        state, proxy = _run_proxy(drift.url)
        with proxy:
            n = _traffic(proxy.url)
            report = _settled(state, n)
            markdown = httpx.get(f"{proxy.url}/__proxy__/report?format=markdown").text
    found = {(d["kind"], d["method"], d["route"], tuple(d["rules"])) for d in report["deviations"]}
    assert found == {
        ("status", "POST", "/agents/calls", ("create.shape_all_fields",)),
        ("contract", "GET", "/agents/calls/{call_id}", ("call.shape",)),
        ("contract", "GET", "/agents/calls", ("list.has_more",)),
    }
    [status] = [d for d in report["deviations"] if d["kind"] == "status"]
    assert "answered 422" in status["detail"]
    assert "fake answers 400" in status["detail"]
    assert report["contradicted"] == ["call.shape", "create.shape_all_fields", "list.has_more"]
    assert "| `list.has_more` | `GET /agents/calls` |" in markdown


def test_recordings_replay_clean_and_name_the_rule_that_changed(
    upstream: str, tmp_path: Path
) -> None:
    record = tmp_path / "recording"
    state, proxy = _run_proxy(upstream, record=record)
    with proxy:
        n = _traffic(proxy.url)
        _settled(state, n)
    files = sorted(record.glob("*.json"))
    assert len(files) == n
    for file in files:  # human-readable, keys redacted, ids kept
        text = file.read_text()
        assert SECRET not in text
        data = json.loads(text)
        assert data["tenant"] == "key-1"
    assert "call_" in files[0].read_text()

    same = replay(record, FakeCartesia())
    assert same.differences == [], same.table()
    assert same.exchanges == n

    changed = replay(
        record, FakeCartesia(max_outbound_calls=1)
    )  # the second fake: one rule changed
    assert not changed.ok
    first = changed.differences[0]
    assert (first.seq, first.method, first.route) == (1, "POST", "/agents/calls")
    assert "create.max_items" in first.rules
    assert "create.max_items" in changed.rules()


def test_assert_matches_recording_fails_naming_the_rule(upstream: str, tmp_path: Path) -> None:
    record = tmp_path / "recording"
    state, proxy = _run_proxy(upstream, record=record)
    with proxy:
        _settled(state, _traffic(proxy.url))
    with FakeCartesia() as fake:
        fake.assert_matches_recording(record)
    with (
        FakeCartesia(max_outbound_calls=1) as fake,
        pytest.raises(AssertionError, match=r"create\.max_items"),
    ):
        fake.assert_matches_recording(record)


def test_requests_and_answers_pass_through_unchanged() -> None:
    seen: list[dict[str, Any]] = []

    async def echo(request: Request) -> Response:
        seen.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "headers": dict(request.headers),
                "body": await request.body(),
            }
        )
        return Response(b"\x00raw bytes", 207, headers={"x-upstream": "kept"})

    app = Starlette(routes=[Route("/{path:path}", echo, methods=["POST"])])
    with LiveServer(app) as upstream:
        state, proxy = _run_proxy(upstream.url)
        with proxy:
            answer = httpx.post(
                f"{proxy.url}/agents/calls?x=1&y=%20",
                content=b'{"a": 1,  "b":[2]}',
                headers={"authorization": f"Bearer {SECRET}", "x-custom": "v"},
            )
            _settled(state, 1)
    [got] = seen
    assert (got["method"], got["path"], got["query"]) == ("POST", "/agents/calls", "x=1&y=%20")
    assert got["body"] == b'{"a": 1,  "b":[2]}'  # byte for byte
    assert got["headers"]["authorization"] == f"Bearer {SECRET}"  # the caller's own key
    assert got["headers"]["x-custom"] == "v"
    assert not any(h.startswith("x-forwarded") or h == "via" for h in got["headers"])
    assert (answer.status_code, answer.content) == (207, b"\x00raw bytes")
    assert answer.headers["x-upstream"] == "kept"
    assert SECRET not in json.dumps(state.report.as_dict())
