"""The vendor's published spec facts against the fake's own contracts, version by version.

The fake's side is its served OpenAPI document (built from the route tables and the contract
files), read by the same extractor as the vendor's (``spec_facts``), so both sides are facts
of one form. A difference is named by a ledger entry when one of the entry's
``spec_differences`` patterns (``*`` for any text) matches its key; an entry saying which source
the fake follows instead, and why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from mock_server.checker.spec_facts import facts_of_text, operations

#: Field facts compared (``type``, ``nullable`` and ``required`` separately).
BOUNDS = ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "maxProperties")


@dataclass(frozen=True, slots=True)
class Difference:
    """One fact on which the fake and the vendor's spec disagree."""

    version: str
    operation: str
    where: str
    aspect: str
    vendor: Any
    fake: Any

    @property
    def key(self) -> str:
        return f"{self.version} {self.operation} {self.where} {self.aspect}"

    def line(self) -> str:
        return f"{self.key}: spec {_show(self.vendor)}, fake {_show(self.fake)}"


def _show(value: Any) -> str:
    return "-" if value is None else json.dumps(value, sort_keys=True)


def _norm(operation: str) -> str:
    return re.sub(r"{[^}]+}", "{}", operation)


@cache
def fake_operations(version: str) -> dict[str, Any]:
    """The fake's facts under ``version``, keyed by normalised operation."""
    from mock_server.routes.openapi import openapi_document

    ops = operations(openapi_document(version))
    return {_norm(k): v for k, v in ops.items()}


def _field_differences(
    version: str,
    op: str,
    where: str,
    vendor: dict[str, Any],
    fake: dict[str, Any],
    partial: bool = False,
) -> list[Difference]:
    """``partial``: the vendor's fragment was cut short, so a fact it does not state may
    only be out of its reach (then only what it states is compared)."""
    out: list[Difference] = []

    def add(aspect: str, v: Any, f: Any) -> None:
        out.append(Difference(version, op, where, aspect, v, f))

    if "unresolved" in vendor:
        return out  # the fragment stops before this field's schema
    if "type" in vendor and "type" in fake and vendor["type"] != fake["type"]:
        add("type", vendor["type"], fake["type"])
    if "required" in vendor and vendor["required"] != fake.get("required", False):
        add("required", vendor["required"], fake.get("required", False))
    if vendor.get("nullable", False) and not fake.get("nullable", False):
        add("nullable", True, False)
    if partial and "type" not in vendor:
        return out  # the fragment ends inside this field
    if ("enum" in vendor or ("enum" in fake and not partial)) and vendor.get("enum") != fake.get(
        "enum"
    ):
        add("enum", vendor.get("enum"), fake.get("enum"))
    for bound in BOUNDS:
        if (bound in vendor or not partial) and vendor.get(bound) != fake.get(bound):
            add(bound, vendor.get(bound), fake.get(bound))
    return out


def _fields(
    version: str, op: str, where: str, vendor: dict[str, Any], fake: dict[str, Any]
) -> list[Difference]:
    out: list[Difference] = []
    for path, facts in sorted(vendor.items()):
        mine = fake.get(path)
        if mine is None:
            if "unresolved" not in facts or facts.get("required"):
                out.append(Difference(version, op, f"{where} {path}", "missing", facts, None))
            continue
        out += _field_differences(version, op, f"{where} {path}", facts, mine)
    complete = not any("unresolved" in f for f in vendor.values()) and bool(vendor)
    if complete:  # fields the fake has that the spec does not (only where the spec is whole)
        known = set(vendor)
        for path in sorted(set(fake) - known):
            parent = path.rsplit(".", 1)[0] if "." in path else ""
            if not parent or parent in known:
                out.append(Difference(version, op, f"{where} {path}", "extra", None, fake[path]))
    return out


def _success(statuses: list[str]) -> list[str]:
    return [s for s in statuses if s.startswith("2")]


def compare(version: str, vendor_ops: dict[str, Any]) -> list[Difference]:
    """Every difference between the vendor's operations of ``version`` and the fake's."""
    fake_ops = fake_operations(version)
    out: list[Difference] = []
    for op, vendor in sorted(vendor_ops.items()):
        fake = fake_ops.get(_norm(op))
        if fake is None:
            out.append(Difference(version, op, "operation", "missing", True, None))
            continue
        fake_success = _success(fake["statuses"])
        for status in _success(vendor["statuses"]):
            if status not in fake_success:
                out.append(Difference(version, op, f"status {status}", "missing", status, None))
        fake_params = {_norm(k): v for k, v in fake["parameters"].items()}
        for name, facts in sorted(vendor["parameters"].items()):
            mine = fake_params.get(_norm(name))
            if mine is None:
                if "unresolved" not in facts:
                    out.append(Difference(version, op, f"parameter {name}", "missing", facts, None))
                continue
            if name.startswith("path:"):
                continue  # the fake's path parameters are strings named as it likes
            partial = bool(vendor.get("partial"))
            out += _field_differences(version, op, f"parameter {name}", facts, mine, partial)
        if vendor.get("request"):
            out += _fields(version, op, "request", vendor["request"], fake.get("request") or {})
        for status, body in sorted(vendor["responses"].items()):
            if not status.startswith("2"):
                continue
            mine_status = status if status in fake["responses"] else next(iter(fake_success), "")
            mine_body = fake["responses"].get(mine_status) or {}
            out += _fields(version, op, f"response {status}", body, mine_body)
    return out


def by_version(fragments: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The fragments' operations merged per version (a later fragment adds to an earlier)."""
    merged: dict[str, dict[str, Any]] = {}
    for fragment in fragments:
        ops = merged.setdefault(fragment["version"], {})
        for op, facts in fragment["operations"].items():
            if op not in ops:
                ops[op] = json.loads(json.dumps(facts))
                ops[op]["partial"] = not fragment["complete"]
                continue
            mine = ops[op]
            mine["partial"] = mine["partial"] and not fragment["complete"]
            mine["parameters"].update(facts["parameters"])
            mine["statuses"] = sorted(set(mine["statuses"]) | set(facts["statuses"]))
            mine["responses"].update(facts["responses"])
            if facts.get("request"):
                mine["request"] = {**mine.get("request", {}), **facts["request"]}
    return merged


def shipped_facts() -> dict[str, Any]:
    """``contracts/vendor_facts.json``: the facts extracted from Cartesia's published spec."""
    text = resources.files("contracts").joinpath("vendor_facts.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def differences(fragments: list[dict[str, Any]]) -> list[Difference]:
    """Every difference for every version the fragments describe that the fake serves."""
    from contracts import SHIPPED

    out: list[Difference] = []
    for version, ops in sorted(by_version(fragments).items()):
        if version in SHIPPED.names:
            out += compare(version, ops)
    return out


def naming_rule(difference: Difference) -> str | None:
    """The ledger entry that names ``difference`` (None: unexplained drift)."""
    from mock_server.service.ledger import LEDGER

    for entry in LEDGER:
        for pattern in entry.spec_differences:
            if _pattern(pattern).fullmatch(difference.key):
                return entry.id
    return None


@cache
def _pattern(text: str) -> re.Pattern[str]:
    """A ledger pattern: ``*`` is any text; everything else (``[]`` too) is itself."""
    return re.compile(".*".join(re.escape(part) for part in text.split("*")))


def diff_text(text: str, newest: str, prefix: str = "/agents") -> list[Difference]:
    """The differences between a spec file's text (whole, or a docs page) and the fake, on
    the operations under ``prefix`` (the agent-call surface)."""
    fragments = facts_of_text(text, newest)
    for fragment in fragments:
        fragment["operations"] = {
            op: facts
            for op, facts in fragment["operations"].items()
            if op.split(" ", 1)[1].startswith(prefix)
        }
    return differences(fragments)
