"""List Calls paging: newest first, cursors by call id, an empty page at the end."""

from __future__ import annotations

from collections.abc import Sequence

from mock_server.domain.errors import bad_request
from mock_server.domain.models import Call


def newest_first(calls: Sequence[Call]) -> list[Call]:
    """Start time (or creation time if never started) descending; later-created first on ties."""
    return sorted(calls, key=lambda c: (c.sort_time, c.seq), reverse=True)


def page_of(
    calls: Sequence[Call],
    *,
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
) -> tuple[list[Call], str | None]:
    """One page and the id to pass as the next cursor (None when nothing follows)."""
    ordered = newest_first(calls)
    index = {c.id: i for i, c in enumerate(ordered)}
    if starting_after is not None and ending_before is not None:
        raise bad_request("Pass at most one of starting_after and ending_before.")
    if ending_before is not None:
        if ending_before not in index:
            raise bad_request(
                f"ending_before: no call {ending_before!r} for this agent.", code="invalid_cursor"
            )
        stop = index[ending_before]
        page = ordered[max(0, stop - limit) : stop]
        return page, (page[0].id if page and stop - limit > 0 else None)
    start = 0
    if starting_after is not None:
        if starting_after not in index:
            raise bad_request(
                f"starting_after: no call {starting_after!r} for this agent.", code="invalid_cursor"
            )
        start = index[starting_after] + 1
    page = ordered[start : start + limit]
    more = start + limit < len(ordered)
    return page, (page[-1].id if page and more else None)
