"""Unknown routes: an API-shaped 404 naming the method and path (405 with Allow when the path
exists with other methods), recorded as a problem so tests fail on them."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Match, Route

from mock_server.domain.errors import ApiError, method_not_allowed
from mock_server.http.pipeline import Ctx, Reply, endpoint
from mock_server.service.core import Problem, Service

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def routes(service: Service, known: Sequence[BaseRoute]) -> list[BaseRoute]:
    def unknown(ctx: Ctx) -> Reply:
        method, path = ctx.request.method, ctx.request.url.path
        matching = [
            route
            for route in known
            if isinstance(route, Route) and route.matches(ctx.request.scope)[0] is Match.PARTIAL
        ]
        # A literal path (/agents/calls) wins over a template that also matches it
        # (/agents/{agent_id}): only the literal route's methods are allowed there.
        literal = [route for route in matching if route.path == path]
        allowed = sorted({m for route in literal or matching for m in route.methods or ()})
        service.report(Problem("unknown_route", ctx.tenant.key, f"{method} {path}"))
        if allowed:
            raise method_not_allowed(method, path, allowed)
        raise ApiError(404, "route_not_found", "Not found", f"No route for {method} {path}.")

    return [
        Route(
            "/{path:path}", endpoint(service, unknown, kind="control").asgi, methods=list(_METHODS)
        )
    ]
