"""The proxy's parts without a socket: route matching, pseudonyms, the recording format,
the decision when the fake's answer predicts the real one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_server.proxy import bodies
from mock_server.recordings import checks, exchange


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("GET", "/agents/calls/batches", "/agents/calls/batches"),
        ("GET", "/agents/calls/call_abc", "/agents/calls/{call_id}"),
        ("POST", "/agents/calls/call_abc/cancel", "/agents/calls/{call_id}/cancel"),
        ("GET", "/agents/agent_x/phone-numbers", "/agents/{agent_id}/phone-numbers"),
        ("GET", "/", "/"),
        ("GET", "/agents/templates", "/agents/{agent_id}"),  # served path shape, unknown id
        ("PUT", "/agents/calls", None),
        ("GET", "/nothing/here/at/all", None),
    ],
)
def test_route_of_picks_the_most_literal_template(
    method: str, path: str, template: str | None
) -> None:
    spec = checks.route_of(method, path, "2026-08-14")
    assert (spec.path if spec else None) == template


def test_keys_become_pseudonyms_and_only_pseudonyms_are_written(tmp_path: Path) -> None:
    names = exchange.Pseudonyms()
    assert names.of({"authorization": "Bearer sk_one"}) == "key-1"
    assert names.of({"x-api-key": "sk_two"}) == "key-2"
    assert names.of({"authorization": "bearer   sk_one "}) == "key-1"
    assert names.of({}) is None
    made = exchange.make(
        seq=7,
        at=1.5,
        tenant="key-1",
        method="POST",
        path="/agents/calls",
        query="a=1",
        request_headers={
            "authorization": "Bearer sk_one",
            "cartesia-version": "2026-08-14",
            "content-type": "application/json",
        },
        request_raw=b'{"agent_id": "agent_x"}',
        status=200,
        response_headers={"content-type": "application/json", "set-cookie": "s=1"},
        response_raw=b'{"calls": []}',
    )
    path = exchange.write(tmp_path, made)
    assert path.name == "000007-POST-agents-calls.json"
    text = path.read_text()
    assert "sk_one" not in text
    assert "set-cookie" not in text
    data = json.loads(text)
    assert data["request"]["body"] == {"agent_id": "agent_x"}
    assert data["request"]["headers"] == {
        "cartesia-version": "2026-08-14",
        "content-type": "application/json",
    }
    assert list(exchange.read_all(tmp_path)) == [made]


def test_a_recording_that_is_not_one_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="holds no recorded exchanges"):
        list(exchange.read_all(tmp_path))
    (tmp_path / "000001-x.json").write_text('{"format": "something else"}')
    with pytest.raises(ValueError, match=r"000001-x\.json"):
        list(exchange.read_all(tmp_path))


def _ex(status: int, body: object) -> exchange.Exchange:
    return exchange.Exchange(
        seq=1,
        at=0.0,
        tenant="key-1",
        method="POST",
        path="/agents/calls",
        query="",
        request_headers={"cartesia-version": "2026-08-14"},
        request_body={"outbound_calls": "x"},
        status=status,
        response_headers={"content-type": "application/json"},
        response_body=body,
    )


def test_only_a_stateless_answer_of_the_fake_is_compared() -> None:
    real = {"error_code": "invalid_request_body", "title": "t", "message": "m", "request_id": "r"}
    agree = checks.Verdict()
    checks.compare_with_fake(_ex(400, real), (400, real), agree)
    assert agree.findings == []
    assert "create.shape_all_fields" in agree.confirmed
    differ = checks.Verdict()
    checks.compare_with_fake(_ex(422, real), (400, real), differ)
    [finding] = differ.findings
    assert finding.kind == "status"
    assert "create.shape_all_fields" in finding.rules
    stateful = checks.Verdict()  # the fake's 404 for an unknown agent depends on its state
    unknown = {**real, "error_code": "agent_not_found"}
    checks.compare_with_fake(_ex(200, {"calls": []}), (404, unknown), stateful)
    assert (stateful.findings, stateful.confirmed) == ([], [])


def test_a_check_that_breaks_is_counted_and_reported(tmp_path: Path) -> None:
    import asyncio

    from starlette.requests import Request

    from mock_server.proxy import app

    class Broken(app.ProxyState):
        async def scratch(self) -> Any:
            raise RuntimeError("scratch fake unavailable")

    state = Broken("http://upstream.invalid", record=tmp_path / "r")
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/agents",
        "query_string": b"",
        "headers": [(b"x-api-key", b"sk_k")],
    }

    body = bodies.Kept(1 << 20)
    body.add(b'{"summaries": []}')
    asyncio.run(
        app._observe(state, Request(scope), b"", 200, {"content-type": "application/json"}, body)
    )
    [(finding, count)] = state.report.findings.items()
    assert (finding.kind, count) == ("unchecked", 1)
    assert "scratch fake unavailable" in finding.detail
    assert state.report.exchanges == 1


def test_a_deviation_names_the_exact_rule_the_fake_relied_on() -> None:
    """An out-of-range ringing_timeout_seconds the real API accepted is create.ringing_timeout,
    not every rule that can give invalid_request_body."""
    from mock_server import FakeCartesia

    body = {
        "agent_id": FakeCartesia.agent_id,
        "from_number_id": FakeCartesia.from_number_id,
        "ringing_timeout_seconds": 500,
        "outbound_calls": [{"to_number": "+14155550100"}],
    }
    with FakeCartesia() as fake:
        answer = fake.client(api_key="k").post("/agents/calls", json=body)
        relied = fake.requests(api_key="k")[-1].rules
    accepted = _ex(200, {"calls": []})
    verdict = checks.Verdict()
    checks.compare_with_fake(accepted, (answer.status_code, answer.json(), relied), verdict)
    [finding] = verdict.findings
    assert finding.rules == ("create.ringing_timeout",)
