"""What a route's endpoint was built with: its handler, its contract, its versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mock_server.http.context import Handler
from mock_server.service.core import Service
from mock_server.wire.versions import WireTable

#: api: the Cartesia API (versioned, budgeted, faults apply); control: ``/__fake__``;
#: public: no key needed (the OpenAPI documents, the versions page).
Kind = Literal["api", "control", "public"]


@dataclass(frozen=True, slots=True)
class RouteInfo:
    """One route as the pipeline runs it."""

    service: Service
    handler: Handler
    kind: Kind
    #: The route reads a body (a request contract, or a handler that parses one).
    needs_body: bool
    #: The contract of its 2xx body (as the request's API version defines it).
    schema: str | None
    #: Its success status.
    status: int
    #: May take long (a large batch): when served, runs beside the serving loop.
    may_block: bool
    #: Its path template (faults match by it).
    template: str | None
    #: Kept in the tenant's request journal.
    journaled: bool
    #: The lineage on the wire, and the versions that have the route.
    versions: WireTable
    served: frozenset[str]
