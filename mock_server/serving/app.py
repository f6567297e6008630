"""create_app: one ASGI app for every door (in-process transports and the live server)."""

from __future__ import annotations

from starlette.applications import Starlette

from mock_server.http.route_index import RouteIndex
from mock_server.routes import api, control, fallback, ui
from mock_server.service.core import Service
from mock_server.wire.versions import SHIPPED_WIRE, WireTable


def create_app(service: Service, versions: WireTable = SHIPPED_WIRE) -> RouteIndex:
    """The ASGI app over ``service``: Starlette routes, API routes looked up by dictionary,
    serving the versions of ``versions`` (the shipped lineage unless a test declares its own).

    State is built here, never in lifespan.
    """
    api_routes = api.routes(service, versions)
    known = [*api_routes, *control.routes(service), *ui.routes(service)]
    app = Starlette(routes=[*known, *fallback.routes(service, known)])
    app.state.service = service
    return RouteIndex(app, api_routes)
