"""Sending webhook deliveries: POST with ``X-Webhook-Secret``, on the bridge loop."""

from __future__ import annotations

from dataclasses import dataclass, field

from mock_server.bridge.loop import BridgeLoop
from mock_server.domain.webhooks.outbox import Delivery
from mock_server.wire.codec import json_bytes
from mock_server.wire.versions import wire
from mock_server.wire.views import webhook_payload


@dataclass
class WebhookSender:
    """Delivers one webhook and says whether the receiver took it (2xx)."""

    loop: BridgeLoop = field(default_factory=BridgeLoop)
    timeout: float = 5.0
    #: The API version whose shapes the payloads use (knob ``webhook_api_version``).
    api_version: str | None = None

    def __call__(self, delivery: Delivery) -> tuple[bool, str]:
        try:
            return self.loop.run(self._post(delivery), timeout=self.timeout + 1)
        except TimeoutError:
            return False, "timed out"
        except Exception as exc:  # a sender failure is a failed attempt, never a crash
            return False, f"{type(exc).__name__}: {exc}"[:200]

    async def _post(self, delivery: Delivery) -> tuple[bool, str]:
        import httpx  # here, not at the top: the served fake starts faster without it

        headers = {
            "content-type": "application/json",
            "x-webhook-secret": delivery.secret,
            "user-agent": "cartesia-fake-webhooks",
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    delivery.url,
                    headers=headers,
                    content=json_bytes(webhook_payload(delivery, wire(self.api_version))),
                )
        except httpx.HTTPError as exc:
            return False, f"{type(exc).__name__}: {exc}"[:200]
        return 200 <= response.status_code < 300, str(response.status_code)
