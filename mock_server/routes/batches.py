"""Handlers of the call-batch routes: create, list, get, cancel, retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.domain.batches import batch_ops
from mock_server.domain.batches.batch import Batch
from mock_server.http.pipeline import Ctx, Reply
from mock_server.routes.params import create_body, limit_of
from mock_server.wire import decode, views
from mock_server.wire.codec import json_bytes


def create_batch(ctx: Ctx) -> Reply:
    body = create_body(ctx, "recipients")
    decoded = decode.create_batch(
        body, ctx.version.name, ctx.tenant.settings, lineage=ctx.versions.lineage
    )
    ctx.warnings.extend(decoded.warnings)
    ctx.rely(*decoded.rules)
    made = batch_ops.create_batch(ctx.tenant, decoded.command)
    ctx.rely("batches.dispatch")
    if "target_concurrency_limit" not in body:
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
        agent_id=query.get("agent_id") or None,
    )
    return Reply({"data": data, "has_more": more, "next_page": data[-1]["id"] if more else None})


def _whole(ctx: Ctx) -> Callable[[Batch], dict[str, Any]]:
    """The renderer of a whole batch (with recipients) in the request's version."""
    version = ctx.version
    return lambda b: views.batch(b, version, with_recipients=True)


def get_batch(ctx: Ctx) -> Reply:
    """Get Call Batch, rendered once per change of the batch: polling a 5,000-recipient
    batch that has not moved costs about what polling a small one does, and its contract is
    checked once per rendering."""
    version, cache, key = ctx.version, ctx.service.render_cache, ctx.tenant.key

    def shown(batch: Batch) -> Reply:
        slot = ("batch", key, batch.id, batch.changes, version.name)
        rendered = cache.get(slot)
        if rendered is not None:
            return Reply(rendered)  # bytes already checked when first rendered
        body = views.batch(batch, version, with_recipients=True)
        rendered = json_bytes(body)
        cache.put(slot, rendered)
        return Reply(rendered, check=body)

    return batch_ops.read_batch(ctx.tenant, ctx.path_param("batch_id"), shown)


def cancel_batch(ctx: Ctx) -> Reply:
    return Reply(batch_ops.cancel_batch(ctx.tenant, ctx.path_param("batch_id"), _whole(ctx)))


def retry_batch(ctx: Ctx) -> Reply:
    return Reply(batch_ops.retry_batch(ctx.tenant, ctx.path_param("batch_id"), _whole(ctx)))
