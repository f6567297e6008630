"""Hypothesis strategies for the Cartesia outbound-call contracts.

Plain functions returning strategies, keyword-only options, argument errors raised at draw
time (``hypothesis.errors.InvalidArgument``). Requires the ``strategies`` extra (Hypothesis).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Literal

import hypothesis.strategies as st
from hypothesis.errors import InvalidArgument

from contracts._loader import load_schema

__all__ = [
    "RULES",
    "InvalidRequest",
    "Workload",
    "agent_calls",
    "e164_numbers",
    "invalid_e164_numbers",
    "invalid_outbound_requests",
    "magic_numbers",
    "outbound_requests",
    "workloads",
]

DOC_AGENT = "agent_Fo7pKNBUwLZxrTd6jvhpaE"
DOC_NUMBER = "ap_Q8PRh7lXyZsawXJmN2KcT5"

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
    }
)


def _limits() -> dict[str, Any]:
    props = load_schema("outbound_request")["properties"]
    return {
        "ring": (
            props["ringing_timeout_seconds"]["minimum"],
            props["ringing_timeout_seconds"]["maximum"],
        ),
        "duration": (
            props["max_call_duration_minutes"]["minimum"],
            props["max_call_duration_minutes"]["maximum"],
        ),
        "max_items": props["outbound_calls"]["maxItems"],
    }


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


def magic_numbers(*, decades: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6, 9)) -> st.SearchStrategy[str]:
    """Fictional ``+1 NPA 555 01XX`` numbers whose callee behaviour is fixed by XX's tens."""

    def build() -> st.SearchStrategy[str]:
        bad = [d for d in decades if not 0 <= d <= 9]
        if not decades or bad:
            raise InvalidArgument(f"decades must be digits 0-9, got {decades!r}")
        return st.builds(
            lambda npa, d, u: f"+1{npa}55501{d}{u}",
            st.integers(200, 999).map(str),
            st.sampled_from(decades),
            st.integers(0, 9),
        )

    return st.deferred(build)


def e164_numbers(
    *, region: Literal["us", "international", "any"] = "any"
) -> st.SearchStrategy[str]:
    """Valid E.164 numbers: US (NANP numbers libphonenumber places in the US), international
    (never +1), or any (including magic numbers)."""

    def build() -> st.SearchStrategy[str]:
        if region not in ("us", "international", "any"):
            raise InvalidArgument(f"region must be us, international or any, got {region!r}")
        us = st.sampled_from(["212", "415", "646", "303", "617", "512"]).flatmap(
            lambda npa: st.builds(
                lambda a, b: f"+1{npa}{a}{b}", st.integers(2, 9).map(str), _digits(6)
            )
        )
        intl = st.builds(
            lambda cc, rest: f"+{cc}{rest}",
            st.sampled_from(["44", "33", "49", "81", "61", "91", "55"]),
            st.integers(6, 12).flatmap(_digits),
        )
        if region == "us":
            return us
        if region == "international":
            return intl
        return st.one_of(us, intl, magic_numbers())

    return st.deferred(build)


def invalid_e164_numbers() -> st.SearchStrategy[str]:
    """Strings that are not E.164: no ``+``, a leading 0, too long, spaces, a trailing
    newline, letters, or non-ASCII digits."""
    return st.one_of(
        _digits(11),
        st.builds(lambda d: "+0" + d, st.integers(1, 13).flatmap(_digits)),
        st.builds(lambda d: "+1" + d, _digits(15)),
        st.just("+1 415 555 9876"),
        st.builds(lambda n: n + "\n", e164_numbers(region="us")),
        st.just("+1415555CALL"),
        st.just("+١٤١٥٥٥٥٩٨٧٦"),
        st.just(""),
        st.just("+"),
    )


def _metadata() -> st.SearchStrategy[dict[str, Any]]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=20)
    )
    return st.dictionaries(st.text(min_size=1, max_size=10), scalars, max_size=4)


def outbound_requests(
    *,
    agent_id: str = DOC_AGENT,
    from_number_id: str = DOC_NUMBER,
    destinations: st.SearchStrategy[str] | None = None,
    max_items: int = 10,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid ``POST /agents/calls`` bodies (for the seeded agent and number by default)."""

    def build() -> st.SearchStrategy[dict[str, Any]]:
        limits = _limits()
        if not 1 <= max_items <= limits["max_items"]:
            raise InvalidArgument(f"max_items must be 1..{limits['max_items']}, got {max_items}")
        item = st.fixed_dictionaries(
            {"to_number": destinations if destinations is not None else e164_numbers()},
            optional={"metadata": st.one_of(st.none(), _metadata())},
        )
        return st.fixed_dictionaries(
            {
                "from_number_id": st.just(from_number_id),
                "agent_id": st.just(agent_id),
                "outbound_calls": st.lists(item, min_size=1, max_size=max_items),
            },
            optional={
                "ringing_timeout_seconds": st.one_of(st.none(), st.integers(*limits["ring"])),
                "max_call_duration_minutes": st.one_of(st.none(), st.integers(*limits["duration"])),
            },
        )

    return st.deferred(build)


@dataclass(frozen=True)
class InvalidRequest:
    """A request body that breaks exactly ``rule``; its 400 must name ``path``."""

    rule: str
    path: str
    body: dict[str, Any]


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
    if field in ("from_number_id", "agent_id", "outbound_calls") and how == "missing":
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
        body[field] = [{"to_number": "+14155559876"}] * (
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


def invalid_outbound_requests(
    *, rules: tuple[str, ...] | None = None
) -> st.SearchStrategy[InvalidRequest]:
    """Bodies each breaking one rule of the request contract, labelled with that rule."""

    def build() -> st.SearchStrategy[InvalidRequest]:
        chosen = tuple(RULES) if rules is None else rules
        unknown = [r for r in chosen if r not in RULES]
        if not chosen or unknown:
            raise InvalidArgument(f"unknown rule(s) {unknown}; known: {sorted(RULES)}")

        @st.composite
        def one(draw: st.DrawFn) -> InvalidRequest:
            rule = draw(st.sampled_from(chosen))
            body = draw(outbound_requests(destinations=e164_numbers(region="us"), max_items=3))
            body["outbound_calls"] = [dict(c) for c in body["outbound_calls"]]
            broken, path = _break(rule, body, draw)
            return InvalidRequest(rule, path, broken)

        return one()

    return st.deferred(build)


def agent_calls() -> st.SearchStrategy[dict[str, Any]]:
    """``AgentCall`` records consistent with their status (created/started/completed/failed)."""
    stamp = st.integers(1_772_366_400, 1_800_000_000).map(
        lambda s: datetime.fromtimestamp(s, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    )
    ids = st.text(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=16, max_size=16
    ).map(lambda t: "call_" + t)
    base = {
        "id": ids,
        "agent_id": st.just(DOC_AGENT),
        "agent_name": st.text(max_size=20),
        "metadata": st.one_of(st.none(), _metadata()),
        "telephony_account_type": st.sampled_from(["cartesia", "twilio"]),
        "zdr_enabled": st.booleans(),
    }
    created = st.fixed_dictionaries(
        {
            **base,
            "status": st.just("created"),
            "start_time": st.none(),
            "end_time": st.none(),
            "end_reason": st.none(),
        }
    )
    started = st.fixed_dictionaries(
        {
            **base,
            "status": st.just("started"),
            "start_time": stamp,
            "end_time": st.none(),
            "end_reason": st.none(),
        }
    )
    ended = st.fixed_dictionaries(
        {
            **base,
            "status": st.sampled_from(["completed", "failed"]),
            "start_time": st.one_of(st.none(), stamp),
            "end_time": stamp,
            "end_reason": st.sampled_from(
                [
                    "client_hangup",
                    "agent_hangup",
                    "dial_busy",
                    "dial_no_answer",
                    "dial_failed",
                    "max_duration",
                    "api_cancelled",
                    "error",
                ]
            ),
        }
    )
    return st.one_of(created, started, ended)


@dataclass(frozen=True)
class Workload:
    """Bursts of requests over time: each step waits ``after`` seconds, then posts ``body``."""

    steps: tuple[tuple[float, dict[str, Any]], ...]


def workloads(
    *, from_number_ids: tuple[str, ...] = (DOC_NUMBER,), max_steps: int = 8, max_burst: int = 5
) -> st.SearchStrategy[Workload]:
    """Bursts of outbound requests across numbers over time (destinations are magic numbers)."""

    def build() -> st.SearchStrategy[Workload]:
        if not from_number_ids or max_steps < 1 or max_burst < 1:
            raise InvalidArgument("need at least one number, one step and one call per burst")
        step = st.tuples(
            st.sampled_from([0.0, 0.1, 0.5, 1.0, 2.5, 10.0, 45.0]),
            st.sampled_from(from_number_ids).flatmap(
                lambda n: outbound_requests(
                    from_number_id=n,
                    destinations=magic_numbers(decades=(0, 1, 2, 3, 4, 5, 6)),
                    max_items=max_burst,
                )
            ),
        )
        return st.lists(step, min_size=1, max_size=max_steps).map(lambda s: Workload(tuple(s)))

    return st.deferred(build)
