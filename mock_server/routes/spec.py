"""The route table's row: everything the fake knows about one operation, in one place.

Starlette's routes, the route index and ``/openapi.json`` are all built from these rows, so
the OpenAPI document cannot disagree with what is served.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.routing import BaseRoute, Route

from contracts import Lineage
from mock_server.http.pipeline import Handler, Kind, endpoint
from mock_server.service.core import Service
from mock_server.wire.versions import SHIPPED_WIRE, WireTable


@dataclass(frozen=True, slots=True)
class QueryParam:
    """A query parameter: its JSON Schema, whether required, and the versions that have it
    (from ``since`` up to, not including, ``until``; None: no bound)."""

    name: str
    schema: Mapping[str, Any]
    required: bool = False
    since: str | None = None
    until: str | None = None
    description: str = ""

    def versions(self, lineage: Lineage) -> tuple[str, ...]:
        return lineage.between(self.since, self.until)


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """One operation: method and path, handler, contracts of the request and the 2xx body,
    the success status, and the API versions that serve it (``since`` up to ``until``)."""

    method: str
    path: str
    handler: Handler
    response: str | None
    status: int = 200
    request: str | None = None
    media_type: str = "application/json"
    kind: Kind = "api"
    query: tuple[QueryParam, ...] = field(default=())
    since: str | None = None
    until: str | None = None
    summary: str = ""
    #: A JSON body is read even without a request contract (handlers that check it).
    reads_body: bool = False
    #: May take long (a large batch): when served, runs beside the serving loop.
    may_block: bool = False
    #: Kept in the tenant's request journal (the dashboard's own polls are not).
    journaled: bool = True

    @property
    def needs_body(self) -> bool:
        return self.request is not None or self.reads_body

    def versions(self, lineage: Lineage) -> tuple[str, ...]:
        """The versions of ``lineage`` that serve this operation."""
        return lineage.between(self.since, self.until)


def starlette_routes(
    service: Service, specs: Iterable[RouteSpec], versions: WireTable = SHIPPED_WIRE
) -> list[BaseRoute]:
    return [
        Route(
            spec.path,
            endpoint(
                service,
                spec.handler,
                kind=spec.kind,
                schema=spec.response,
                needs_body=spec.needs_body,
                status=spec.status,
                may_block=spec.may_block,
                template=spec.path,
                journaled=spec.journaled,
                versions=versions,
                served=spec.versions(versions.lineage),
            ).asgi,
            methods=[spec.method],
        )
        for spec in specs
    ]
