"""Older op-log records made current: a state file written before commands still starts.

Format 1 (before commands) logged ``create_outbound`` and ``create_batch`` as the request
body with its version, and ``patch_agent`` and ``update_webhook`` as the body's changes. Each
is decoded as that version defines it, on the default knobs of the time, into the command
format 2 logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server.domain.commands import FORMAT
from mock_server.domain.settings import Settings
from mock_server.domain.tenants.oplog import COMMAND_OPS
from mock_server.wire import decode

#: The version format-1 records meant when they named none (the only one served then).
FORMAT1_DEFAULT_VERSION = "2026-03-01"


def upgrade(op: str, args: Mapping[str, Any], settings: Settings) -> Mapping[str, Any]:
    """``args`` in the current format (unchanged when already current, or not a command)."""
    if op not in COMMAND_OPS or args.get("format") == FORMAT:
        return args
    version = args.get("version", FORMAT1_DEFAULT_VERSION)
    if op == "patch_agent":
        agent = decode.update_agent(args["agent_id"], args["changes"], version)
        return {"format": FORMAT, "command": agent.record()}
    if op == "update_webhook":
        hook = decode.update_webhook(args["webhook_id"], args["changes"], version)
        return {"format": FORMAT, "command": hook.record()}
    if op == "create_outbound":
        decoded = decode.place_calls(
            args["body"], version, settings, per_destination=args.get("per_destination", False)
        )
    else:
        decoded = decode.create_batch(args["body"], version, settings)
    out: dict[str, Any] = {"format": FORMAT, "command": decoded.command.record()}
    if args.get("idempotency_key") is not None:
        out["idempotency_key"] = args["idempotency_key"]
    return out
