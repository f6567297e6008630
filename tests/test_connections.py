"""Bounded connections on a served fake, through real sockets: an oversize request line or
head is refused (414, 431), a head or body that never arrives is timed out (408, close), and
the server goes on serving everyone else (knobs in ledger serve.*)."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import httpx
import pytest

from mock_server import FakeCartesia

pytestmark = pytest.mark.slow

HEADERS = {"authorization": "Bearer k", "cartesia-version": "2026-08-14"}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with FakeCartesia(
        header_timeout_seconds=0.5, body_timeout_seconds=0.5, max_header_bytes=16_384
    ) as fake:
        yield fake.serve().url


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=20)


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _still_serving(url: str) -> None:
    r = httpx.get(
        f"{url}/agents/calls", params={"agent_id": FakeCartesia.agent_id}, headers=HEADERS
    )
    assert r.status_code == 200


def test_a_connection_that_sends_nothing_is_answered_408_and_closed(url: str) -> None:
    with _connect(url) as sock:
        reply = _read_all(sock)
    assert reply.startswith(b"HTTP/1.1 408 ")
    assert b"did not arrive in time" in reply
    _still_serving(url)


def test_a_dribbled_head_is_timed_out_as_a_whole(url: str) -> None:
    with _connect(url) as sock:
        sock.sendall(b"GET /agents/calls HTTP/1.1\r\n")
        sock.sendall(b"Host: x\r\n")  # each line arrives, the head never ends
        reply = _read_all(sock)
    assert reply.startswith(b"HTTP/1.1 408 ")


def test_a_stalled_body_closes_the_connection(url: str) -> None:
    with _connect(url) as sock:
        sock.sendall(
            b"POST /agents/calls HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
            b"Cartesia-Version: 2026-08-14\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"from'
        )
        assert _read_all(sock) == b""  # closed without an answer: the client went away
    _still_serving(url)


@pytest.mark.parametrize(
    ("request_head", "status", "knob"),
    [
        (b"GET /agents/calls?" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, b"line"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: " + b"u" * 20_000 + b"\r\n\r\n", 431, b"head"),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(3000)),
            431,
            b"head",
        ),
    ],
    ids=["long-target", "huge-header", "many-headers"],
)
def test_oversize_heads_are_refused_and_the_server_goes_on(
    url: str, request_head: bytes, status: int, knob: bytes
) -> None:
    with _connect(url) as sock:
        # the server may answer and close before the whole head is sent
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request_head)
        reply = _read_all(sock)
    assert reply.startswith(b"HTTP/1.1 %d " % status), reply[:80]
    assert b"knob" in reply
    _still_serving(url)


def test_a_huge_header_is_refused_while_it_arrives(url: str) -> None:
    """A 4 MB header is answered 431 as soon as the bound is passed (the rest is discarded,
    never buffered)."""
    with _connect(url) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: ")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(64):
                sock.sendall(b"u" * 65_536)
        reply = _read_all(sock)
    assert reply.startswith(b"HTTP/1.1 431 ")
    _still_serving(url)


def test_a_whole_request_in_one_packet_is_served(url: str) -> None:
    """The timers never touch a request that arrives whole (and keep-alive still works)."""
    with _connect(url) as sock:
        request = (
            b"GET /agents/calls?agent_id=" + FakeCartesia.agent_id.encode() + b" HTTP/1.1\r\n"
            b"Host: x\r\nAuthorization: Bearer k\r\nCartesia-Version: 2026-08-14\r\n\r\n"
        )
        for _ in range(2):
            sock.sendall(request)
            reply = sock.recv(65536)
            assert reply.startswith(b"HTTP/1.1 200 ")


def test_idle_connections_make_room_near_the_connection_cap() -> None:
    """A crowd of idle connections (opened and silent, or kept alive after a request) at
    the cap no longer turns every tenant away with 503: the oldest idle ones are closed."""
    from tests.test_cli import Served

    served = Served("--quiet", "--max-connections", "20")
    crowd: list[socket.socket] = []
    try:
        kept_alive = httpx.Client(headers=HEADERS)  # one that has been served, then idles
        assert kept_alive.get(f"{served.url}/agents").status_code == 200
        crowd = [_connect(served.url) for _ in range(19)]  # silent ones
        for _ in range(3):
            r = httpx.get(
                f"{served.url}/agents/calls",
                params={"agent_id": FakeCartesia.agent_id},
                headers=HEADERS,
            )
            assert r.status_code == 200, r.text
        closed = 0
        for sock in crowd:  # the oldest idle ones were let go
            sock.settimeout(0.3)
            with contextlib.suppress(OSError):
                if sock.recv(1) == b"":
                    closed += 1
        assert closed >= 2
        kept_alive.close()
    finally:
        for sock in crowd:
            sock.close()
        served.stop()
