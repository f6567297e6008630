"""``Idempotency-Key`` on ``POST /agents/calls``, honoured only when a test asks for it.

The real API documents no such header, so by default it is ignored (with a journal warning).
With the knob ``honour_idempotency_key``, a retry that carries the key of an earlier request
with the same body gets that request's results again and dials nobody; the same key with
another body is a 400. Keys are kept per tenant, newest ``MAX_KEYS``.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import TYPE_CHECKING

from mock_server.domain.calls.readmodels import Placement
from mock_server.domain.errors import bad_request

if TYPE_CHECKING:
    from mock_server.domain.calls.outbound import ItemResult
    from mock_server.domain.commands import PlaceCalls
    from mock_server.domain.tenants.tenant import Tenant

MAX_KEYS = 10_000


class IdempotencyKeys:
    """key -> (the body's fingerprint, the results it got), newest last, bounded."""

    def __init__(self) -> None:
        self._seen: OrderedDict[str, tuple[str, list[ItemResult]]] = OrderedDict()

    def get(self, key: str) -> tuple[str, list[ItemResult]] | None:
        return self._seen.get(key)

    def put(self, key: str, fingerprint: str, results: list[ItemResult]) -> None:
        self._seen[key] = (fingerprint, results)
        while len(self._seen) > MAX_KEYS:
            self._seen.popitem(last=False)


def fingerprint(command: PlaceCalls) -> str:
    return hashlib.sha256(json.dumps(command.record(), sort_keys=True).encode()).hexdigest()


def create_once(tenant: Tenant, command: PlaceCalls, *, key: str) -> tuple[Placement, bool]:
    """Create the calls unless ``key`` was used before: (what was decided, whether the
    results are a replay of the earlier request's)."""
    digest = fingerprint(command)
    with tenant.transaction() as tx:
        world = tx.world
        seen = world.idempotency.get(key)
        if seen is not None:
            if seen[0] != digest:
                raise bad_request(
                    f"Idempotency-Key {key!r} was used with another body; use a new key for a "
                    "new request (knob honour_idempotency_key).",
                    code="idempotency_key_reused",
                )
            number = world.numbers.get(command.from_number_id)
            provider = number.provider if number is not None else "cartesia"
            return Placement(seen[1], [], provider, False), True
        placed = tenant.create_outbound(command, idempotency_key=key)
        world.idempotency.put(key, digest, placed.results)
        return placed, False
