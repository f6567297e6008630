"""List Calls paging: newest first, cursors by call id, an empty page at the end.

An agent's calls are kept in a list sorted by ``order_key`` (oldest first): a new call always
has the largest key (it is created now, after every start so far), so creation appends; only
an answer moves a call (its key becomes the start time), and the tenant then marks the agent
for one re-sort before its next page — Timsort on a nearly sorted list, in C. A page is then
a slice found by bisection: O(log N + limit).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from operator import attrgetter

from mock_server.domain.errors import bad_request
from mock_server.domain.models import Call
from mock_server.domain.world import World

#: Newest first means this key descending: start (or creation) time, then creation order.
order_key: Callable[[Call], tuple[int, int]] = attrgetter("sort_time", "seq")


def _position(calls: Sequence[Call], cursor: str, find: Callable[[str], Call | None]) -> int:
    """Where the call ``cursor`` sits in ``calls`` (sorted by ``order_key``), or -1."""
    call = find(cursor)
    if call is None:
        return -1
    i = bisect_left(calls, order_key(call), key=order_key)
    return i if i < len(calls) and calls[i] is call else -1


def page_of(
    calls: Sequence[Call],
    *,
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
    find: Callable[[str], Call | None],
) -> tuple[list[Call], str | None]:
    """One page, newest first, and the id to pass as the next cursor (None when nothing
    follows). ``calls`` is sorted by ``order_key``; ``find`` looks a call up by id."""
    if starting_after is not None and ending_before is not None:
        raise bad_request("Pass at most one of starting_after and ending_before.")
    n = len(calls)
    if ending_before is not None:
        i = _position(calls, ending_before, find)
        if i < 0:
            raise bad_request(
                f"ending_before: no call {ending_before!r} for this agent.", code="invalid_cursor"
            )
        page = list(calls[i + 1 : i + 1 + limit])[::-1]
        return page, (page[0].id if page and n - 1 - i > limit else None)
    end = n
    if starting_after is not None:
        end = _position(calls, starting_after, find)
        if end < 0:
            raise bad_request(
                f"starting_after: no call {starting_after!r} for this agent.",
                code="invalid_cursor",
            )
    page = list(calls[max(0, end - limit) : end])[::-1]
    return page, (page[-1].id if page and end > limit else None)


def agent_page(
    world: World, agent_id: str, *, limit: int, after: str | None, before: str | None
) -> tuple[list[Call], str | None]:
    """A page of ``agent_id``'s calls (re-sorting them first if one started since)."""
    calls = world.calls_by_agent.get(agent_id, [])
    if agent_id in world.unsorted:
        calls.sort(key=order_key)
        world.unsorted.discard(agent_id)

    def find(call_id: str) -> Call | None:
        call = world.calls.get(call_id)
        return call if call is not None and call.agent_id == agent_id else None

    return page_of(calls, limit=limit, starting_after=after, ending_before=before, find=find)
