"""List Calls paging: newest first, cursors by call id, an empty page at the end.

A page is picked with a bounded heap over the agent's calls (O(N log limit)), never by sorting
them all: a shared server may hold many calls per agent, and every page is asked for anew.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from operator import attrgetter

from mock_server.domain.errors import bad_request
from mock_server.domain.models import Call

#: Newest first means this key descending: start (or creation) time, then creation order.
order_key: Callable[[Call], tuple[int, int]] = attrgetter("sort_time", "seq")


def newest_first(calls: Sequence[Call]) -> list[Call]:
    """Every call, newest first (the order the pages walk)."""
    return sorted(calls, key=order_key, reverse=True)


def _anchor(calls: Sequence[Call], cursor: str, name: str) -> tuple[int, int]:
    for call in calls:
        if call.id == cursor:
            return order_key(call)
    raise bad_request(f"{name}: no call {cursor!r} for this agent.", code="invalid_cursor")


def page_of(
    calls: Sequence[Call],
    *,
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
) -> tuple[list[Call], str | None]:
    """One page and the id to pass as the next cursor (None when nothing follows)."""
    if starting_after is not None and ending_before is not None:
        raise bad_request("Pass at most one of starting_after and ending_before.")
    if ending_before is not None:
        anchor = _anchor(calls, ending_before, "ending_before")
        newer = [c for c in calls if order_key(c) > anchor]
        page = heapq.nsmallest(limit, newer, key=order_key)[::-1]
        return page, (page[0].id if page and len(newer) > limit else None)
    older: Sequence[Call] = calls
    if starting_after is not None:
        anchor = _anchor(calls, starting_after, "starting_after")
        older = [c for c in calls if order_key(c) < anchor]
    # Calls are stored in creation order, which is nearly this order: walking them newest
    # first, the heap fills with the winners at once and rarely changes after (2-3x faster).
    page = heapq.nlargest(limit, reversed(older), key=order_key)
    return page, (page[-1].id if page and len(older) > limit else None)
