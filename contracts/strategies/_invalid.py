"""Request bodies that break one labelled rule of the request contract."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import hypothesis.strategies as st
from hypothesis.errors import InvalidArgument

from contracts._loader import SHIPPED, versions_with
from contracts.strategies._numbers import e164_numbers, invalid_e164_numbers
from contracts.strategies._requests import (
    _NAME_REST,
    _limits,
    _version,
    dynamic_variables,
    has_variables,
    outbound_requests,
)

#: Every request rule of SPEC §3.2 a body can break, with the JSON path its 400 must name.
RULES: Mapping[str, str] = MappingProxyType(
    {
        "from_number_id.missing": "from_number_id",
        "from_number_id.empty": "from_number_id",
        "from_number_id.not_string": "from_number_id",
        "agent_id.missing": "agent_id",
        "agent_id.empty": "agent_id",
        "outbound_calls.missing": "outbound_calls",
        "outbound_calls.not_array": "outbound_calls",
        "outbound_calls.empty": "outbound_calls",
        "outbound_calls.too_many": "outbound_calls",
        "item.not_object": "outbound_calls[{i}]",
        "to_number.missing": "outbound_calls[{i}].to_number",
        "to_number.not_e164": "outbound_calls[{i}].to_number",
        "metadata.not_object": "outbound_calls[{i}].metadata",
        "ringing_timeout_seconds.not_integer": "ringing_timeout_seconds",
        "ringing_timeout_seconds.out_of_range": "ringing_timeout_seconds",
        "max_call_duration_minutes.not_integer": "max_call_duration_minutes",
        "max_call_duration_minutes.out_of_range": "max_call_duration_minutes",
        "dynamic_variables.not_object": "outbound_calls[{i}].dynamic_variables",
        "dynamic_variables.bad_name": "outbound_calls[{i}].dynamic_variables",
        "dynamic_variables.reserved_name": "outbound_calls[{i}].dynamic_variables",
        "dynamic_variables.bad_value": "outbound_calls[{i}].dynamic_variables",
        "dynamic_variables.too_many": "outbound_calls[{i}].dynamic_variables",
        "dynamic_variables.too_large": "outbound_calls[{i}].dynamic_variables",
    }
)


def _rules_of(version: str) -> tuple[str, ...]:
    """The rules ``version`` has: the dynamic_variables ones only where its items have them."""
    with_variables = SHIPPED.has_field("outbound_item", "dynamic_variables", version)
    return tuple(r for r in RULES if with_variables or not r.startswith("dynamic_variables."))


#: The rules each API version that places calls has (read from the lineage).
VERSION_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {version: _rules_of(version) for version in versions_with("outbound_request")}
)


#: Rules whose broken item still names its destination: under 2026-08-14 the fake answers
#: them with a per-destination error in the 200 (ledger create.invalid_item), not a 400.
ITEM_RULES = frozenset(
    {"to_number.not_e164", "metadata.not_object"} | {r for r in RULES if r.startswith("dynamic_")}
)


@dataclass(frozen=True)
class InvalidRequest:
    """A request body that breaks exactly ``rule``; the fake's answer must name ``path``.

    ``per_destination``: under 2026-08-14 the broken item still names its destination, so
    the fake answers 200 with an ``error`` on that item (ledger ``create.invalid_item``);
    otherwise the answer is a 400."""

    rule: str
    path: str
    body: dict[str, Any]
    per_destination: bool = False


def _break(rule: str, body: dict[str, Any], draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    limits = _limits()
    calls: list[Any] = body["outbound_calls"]
    i = draw(st.integers(0, len(calls) - 1))
    field, _, how = rule.partition(".")
    not_int = st.one_of(
        st.booleans(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=3),
        st.lists(st.integers(), max_size=1),
    )
    if field == "dynamic_variables":
        calls[i] = {**calls[i], "dynamic_variables": draw(_bad_variables(how))}
    elif field in ("from_number_id", "agent_id", "outbound_calls") and how == "missing":
        del body[field]
    elif how == "empty" and field == "outbound_calls":
        body[field] = []
    elif how == "empty":
        body[field] = ""
    elif how == "not_string":
        body[field] = draw(st.one_of(st.integers(), st.booleans(), st.lists(st.text(), max_size=1)))
    elif how == "not_array":
        body[field] = draw(
            st.one_of(
                st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                st.text(),
                st.integers(),
            )
        )
    elif how == "too_many":
        body[field] = [{"to_number": "+14155550175"}] * (
            limits["max_items"] + draw(st.integers(1, 5))
        )
    elif field == "item":
        calls[i] = draw(
            st.one_of(
                st.text(max_size=5), st.integers(), st.none(), st.lists(st.integers(), max_size=2)
            )
        )
    elif field == "to_number" and how == "missing":
        calls[i] = {k: v for k, v in calls[i].items() if k != "to_number"}
    elif field == "to_number":
        calls[i] = {
            **calls[i],
            "to_number": draw(st.one_of(invalid_e164_numbers(), st.integers(), st.none())),
        }
    elif field == "metadata":
        calls[i] = {
            **calls[i],
            "metadata": draw(
                st.one_of(
                    st.text(max_size=5),
                    st.integers(),
                    st.booleans(),
                    st.lists(st.integers(), max_size=2),
                )
            ),
        }
    elif how == "not_integer":
        # floats such as 30.0 are included on purpose: they are not integers here
        body[field] = draw(not_int.filter(lambda v: type(v) is not int))
    else:  # out_of_range
        low, high = limits["ring" if field.startswith("ringing") else "duration"]
        body[field] = draw(
            st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1))
        )
    return body, RULES[rule].format(i=i)


def _bad_variables(how: str) -> st.SearchStrategy[Any]:
    """``dynamic_variables`` that break one of its documented limits."""
    ok = dynamic_variables(max_size=3)
    if how == "not_object":
        return st.one_of(st.text(max_size=5), st.integers(), st.lists(st.integers(), max_size=2))
    if how == "bad_name":
        bad = st.one_of(
            st.sampled_from(["1abc", "with-dash", "has space", "é", ""]),
            st.text(_NAME_REST, min_size=65, max_size=70).map(lambda t: "a" + t),
        )
        return st.builds(lambda d, n: {**d, n: "x"}, ok, bad)
    if how == "reserved_name":
        name = st.builds(lambda p, t: p + t, st.sampled_from(["system__", "secret__"]), _names())
        return st.builds(lambda d, n: {**d, n: "x"}, ok, name)
    if how == "bad_value":
        value = st.one_of(st.none(), st.lists(st.integers(), max_size=2), st.just({"a": 1}))
        return st.builds(lambda d, v: {**d, "bad_value": v}, ok, value)
    if how == "too_many":
        return st.integers(65, 80).map(lambda n: {f"v{i}": i for i in range(n)})
    return st.integers(17, 20).map(lambda k: {"blob": "x" * (k * 1024)})  # too_large: > 16 KiB


def _names() -> st.SearchStrategy[str]:
    return st.text(_NAME_REST, max_size=10)


def invalid_outbound_requests(
    *, rules: tuple[str, ...] | None = None, version: str | None = None
) -> st.SearchStrategy[InvalidRequest]:
    """Bodies each breaking one rule of ``version``'s request contract (default: the latest),
    labelled with that rule and with how the fake answers it."""

    def build() -> st.SearchStrategy[InvalidRequest]:
        ver = _version(version)
        known = VERSION_RULES[ver]
        chosen = known if rules is None else rules
        unknown = [r for r in chosen if r not in known]
        if not chosen or unknown:
            raise InvalidArgument(f"unknown rule(s) {unknown} for {ver}; known: {sorted(known)}")

        @st.composite
        def one(draw: st.DrawFn) -> InvalidRequest:
            rule = draw(st.sampled_from(chosen))
            body = draw(
                outbound_requests(destinations=e164_numbers(region="us"), max_items=3, version=ver)
            )
            body["outbound_calls"] = [dict(c) for c in body["outbound_calls"]]
            broken, path = _break(rule, body, draw)
            item = _item_at(broken, path)
            alone = (
                has_variables(ver)
                and rule in ITEM_RULES
                and isinstance(item, dict)
                and isinstance(item.get("to_number"), str)
            )
            return InvalidRequest(rule, path, broken, per_destination=alone)

        return one()

    return st.deferred(build)


def _item_at(body: dict[str, Any], path: str) -> Any:
    if not path.startswith("outbound_calls["):
        return None
    index = int(path[len("outbound_calls[") : path.index("]")])
    return body["outbound_calls"][index]
