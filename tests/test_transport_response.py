"""The in-process transports' prefilled responses look exactly like ``Response(content=...)``."""

from __future__ import annotations

import httpx
import pytest

from mock_server import FakeCartesia, transports

HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"11")]
BODY = b'{"ok":true}'  # 11 bytes


def _observable(r: httpx.Response) -> tuple[object, ...]:
    return (
        r.status_code,
        list(r.headers.raw),
        r.content,
        r.text,
        r.read(),
        b"".join(r.iter_bytes()),
        r.is_closed,
        r.is_stream_consumed,
        r.request.url,
    )


def test_prefilled_equals_a_read_plain_response() -> None:
    request = httpx.Request("GET", "https://api.cartesia.ai/x")
    plain = httpx.Response(200, headers=HEADERS, content=BODY, request=request)
    assert transports._PREFILL, "this httpx should support the prefilled fast path"
    assert _observable(transports._prefilled(200, HEADERS, BODY, request)) == _observable(plain)


def test_the_plain_path_still_serves_when_prefill_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transports, "_PREFILL", False)
    with FakeCartesia() as fake:
        r = fake.client().get("/agents/calls", params={"agent_id": fake.agent_id})
        assert r.status_code == 200
        assert r.json() == {"data": [], "next_page": None, "has_more": False}
