"""The operation log: every change to a tenant as (op, args, at), and how to replay it.

The domain is deterministic (seeded ids, state a pure function of requests and time), so
replaying a tenant's operations at their recorded instants rebuilds exactly the same world.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from mock_server.domain.batches import batch_ops
from mock_server.domain.commands import (
    FORMAT,
    CreateBatch,
    PlaceCalls,
    UpdateAgent,
    UpdateWebhook,
)
from mock_server.domain.journal.faults import Fault
from mock_server.domain.models import Webhook
from mock_server.domain.tenants import idempotency, knobs
from mock_server.domain.tenants.seed import script_from
from mock_server.domain.tenants.tenant import Tenant
from mock_server.domain.webhooks import config as webhook_config


def _advance_to(tenant: Tenant, args: Mapping[str, Any]) -> None:
    _move_to(tenant, int(args["target"]))


def _move_to(tenant: Tenant, target: int) -> None:
    """Advance the tenant's (virtual) clock to ``target``, if it is not there yet."""
    assert tenant.clock_mode == "virtual", "replay runs on a virtual clock"
    now = tenant.now_ms()
    if target > now:
        tenant.advance((target - now) / 1000)


_APPLY: Mapping[str, Callable[[Tenant, Mapping[str, Any]], object]] = MappingProxyType(
    {
        "create_outbound": lambda t, a: (
            t.create_outbound(PlaceCalls.from_record(a["command"]))
            if a.get("idempotency_key") is None
            else idempotency.create_once(
                t, PlaceCalls.from_record(a["command"]), key=a["idempotency_key"]
            )
        ),
        "cancel": lambda t, a: t.cancel(a["call_id"]),
        "delete": lambda t, a: t.delete(a["call_id"], lambda view: None),
        "advance_to": _advance_to,
        "reset": lambda t, a: t.reset(),
        "configure": lambda t, a: knobs.configure(t, a["changes"]),
        "add_agent": lambda t, a: t.add_agent(
            a["agent_id"],
            name=a["name"],
            deployed=a["deployed"],
            line_url=a.get("line_url"),
            webhook=Webhook(*a["webhook"]) if a.get("webhook") else None,
        ),
        "add_phone_number": lambda t, a: t.add_phone_number(
            a["number"],
            number_id=a["number_id"],
            **{k: v for k, v in a.items() if k not in ("number", "number_id")},
        ),
        "create_webhook": lambda t, a: webhook_config.create_webhook(
            t, url=a["url"], secret=a["secret"], display_name=a["display_name"]
        ),
        "patch_agent": lambda t, a: webhook_config.patch_agent(
            t, UpdateAgent.from_record(a["command"])
        ),
        "update_webhook": lambda t, a: webhook_config.update_webhook(
            t, UpdateWebhook.from_record(a["command"])
        ),
        "delete_webhook": lambda t, a: webhook_config.delete_webhook(t, a["webhook_id"]),
        "delete_agent": lambda t, a: webhook_config.delete_agent(t, a["agent_id"]),
        "set_callee": lambda t, a: t.set_callee(a["number"], script_from(a["script"])),
        "set_default_callee": lambda t, a: t.set_default_callee(script_from(a["script"])),
        "add_fault": lambda t, a: t.add_fault(
            Fault(**{k: v for k, v in a["fault"].items() if k != "hits"})
        ),
        "take_fault": lambda t, a: t.take_fault(a["method"], a["path"], a.get("template")),
        "create_batch": lambda t, a: batch_ops.create_batch(
            t, CreateBatch.from_record(a["command"])
        ),
        "cancel_batch": lambda t, a: batch_ops.cancel_batch(t, a["batch_id"], lambda b: None),
        "retry_batch": lambda t, a: batch_ops.retry_batch(t, a["batch_id"], lambda b: None),
    }
)

OPS = frozenset(_APPLY)
#: The operations that carry a typed command (``commands.FORMAT``).
COMMAND_OPS = frozenset({"create_outbound", "create_batch", "patch_agent", "update_webhook"})


def replay(tenant: Tenant, op: str, args: Mapping[str, Any], at: int) -> None:
    """Apply one recorded operation at its instant. The tenant must be on a virtual clock.
    Commands must be of ``FORMAT`` (``wire.oplog_formats.upgrade`` brings older ones)."""
    if op in COMMAND_OPS and args.get("format") != FORMAT:
        raise ValueError(f"{op}: op-log format {args.get('format', 1)}, expected {FORMAT}")
    _move_to(tenant, at)
    _APPLY[op](tenant, args)


class ReplayError(Exception):
    """A logged operation that does not apply to the tenant its log rebuilds (an operation
    on a call the log never made, say): which one, and why."""

    def __init__(self, index: int, op: str, cause: BaseException) -> None:
        super().__init__(
            f"operation {index} of the tenant's log ({op}) cannot be replayed: "
            f"{type(cause).__name__}: {cause}"
        )
        self.index, self.op = index, op


def replay_all(tenant: Tenant, records: Iterable[tuple[str, Mapping[str, Any], int]]) -> bool:
    """Apply logged operations in order (each as ``replay``); whether there were any. They
    were accepted once, so none is refused again on the call cap (``World.replaying``). One
    that fails is a ReplayError naming it."""
    replayed = False
    with tenant.replaying():
        for index, (op, args, at) in enumerate(records, start=1):
            try:
                replay(tenant, op, args, at)
            except Exception as exc:  # whatever a bad record makes the domain raise
                raise ReplayError(index, op, exc) from exc
            replayed = True
    return replayed
