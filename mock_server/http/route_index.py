"""A dictionary lookup in front of Starlette's router for the API's hot routes.

Starlette tries each route's regular expression in turn and passes the request through two
middlewares on the way. For the API routes with a literal path, or a literal path and one
trailing ``{param}``, a dictionary finds the same endpoint directly; everything else (control
plane, unknown routes, multi-parameter paths) goes to the Starlette app unchanged. Both the
pipeline's endpoint and Starlette's route get the same ``Request``; a property test checks the
index picks the endpoint Starlette's router would.

``answer_now`` runs an indexed route straight through on the caller's thread, for the sync
in-process door (no event loop; ``pipeline.Endpoint.now``).
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.requests import Request
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from mock_server.http.flow import Answered
from mock_server.http.pipeline import Endpoint


class RouteIndex:
    """ASGI app: hot API routes by dictionary, the rest by the wrapped Starlette app."""

    def __init__(self, app: Starlette, routes: Iterable[BaseRoute]) -> None:
        self.app = app
        self.literal: dict[tuple[str, str], Endpoint] = {}
        self.trailing: dict[tuple[str, str], tuple[str, Endpoint]] = {}
        for route in routes:
            if not isinstance(route, Route) or route.methods is None:
                continue
            owner = getattr(route.endpoint, "__self__", None)
            if not isinstance(owner, Endpoint):
                continue  # not a pipeline route: Starlette serves it
            prefix, _, last = route.path.rpartition("/")
            for method in route.methods:
                if "{" not in route.path:
                    self.literal.setdefault((method, route.path), owner)
                elif "{" not in prefix and last.startswith("{") and last.endswith("}"):
                    name = last[1:-1]
                    if ":" not in name:  # only the default str converter: one segment
                        self.trailing.setdefault((method, prefix), (name, owner))

    @property
    def routes(self) -> list[BaseRoute]:
        """Every route, as Starlette routes them (the index is only a shortcut)."""
        return self.app.routes

    @property
    def state(self) -> State:
        return self.app.state

    def pick(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
        """The endpoint and path parameters for ``method path``, if the index serves it."""
        found = self.literal.get((method, path))
        if found is not None:
            return found, {}
        prefix, _, last = path.rpartition("/")
        if not last:
            return None
        hit = self.trailing.get((method, prefix))
        if hit is None:
            return None
        name, endpoint = hit
        return endpoint, {name: last}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            picked = self.pick(scope["method"], scope["path"])
            if picked is not None:
                endpoint, params = picked
                scope["app"] = self
                scope["path_params"] = params
                response = await endpoint.asgi(Request(scope, receive, send))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def answer_now(self, scope: Scope, body: bytes) -> Answered | None:
        """The answer to an indexed route, run on this thread with its whole ``body`` in hand;
        None when the index does not serve the path (the caller runs the app instead)."""
        picked = self._take(scope)
        return None if picked is None else picked.now(Request(scope), body)

    async def answer_soon(self, scope: Scope, body: bytes) -> Answered | None:
        """``answer_now`` on the caller's event loop (a real latency is awaited)."""
        picked = self._take(scope)
        return None if picked is None else await picked.soon(Request(scope), body)

    def _take(self, scope: Scope) -> Endpoint | None:
        picked = self.pick(scope["method"], scope["path"])
        if picked is None:
            return None
        endpoint, params = picked
        scope["app"] = self
        scope["path_params"] = params
        return endpoint
