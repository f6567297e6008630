"""Query parameters shared by the list routes: their OpenAPI rows and their parsing."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams

from mock_server.domain.errors import bad_request
from mock_server.http.pipeline import Ctx
from mock_server.routes.spec import QueryParam
from mock_server.wire.versions import WireVersion

LIMIT = QueryParam("limit", {"type": "integer", "minimum": 1, "maximum": 100})
CURSORS = (
    QueryParam("starting_after", {"type": "string"}),
    QueryParam("ending_before", {"type": "string"}),
)


def limit_of(raw: str | None) -> int:
    """``limit``: 1..100, default 10."""
    if raw is None:
        return 10
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= 100):
        raise bad_request(
            f"limit: must be an integer from 1 to 100 (got {raw[:40]!r}).",
            code="invalid_query_parameter",
        )
    return int(raw)


def list_calls_query(
    query: QueryParams, version: WireVersion
) -> tuple[str | None, str | None, list[str]]:
    """List Calls' selector (``agent_id``, or under 2026-08-14 ``batch_id``) and ``expand``."""
    agent_id = query.get("agent_id") or None
    batch_id = (query.get("batch_id") or None) if version.list_filters else None
    if version.list_filters:
        if agent_id is None and batch_id is None:
            raise bad_request(
                "One of agent_id or batch_id is required.", code="invalid_query_parameter"
            )
    elif agent_id is None:
        raise bad_request("agent_id: query parameter is required.", code="invalid_query_parameter")
    expand = query.getlist("expand")
    parts = [p.strip() for value in expand for p in value.split(",")]
    bad = [p for p in parts if p != "transcript"]
    if bad:
        raise bad_request(
            f"expand: only 'transcript' is supported (got {bad[0][:40]!r}).",
            code="invalid_query_parameter",
        )
    return agent_id, batch_id, parts


def create_body(ctx: Ctx, items: str) -> dict[str, Any]:
    """A create request's body (400 unless a JSON object), summarised for the journal as the
    number of ``items`` and the number they are dialed from."""
    body = ctx.body
    if not isinstance(body, dict):
        raise bad_request(
            f"The request body must be a JSON object, not {type(body).__name__}.",
            code="invalid_request_body",
        )
    listed = body.get(items)
    count = len(listed) if isinstance(listed, list) else "?"
    ctx.summarize(f"{count} {items} from {body.get('from_number_id')!r:.60}")
    return body
