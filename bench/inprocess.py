"""In-process cost per request: our sync/async transports against respx and MockTransport.

Each repetition runs every contender once, in a rotating order (interleaved), and the table
reports medians with min-max, and each median as a ratio to the static respx route on the
same kind of client: sync rows to respx with ``httpx.Client``, async rows to respx with
``httpx.AsyncClient`` (both driven the same way, so the event loop's own cost is on both
sides).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import NamedTuple

import httpx
import respx

from bench import UNBOUNDED
from mock_server import FakeCartesia

BASE = "https://api.cartesia.ai"
REFERENCE = "respx static route POST"
ASYNC_REFERENCE = "respx static route async POST"
HEADERS = {"authorization": "Bearer sk_bench", "cartesia-version": "2026-08-14"}


def _body(n: int) -> dict[str, object]:
    return {
        "from_number_id": FakeCartesia.from_number_id,
        "agent_id": FakeCartesia.agent_id,
        "outbound_calls": [{"to_number": f"+1415555{100 + i:04d}"} for i in range(n)],
    }


def _timed(fn: Callable[[], object], batch: int) -> float:
    start = time.perf_counter()
    for _ in range(batch):
        fn()
    return (time.perf_counter() - start) / batch * 1e6


def measure(reps: int = 15, batch: int = 200) -> list[Row]:
    """Rows of (name, median us, min us, max us) for POST one destination, and more."""
    canned = json.dumps(
        {"calls": [{"number": "+14155550100", "agent_call_id": "call_0000000000000000"}]}
    ).encode()
    mock = httpx.Client(
        transport=httpx.MockTransport(
            lambda r: httpx.Response(
                200, content=canned, headers={"content-type": "application/json"}
            )
        ),
        base_url=BASE,
        headers=HEADERS,
    )
    # respx as its docs use it: ``respx.mock`` patches httpx's own transport and a route
    # answers. This is the respx the anchors measured (~1.7x the MockTransport floor).
    patched = respx.mock(assert_all_called=False)
    patched.post(f"{BASE}/agents/calls").mock(return_value=httpx.Response(200, content=canned))
    patched_client = httpx.Client(base_url=BASE, headers=HEADERS)
    patched_async = httpx.AsyncClient(base_url=BASE, headers=HEADERS)
    # respx's router handed straight to a MockTransport: cheaper, and less common.
    router = respx.MockRouter(assert_all_called=False)
    router.post(f"{BASE}/agents/calls").mock(return_value=httpx.Response(200, content=canned))
    respx_client = httpx.Client(
        transport=httpx.MockTransport(router.handler), base_url=BASE, headers=HEADERS
    )
    # What users get: the fixture's FakeCartesia(), every response checked against its
    # contract. The validation-off variant stays as rows of its own, for comparison.
    default = FakeCartesia(max_calls_per_tenant=10**9, **UNBOUNDED)
    checked = default.client(api_key="sk_bench")
    checked_seed = checked.post("/agents/calls", json=_body(1)).json()["calls"][0]["agent_call_id"]
    achecked = default.async_client(api_key="sk_bench")
    fake = FakeCartesia(validate_responses=False, max_calls_per_tenant=10**9, **UNBOUNDED)
    sync = fake.client(api_key="sk_bench")
    loop = asyncio.new_event_loop()
    aclient = fake.async_client(api_key="sk_bench")
    one, ten = _body(1), _body(10)
    seeded = sync.post("/agents/calls", json=one).json()["calls"][0]["agent_call_id"]

    contenders: dict[str, Callable[[], object]] = {
        "floor: httpx.MockTransport POST": lambda: mock.post("/agents/calls", json=one).json(),
        "respx static route POST": lambda: patched_client.post("/agents/calls", json=one).json(),
        ASYNC_REFERENCE: lambda: loop.run_until_complete(
            patched_async.post("/agents/calls", json=one)
        ).json(),
        "respx router as MockTransport POST": lambda: respx_client.post(
            "/agents/calls", json=one
        ).json(),
        "fake (default) sync POST 1 dest.": lambda: checked.post("/agents/calls", json=one).json(),
        "fake (default) sync GET call": lambda: checked.get(f"/agents/calls/{checked_seed}").json(),
        "fake (default) async POST 1 dest.": lambda: loop.run_until_complete(
            achecked.post("/agents/calls", json=one)
        ).json(),
        "fake (default) async GET call": lambda: loop.run_until_complete(
            achecked.get(f"/agents/calls/{checked_seed}")
        ).json(),
        "fake sync POST 1 destination": lambda: sync.post("/agents/calls", json=one).json(),
        "fake async POST 1 destination": lambda: loop.run_until_complete(
            aclient.post("/agents/calls", json=one)
        ).json(),
        "fake sync POST 10 destinations": lambda: sync.post("/agents/calls", json=ten).json(),
        "fake sync GET call": lambda: sync.get(f"/agents/calls/{seeded}").json(),
        "fake sync List page (10)": lambda: sync.get(
            "/agents/calls", params={"agent_id": FakeCartesia.agent_id, "limit": 10}
        ).json(),
    }
    names = list(contenders)
    samples: dict[str, list[float]] = {n: [] for n in names}
    patched.start()
    for fn in contenders.values():
        _timed(fn, 20)  # warm up
    for rep in range(reps):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            samples[name].append(_timed(contenders[name], batch))
        fake.reset(api_key="sk_bench")
        seeded = sync.post("/agents/calls", json=one).json()["calls"][0]["agent_call_id"]
        default.reset(api_key="sk_bench")
        checked_seed = checked.post("/agents/calls", json=one).json()["calls"][0]["agent_call_id"]
    patched.stop()
    loop.run_until_complete(aclient.aclose())
    loop.run_until_complete(patched_async.aclose())
    loop.run_until_complete(achecked.aclose())
    loop.close()
    fake.close()
    default.close()
    return _rows(samples, samples[REFERENCE], samples[ASYNC_REFERENCE])


def _rows(
    samples: dict[str, list[float]],
    reference: list[float],
    async_reference: list[float] | None = None,
) -> list[Row]:
    """Each contender's median, range and paired ratio to ``reference`` (same repetition);
    an async row's to ``async_reference`` when given."""
    rows = []
    for n, v in samples.items():
        ref = async_reference if async_reference is not None and "async" in n else reference
        paired = statistics.median(x / r for x, r in zip(v, ref, strict=True))
        rows.append(Row(n, statistics.median(v), min(v), max(v), paired))
    return rows


def _respx_test(one: dict[str, object], canned: bytes) -> None:
    """What a test with respx costs: set up the mock and a route, one request, tear down."""
    with respx.mock(assert_all_called=True) as mock:
        mock.post(f"{BASE}/agents/calls").mock(return_value=httpx.Response(200, content=canned))
        with httpx.Client(base_url=BASE, headers=HEADERS) as client:
            client.post("/agents/calls", json=one).json()


def _fake_test(one: dict[str, object]) -> None:
    """What a test with the ``cartesia_fake`` fixture costs: the fixture's fake, one request,
    the teardown (close, then the problem check the plugin runs)."""
    fake = FakeCartesia(**UNBOUNDED)
    fake.client().post("/agents/calls", json=one).json()
    fake.close()
    assert not fake.service.problems()


def measure_per_test(reps: int = 9, batch: int = 50) -> list[Row]:
    """Set-up + one request + teardown, interleaved, as ratios to respx's."""
    one = _body(1)
    canned = b'{"calls": [{"number": "+14155550100", "agent_call_id": "call_0000000000000000"}]}'
    contenders: dict[str, Callable[[], object]] = {
        "respx.mock per test": lambda: _respx_test(one, canned),
        "cartesia_fake per test": lambda: _fake_test(one),
    }
    samples: dict[str, list[float]] = {n: [] for n in contenders}
    for fn in contenders.values():
        _timed(fn, 5)
    for rep in range(reps):
        for name in list(contenders)[rep % 2 :] + list(contenders)[: rep % 2]:
            samples[name].append(_timed(contenders[name], batch))
    return _rows(samples, samples["respx.mock per test"])


def get_call_by_talk(reps: int = 5, batch: int = 50) -> list[str]:
    """Get Call of an ended call at 10 min / 1 h / 4 h of talk, as the fixture's fake answers
    it (contracts checked): the cost should not grow with the talk time."""
    lines = []
    for minutes in (10, 60, 240):
        fake = FakeCartesia(**UNBOUNDED)
        client = fake.client()
        to = "+14155550150"
        client.put(
            f"/__fake__/callees/{to}",
            json={"outcome": "answer", "ring_seconds": 1, "talk_seconds": minutes * 60},
        )
        body = {**_body(0), "outbound_calls": [{"to_number": to}], "max_call_duration_minutes": 480}
        call_id = client.post("/agents/calls", json=body).json()["calls"][0]["agent_call_id"]
        fake.run_until_idle()
        turns = len(client.get(f"/agents/calls/{call_id}").json()["transcript"])
        path = f"/agents/calls/{call_id}"
        read = client.get
        runs = [_timed(lambda: read(path), batch) for _ in range(reps)]  # noqa: B023
        lines.append(
            f"Get Call, ended after {minutes:>3} min of talk ({turns:>4} turns): "
            f"median {statistics.median(runs) / 1000:.2f} ms"
        )
        fake.close()
    return lines


class Row(NamedTuple):
    """One contender: microseconds per request, and its ratio to respx.

    ``paired`` is the median over repetitions of (this / respx in the same repetition): the
    two ran back to back, so a busy moment of the machine slows both and cancels out.
    """

    name: str
    median: float
    low: float
    high: float
    paired: float


def report(rows: list[Row], title: str = "in-process, per request") -> str:
    head = f"{title:<36} {'median':>9} {'min-max':>17} {'vs respx':>9}"
    lines = [head + " (paired, per repetition; async rows to respx async)"]
    for row in rows:
        lines.append(
            f"{row.name:<36} {row.median:>7.0f}us {row.low:>7.0f}-{row.high:<7.0f}us"
            f" {row.paired:>8.2f}x"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(measure()))
    print(
        report(measure_per_test()).replace(
            "in-process, per request", "per test (set-up+1+teardown)"
        )
    )
