"""A small, realistic dialer: the kind of code cartesia-fake exists to test.

It places a campaign through ``POST /agents/calls`` in batches, keeps per-destination
failures, and polls Get Call for outcomes. It only needs an httpx client, so tests can hand it
one bound to the fake (in-process or served) or to the real API.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

BATCH = 50


@dataclass
class Contact:
    phone: str
    name: str


@dataclass
class Placed:
    contact: Contact
    call_id: str | None
    error: str | None = None


@dataclass
class Dialer:
    client: httpx.Client
    agent_id: str
    from_number_id: str
    ringing_timeout_seconds: int = 30
    placed: list[Placed] = field(default_factory=list)
    #: A planted bug for the docs: poll without waiting (a busy poller).
    busy_poll: bool = False

    def call_all(self, contacts: list[Contact]) -> list[Placed]:
        """Place one call per contact, in order; failures are kept, not raised."""
        results: list[Placed] = []
        for start in range(0, len(contacts), BATCH):
            chunk = contacts[start : start + BATCH]
            response = self.client.post(
                "/agents/calls",
                json={
                    "from_number_id": self.from_number_id,
                    "agent_id": self.agent_id,
                    "ringing_timeout_seconds": self.ringing_timeout_seconds,
                    "outbound_calls": [
                        {"to_number": c.phone, "dynamic_variables": {"customer_name": c.name}}
                        for c in chunk
                    ],
                },
            )
            response.raise_for_status()
            for contact, item in zip(chunk, response.json()["calls"], strict=True):
                error = item.get("error")
                results.append(
                    Placed(contact, item.get("agent_call_id"), error["code"] if error else None)
                )
        self.placed += results
        return results

    def status(self, call_id: str) -> dict[str, Any]:
        response = self.client.get(f"/agents/calls/{call_id}")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def wait_until_done(
        self, *, poll_seconds: float = 30.0, sleep: Callable[[float], object] = time.sleep
    ) -> None:
        """Poll every placed call until all have ended, ``poll_seconds`` apart (tests pass
        the fake's ``advance`` as ``sleep``, so the wait is virtual)."""
        pending = [p.call_id for p in self.placed if p.call_id is not None]
        while pending:
            pending = [c for c in pending if self.status(c)["status"] in ("created", "started")]
            if pending:
                sleep(0 if self.busy_poll else poll_seconds)

    def outcomes(self) -> dict[str, str]:
        """Phone number -> 'answered', 'no answer', 'busy', 'failed' or 'pending'."""
        out: dict[str, str] = {}
        for placed in self.placed:
            if placed.call_id is None:
                out[placed.contact.phone] = "failed"
                continue
            call = self.status(placed.call_id)
            if call["status"] in ("created", "started"):
                out[placed.contact.phone] = "pending"
            elif call["start_time"] is not None:
                out[placed.contact.phone] = "answered"
            else:
                out[placed.contact.phone] = {
                    "dial_no_answer": "no answer",
                    "dial_busy": "busy",
                }.get(call["end_reason"], "failed")
        return out


@dataclass
class Campaign:
    """A campaign run as one call batch: Cartesia dials the contacts in the background, at
    most ``limit`` at a time; the dialer only creates, watches and stops it."""

    client: httpx.Client
    agent_id: str
    from_number_id: str

    def start(self, name: str, contacts: list[Contact], *, limit: int) -> str:
        response = self.client.post(
            "/agents/calls/batches",
            json={
                "name": name,
                "agent_id": self.agent_id,
                "from_number_id": self.from_number_id,
                "target_concurrency_limit": limit,
                "recipients": [
                    {"to_number": c.phone, "dynamic_variables": {"customer_name": c.name}}
                    for c in contacts
                ],
            },
        )
        response.raise_for_status()
        batch_id: str = response.json()["id"]
        return batch_id

    def progress(self, batch_id: str) -> dict[str, Any]:
        response = self.client.get(f"/agents/calls/batches/{batch_id}")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def stop(self, batch_id: str) -> dict[str, Any]:
        response = self.client.post(f"/agents/calls/batches/{batch_id}/cancel")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body


class AsyncDialer:
    """The async flavour: place one call and wait for it to finish."""

    def __init__(self, client: httpx.AsyncClient, agent_id: str, from_number_id: str) -> None:
        self.client = client
        self.agent_id = agent_id
        self.from_number_id = from_number_id

    async def call(self, phone: str) -> str:
        response = await self.client.post(
            "/agents/calls",
            json={
                "from_number_id": self.from_number_id,
                "agent_id": self.agent_id,
                "outbound_calls": [{"to_number": phone}],
            },
        )
        response.raise_for_status()
        call_id: str = response.json()["calls"][0]["agent_call_id"]
        return call_id
