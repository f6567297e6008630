"""create_app: one Starlette app for every door (in-process transports and the live server)."""

from __future__ import annotations

from starlette.applications import Starlette

from mock_server.routes import api, control, fallback
from mock_server.service import Service


def create_app(service: Service) -> Starlette:
    """The ASGI app over ``service``. State is built here, never in lifespan."""
    known = [*api.routes(service), *control.routes(service)]
    app = Starlette(routes=[*known, *fallback.routes(service, known)])
    app.state.service = service
    return app
