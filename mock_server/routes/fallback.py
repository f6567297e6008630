"""Unknown routes: an API-shaped 404 naming the method and path, recorded as a problem."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from mock_server.domain.errors import ApiError
from mock_server.http.pipeline import Ctx, Reply, endpoint
from mock_server.service import Problem, Service

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def routes(service: Service) -> list[BaseRoute]:
    def unknown(ctx: Ctx) -> Reply:
        method, path = ctx.request.method, ctx.request.url.path
        service.report(Problem("unknown_route", ctx.tenant.key, f"{method} {path}"))
        raise ApiError(404, "route_not_found", "Not found", f"No route for {method} {path}.")

    return [
        Route("/{path:path}", endpoint(service, unknown, kind="control"), methods=list(_METHODS))
    ]
