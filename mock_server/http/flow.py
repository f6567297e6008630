"""One request's way through the pipeline, as named steps.

admit (request id, auth, version, budget, the fault it draws) -> fault before -> body ->
handler -> fault after the commit -> render and contract check -> journal.

The flow is a generator: it yields what it has to wait for (a real-time sleep, the body off
the connection) and returns the answer. ``pipeline.py`` drives it on the event loop (served,
and the async in-process door) or straight through on the caller's thread (the sync door,
which has the body in hand): the steps are written once for every door.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

import contracts
from mock_server.domain.errors import ApiError
from mock_server.domain.journal.faults import Fault
from mock_server.domain.journal.journal import BODY_BYTES, HEADER_BYTES, Recorded
from mock_server.domain.tenants.tenant import Tenant
from mock_server.http import jsonbody, reading, version_header
from mock_server.http.context import RAW_BODY_KEY, SUMMARY_KEY, Ctx, Handler, Reply
from mock_server.http.faults import DroppedConnection, fault_error, fault_note
from mock_server.http.head import head_of
from mock_server.http.render import Answer, error_answer
from mock_server.http.route_info import RouteInfo
from mock_server.http.workers import SCOPE_KEY as WORKERS_KEY
from mock_server.service import ledger
from mock_server.service.budget import BudgetExceeded
from mock_server.service.core import Problem, Service
from mock_server.wire.codec import json_bytes

_JOURNAL_HEADERS = frozenset(
    {
        b"cartesia-version",
        b"content-type",
        b"user-agent",
        b"x-stainless-retry-count",
        b"idempotency-key",
    }
)

_VARIANT = "89ab"


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait this many real seconds (a fault's latency on a real clock)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class ReadBody:
    """The request's body, at most ``limit`` bytes: bytes, or the ApiError reading gave."""

    limit: int


Wait = Sleep | ReadBody
Answered = Answer | DroppedConnection
#: What a driver runs: it sends each wait's outcome back in, and gets the answer at the end.
Flow = Generator[Wait, "bytes | ApiError | None", Answered]


@dataclass(slots=True)
class _Pass:
    """One request's state on its way through the steps."""

    request_id: str
    tenant: Tenant | None = None
    fault: Fault | None = None
    warnings: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def run(route: RouteInfo, request: Request, prefetched: bytes | ApiError | None) -> Flow:
    """The steps for ``request`` on ``route``; ``prefetched`` is a body already read."""
    service = route.service
    state = _Pass(_request_id(service.request_ids))
    response: Answer
    try:
        if route.kind == "public":
            ctx = Ctx(request, None, service, versions=route.versions)
            return _render(route.handler(ctx), state.request_id, route.status)
        ctx = _admit(route, request, state)
        fault = state.fault
        if fault is not None and not fault.after_commit:
            yield from _latency(service, ctx.tenant, fault.latency_seconds)
            if fault.drop_connection:
                return _finish(route, request, state, DroppedConnection(), 0)
            if fault.status is not None:
                raise fault_error(fault)
        if route.needs_body:
            reading.check_content_type(request)
            limit = service.settings.max_body_bytes
            raw = prefetched if prefetched is not None else (yield ReadBody(limit))
            _take_body(route, request, ctx, raw)
        reply = route.handler(ctx)
        if fault is not None and fault.after_commit:
            yield from _latency(service, ctx.tenant, fault.latency_seconds)
            if fault.drop_connection:
                state.warnings.append("after_commit fault: connection dropped after the commit")
                return _finish(route, request, state, DroppedConnection(), 0)
            if fault.status is not None:
                state.warnings.append(
                    f"after_commit fault: answered {fault.status} after the commit"
                )
                raise fault_error(fault)
        response = _render_checked(route, request, ctx, reply, state)
    except ApiError as error:
        response = _error(route, request, state, error)
    except Exception as exc:  # a bug in the fake: answer, and make the test fail
        response = _crash(route, request, state, exc)
    budget = service.budget
    if budget is not None and route.kind == "api" and state.tenant is not None:
        budget.after(state.tenant, f"{request.method} {route.template}", len(response.body))
    return _finish(route, request, state, response, response.status_code)


def _request_id(rng: random.Random) -> str:
    """A random version-4 UUID, formatted without building a ``uuid.UUID`` (hot path), from
    the service's own generator (seeded from the OS once: no system call per request)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _admit(route: RouteInfo, request: Request, state: _Pass) -> Ctx:
    """Authenticate, read the version, charge the budget and draw the fault: the context
    the handler will see."""
    service = route.service
    tenant = state.tenant = _authenticate(request, service)
    if route.kind == "api":
        version = version_header.check(
            request, tenant, service, route.versions, route.served, state.warnings, state.rules
        )
        if service.budget is not None:
            _spend(service, request, tenant, f"{request.method} {route.template}")
        state.fault = tenant.take_fault(request.method, request.scope["path"], route.template)
        if state.fault is not None:
            state.warnings.append(f"injected fault: {fault_note(state.fault)}")
    else:
        version = route.versions.get(None)
    return Ctx(
        request,
        tenant,
        service,
        warnings=state.warnings,
        rules=state.rules,
        version=version,
        versions=route.versions,
    )


def _latency(service: Service, tenant: Tenant, seconds: float) -> Generator[Wait, Any, None]:
    """A fault's latency: the virtual clock moves at once; a real clock is waited on."""
    if seconds <= 0:
        return
    if service.real_latency or tenant.clock_mode == "real":
        yield Sleep(seconds)
    else:
        tenant.advance(seconds)


def _take_body(route: RouteInfo, request: Request, ctx: Ctx, raw: bytes | ApiError | None) -> None:
    if isinstance(raw, ApiError):
        raise raw
    assert raw is not None, "the driver answers a ReadBody with bytes or an ApiError"
    request.scope[RAW_BODY_KEY] = raw
    if route.kind != "control" or raw.strip():
        ctx.body = jsonbody.parse(raw, max_depth=route.service.settings.max_json_depth)
        ctx.has_body = True


def _authenticate(request: Request, service: Service) -> Tenant:
    key = api_key_of(request)
    if key is None:
        raise ApiError(
            401,
            "missing_api_key",
            "Missing API key",
            "Send your API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
        )
    allowed = service.settings.api_keys
    if allowed and key not in allowed:
        raise ApiError(401, "invalid_api_key", "Invalid API key", "The API key is not valid.")
    if len(key) > 256 or not key.isprintable():
        raise ApiError(401, "invalid_api_key", "Invalid API key", "The API key is malformed.")
    tenant = service.tenants.get(key)
    if tenant.unreplayable is not None:
        raise ApiError(
            503, "state_unreplayable", "State log cannot be replayed", tenant.unreplayable
        )
    return tenant


def api_key_of(request: Request) -> str | None:
    head = head_of(request)
    auth = (head.authorization or "").strip()
    if auth:
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        return token if scheme.lower() == "bearer" and token else None
    key = head.x_api_key
    return key.strip() or None if key is not None else None


def _spend(service: Service, request: Request, tenant: Tenant, route: str) -> None:
    """Count the request against the runaway budgets. In process, a budget exceeded ends
    the caller's own call; served, it is a 429 ``budget_exceeded`` naming the hottest loop."""
    assert service.budget is not None
    try:
        service.budget.before(tenant, route)
    except BudgetExceeded as exc:
        if request.scope.get(WORKERS_KEY) is None:
            raise
        raise ApiError(429, "budget_exceeded", "Budget exceeded", str(exc)) from None


def _render(reply: Reply, request_id: str, status: int) -> Answer:
    content = reply.body if isinstance(reply.body, bytes) else json_bytes(reply.body)
    code = status if reply.status is None else reply.status
    return Answer(content, code, reply.media_type, {"x-request-id": request_id})


def _render_checked(
    route: RouteInfo, request: Request, ctx: Ctx, reply: Reply, state: _Pass
) -> Answer:
    """The reply as bytes, its body checked against its contract (when the fake checks)."""
    response = _render(reply, state.request_id, route.status)
    sent = reply.body if reply.check is None else reply.check
    expected = route.schema if reply.schema is None else reply.schema
    if route.service.validate_responses and expected and not isinstance(sent, bytes):
        where = f"{request.method} {request.scope['path']}"
        _check_contract(route, state.tenant, expected, sent, where, ctx.version.name)
    return response


def _error(route: RouteInfo, request: Request, state: _Pass, error: ApiError) -> Answer:
    state.rules.extend((*error.rules, *ledger.rules_for_error(error.code)))
    shown = version_header.error_format(request, route.versions) if route.kind == "api" else None
    plain = shown is not None and shown.error_format == "plain"
    response, sent = error_answer(error, state.request_id, plain=plain)
    if route.service.validate_responses and sent is not None:
        where = f"{request.method} {request.scope['path']}"
        _check_contract(route, state.tenant, "error", sent, where, None)
    return response


def _crash(route: RouteInfo, request: Request, state: _Pass, exc: Exception) -> Answer:
    """A bug in the fake: reported as a problem (the test fails), answered as a 500."""
    route.service.report(
        Problem(
            "exception",
            state.tenant.key if state.tenant else None,
            f"{request.method} {request.scope['path']}: {type(exc).__name__}: {exc}",
        )
    )
    crash = ApiError(
        500,
        "internal_error",
        "Internal server error",
        f"cartesia-fake failed: {type(exc).__name__}",
    )
    return error_answer(crash, state.request_id)[0]


def _check_contract(
    route: RouteInfo, tenant: Tenant | None, name: str, body: Any, where: str, version: str | None
) -> None:
    lineage = route.versions.lineage
    errors = contracts.validator_for(name, version, lineage=lineage).errors(body)
    if errors:
        detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
        route.service.report(
            Problem(
                "contract",
                tenant.key if tenant else None,
                f"{where} broke {name!r} ({version or 'any version'}): {detail}",
            )
        )


def _finish(
    route: RouteInfo, request: Request, state: _Pass, response: Answered, status: int
) -> Answered:
    """Journal the request (on a journaled route of a known tenant) and tell the listener."""
    tenant = state.tenant if route.journaled else None
    if tenant is not None:  # kept raw: decoded only if someone reads the journal
        raw = request.scope.get(RAW_BODY_KEY)
        tenant.record(
            Recorded(
                tenant.now_ms(),
                request.method,
                request.scope["path"],
                status,
                [
                    (name, value[:HEADER_BYTES])
                    for name, value in request.scope["headers"]
                    if name in _JOURNAL_HEADERS  # ASGI header names are lower-case
                ],
                state.warnings,
                request.scope.get(SUMMARY_KEY),
                state.rules,
                raw[:BODY_BYTES] if raw else None,
                response.body[:BODY_BYTES] if isinstance(response, Answer) else None,
            )
        )
    listener = route.service.on_request
    if listener is not None:
        listener(f"{request.method} {request.scope['path']} -> {status or 'dropped'}")
    return response


__all__ = ["Answered", "Flow", "Handler", "ReadBody", "Sleep", "Wait", "api_key_of", "run"]
