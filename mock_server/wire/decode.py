"""Request bodies into commands, as the request's version defines them.

Shape rules (rule 2 of ``POST /agents/calls``) are checked here, against the version's
contract in the lineage, before the domain sees anything: a field the version does not have
never becomes part of a command (knob ``other_version_fields``), and under 2026-08-14 an item
whose own fields are wrong becomes a ``Refusal`` of that destination (knob ``invalid_item``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from contracts import (
    SHIPPED,
    Contract,
    ContractError,
    Lineage,
    build_validator,
    load_schema,
    validator_for,
)
from mock_server.domain.commands import (
    CreateBatch,
    Destination,
    PlaceCalls,
    Refusal,
    UpdateAgent,
    UpdateWebhook,
)
from mock_server.domain.errors import ApiError, bad_request
from mock_server.domain.settings import Settings

#: The documented size limit of one item's ``dynamic_variables`` (UTF-8 JSON).
DYNAMIC_VARIABLES_MAX_BYTES = 16 * 1024
_ITEM_PATH = re.compile(r"(?:outbound_calls|recipients)\[(\d+)\]")

#: Which ledger rule a shape error of the request breaks, by the field it names (the last
#: path part) and, for the list of destinations, by what is wrong with it.
_FIELD_RULES = MappingProxyType(
    {
        "to_number": "create.e164",
        "ringing_timeout_seconds": "create.ringing_timeout",
        "max_call_duration_minutes": "create.max_duration",
        "metadata": "create.metadata",
        "dynamic_variables": "create.dynamic_variables",
    }
)


@dataclass(slots=True)
class Decoded:
    """A command and what decoding it noticed (journal warnings, ledger rules)."""

    command: Any
    warnings: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def rule_of(error: ContractError) -> str:
    """The rule a shape error breaks (``create.shape_all_fields`` when none is more exact)."""
    last = re.split(r"[.\[]", error.path.rstrip("]"))[-1] if error.path != "$" else ""
    if error.message == "is required":
        return "create.required"
    if error.message == "is not an allowed field":
        return "create.unknown_fields"
    if last == "outbound_calls" and "at most" in error.message:
        return "create.max_items"
    return _FIELD_RULES.get(last, "create.shape_all_fields")


@lru_cache(maxsize=256)
def _request_validator(
    lineage: Lineage, max_items: int, reject_unknown: bool, version: str
) -> Contract:
    schema = load_schema("outbound_request", version, lineage=lineage)
    schema["properties"]["outbound_calls"]["maxItems"] = max_items
    if reject_unknown:
        schema["additionalProperties"] = False
        item = load_schema("outbound_item", version, lineage=lineage)
        item["additionalProperties"] = False
        del item["$id"]
        schema["properties"]["outbound_calls"]["items"] = item
    return build_validator(schema, version, lineage=lineage)


def _oversized_variables(items: object, where: str) -> list[ContractError]:
    """The 16 KiB limit on an item's dynamic_variables, which JSON Schema cannot state."""
    out = []
    for i, item in enumerate(items if isinstance(items, list) else ()):
        variables = item.get("dynamic_variables") if isinstance(item, dict) else None
        if isinstance(variables, dict):
            size = len(json.dumps(variables, ensure_ascii=False, separators=(",", ":")).encode())
            if size > DYNAMIC_VARIABLES_MAX_BYTES:
                out.append(
                    ContractError(
                        f"{where}[{i}].dynamic_variables",
                        f"must be at most {DYNAMIC_VARIABLES_MAX_BYTES} bytes of UTF-8 JSON "
                        f"(got {size})",
                    )
                )
    return out


def _split_item_errors(
    items: object, errors: list[ContractError]
) -> tuple[list[ContractError], dict[int, list[ContractError]]]:
    """Errors of the request as a whole, and errors that belong to one destination (an item
    that is an object whose ``to_number`` is a string, so its result can name it)."""
    whole: list[ContractError] = []
    per_item: dict[int, list[ContractError]] = {}
    for error in errors:
        match = _ITEM_PATH.match(error.path)
        index = int(match.group(1)) if match else -1
        item = items[index] if match and isinstance(items, list) else None
        nameable = isinstance(item, dict) and isinstance(item.get("to_number"), str)
        if match and nameable and error.path != match.group(0):
            per_item.setdefault(index, []).append(error)
        else:
            whole.append(error)
    return whole, per_item


def _refusal(errors: list[ContractError]) -> Refusal:
    """A per-destination validation error (2026-08-14, ``invalid_item=per_destination``)."""
    detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
    name = "dynamic_variables" if ".dynamic_variables" in errors[0].path else "to_number"
    return Refusal(f"invalid_{name}", f"Invalid outbound call: {detail}")


def invalid_body(errors: list[ContractError]) -> ApiError:
    """The 400 naming every shape error, with the rules they break."""
    detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
    error = bad_request(f"Invalid request body: {detail}", code="invalid_request_body")
    error.rules = tuple(dict.fromkeys(rule_of(e) for e in errors))
    return error


def _foreign_fields(
    items: list[Any],
    where: str,
    version: str,
    elsewhere: frozenset[str],
    lineage: Lineage,
    settings: Settings,
) -> tuple[set[str], list[str]]:
    """Item fields this version does not have but another one does (``elsewhere``: 2026-08-14's
    ``dynamic_variables`` under 2026-03-01): refused or dropped, never decoded."""
    if not elsewhere:  # the version has every item field any version has
        return set(), []
    found = sorted({k for item in items if isinstance(item, dict) for k in item} & elsewhere)
    if not found:
        return set(), []
    if settings.other_version_fields == "reject_request":
        error = bad_request(
            f"Invalid request body: {where}[].{found[0]}: is not a field of Cartesia-Version "
            f"{version} (it belongs to {_owner(found[0], lineage)}).",
            code="invalid_request_body",
        )
        error.rules = ("version.other_fields",)
        raise error
    warning = (
        f"{where}[].{', '.join(found)} dropped: not a field of Cartesia-Version {version} "
        "(knob other_version_fields)"
    )
    return set(found), [warning]


def _owner(name: str, lineage: Lineage) -> str:
    for version in lineage.versions_with("outbound_item"):
        if name in lineage.schemas(version)["outbound_item"].get("properties", {}):
            return version
    return "another version"


def _destination(
    item: Mapping[str, Any], keep: frozenset[str], refusal: Refusal | None
) -> Destination:
    return Destination(
        item["to_number"],
        item.get("metadata") if "metadata" in keep else None,
        item.get("dynamic_variables") if "dynamic_variables" in keep else None,
        refusal,
    )


def place_calls(
    body: Mapping[str, Any],
    version: str,
    settings: Settings,
    *,
    per_destination: bool,
    lineage: Lineage = SHIPPED,
) -> Decoded:
    """``POST /agents/calls``'s body as ``version`` defines it (rule 2), or its 400."""
    validator = _request_validator(
        lineage, settings.max_outbound_calls, settings.reject_unknown_fields, version
    )
    items = body.get("outbound_calls")
    errors = validator.errors(body) + _oversized_variables(items, "outbound_calls")
    per_item: dict[int, list[ContractError]] = {}
    if errors and per_destination and settings.invalid_item == "per_destination":
        whole, per_item = _split_item_errors(items, errors)
        if whole:  # the request fails anyway: name every problem at once
            per_item = {}
        else:
            errors = []
    if errors:
        raise invalid_body(errors)
    assert isinstance(items, list)
    own, elsewhere = _item_fields(lineage, version)
    dropped, warnings = _foreign_fields(
        items, "outbound_calls", version, elsewhere, lineage, settings
    )
    keep = own - dropped if dropped else own
    if per_item:
        destinations = tuple(
            [
                _destination(item, keep, _refusal(per_item[i]) if i in per_item else None)
                for i, item in enumerate(items)
            ]
        )
    else:
        destinations = tuple([_destination(item, keep, None) for item in items])
    command = PlaceCalls(
        body["from_number_id"],
        body["agent_id"],
        destinations,
        body.get("ringing_timeout_seconds"),
        body.get("max_call_duration_minutes"),
        len(per_item),
    )
    rules = ["version.other_fields"] if dropped else []
    if per_item:
        rules.append("create.invalid_item")
    return Decoded(command, warnings, rules)


@lru_cache(maxsize=256)
def _item_fields(lineage: Lineage, version: str) -> tuple[frozenset[str], frozenset[str]]:
    """The item fields ``version`` has, and those only other versions have (computed once
    per lineage and version)."""
    own = frozenset(lineage.schemas(version)["outbound_item"].get("properties", {}))
    every = {
        name
        for other in lineage.versions_with("outbound_item")
        for name in lineage.schemas(other)["outbound_item"].get("properties", {})
    }
    return own, frozenset(every - own)


def create_batch(
    body: Mapping[str, Any], version: str, settings: Settings, *, lineage: Lineage = SHIPPED
) -> Decoded:
    """``POST /agents/calls/batches``' body as ``version`` defines it, or its 400."""
    errors = validator_for("batch_request", version, lineage=lineage).errors(body)
    if errors:
        detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
        raise bad_request(f"Invalid request body: {detail}", code="invalid_request_body")
    recipients = body["recipients"]
    own, elsewhere = _item_fields(lineage, version)
    dropped, warnings = _foreign_fields(
        recipients, "recipients", version, elsewhere, lineage, settings
    )
    keep = own - dropped
    command = CreateBatch(
        body["name"],
        body["agent_id"],
        body["from_number_id"],
        tuple(_destination(r, keep, None) for r in recipients),
        body.get("target_concurrency_limit"),
        body.get("ringing_timeout_seconds"),
        body.get("max_call_duration_minutes"),
        body.get("scheduled_at"),
        body.get("region"),
    )
    return Decoded(command, warnings, ["version.other_fields"] if dropped else [])


def _checked(body: object, contract: str, version: str, lineage: Lineage) -> Mapping[str, Any]:
    errors = validator_for(contract, version, lineage=lineage).errors(body)
    if errors:
        detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
        raise bad_request(f"Invalid request body: {detail}", code="invalid_request_body")
    assert isinstance(body, Mapping)
    return body


def update_agent(
    agent_id: str, body: object, version: str, *, lineage: Lineage = SHIPPED
) -> UpdateAgent:
    """``PATCH /agents/{agent_id}``'s body, or its 400."""
    checked = _checked(body, "agent_patch", version, lineage)
    # a null name, tts_voice or tts_language leaves it as it is (the spec types them
    # nullable); a null description or webhook_id clears it
    kept = {k for k in ("name", "tts_voice", "tts_language") if checked.get(k) is None}
    given = (frozenset(checked) - kept) & {
        "name",
        "webhook_id",
        "description",
        "tts_voice",
        "tts_language",
    }
    return UpdateAgent(
        agent_id,
        checked.get("name"),
        checked.get("webhook_id"),
        given,
        checked.get("description"),
        checked.get("tts_voice"),
        checked.get("tts_language"),
    )


_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def webhook_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a valid host and port, else a 400 naming
    what is wrong (ledger webhooks.url)."""
    from urllib.parse import urlsplit

    def refuse(why: str) -> ApiError:
        error = bad_request(f"url: {why} (got {url[:80]!r}).", code="invalid_request_body")
        error.rules = ("webhooks.url",)
        return error

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise refuse(f"is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise refuse("must use http or https")
    host = parts.hostname or ""
    if not host:
        raise refuse("must name a host")
    if ":" not in host:  # not an IPv6 literal: DNS labels
        try:
            labels = host.encode("idna").decode("ascii").rstrip(".").split(".")
        except UnicodeError:
            raise refuse(f"host {host!r} is not a valid host name") from None
        if not all(_HOST_LABEL.fullmatch(label) for label in labels):
            raise refuse(f"host {host!r} is not a valid host name")
    if port is not None and not 0 < port < 65536:
        raise refuse(f"port {port} is out of range")
    if "%" in url and re.search(r"%(?![0-9A-Fa-f]{2})", url):
        raise refuse("has a '%' that is not a percent-escape")
    return url


def update_webhook(
    webhook_id: str, body: object, version: str, *, lineage: Lineage = SHIPPED
) -> UpdateWebhook:
    """``PATCH /agents/webhooks/{webhook_id}``'s body, or its 400."""
    checked = _checked(body, "webhook_update", version, lineage)
    webhook_url(checked["url"])
    given = frozenset(checked) & {"secret", "display_name"}
    return UpdateWebhook(
        webhook_id, checked["url"], checked.get("secret"), checked.get("display_name"), given
    )
