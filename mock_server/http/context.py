"""What a route handler sees and answers: ``Ctx`` (the request, its tenant, the parsed body,
the version) and ``Reply`` (the body and its contract)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from mock_server.domain.tenants.tenant import Tenant
from mock_server.service.core import Service
from mock_server.wire.versions import SHIPPED_WIRE, WireTable, WireVersion, wire

#: Where a handler leaves a one-line summary of the request body for the journal.
SUMMARY_KEY = "cartesia_fake.body_summary"

#: Where the pipeline leaves the request's raw body for the journal.
RAW_BODY_KEY = "cartesia_fake.raw_body"


@dataclass(slots=True)
class Reply:
    """What a handler answers: status, a JSON-able body or raw bytes, and its contract."""

    body: Any
    status: int | None = None  # None: the route's documented success status
    schema: str | None = None
    media_type: str = "application/json"
    #: For a body already rendered to bytes: what its contract check sees instead.
    check: Any = None


@dataclass(slots=True)
class Ctx:
    """What a handler sees: the request, its tenant (None on public routes) and parsed body."""

    request: Request
    maybe_tenant: Tenant | None
    service: Service
    body: Any = None
    warnings: list[str] = field(default_factory=list)
    has_body: bool = False
    #: Ledger rules this answer relied on (see ``ledger.py``; strict mode reads them).
    rules: list[str] = field(default_factory=list)
    #: The API version the request asked for (the latest on routes without a version).
    version: WireVersion = field(default_factory=lambda: wire(None))
    #: Every version the app serves (the lineage on the wire).
    versions: WireTable = SHIPPED_WIRE

    def rely(self, *rule_ids: str) -> None:
        """Note that the answer depends on these ledger rules."""
        self.rules.extend(rule_ids)

    def summarize(self, text: str) -> None:
        """A one-line description of the body, kept in the request journal."""
        self.request.scope[SUMMARY_KEY] = text

    @property
    def tenant(self) -> Tenant:
        assert self.maybe_tenant is not None, "public routes have no tenant"
        return self.maybe_tenant

    def query(self) -> Mapping[str, str]:
        return self.request.query_params

    def path_param(self, name: str) -> str:
        return str(self.request.path_params[name])


Handler = Callable[[Ctx], Reply]
