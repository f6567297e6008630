"""Floors for the served benchmark: a bare Starlette JSON route and a raw ASGI app."""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_CANNED = b'{"calls":[{"number":"+14155550175","agent_call_id":"call_0000000000000000"}]}'


async def _route(request: Request) -> Response:
    if request.method == "POST":
        json.loads(await request.body())
    return Response(_CANNED, media_type="application/json")


starlette_app = Starlette(
    routes=[
        Route("/agents/calls", _route, methods=["POST"]),
        Route("/agents/calls/{call_id}", _route, methods=["GET"]),
    ]
)


async def raw_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(_CANNED)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _CANNED})
