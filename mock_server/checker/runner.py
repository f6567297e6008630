"""Running probes against a target and the in-process fake, politely."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from contracts.probes import Probe
from mock_server.domain.timing.clock import monotonic
from mock_server.kit.facade import FakeCartesia
from mock_server.recordings.compare import diff, normalise

Verdict = Literal["match", "differs", "error"]


@dataclass
class Outcome:
    probe: Probe
    verdict: Verdict
    target: dict[str, Any] | None = None
    reference: dict[str, Any] | None = None
    differences: list[str] = field(default_factory=list)
    detail: str = ""


class Sender:
    """Sends probes to one base URL (or in-process transport), pacing and honouring
    Retry-After on 429."""

    def __init__(
        self,
        client: httpx.Client,
        api_key: str,
        *,
        interval: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.api_key = api_key
        self.interval = interval
        self._sleep = sleep
        self._last = 0.0

    def send(
        self, probe: Probe, *, path: str | None = None, body: Any = None, method: str | None = None
    ) -> httpx.Response:
        headers: dict[str, str] = {}
        if probe.auth:
            headers["authorization"] = probe.auth_header or f"Bearer {self.api_key}"
        if probe.version is not None:
            headers["cartesia-version"] = probe.version
        content = probe.content() if body is None else None
        json_body = body
        if content is not None or json_body is not None:
            headers["content-type"] = "application/json"
        for attempt in range(4):
            wait = self._last + self.interval - monotonic()
            if wait > 0:
                self._sleep(wait)
            self._last = monotonic()
            response = self.client.request(
                method or probe.method,
                path or probe.path,
                headers=headers,
                params=dict(probe.query),
                content=content,
                json=json_body,
            )
            if response.status_code != 429 or attempt == 3:
                return response
            retry_after = response.headers.get("retry-after", "1")
            try:
                delay = min(max(float(retry_after), 0.0), 30.0)
            except ValueError:
                delay = 1.0
            self._sleep(delay)
        raise AssertionError("unreachable")


def compare(probe: Probe, target: Sender, reference: Sender) -> Outcome:
    """Send ``probe`` to both and compare the normalised answers."""
    try:
        got = normalise(target.send(probe))
    except httpx.HTTPError as exc:
        return Outcome(probe, "error", detail=f"{type(exc).__name__}: {exc}")
    want = normalise(reference.send(probe))
    differences = diff(got, want)
    return Outcome(probe, "differs" if differences else "match", got, want, differences)


def place_and_cancel(
    probe: Probe, target: Sender, reference: Sender, fake: FakeCartesia
) -> Outcome:
    """Tier 1: create one call, wait until it is answered (or ends), cancel it, read it."""

    def run(sender: Sender, wait: Callable[[str], None]) -> dict[str, Any]:
        created = sender.send(probe)
        result: dict[str, Any] = {"create": normalise(created)}
        items = created.json().get("calls", []) if created.status_code == 200 else []
        call_id = items[0].get("agent_call_id") if items else None
        if call_id:
            wait(call_id)
            cancel = sender.send(probe, method="POST", path=f"/agents/calls/{call_id}/cancel")
            result["cancel"] = normalise(cancel)
            final = sender.send(probe, method="GET", path=f"/agents/calls/{call_id}")
            result["final"] = normalise(final)
        return result

    def wait_live(call_id: str) -> None:
        deadline = monotonic() + 90
        while monotonic() < deadline:
            r = target.send(probe, method="GET", path=f"/agents/calls/{call_id}")
            if r.status_code != 200 or r.json().get("status") != "created":
                return
            time.sleep(1.0)

    def wait_fake(call_id: str) -> None:
        fake.wait_for_status(
            call_id, "started", "completed", "failed", within=120, api_key=reference.api_key
        )

    try:
        got = run(target, wait_live)
    except (httpx.HTTPError, ValueError) as exc:
        return Outcome(probe, "error", detail=f"{type(exc).__name__}: {exc}")
    want = run(reference, wait_fake)
    differences = diff(got, want)
    return Outcome(probe, "differs" if differences else "match", got, want, differences)
