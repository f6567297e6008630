"""Call batches: valid ``POST /agents/calls/batches`` bodies, bodies that break one labelled
rule, and campaigns (batches created over time)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import hypothesis.strategies as st
from hypothesis.errors import InvalidArgument

from contracts.strategies._numbers import invalid_e164_numbers, magic_numbers
from contracts.strategies._requests import (
    DOC_AGENT,
    DOC_NUMBER,
    _version,
    dynamic_variables,
    has_variables,
)

#: Every batch rule a body can break, with the JSON path its 400 must name.
BATCH_RULES: Mapping[str, str] = MappingProxyType(
    {
        "agent_id.missing": "agent_id",
        "from_number_id.missing": "from_number_id",
        "recipients.missing": "recipients",
        "recipients.empty": "recipients",
        "recipient.to_number": "recipients[{i}].to_number",
        "recipient.dynamic_variables": "recipients[{i}].dynamic_variables",
        "target_concurrency_limit.below_1": "target_concurrency_limit",
        "ringing_timeout_seconds.out_of_range": "ringing_timeout_seconds",
        "max_call_duration_minutes.out_of_range": "max_call_duration_minutes",
        "scheduled_at.malformed": "scheduled_at",
    }
)

#: The start of the fake's virtual clock (2026-03-01T12:00:00Z): scheduled times are relative.
EPOCH = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def batch_requests(
    *,
    agent_id: str = DOC_AGENT,
    from_number_id: str = DOC_NUMBER,
    destinations: st.SearchStrategy[str] | None = None,
    max_recipients: int = 10,
    version: str | None = None,
    scheduled: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid batch bodies; with ``scheduled``, some start up to an hour after the fake's
    starting instant (a test should not have moved its clock past that)."""

    def build() -> st.SearchStrategy[dict[str, Any]]:
        if not 1 <= max_recipients <= 5000:
            raise InvalidArgument(f"max_recipients must be 1..5000, got {max_recipients}")
        optional: dict[str, st.SearchStrategy[Any]] = {}
        if has_variables(version):
            optional["dynamic_variables"] = dynamic_variables(max_size=3)
        recipient = st.fixed_dictionaries(
            {"to_number": destinations or magic_numbers(decades=(0, 1, 2, 3, 4))},
            optional=optional,
        )
        extra: dict[str, st.SearchStrategy[Any]] = {
            "target_concurrency_limit": st.integers(1, 10),
            "ringing_timeout_seconds": st.integers(5, 80),
            "max_call_duration_minutes": st.integers(1, 480),
        }
        if scheduled:
            extra["scheduled_at"] = st.integers(1, 3600).map(
                lambda s: (EPOCH + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ")
            )
        return st.fixed_dictionaries(
            {
                "name": st.text(max_size=20),
                "agent_id": st.just(agent_id),
                "from_number_id": st.just(from_number_id),
                "recipients": st.lists(recipient, min_size=1, max_size=max_recipients),
            },
            optional=extra,
        )

    return st.deferred(build)


@dataclass(frozen=True)
class InvalidBatchRequest:
    """A batch body that breaks exactly ``rule``; its 400 must name ``path``."""

    rule: str
    path: str
    body: dict[str, Any]


def invalid_batch_requests(*, version: str | None = None) -> st.SearchStrategy[InvalidBatchRequest]:
    """Batch bodies each breaking one rule, labelled with it (no batch may be created)."""

    def build() -> st.SearchStrategy[InvalidBatchRequest]:
        ver = _version(version)
        rules = [r for r in BATCH_RULES if has_variables(ver) or "dynamic" not in r]

        @st.composite
        def one(draw: st.DrawFn) -> InvalidBatchRequest:
            rule = draw(st.sampled_from(rules))
            body = draw(batch_requests(version=ver, max_recipients=4))
            recipients = [dict(r) for r in body["recipients"]]
            body["recipients"] = recipients
            i = draw(st.integers(0, len(recipients) - 1))
            field, _, how = rule.partition(".")
            if how == "missing":
                del body[field]
            elif how == "empty":
                body["recipients"] = []
            elif rule == "recipient.to_number":
                recipients[i]["to_number"] = draw(invalid_e164_numbers())
            elif rule == "recipient.dynamic_variables":
                recipients[i]["dynamic_variables"] = {"secret__token": "x"}
            elif how == "below_1":
                body[field] = draw(st.integers(-5, 0))
            elif field == "ringing_timeout_seconds":
                body[field] = draw(st.one_of(st.integers(max_value=4), st.integers(81, 1000)))
            elif field == "max_call_duration_minutes":
                body[field] = draw(st.one_of(st.integers(max_value=0), st.integers(481, 5000)))
            else:
                body[field] = draw(st.sampled_from(["soon", "2026-03-01 13:00", "13:00Z"]))
            return InvalidBatchRequest(rule, BATCH_RULES[rule].format(i=i), body)

        return one()

    return st.deferred(build)


@dataclass(frozen=True)
class Campaign:
    """Batches created over time: each step waits ``after`` seconds, then posts ``body``."""

    steps: tuple[tuple[float, dict[str, Any]], ...]


def campaigns(
    *, from_number_ids: tuple[str, ...] = (DOC_NUMBER,), max_batches: int = 4
) -> st.SearchStrategy[Campaign]:
    """A campaign: a few batches (magic-number recipients the fake places) over time."""

    def build() -> st.SearchStrategy[Campaign]:
        if not from_number_ids or max_batches < 1:
            raise InvalidArgument("need at least one number and one batch")
        step = st.tuples(
            st.sampled_from([0.0, 1.0, 15.0, 60.0]),
            st.sampled_from(from_number_ids).flatmap(
                lambda n: batch_requests(from_number_id=n, max_recipients=8)
            ),
        )
        return st.lists(step, min_size=1, max_size=max_batches).map(lambda s: Campaign(tuple(s)))

    return st.deferred(build)
