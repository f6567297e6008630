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
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar

from mock_server.domain.errors import bad_request
from mock_server.domain.models import Call

if TYPE_CHECKING:
    from mock_server.domain.tenants.world import World

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
    world: World,
    agent_id: str,
    *,
    limit: int,
    after: str | None,
    before: str | None,
    started: StartBounds | None = None,
) -> tuple[list[Call], str | None]:
    """A page of ``agent_id``'s calls (re-sorting them first if one started since); with
    ``started``, only the calls whose start time is within the bounds (an O(N) filter)."""
    calls = world.calls_by_agent.get(agent_id, [])
    if agent_id in world.unsorted:
        calls.sort(key=order_key)
        world.unsorted.discard(agent_id)
    if started is not None:
        calls = [c for c in calls if started.admits(c)]

    def find(call_id: str) -> Call | None:
        call = world.calls.get(call_id)
        if call is None or call.agent_id != agent_id:
            return None
        return call if started is None or started.admits(call) else None

    return page_of(calls, limit=limit, starting_after=after, ending_before=before, find=find)


@dataclass(frozen=True, slots=True)
class StartBounds:
    """Inclusive bounds on a call's start time (ms); a call that never started has none."""

    gte: int | None = None
    lte: int | None = None

    def admits(self, call: Call) -> bool:
        start = call.answered_at
        if start is None:
            return False
        return (self.gte is None or start >= self.gte) and (self.lte is None or start <= self.lte)


T = TypeVar("T")


def cursor_page(
    items: Sequence[T],
    id_of: Callable[[T], str],
    *,
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
    what: str,
) -> tuple[list[T], bool]:
    """A page of ``items`` (already in listing order) by id cursors, and whether more follow
    in the direction of travel. For small collections (webhooks, numbers): O(N)."""
    if starting_after is not None and ending_before is not None:
        raise bad_request("Pass at most one of starting_after and ending_before.")
    ids = [id_of(item) for item in items]
    if ending_before is not None:
        if ending_before not in ids:
            raise bad_request(f"ending_before: no {what} {ending_before!r}.", code="invalid_cursor")
        end = ids.index(ending_before)
        start = max(0, end - limit)
        return list(items[start:end]), start > 0
    begin = 0
    if starting_after is not None:
        if starting_after not in ids:
            raise bad_request(
                f"starting_after: no {what} {starting_after!r}.", code="invalid_cursor"
            )
        begin = ids.index(starting_after) + 1
    return list(items[begin : begin + limit]), begin + limit < len(items)
