"""The fast lane picks exactly the endpoint, and path parameters, that Starlette's router would."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st
from starlette.routing import Match, Route

from mock_server import FakeCartesia

SEGMENTS = st.one_of(
    st.sampled_from(
        ["agents", "calls", "phone-numbers", "webhooks", "audio", "cancel", "", "__fake__"]
    ),
    st.text(alphabet="abcdefghij_-.%:~", min_size=1, max_size=8),
)
METHODS = st.sampled_from(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])

_FAKE = FakeCartesia()
_TEMPLATES = sorted({r.path for r in _FAKE.app.routes if isinstance(r, Route)})


@st.composite
def paths(draw: st.DrawFn) -> str:
    """Route templates with their parameters filled by words or by other routes' words."""
    if draw(st.booleans()):
        return "/" + "/".join(draw(st.lists(SEGMENTS, max_size=4)))
    template = draw(st.sampled_from(_TEMPLATES))
    parts = [draw(SEGMENTS) if part.startswith("{") else part for part in template.split("/")]
    extra = draw(st.lists(SEGMENTS, max_size=1))
    return "/".join(parts + extra)


def _starlette_choice(method: str, path: str) -> tuple[object, dict[str, str]] | None:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in _FAKE.app.routes:
        match, child = route.matches(scope)
        if match is Match.FULL:
            assert isinstance(route, Route)
            # the pipeline endpoint behind the route (Starlette holds its bound ``asgi``)
            return getattr(route.endpoint, "__self__", route.endpoint), dict(
                child.get("path_params", {})
            )
    return None


@given(METHODS, paths())
def test_lane_agrees_with_the_router(method: str, path: str) -> None:
    picked = _FAKE.app.pick(method, path)
    if picked is None:
        return  # the lane passes it on to Starlette itself
    assert picked == _starlette_choice(method, path), f"{method} {path}"


def test_lane_agrees_on_every_route_with_route_words_as_parameters() -> None:
    """Exhaustive over methods, templates and fillers: where routes overlap is where it counts."""
    words = ["calls", "agents", "webhooks", "phone-numbers", "audio", "cancel", "x"]
    checked = 0
    for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]:
        for template in _TEMPLATES:
            for tail in ["", "/x"]:
                parts = template.split("/")
                slots = [i for i, part in enumerate(parts) if part.startswith("{")]
                for fill in itertools.product(words, repeat=len(slots)):
                    for i, word in zip(slots, fill, strict=True):
                        parts[i] = word
                    path = "/".join(parts) + tail
                    picked = _FAKE.app.pick(method, path)
                    if picked is not None:
                        assert picked == _starlette_choice(method, path), f"{method} {path}"
                        checked += 1
    assert checked > 50


def test_lane_serves_the_hot_routes() -> None:
    lane = _FAKE.app
    assert lane.pick("POST", "/agents/calls") is not None
    endpoint, params = lane.pick("GET", "/agents/calls/call_123") or (None, None)
    assert params == {"call_id": "call_123"}
    assert endpoint == _starlette_choice("GET", "/agents/calls/call_123")[0]  # type: ignore[index]
    # multi-parameter paths, the control plane and unknown routes stay with Starlette
    assert lane.pick("GET", "/agents/calls/call_123/audio") is None
    assert lane.pick("GET", "/__fake__/clock") is None
    assert lane.pick("GET", "/nope/nope/nope") is None


def test_the_head_reads_each_header_once_as_starlette_would() -> None:
    from starlette.requests import Request

    from mock_server.http.head import head_of

    raw = [
        (b"authorization", b"Bearer first"),
        (b"cartesia-version", b"2026-03-01"),
        (b"authorization", b"Bearer second"),
        (b"content-type", b"application/json"),
        (b"cartesia-version", b"2025-04-16, 2026-08-14"),
        (b"user-agent", b"x"),
    ]
    request = Request({"type": "http", "headers": raw})
    head = head_of(request)
    assert head.authorization == request.headers.get("authorization") == "Bearer first"
    assert head.versions == request.headers.getlist("cartesia-version")
    assert head.content_type == "application/json"
    assert head.x_api_key is None
    assert head.idempotency_key is None
    assert head_of(request) is head  # read once, kept in the scope
