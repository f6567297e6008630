"""FakeCartesia: the one object a user holds. It owns the app, the tenants and the doors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from contracts import LATEST, VERSIONS
from mock_server.domain.batches import batch_ops
from mock_server.domain.journal.faults import Fault, make_fault, path_matches
from mock_server.domain.journal.journal import DuplicateDial, JournalEntry
from mock_server.domain.models import Call, CalleeScript
from mock_server.domain.reads import lookups
from mock_server.domain.tenants.seed import DOC_AGENT_ID, DOC_NUMBER_ID, Seed
from mock_server.domain.tenants.tenant import Tenant
from mock_server.domain.timing.clock import ClockMode, rfc3339
from mock_server.http import control_views
from mock_server.http.route_index import RouteIndex
from mock_server.kit import assertions, tenancy
from mock_server.kit.fake_assertions import DialerAssertions
from mock_server.routes import ui
from mock_server.service import budget, knob_values
from mock_server.service.core import Problem, Service
from mock_server.serving.app import create_app
from mock_server.serving.server import LiveServer
from mock_server.serving.transports import AsyncTransport, SyncTransport
from mock_server.wire import views
from mock_server.wire.versions import wire

DEFAULT_API_KEY = "sk_car_fake_test_key"
DEFAULT_BASE_URL = "https://api.cartesia.ai"
#: What ``client()`` sends unless told otherwise: the official SDKs' default.
DEFAULT_VERSION = LATEST


class FakeCartesia(DialerAssertions):
    """A faithful fake of Cartesia's agent-call API.

    Args:
        seed: master seed; ids are deterministic per (seed, API key).
        clock: ``"virtual"`` (time moves only when told) or ``"real"``.
        speed: real-clock speed factor (60 = a real second is a minute).
        api_key: the key ``client()``/``async_client()`` use and the Python API acts on.
        world: what each new tenant starts with (default: the documented example's ids).
        validate_responses: check every response against its contract; violations are
            recorded in ``problems()``.
        real_latency: injected latency faults really sleep (the default advances the
            virtual clock instead, so a 90 s latency fault costs no wall time).
        auto_advance: on a virtual clock, each Get/List Call first jumps to the next event,
            so a polling dialer sees its calls progress without the test moving time.
        api_version: the ``Cartesia-Version`` that ``client()``/``async_client()`` send and
            that ``get_call`` renders (default 2026-08-14, as the official SDKs send).
        default_callee: how every callee without a script or magic number behaves: an
            outcome (``"busy"``), the script's fields as a dict, or a ``CalleeScript``.
        start: where each tenant's virtual clock starts: an RFC 3339 instant, a
            ``datetime`` with a timezone, or ``"now"`` (default 2026-03-01T12:00:00Z).
        knobs: behaviour knobs (see ``cartesia-fake behaviors``), and the runaway budgets
            ``max_requests``, ``max_response_bytes``, ``max_virtual_seconds``,
            ``max_wall_seconds`` (``mock_server.service.budget.Limits``; None: no limit).

    Example:
        >>> with FakeCartesia() as fake:
        ...     r = fake.client().get("/")
        >>> r.json()["ok"]
        True
    """

    agent_id = DOC_AGENT_ID
    from_number_id = DOC_NUMBER_ID

    def __init__(
        self,
        *,
        seed: int = 0,
        clock: ClockMode = "virtual",
        speed: float = 1.0,
        api_key: str = DEFAULT_API_KEY,
        world: Seed | None = None,
        validate_responses: bool = True,
        real_latency: bool = False,
        auto_advance: bool = False,
        api_version: str = DEFAULT_VERSION,
        default_callee: CalleeScript | str | Mapping[str, Any] | None = None,
        start: str | datetime | None = None,
        **knobs: Any,
    ) -> None:
        if api_version not in VERSIONS:
            raise ValueError(f"api_version must be one of {', '.join(VERSIONS)}: {api_version!r}")
        self.api_version = api_version
        limits = budget.limits_from(knobs)
        self.service = Service(
            settings=knob_values.settings_of(knobs),
            seed=seed,
            world_seed=world,
            clock=clock,
            speed=speed,
            validate_responses=validate_responses,
            real_latency=real_latency,
            auto_advance=auto_advance,
            start_ms=knob_values.start_ms(start),
        )
        self.app: RouteIndex = create_app(self.service)
        self.service.budget = budget.Budget(
            limits, describe=lambda k: assertions.runaway(self.tenant(k))
        )
        self.api_key = api_key
        self._servers: list[LiveServer] = []
        if default_callee is not None:
            self.tenant().set_default_callee(CalleeScript.of(default_callee))
        self._clients: list[httpx.Client | httpx.AsyncClient] = []

    # ---- doors ----------------------------------------------------------------------------

    def transport(self) -> SyncTransport:
        """A sync httpx transport into the app (no socket, no thread)."""
        return SyncTransport(self.app)

    def async_transport(self) -> AsyncTransport:
        """An async httpx transport into the app."""
        return AsyncTransport(self.app)

    def _headers(self, api_key: str | None) -> dict[str, str]:
        return {
            "authorization": f"Bearer {api_key or self.api_key}",
            "cartesia-version": self.api_version,
        }

    def client(self, *, api_key: str | None = None, **kwargs: Any) -> httpx.Client:
        """An httpx.Client on the sync transport, base URL, key and version set (``headers=``
        adds to them or overrides them); closed by ``close()``."""
        made: httpx.Client = self._made(httpx.Client, self.transport(), api_key, kwargs)
        return made

    def async_client(self, *, api_key: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
        """An httpx.AsyncClient on the async transport, with base URL, key and version set."""
        made: httpx.AsyncClient = self._made(
            httpx.AsyncClient, self.async_transport(), api_key, kwargs
        )
        return made

    def _made(self, kind: Any, transport: Any, api_key: str | None, kwargs: Any) -> Any:
        headers = {**self._headers(api_key), **dict(kwargs.pop("headers", {}))}
        client = kind(transport=transport, base_url=DEFAULT_BASE_URL, headers=headers, **kwargs)
        self._clients.append(client)
        return client

    def serve(self, *, host: str = "127.0.0.1", port: int = 0) -> LiveServer:
        """Start a live server in a thread (stopped by ``close()``); its ``url`` is ready."""
        server = LiveServer(self.app, host=host, port=port).start()
        self._servers.append(server)
        return server

    def close(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers.clear()
        for client in self._clients:
            if isinstance(client, httpx.Client):
                client.close()
        self._clients.clear()
        self.service.close()

    def __enter__(self) -> FakeCartesia:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- per-tenant Python API (the default key unless another is given) -------------------

    def tenant(self, api_key: str | None = None) -> Tenant:
        """The tenant of ``api_key`` (created on first use)."""
        return self.service.tenants.get(api_key or self.api_key)

    def advance(self, seconds: float, *, api_key: str | None = None) -> None:
        """Move virtual time ``seconds`` forward for ``api_key``'s tenant, or for every
        tenant on a virtual clock when no key is named."""
        for tenant in tenancy.clock_tenants(self.service, self.api_key, api_key):
            tenant.advance(seconds)

    def run_until_idle(self, *, api_key: str | None = None) -> None:
        """Run ``api_key``'s tenant (or every virtual tenant) until nothing is pending."""
        for tenant in tenancy.clock_tenants(self.service, self.api_key, api_key):
            tenant.run_until_idle()

    def set_callee(
        self,
        number: str,
        script: CalleeScript | None = None,
        *,
        api_key: str | None = None,
        **fields: Any,
    ) -> None:
        """Script the callee at ``number`` (a CalleeScript, or its fields as keywords)."""
        self.tenant(api_key).set_callee(number, CalleeScript.of(script or fields))

    def add_fault(
        self,
        name: str | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        latency_seconds: float = 0.0,
        drop_connection: bool = False,
        after_commit: bool = False,
        times: int | None = None,
        message: str | None = None,
        api_key: str | None = None,
    ) -> Fault:
        """Inject a fault into the API; the first live fault matching a request wins.

        Args:
            name: a documented failure instead of the fields below:
                ``cancel_undeliverable`` (Cancel's 502), ``delete_incomplete`` (Delete's
                retryable 500), ``batch_usage_limit`` (Create Batch's 402); the fields
                given then override its own (``times=1``).
            method: ``GET``, ``POST``, ``PATCH``, ``PUT`` or ``DELETE`` (None: any).
            path: an exact path, or a route template such as ``/agents/calls/{call_id}``
                (every Get Call, but not List Calls or Get Batch); None: every route.
            status: answer this status (400-599) instead of the real answer.
            retry_after: seconds for the ``Retry-After`` header (429s get 1 by default).
            latency_seconds: delay first (virtual in process, real when served).
            drop_connection: close the connection without an answer.
            after_commit: let the request take effect first, then fail it.
            times: fire this many times, then retire (None: every time).
            message: the error body's message.

        Raises ``ValueError`` naming the field for anything that could never fire. A fault
        that never fired by the end of a test fails it under the pytest plugin (marker
        option ``allow_unused_faults=True`` to allow it); ``unused_faults()`` lists them.
        """
        fault = make_fault(
            name,
            method=method,
            path=path,
            status=status,
            retry_after=retry_after,
            latency_seconds=latency_seconds,
            drop_connection=drop_connection,
            after_commit=after_commit,
            times=times,
            message=message,
        )
        return self.tenant(api_key).add_fault(fault)

    def unused_faults(self, *, api_key: str | None = None) -> list[Fault]:
        """Faults added and never fired."""
        return self.tenant(api_key).unused_faults()

    def call(self, call_id: str, *, api_key: str | None = None) -> Call:
        return self.tenant(api_key).call(call_id)

    def get_call(self, call_id: str, *, api_key: str | None = None) -> dict[str, Any]:
        """The call as Get Call answers it, in the shape of this fake's ``api_version``."""
        version = wire(self.api_version)
        return self.tenant(api_key).get_call(
            call_id, lambda v: views.agent_call(v, version), count_poll=False
        )

    def timeline(self, call_id: str, *, api_key: str | None = None) -> list[dict[str, Any]]:
        return control_views.timeline(self.tenant(api_key).call(call_id))

    def queue(self, *, api_key: str | None = None) -> dict[str, Any]:
        return control_views.queue(lookups.queue(self.tenant(api_key)))

    def journal(self, *, api_key: str | None = None) -> list[JournalEntry]:
        return lookups.journal(self.tenant(api_key))

    def requests(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        api_key: str | None = None,
    ) -> list[JournalEntry]:
        """The journal's requests, oldest first, that match: ``method``, ``path`` (exact, or
        a template such as ``/agents/calls/{call_id}``) and ``status``; each keeps its bodies
        (``request_json()``, ``response_json()``), to assert what the dialer sent."""
        return [
            e
            for e in lookups.journal(self.tenant(api_key))
            if (method is None or e.method == method)
            and (status is None or e.status == status)
            and (path is None or path_matches(path, e.path))
        ]

    def duplicate_dials(self, *, api_key: str | None = None) -> list[DuplicateDial]:
        return lookups.duplicates(self.tenant(api_key))

    def reset(self, *, api_key: str | None = None) -> None:
        self.tenant(api_key).reset()

    def batch(self, batch_id: str, *, api_key: str | None = None) -> dict[str, Any]:
        """The batch as Get Call Batch answers it (this fake's ``api_version``)."""
        version = wire(self.api_version)
        return batch_ops.read_batch(
            self.tenant(api_key),
            batch_id,
            lambda b: views.batch(b, version, with_recipients=True),
            by_client=False,  # looking is not polling
        )

    def now(self, *, api_key: str | None = None) -> str:
        """The tenant's current instant on its clock, as the API writes times (RFC 3339)."""
        return rfc3339(self.tenant(api_key).now_ms())

    def timeline_html(self, path: str | Path, *, api_key: str | None = None) -> Path:
        """Write the dashboard's state of the calls (``api_key``'s, else every tenant's
        holding calls) as one standalone HTML file, each call's details inside; its path."""
        shown = tenancy.shown_tenants(self.service, self.api_key, api_key)
        target = Path(path)
        target.write_text(ui.timeline_file(shown, "cartesia-fake timeline"), "utf-8")
        return target

    def describe(self, *, api_key: str | None = None) -> str:
        """Every call's timeline and the last requests, for failure messages."""
        return assertions.describe(self.tenant(api_key))

    def problems(self) -> list[Problem]:
        """Exceptions, contract violations and unknown routes seen so far (all tenants)."""
        return self.service.problems()

    @contextmanager
    def expect_no_problems(self) -> Iterator[FakeCartesia]:
        """Fail on exit if the fake recorded any problem inside the block."""
        before = len(self.problems())
        yield self
        new = self.problems()[before:]
        if new:
            lines = "\n".join(f"  [{p.kind}] {p.detail}" for p in new)
            raise AssertionError(f"cartesia-fake recorded {len(new)} problem(s):\n{lines}")
