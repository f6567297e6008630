"""Unit tests of the domain pieces: clock, ids, scheduler, pacer, lifecycle table, JSON bodies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_server.domain.calls import lifecycle
from mock_server.domain.calls.pacing import DialPacer
from mock_server.domain.errors import ApiError
from mock_server.domain.ids import IdFactory, derive_seed
from mock_server.domain.models import Call, CalleeScript, CallStatus, Phase
from mock_server.domain.timing.clock import RealClock, VirtualClock, rfc3339
from mock_server.domain.timing.scheduler import Scheduler
from mock_server.http import jsonbody


def make_call(n: int = 0, **kw: object) -> Call:
    fields: dict = dict(
        id=f"call_{n:016d}",
        seq=n,
        agent_id="a",
        from_number_id="ap",
        to_number="+1",
        metadata=None,
        ringing_timeout_ms=60_000,
        max_duration_ms=480 * 60_000,
        script=CalleeScript(),
        created_at=0,
        dial_at=0,
    )
    fields.update(kw)
    fields.setdefault("sort_time", fields["created_at"])
    return Call(**fields)


def test_rfc3339_has_milliseconds_and_z() -> None:
    assert rfc3339(1_772_366_400_123) == "2026-03-01T12:00:00.123Z"


def test_virtual_clock_never_goes_back() -> None:
    clock = VirtualClock(1000)
    clock.set(2000)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(1999)


def test_real_clock_speed_uses_injected_source() -> None:
    t = [100.0]
    clock = RealClock(speed=60, source=lambda: t[0])
    start = clock.now_ms()
    t[0] += 1.0
    assert clock.now_ms() - start == 60_000
    with pytest.raises(ValueError, match="speed"):
        RealClock(speed=0)


def test_ids_are_deterministic_and_shaped() -> None:
    a, b = IdFactory(derive_seed(1, "k")), IdFactory(derive_seed(1, "k"))
    assert [a.call_id() for _ in range(3)] == [b.call_id() for _ in range(3)]
    assert IdFactory(derive_seed(2, "k")).call_id() != IdFactory(derive_seed(1, "k")).call_id()
    assert len(a.call_id()) == 21


def test_scheduler_orders_and_skips_stale_entries() -> None:
    s = Scheduler()
    calls = [make_call(i) for i in range(4)]

    def step(at: int) -> lifecycle.Step:
        return lifecycle.Step(at, "dialed", Phase.RINGING, CallStatus.CREATED)

    for call, at in zip(calls, [30, 10, 20, 10], strict=True):
        s.schedule(call, step(at))
    s.unschedule(calls[2])
    s.schedule(calls[0], step(5))  # rescheduled earlier: the old entry becomes stale
    order = []
    while (popped := s.pop_due(100)) is not None:
        call, due = popped
        assert call.pending is None
        assert due.at in (5, 10)
        order.append(call.seq)
    assert order == [0, 1, 3]
    assert s.next_due() is None


def test_pacer_fifo_and_gap() -> None:
    pacer = DialPacer(1000)
    calls = [make_call(i) for i in range(3)]
    assert [pacer.assign(c, now=0, lane="ap") for c in calls] == [0, 1000, 2000]
    assert pacer.assign(make_call(9), now=5000, lane="ap") == 5000
    assert pacer.assign(make_call(10), now=0, lane=None) == 0
    pacer.dialed(calls[0])
    assert next(iter(pacer.waiting["ap"])) is calls[1]


def test_transition_table_rejects_illegal_moves() -> None:
    call = make_call(phase=Phase.ENDED)
    step = lifecycle.Step(0, "answered", Phase.TALKING, CallStatus.STARTED)
    with pytest.raises(RuntimeError, match="illegal transition"):
        lifecycle.apply(call, step)
    assert lifecycle.next_step(call, error_after_answer_ms=5000) is None


def test_answer_exactly_at_timeout_is_no_answer() -> None:
    call = make_call(script=CalleeScript("answer", 60.0, 30.0), phase=Phase.RINGING)
    step = lifecycle.next_step(call, error_after_answer_ms=5000)
    assert step is not None
    assert (step.at, step.end_reason) == (60_000, "dial_no_answer")


@pytest.mark.parametrize(
    "raw",
    [b"{}", b'{"a": [1, {"b": null}]}', b'{"s": "\\u00e9 [ { not nesting"}', b'{"n": 1e308}'],
)
def test_jsonbody_accepts_valid_json(raw: bytes) -> None:
    assert isinstance(jsonbody.parse(raw, max_depth=64), dict)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b'{"a": {"b": [1, 1e999]}}', r"a\.b\[1\]: a number too large"),
        (b'{"a": 1e999, "a": 2}', "Duplicate key 'a'"),  # the duplicate wins, wherever it is
        (b'{"a": -1e400, "b": [}', "Malformed JSON at line 1 column 21"),
        (b'{"a": 1e999, "b": NaN}', "NaN is not valid JSON"),
    ],
)
def test_jsonbody_an_overflow_is_named_after_every_other_error(raw: bytes, says: str) -> None:
    """An overflowing number stops the first parse; the second names where it is, and any
    other fault of the body (anywhere in it) is still the one reported."""
    with pytest.raises(ApiError, match=says):
        jsonbody.parse(raw, max_depth=64)


def test_jsonbody_depth_counts_structure_not_strings() -> None:
    deep = b'{"a":' * 10 + b"1" + b"}" * 10
    assert jsonbody.parse(deep, max_depth=10)
    with pytest.raises(ApiError, match="nesting"):
        jsonbody.parse(deep, max_depth=9)
    assert jsonbody.parse(b'{"s": "' + b"[" * 100 + b'"}', max_depth=2)


@given(
    st.lists(st.integers(0, 20), min_size=0, max_size=40),
    st.integers(1, 7),
    st.data(),
)
def test_pages_match_slices_of_the_sorted_list(times: list[int], limit: int, data: Any) -> None:
    """The bisecting pager gives exactly the slices of the newest-first list, both ways."""
    from mock_server.domain.calls import listing

    calls = [make_call(i, created_at=t * 1000) for i, t in enumerate(times)]
    ordered = sorted(calls, key=lambda c: (c.sort_time, c.seq), reverse=True)
    by_id = {c.id: c for c in calls}
    cursor = data.draw(st.sampled_from([None, *[c.id for c in calls]]))
    backwards = cursor is not None and data.draw(st.booleans())
    page, nxt = listing.page_of(
        ordered[::-1],
        limit=limit,
        starting_after=None if backwards else cursor,
        ending_before=cursor if backwards else None,
        find=by_id.get,
    )
    ids = [c.id for c in ordered]
    if backwards:
        stop = ids.index(cursor)
        want = ordered[max(0, stop - limit) : stop]
        want_next = want[0].id if want and stop - limit > 0 else None
    else:
        start = 0 if cursor is None else ids.index(cursor) + 1
        want = ordered[start : start + limit]
        want_next = want[-1].id if want and start + limit < len(ordered) else None
    assert [c.id for c in page] == [c.id for c in want]
    assert nxt == want_next


def test_a_clock_that_went_back_still_lists_newest_first() -> None:
    """After a restart on a real clock behind the replayed time, new calls are sorted in."""
    from mock_server import FakeCartesia
    from mock_server.domain.timing.clock import VirtualClock

    with FakeCartesia() as fake:
        http = fake.client()
        body = {"from_number_id": fake.from_number_id, "agent_id": fake.agent_id}
        first = http.post(
            "/agents/calls", json={**body, "outbound_calls": [{"to_number": "+14155551234"}]}
        )
        fake.advance(100)  # the first call starts at 2 s
        http.get("/agents/calls", params={"agent_id": fake.agent_id})  # sorted as of now
        fake.tenant().use_clock(VirtualClock(0))  # the clock is behind the stored calls now
        http.post("/agents/calls", json={**body, "outbound_calls": [{"to_number": "+14155551235"}]})
        listed = http.get("/agents/calls", params={"agent_id": fake.agent_id}).json()["data"]
        assert listed[0]["id"] == first.json()["calls"][0]["agent_call_id"]  # started at 2 s > 0


def test_the_journal_redacts_secrets_even_where_it_cuts_the_body() -> None:
    from mock_server.domain.journal.journal import BODY_BYTES, journal_body

    whole = b'{"url":"https://x","SECRET":"hunter2","n":1}'
    assert journal_body(whole) == b'{"url":"https://x","SECRET":"***","n":1}'
    cut_inside = b'{"pad":"' + b"x" * (BODY_BYTES - 30) + b'","api_key":"sk_live_abcdefghij"}'
    kept = journal_body(cut_inside)
    assert kept is not None
    assert len(kept) <= BODY_BYTES
    assert b"sk_live" not in kept
    assert kept.endswith(b'"api_key":"***')
    assert journal_body(b'{"n":1}') == b'{"n":1}'  # nothing secret: kept as sent
