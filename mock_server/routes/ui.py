"""The dashboard's routes: the page (public: it shows nothing until a key is given), and,
with a tenant's key like the rest of the control plane, its view, a call's details and the
standalone timeline file. None of them is journaled (the page polls every second)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from contracts import LATEST
from mock_server.domain.reads import dashboard
from mock_server.domain.tenants.tenant import Tenant
from mock_server.http import control_views
from mock_server.http.pipeline import Ctx, Handler, Kind, Reply
from mock_server.routes.spec import RouteSpec, starlette_routes
from mock_server.service.core import Service
from mock_server.ui import page
from mock_server.wire import views
from mock_server.wire.versions import wire

_HTML = "text/html; charset=utf-8"


def details(tenant: Tenant, call_id: str) -> str:
    """A call's details as the dashboard shows them (Get Call in the latest version). Looking
    is not polling: no poll is counted and an auto-advancing clock does not move."""
    with tenant.transaction() as tx:
        call = tenant.call(call_id)
        shown = views.agent_call(tx.view(call), wire(LATEST))
        events = control_views.timeline(call)
    return page.call_detail(shown, events)


def timeline_file(tenants: list[Tenant], title: str) -> str:
    """The standalone timeline document of ``tenants``."""
    shots = []
    for tenant in tenants:
        shot = dashboard.take(tenant)
        shots.append((shot, {c.id: details(tenant, c.id) for c in shot.calls}))
    return page.timeline_file(shots, title)


def live(ctx: Ctx) -> Reply:
    return Reply(page.live().encode(), media_type=_HTML)


def view(ctx: Ctx) -> Reply:
    return Reply(page.view(dashboard.take(ctx.tenant)).encode(), media_type=_HTML)


def call(ctx: Ctx) -> Reply:
    return Reply(details(ctx.tenant, ctx.path_param("call_id")).encode(), media_type=_HTML)


def file(ctx: Ctx) -> Reply:
    return Reply(timeline_file([ctx.tenant], "cartesia-fake timeline").encode(), media_type=_HTML)


def _ui(path: str, handler: Handler, kind: Kind = "control") -> RouteSpec:
    return RouteSpec("GET", path, handler, None, media_type="text/html", kind=kind, journaled=False)


UI_ROUTES: tuple[RouteSpec, ...] = (
    _ui("/__fake__/ui", live, kind="public"),
    _ui("/__fake__/ui/view", view),
    _ui("/__fake__/ui/calls/{call_id}", call),
    _ui("/__fake__/ui/file", file),
)


def routes(service: Service) -> list[BaseRoute]:
    return starlette_routes(service, UI_ROUTES)
