"""Handlers of the call-batch routes: create, list, get, cancel, retry."""

from __future__ import annotations

from mock_server.domain import batch_ops
from mock_server.domain.batches import Batch
from mock_server.domain.errors import bad_request
from mock_server.http import views
from mock_server.http.pipeline import Ctx, Reply
from mock_server.routes.params import limit_of


def create_batch(ctx: Ctx) -> Reply:
    if not isinstance(ctx.body, dict):
        raise bad_request(
            f"The request body must be a JSON object, not {type(ctx.body).__name__}.",
            code="invalid_request_body",
        )
    recipients = ctx.body.get("recipients")
    count = len(recipients) if isinstance(recipients, list) else "?"
    ctx.summarize(f"batch of {count} recipients from {ctx.body.get('from_number_id')!r:.60}")
    made = batch_ops.create_batch(ctx.tenant, ctx.body, version=ctx.version.name)
    ctx.rely("batches.dispatch")
    if "target_concurrency_limit" not in ctx.body:
        ctx.rely("batches.default_limit")
    return Reply(views.batch(made, ctx.version, with_recipients=True))


def list_batches(ctx: Ctx) -> Reply:
    query = ctx.query()
    version = ctx.version
    data, more = batch_ops.list_batches(
        ctx.tenant,
        lambda b: views.batch(b, version, with_recipients=False),
        limit=limit_of(query.get("limit")),
        starting_after=query.get("starting_after") or None,
        ending_before=query.get("ending_before") or None,
    )
    return Reply({"data": data, "has_more": more, "next_page": data[-1]["id"] if more else None})


def get_batch(ctx: Ctx) -> Reply:
    version = ctx.version

    def show(b: Batch) -> dict[str, object]:
        return views.batch(b, version, with_recipients=True)

    return Reply(batch_ops.read_batch(ctx.tenant, ctx.path_param("batch_id"), show))


def cancel_batch(ctx: Ctx) -> Reply:
    version = ctx.version
    return Reply(
        batch_ops.cancel_batch(
            ctx.tenant,
            ctx.path_param("batch_id"),
            lambda b: views.batch(b, version, with_recipients=True),
        )
    )


def retry_batch(ctx: Ctx) -> Reply:
    version = ctx.version
    return Reply(
        batch_ops.retry_batch(
            ctx.tenant,
            ctx.path_param("batch_id"),
            lambda b: views.batch(b, version, with_recipients=True),
        )
    )
