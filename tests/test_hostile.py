"""A corpus of hostile inputs against the live server: each gets a structured 4xx (or a clean
answer), never a 5xx, a hang or a dead server."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from contracts import validate
from mock_server import FakeCartesia
from tests.conftest import world_of

KEY = "sk_hostile"
HEADERS = {
    "authorization": f"Bearer {KEY}",
    "cartesia-version": "2026-03-01",
    "content-type": "application/json",
}
GOOD = {
    "from_number_id": FakeCartesia.from_number_id,
    "agent_id": FakeCartesia.agent_id,
    "outbound_calls": [{"to_number": "+14155550100"}],
}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeCartesia, str]]:
    fake = FakeCartesia(real_latency=True)
    url = fake.serve().url
    yield fake, url
    fake.close()
    assert not [p for p in fake.problems() if p.kind == "exception"]


def _still_serving(url: str) -> None:
    r = httpx.post(f"{url}/agents/calls", json=GOOD, headers=HEADERS, timeout=5)
    assert r.status_code == 200


BODIES = {
    "non_utf8": b'{"a": "\xff\xfe"}',
    "utf16": json.dumps(GOOD).encode("utf-16"),
    "utf32": json.dumps(GOOD).encode("utf-32"),
    "nan": b'{"from_number_id": NaN}',
    "infinity": b'{"x": [Infinity, -Infinity]}',
    "deep_10000": b"[" * 10_000 + b"]" * 10_000,
    "deep_objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "oversize": b'{"a": "' + b"x" * (2 * 1024 * 1024) + b'"}',
    "huge_int": b'{"ringing_timeout_seconds": ' + b"9" * 100_000 + b"}",
    "huge_exponent": b'{"ringing_timeout_seconds": 1e999999}',
    "duplicate_keys": b'{"agent_id": "a", "agent_id": "b"}',
    "nul_bytes": b'{"a": "\x00"}',
    "control_chars": b'{"a": "\x01\x02"}',
    "lone_surrogate": b'{"agent_id": "\\ud800"}',
    "empty": b"",
    "whitespace": b"   \n  ",
    "not_object": b"[]",
    "number": b"42",
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_hostile_bodies(server: tuple[FakeCartesia, str], name: str) -> None:
    _, url = server
    r = httpx.post(f"{url}/agents/calls", content=BODIES[name], headers=HEADERS, timeout=30)
    assert 400 <= r.status_code < 500, (name, r.status_code, r.text[:200])
    validate("error", r.json())
    _still_serving(url)


@pytest.mark.parametrize(
    "ctype",
    ["text/plain", "application/xml", "multipart/form-data", "application/x-www-form-urlencoded"],
)
def test_wrong_content_types(server: tuple[FakeCartesia, str], ctype: str) -> None:
    _, url = server
    r = httpx.post(
        f"{url}/agents/calls", content=json.dumps(GOOD), headers={**HEADERS, "content-type": ctype}
    )
    assert r.status_code == 400
    assert r.json()["error_code"] == "unsupported_content_type"


@pytest.mark.parametrize(
    "path",
    [
        "/agents/calls/..%2F..%2Fetc%2Fpasswd",
        "/agents/calls/%00",
        "/agents/calls/%0d%0aX-Evil:1",
        "/agents/calls/" + "a" * 5000,
        "/agents/calls/%ff%fe",
        "/agents/calls/call_%E2%80%AE",
        "/agents/../__fake__/reset",
        "/agents/calls/call_x/../../__fake__/clock",
    ],
)
def test_hostile_ids_and_paths(server: tuple[FakeCartesia, str], path: str) -> None:
    _, url = server
    r = httpx.get(f"{url}{path}", headers=HEADERS)
    assert r.status_code in (400, 404, 405), (path, r.status_code)
    validate("error", r.json())
    _still_serving(url)


def test_thousands_of_query_parameters(server: tuple[FakeCartesia, str]) -> None:
    _, url = server
    params = [("agent_id", FakeCartesia.agent_id)] + [(f"p{i}", "x") for i in range(600)]
    r = httpx.get(f"{url}/agents/calls", params=params, headers=HEADERS)
    assert r.status_code == 200  # unknown parameters are ignored
    r = httpx.get(
        f"{url}/agents/calls", params=[("limit", str(i)) for i in range(500)], headers=HEADERS
    )
    assert r.status_code == 400
    # beyond the request-line bound (knob max_request_line_bytes): 414, and the server goes on
    params = [("agent_id", FakeCartesia.agent_id)] + [(f"p{i}", "x") for i in range(3000)]
    r = httpx.get(f"{url}/agents/calls", params=params, headers=HEADERS)
    assert r.status_code == 414
    assert "max_request_line_bytes" in r.text
    _still_serving(url)


@pytest.mark.parametrize("header", ["authorization", "cartesia-version", "x-api-key", "x-anything"])
def test_oversize_headers(server: tuple[FakeCartesia, str], header: str) -> None:
    _, url = server
    value = "Bearer " + "k" * 60_000 if header == "authorization" else "v" * 60_000
    try:
        r = httpx.get(f"{url}/agents/calls/call_x", headers={**HEADERS, header: value})
    except httpx.RemoteProtocolError:
        pass  # the HTTP parser may refuse the request outright; that is not a crash
    else:
        assert 400 <= r.status_code < 500 or r.status_code == 404
        if r.headers.get("content-type", "").startswith("application/json"):
            validate("error", r.json())
    _still_serving(url)


def _raw(url: str, data: bytes, *, pause: float = 0.0, read: bool = True) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        for i in range(0, len(data), 7 if pause else len(data)):
            sock.sendall(data[i : i + (7 if pause else len(data))])
            if pause:
                time.sleep(pause)
        if not read:
            return b""
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def _request(body: bytes, length: int | None = None) -> bytes:
    head = (
        f"POST /agents/calls HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
        f"Cartesia-Version: 2026-03-01\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def test_slow_body_is_served(server: tuple[FakeCartesia, str]) -> None:
    _, url = server
    answer = _raw(url, _request(json.dumps(GOOD).encode()), pause=0.01)
    assert answer.startswith(b"HTTP/1.1 200")


def test_partial_body_then_close_loses_nothing_and_hurts_nothing(
    server: tuple[FakeCartesia, str],
) -> None:
    fake, url = server
    before = len(world_of(fake.tenant(KEY)).calls)
    _raw(url, _request(json.dumps(GOOD).encode()[:20], length=500))
    assert len(world_of(fake.tenant(KEY)).calls) == before  # nothing half-created
    _still_serving(url)


def test_garbage_request_line(server: tuple[FakeCartesia, str]) -> None:
    _, url = server
    answer = _raw(url, b"\x16\x03\x01\x02\x00GARBAGE\r\n\r\n")
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4")
    _still_serving(url)
