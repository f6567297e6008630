"""Valid request bodies, dynamic variables and AgentCall records, per API version."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import hypothesis.strategies as st
from hypothesis.errors import InvalidArgument

from contracts._loader import LATEST, SHIPPED, load_schema, versions_with
from contracts.strategies._numbers import e164_numbers, magic_numbers

DOC_AGENT = "agent_Fo7pKNBUwLZxrTd6jvhpaE"


DOC_NUMBER = "ap_Q8PRh7lXyZsawXJmN2KcT5"


#: The environment variable that pins the strategies' default version (the pytest plugin
#: sets it from the ini option ``cartesia_api_version``).
VERSION_ENV = "CARTESIA_FAKE_API_VERSION"


def default_version() -> str:
    """The version strategies draw for when not told: the pinned one, else the latest."""
    return os.environ.get(VERSION_ENV) or LATEST


def _version(version: str | None) -> str:
    """``version`` (the pinned default when None), which must be one that places calls."""
    if version is None:
        version = default_version()
    placing = versions_with("outbound_request")
    if version not in placing:
        raise InvalidArgument(
            f"version must be one that places calls ({', '.join(placing)}), got {version!r}"
        )
    return version


def has_variables(version: str | None) -> bool:
    """Whether ``version``'s outbound items carry ``dynamic_variables`` (from the lineage)."""
    return SHIPPED.has_field("outbound_item", "dynamic_variables", _version(version))


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


def _metadata() -> st.SearchStrategy[dict[str, Any]]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=20)
    )
    return st.dictionaries(st.text(min_size=1, max_size=10), scalars, max_size=4)


_NAME_START = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"


_NAME_REST = _NAME_START + "0123456789"


def _variable_names() -> st.SearchStrategy[str]:
    return st.builds(
        lambda a, b: a + b, st.sampled_from(_NAME_START), st.text(_NAME_REST, max_size=20)
    ).filter(lambda n: not n.startswith(("system__", "secret__")))


def dynamic_variables(*, max_size: int = 8) -> st.SearchStrategy[dict[str, Any]]:
    """Valid ``dynamic_variables`` (Cartesia-Version 2026-08-14): names matching
    ``^[A-Za-z_][A-Za-z0-9_]*$`` outside the reserved prefixes, string/number/boolean values."""

    def build() -> st.SearchStrategy[dict[str, Any]]:
        if not 0 <= max_size <= 64:
            raise InvalidArgument(f"max_size must be 0..64, got {max_size}")
        values = st.one_of(
            st.text(max_size=40),
            st.booleans(),
            st.integers(-(10**9), 10**9),
            st.floats(allow_nan=False, allow_infinity=False, width=32),
        )
        return st.dictionaries(_variable_names(), values, max_size=max_size)

    return st.deferred(build)


def outbound_requests(
    *,
    agent_id: str = DOC_AGENT,
    from_number_id: str = DOC_NUMBER,
    destinations: st.SearchStrategy[str] | None = None,
    max_items: int = 10,
    version: str | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid ``POST /agents/calls`` bodies (for the seeded agent and number by default) under
    ``version`` (default: the latest, whose items may carry ``dynamic_variables``).

    Destinations default to what the fake places for a Cartesia number: US numbers and magic
    numbers. International numbers are refused for Cartesia numbers (a per-destination
    ``destination_not_allowed``); pass ``destinations=e164_numbers()`` to draw them too."""

    def build() -> st.SearchStrategy[dict[str, Any]]:
        limits = _limits()
        if not 1 <= max_items <= limits["max_items"]:
            raise InvalidArgument(f"max_items must be 1..{limits['max_items']}, got {max_items}")
        optional: dict[str, st.SearchStrategy[Any]] = {
            "metadata": st.one_of(st.none(), _metadata())
        }
        if has_variables(version):
            optional["dynamic_variables"] = st.one_of(st.none(), dynamic_variables())
        item = st.fixed_dictionaries(
            {
                "to_number": destinations
                if destinations is not None
                else st.one_of(e164_numbers(region="us"), magic_numbers())
            },
            optional=optional,
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


def agent_calls(*, version: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """``AgentCall`` records consistent with their status (created/started/completed/failed),
    in ``version``'s shape (default: the latest)."""
    ver = _version(version)
    stamp = st.integers(1_772_366_400, 1_800_000_000).map(
        lambda s: datetime.fromtimestamp(s, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    )
    ids = st.text(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=16, max_size=16
    ).map(lambda t: "call_" + t)
    base: dict[str, st.SearchStrategy[Any]] = {
        "id": ids,
        "agent_id": st.just(DOC_AGENT),
        "agent_name": st.text(max_size=20),
        "telephony_account_type": st.sampled_from(["cartesia", "twilio"]),
    }
    if SHIPPED.has_field("agent_call", "metadata", ver):
        base["metadata"] = st.one_of(st.none(), _metadata())
    if SHIPPED.has_field("agent_call", "zdr_enabled", ver):
        base["zdr_enabled"] = st.booleans()
    if SHIPPED.has_field("agent_call", "dynamic_variables", ver):
        base["dynamic_variables"] = st.one_of(st.none(), dynamic_variables())
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
