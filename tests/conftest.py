"""Shared fixtures: the three doors into one fake, and Hypothesis profiles."""

from __future__ import annotations

import sys

# Let this run cache what it compiles, PYTHONDONTWRITEBYTECODE or not: pytest then keeps each
# test module's assertion-rewritten code, and xdist's workers (and the next run) load it
# instead of compiling and rewriting every module again (about 8 s of a 30 s fast tier here).
sys.dont_write_bytecode = False

import asyncio
import contextlib
import importlib
import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings

from contracts import VERSIONS, errors_of, versions_with
from mock_server import FakeCartesia
from mock_server.domain.tenants.tenant import Tenant
from mock_server.domain.tenants.world import World

# In-process pytester runs restore sys.modules afterwards: a server-side module first imported
# during one would be imported twice, splitting exception classes (httptools' upgrade error
# then escapes uvicorn). Importing the serving stack up front keeps one copy of each.
for _module in (
    "httptools",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.websockets.websockets_sansio_impl",
    "websockets.asyncio.client",
):
    with contextlib.suppress(ImportError):  # an older uvicorn (nox -s lowest) lacks sansio
        importlib.import_module(_module)

pytest_plugins = ["pytester"]

# Fixtures that start a real server: a test using one belongs to the slow tier.
SERVED_FIXTURES = frozenset({"live_fake", "live", "server", "cartesia_server"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything that opens a socket or a subprocess is `slow`; `-m "not slow"` is the
    in-process inner loop. Modules that start processes say so with their own `pytestmark`."""
    for item in items:
        served = SERVED_FIXTURES & set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        live_param = callspec is not None and any(
            v == "live" or (isinstance(v, tuple) and "live" in v) for v in callspec.params.values()
        )
        if served or live_param:
            item.add_marker(pytest.mark.slow)


settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=20, deadline=None)


def pytest_configure(config: pytest.Config) -> None:
    """The inner loop (``-m "not slow"``) draws fewer Hypothesis examples; the whole suite,
    as CI runs it, uses the full profile. (Loaded here, not at import: test modules import
    this file again as ``tests.conftest``.)"""
    fast = "not slow" in (config.getoption("markexpr", "") or "")
    settings.load_profile("dev" if fast else "ci")


def examples(factor: float) -> int:
    """A test's example count as a multiple of the loaded profile's (the full suite: 100)."""
    return max(5, round(settings.default.max_examples * factor))


AGENT = FakeCartesia.agent_id
NUMBER = FakeCartesia.from_number_id
_keys = itertools.count(1)


class Door:
    """A synchronous face over one way into the fake (sync, async or live), for one tenant."""

    def __init__(
        self, name: str, fake: FakeCartesia, key: str, base_url: str | None, version: str
    ) -> None:
        self.name = name
        self.fake = fake
        self.key = key
        self.version = version
        headers = {"authorization": f"Bearer {key}", "cartesia-version": version}
        self._loop: asyncio.AbstractEventLoop | None = None
        if name == "sync":
            self._client: Any = httpx.Client(
                transport=fake.transport(), base_url="https://api.cartesia.ai", headers=headers
            )
        elif name == "async":
            self._loop = asyncio.new_event_loop()
            self._client = httpx.AsyncClient(
                transport=fake.async_transport(),
                base_url="https://api.cartesia.ai",
                headers=headers,
            )
        else:
            self._client = httpx.Client(base_url=base_url or "", headers=headers)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._loop is not None:
            return self._loop.run_until_complete(self._client.request(method, path, **kwargs))
        response: httpx.Response = self._client.request(method, path, **kwargs)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    @property
    def latest(self) -> bool:
        """Whether this door speaks 2026-08-14 (dynamic_variables, has_more, ...)."""
        return self.version == "2026-08-14"

    def validate(self, name: str, body: Any) -> None:
        """Assert ``body`` meets contract ``name`` as this door's API version defines it."""
        errors = errors_of(name, body, version=self.version)
        assert not errors, f"{name} ({self.version}): {errors}"

    # -- helpers over the HTTP control plane (black-box) --
    def dial(self, *numbers: str, **extra: Any) -> httpx.Response:
        body = {
            "from_number_id": NUMBER,
            "agent_id": AGENT,
            "outbound_calls": [{"to_number": n} for n in numbers],
            **extra,
        }
        return self.post("/agents/calls", json=body)

    def call_ids(self, *numbers: str, **extra: Any) -> list[str]:
        response = self.dial(*numbers, **extra)
        assert response.status_code == 200, response.text
        return [c["agent_call_id"] for c in response.json()["calls"]]

    def advance(self, seconds: float) -> None:
        r = self.post("/__fake__/clock/advance", json={"seconds": seconds})
        assert r.status_code == 200, r.text

    def run_until_idle(self) -> None:
        assert self.post("/__fake__/clock/run-until-idle").status_code == 200

    def call(self, call_id: str) -> dict[str, Any]:
        r = self.get(f"/agents/calls/{call_id}")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def timeline(self, call_id: str) -> list[dict[str, Any]]:
        r = self.get(f"/__fake__/calls/{call_id}/timeline")
        assert r.status_code == 200, r.text
        events: list[dict[str, Any]] = r.json()["events"]
        return events

    def close(self) -> None:
        if self._loop is not None:
            self._loop.run_until_complete(self._client.aclose())
            self._loop.close()
        else:
            self._client.close()


@pytest.fixture(scope="session")
def live_fake() -> Iterator[tuple[FakeCartesia, str]]:
    fake = FakeCartesia(real_latency=True)
    server = fake.serve()
    yield fake, server.url
    fake.close()


#: The versions that place calls (POST /agents/calls): the black-box suite's versions.
CALL_VERSIONS = versions_with("outbound_request")


def _doors(versions: tuple[str, ...]) -> list[Any]:
    return [
        pytest.param(
            (door, version), id=f"{door}-{version}", marks=[pytest.mark.slow] * (door == "live")
        )
        for door in ("sync", "async", "live")
        for version in versions
    ]


DOORS = _doors(CALL_VERSIONS)
#: Every served version, legacy ones included (reads of calls: Get, List, Audio).
EVERY_VERSION_DOORS = _doors(VERSIONS)


@pytest.fixture(params=DOORS)
def door(request: pytest.FixtureRequest) -> Iterator[Door]:
    """The same black-box test through each door and under each API version that places
    calls; a fresh tenant every time."""
    yield from _door(request)


@pytest.fixture(params=EVERY_VERSION_DOORS)
def any_door(request: pytest.FixtureRequest) -> Iterator[Door]:
    """``door`` over every served version, the legacy ones included."""
    yield from _door(request)


def _door(request: pytest.FixtureRequest) -> Iterator[Door]:
    door_name, version = request.param
    # The test's own name, not its parametrised id: ids can be longer than a key may be.
    name = getattr(request.node, "originalname", request.node.name)[:64]
    key = f"sk_car_test_{name}_{next(_keys)}"
    if door_name == "live":
        fake, url = request.getfixturevalue("live_fake")
    else:
        fake, url = FakeCartesia(), None
    d = Door(door_name, fake, key, url, version)
    yield d
    d.close()
    problems = [p for p in fake.problems() if p.tenant == key]
    assert not problems, f"the fake recorded problems: {problems}"


@pytest.fixture
def fake() -> Iterator[FakeCartesia]:
    with FakeCartesia() as f, f.expect_no_problems():
        yield f


def service_client(service: Any, key: str, version: str = "2026-08-14") -> httpx.Client:
    """A client of ``service``'s app in process, as tenant ``key`` (tests that build a
    ``Service`` themselves, for a state file)."""
    from mock_server.serving.app import create_app
    from mock_server.serving.transports import SyncTransport

    return httpx.Client(
        transport=SyncTransport(create_app(service)),
        base_url="https://api.cartesia.ai",
        headers={"authorization": f"Bearer {key}", "cartesia-version": version},
    )


def world_of(tenant: Tenant) -> World:
    """A tenant's world, for white-box assertions after the requests were answered (the
    fake's own code reaches it only inside ``tenant.transaction()``)."""
    with tenant.holding() as tx:
        return tx.world
