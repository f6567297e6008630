"""List Calls and discovery endpoints, black-box through all three doors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import validate
from tests.conftest import AGENT, NUMBER, Door, world_of


def listing(door: Door, **params: object) -> dict:
    r = door.get("/agents/calls", params={"agent_id": AGENT, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    door.validate("call_list", body)
    return body


def make_calls(door: Door, n: int) -> list[str]:
    ids: list[str] = []
    for i in range(n):
        ids += door.call_ids(f"+1212555{3000 + i}")
        door.advance(0.01)
    return ids


def walk(door: Door, limit: int) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(100):
        params = {"limit": limit, **({"starting_after": cursor} if cursor else {})}
        page = listing(door, **params)["data"]
        if not page:
            return seen
        seen += [c["id"] for c in page]
        cursor = page[-1]["id"]
    raise AssertionError("pagination did not terminate")


def test_default_limit_and_newest_first(door: Door) -> None:
    ids = make_calls(door, 12)
    body = listing(door)
    assert len(body["data"]) == 10
    assert [c["id"] for c in body["data"]] == list(reversed(ids))[:10]
    assert body["next_page"] == body["data"][-1]["id"]


def test_started_calls_sort_by_start_time(door: Door) -> None:
    slow, fast = "+12125557000", "+12125557001"
    door.put(f"/__fake__/callees/{slow}", json={"outcome": "answer", "ring_seconds": 20})
    door.put(f"/__fake__/callees/{fast}", json={"outcome": "answer", "ring_seconds": 1})
    [a] = door.call_ids(slow)
    [b] = door.call_ids(fast)  # dials 1 s later, answers at 2 s; a answers at 20 s
    door.advance(2)
    assert [c["id"] for c in listing(door)["data"]] == [b, a]  # a never started: created_at
    door.advance(30)
    assert [c["id"] for c in listing(door)["data"]] == [a, b]


@pytest.mark.parametrize("limit", [1, 3, 7, 100])
def test_paging_visits_each_call_once_and_ends_empty(door: Door, limit: int) -> None:
    ids = make_calls(door, 7)
    assert walk(door, limit) == list(reversed(ids))


def test_ending_before_pages_backwards(door: Door) -> None:
    ids = list(reversed(make_calls(door, 7)))  # newest first
    page = listing(door, ending_before=ids[5], limit=2)
    assert [c["id"] for c in page["data"]] == ids[3:5]
    page = listing(door, ending_before=ids[1], limit=5)
    assert [c["id"] for c in page["data"]] == ids[0:1]
    assert listing(door, ending_before=ids[0])["data"] == []


def test_expand_transcript(door: Door) -> None:
    make_calls(door, 2)
    door.run_until_idle()
    assert all("transcript" not in c for c in listing(door)["data"])
    assert all(c["transcript"] for c in listing(door, expand="transcript")["data"])


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"agent_id": ""},
        {"agent_id": AGENT, "limit": 0},
        {"agent_id": AGENT, "limit": 101},
        {"agent_id": AGENT, "limit": "ten"},
        {"agent_id": AGENT, "limit": "1.5"},
        {"agent_id": AGENT, "limit": "99999999999999999999"},
        {"agent_id": AGENT, "starting_after": "call_nope"},
        {"agent_id": AGENT, "ending_before": "call_nope"},
        {"agent_id": AGENT, "expand": "everything"},
        {"agent_id": AGENT, "expand": ""},
    ],
)
def test_bad_list_parameters_are_400(door: Door, params: dict) -> None:
    r = door.get("/agents/calls", params=params)
    assert r.status_code == 400, r.text
    validate("error", r.json())


def test_other_agents_calls_are_not_listed(door: Door) -> None:
    make_calls(door, 2)
    door.post("/__fake__/agents", json={"id": "agent_other"})
    r = door.get("/agents/calls", params={"agent_id": "agent_other"})
    empty = {"data": [], "next_page": None} | ({"has_more": False} if door.latest else {})
    assert r.json() == empty


def test_discovery_endpoints(door: Door) -> None:
    numbers = door.get("/agents/phone-numbers").json()
    door.validate("phone_number_list", numbers)
    assert [n["id"] for n in numbers["data"]] == [NUMBER]
    one = door.get(f"/agents/phone-numbers/{NUMBER}").json()
    door.validate("phone_number", one)
    assert door.get("/agents/phone-numbers/ap_nope").status_code == 404
    agents = door.get("/agents").json()
    door.validate("agent_list", agents)
    assert [a["id"] for a in agents["summaries"]] == [AGENT]
    agent = door.get(f"/agents/{AGENT}").json()
    door.validate("agent", agent)
    assert agent["deployment_count"] == 1
    assert door.get("/agents/agent_nope").status_code == 404


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        # wait -1: run until idle (the heap-free fast-forward), else advance that many seconds
        st.tuples(st.lists(st.sampled_from("01245"), min_size=1, max_size=4), st.integers(-1, 40)),
        min_size=1,
        max_size=8,
    ),
    st.integers(1, 5),
)
def test_pages_stay_right_as_calls_start_between_requests(
    steps: list[tuple[list[str], int]], limit: int
) -> None:
    """Calls created, started and ended in any interleaving: walking the pages both ways
    gives exactly every call newest first (start time, else creation time; later-made first)."""
    from mock_server import FakeCartesia

    with FakeCartesia() as fake:
        http = fake.client()
        for decades, wait in steps:
            body = {
                "from_number_id": fake.from_number_id,
                "agent_id": fake.agent_id,
                "outbound_calls": [
                    {"to_number": f"+141555501{decade}{i}"} for i, decade in enumerate(decades)
                ],
            }
            assert http.post("/agents/calls", json=body).status_code == 200
            if wait < 0:
                fake.run_until_idle()
            else:
                fake.advance(wait)
            seen, cursor = [], None
            while True:
                params = {"agent_id": fake.agent_id, "limit": limit}
                if cursor:
                    params["starting_after"] = cursor
                page = http.get("/agents/calls", params=params).json()
                seen += page["data"]
                cursor = page["next_page"]
                if not cursor:
                    break
            calls = [fake.call(c["id"]) for c in seen]
            expected = sorted(
                calls,
                key=lambda c: (c.answered_at if c.answered_at is not None else c.created_at, c.seq),
                reverse=True,
            )
            assert [c["id"] for c in seen] == [c.id for c in expected]
            assert len(seen) == len(world_of(fake.tenant()).calls)
            # and backwards from the oldest, one page at a time
            back, before = [], seen[-1]["id"]
            while True:
                params = {"agent_id": fake.agent_id, "limit": limit, "ending_before": before}
                page = http.get("/agents/calls", params=params).json()
                back = page["data"] + back
                before = page["next_page"]
                if not before:
                    break
            assert [c["id"] for c in back] == [c["id"] for c in seen[:-1]]
