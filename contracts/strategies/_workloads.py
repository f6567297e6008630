"""Workloads: bursts of outbound requests across numbers over time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import hypothesis.strategies as st
from hypothesis.errors import InvalidArgument

from contracts.strategies._numbers import magic_numbers
from contracts.strategies._requests import DOC_NUMBER, outbound_requests


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
