"""The request pipeline, top to bottom: request id, auth, version, fault, handler, render, log.

Every API route is a small sync handler wrapped by ``endpoint``; the wrapper owns everything
that is the same for all routes, so a handler only parses its inputs and calls the tenant.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.requests import Request

import contracts
from mock_server import ledger
from mock_server.budget import BudgetExceeded
from mock_server.domain.errors import ApiError
from mock_server.domain.faults import Fault
from mock_server.domain.journal import JournalEntry, journal_body
from mock_server.domain.tenant import Tenant
from mock_server.http import jsonbody, reading, version_header
from mock_server.http.aside import SCOPE_KEY as ASIDE_KEY
from mock_server.http.aside import Aside, goes_aside
from mock_server.http.faults import DroppedConnection, delay, fault_error, fault_note
from mock_server.http.render import Answer, error_answer, json_bytes
from mock_server.http.versions import SHIPPED_WIRE, WireTable, WireVersion, wire
from mock_server.service import Problem, Service

Kind = Literal["api", "control", "public"]

#: A request body past this many bytes is large work (hundreds of destinations): it runs
#: beside the serving loop, so other tenants are not kept waiting (ledger serve.isolation).
ASIDE_BODY_BYTES = 8 * 1024


def _declared_length(request: Request) -> int:
    """The body's declared length (a chunked body, with none declared, counts as large)."""
    declared = request.headers.get("content-length")
    if declared is None:
        return ASIDE_BODY_BYTES + 1 if request.method in ("POST", "PUT", "PATCH") else 0
    return int(declared) if declared.isdigit() else 0


_VARIANT = "89ab"

#: Where a handler leaves a one-line summary of the request body for the journal.
SUMMARY_KEY = "cartesia_fake.body_summary"

#: The journal keeps at most this much of each header value (a 4 MB User-Agent is not kept).
JOURNAL_HEADER_BYTES = 256

#: Where the pipeline leaves the request's raw body for the journal.
RAW_BODY_KEY = "cartesia_fake.raw_body"

_JOURNAL_HEADERS = frozenset(
    {
        b"cartesia-version",
        b"content-type",
        b"user-agent",
        b"x-stainless-retry-count",
        b"idempotency-key",
    }
)


@dataclass(slots=True)
class Reply:
    """What a handler answers: status, a JSON-able body or raw bytes, and its contract."""

    body: Any
    status: int | None = None  # None: the route's documented success status
    schema: str | None = None
    media_type: str = "application/json"
    #: For a body already rendered to bytes: what its contract check sees instead.
    check: Any = None


@dataclass(slots=True)
class Ctx:
    """What a handler sees: the request, its tenant (None on public routes) and parsed body."""

    request: Request
    maybe_tenant: Tenant | None
    service: Service
    body: Any = None
    warnings: list[str] = field(default_factory=list)
    has_body: bool = False
    #: Ledger rules this answer relied on (see ``ledger.py``; strict mode reads them).
    rules: list[str] = field(default_factory=list)
    #: The API version the request asked for (the latest on routes without a version).
    version: WireVersion = field(default_factory=lambda: wire(None))
    #: Every version the app serves (the lineage on the wire).
    versions: WireTable = SHIPPED_WIRE

    def rely(self, *rule_ids: str) -> None:
        """Note that the answer depends on these ledger rules."""
        self.rules.extend(rule_ids)

    def summarize(self, text: str) -> None:
        """A one-line description of the body, kept in the request journal."""
        self.request.scope[SUMMARY_KEY] = text

    @property
    def tenant(self) -> Tenant:
        assert self.maybe_tenant is not None, "public routes have no tenant"
        return self.maybe_tenant

    def query(self) -> Mapping[str, str]:
        return self.request.query_params

    def path_param(self, name: str) -> str:
        return str(self.request.path_params[name])


Handler = Callable[[Ctx], Reply]


def api_key_of(request: Request) -> str | None:
    auth = request.headers.get("authorization", "").strip()
    if auth:
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        return token if scheme.lower() == "bearer" and token else None
    key = request.headers.get("x-api-key")
    return key.strip() or None if key is not None else None


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


def _request_id(rng: random.Random) -> str:
    """A random version-4 UUID, formatted without building a ``uuid.UUID`` (hot path), from
    the service's own generator (seeded from the OS once: no system call per request)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _render(reply: Reply, request_id: str, status: int) -> Answer:
    content = reply.body if isinstance(reply.body, bytes) else json_bytes(reply.body)
    code = status if reply.status is None else reply.status
    return Answer(content, code, reply.media_type, {"x-request-id": request_id})


def _error_response(
    error: ApiError, request_id: str, version: WireVersion | None
) -> tuple[Answer, dict[str, Any] | None]:
    plain = version is not None and version.error_format == "plain"
    return error_answer(error, request_id, plain=plain)


def endpoint(
    service: Service,
    handler: Handler,
    *,
    kind: Kind = "api",
    needs_body: bool = False,
    schema: str | None = None,
    status: int = 200,
    may_block: bool = False,
    template: str | None = None,
    journaled: bool = True,
    versions: WireTable = SHIPPED_WIRE,
    served: Iterable[str] | None = None,
) -> Callable[[Request], Awaitable[Answer | DroppedConnection]]:
    """Wrap ``handler`` in the pipeline. ``schema`` is the contract of its 2xx body (as the
    request's API version defines it), ``status`` its success status. When served, a request
    that may wait on the network or take long (``may_block``, the control plane, a tenant
    with a webhook or Line agent, one being rebuilt from ``--state``) runs aside (see
    ``http/aside.py``). ``template`` is the route's path template (faults match by it);
    ``journaled`` False keeps the request out of the tenant's journal. ``versions`` is the
    lineage on the wire, ``served`` the versions that have the route (default: all)."""
    served_set = frozenset(versions.names if served is None else served)

    async def run(request: Request) -> Answer | DroppedConnection:
        aside: Aside | None = request.scope.get(ASIDE_KEY)
        if aside is None or kind == "public":
            return await core(request, None)
        key = api_key_of(request)
        large = needs_body and _declared_length(request) > ASIDE_BODY_BYTES
        if key is None or not goes_aside(service, aside, key, kind, may_block or large):
            return await core(request, None)
        prefetched = (
            await reading.prefetch(request, service.settings.max_body_bytes) if needs_body else None
        )
        return await aside.run(key, lambda: core(request, prefetched))

    async def core(
        request: Request, prefetched: bytes | ApiError | None
    ) -> Answer | DroppedConnection:
        request_id = _request_id(service.request_ids)
        tenant: Tenant | None = None
        warnings: list[str] = []
        rules: list[str] = []
        fault: Fault | None = None
        sent_body: Any = None
        response: Answer | DroppedConnection
        method = request.method
        path = request.scope["path"]
        try:
            if kind == "public":
                return _render(
                    handler(Ctx(request, None, service, versions=versions)), request_id, status
                )
            tenant = _authenticate(request, service)
            if kind == "api":
                version = version_header.check(
                    request, tenant, service, versions, served_set, warnings, rules
                )
                if service.budget is not None:
                    _spend(service, request, tenant, f"{method} {template}")
                fault = tenant.take_fault(method, path, template)
            else:
                version = versions.get(None)
            ctx = Ctx(
                request,
                tenant,
                service,
                warnings=warnings,
                rules=rules,
                version=version,
                versions=versions,
            )
            if fault is not None:
                warnings.append(f"injected fault: {fault_note(fault)}")
            if fault is not None and not fault.after_commit:
                await delay(tenant, service, fault.latency_seconds)
                if fault.drop_connection:
                    return _finish(
                        service, tenant, request, DroppedConnection(), 0, warnings, rules
                    )
                if fault.status is not None:
                    raise fault_error(fault)
            if needs_body:
                reading.check_content_type(request)
                if prefetched is None:
                    raw = await reading.read_body(request, service.settings.max_body_bytes)
                elif isinstance(prefetched, ApiError):
                    raise prefetched
                else:
                    raw = prefetched
                request.scope[RAW_BODY_KEY] = raw
                if kind != "control" or raw.strip():
                    ctx.body = jsonbody.parse(raw, max_depth=service.settings.max_json_depth)
                    ctx.has_body = True
            reply = handler(ctx)
            if fault is not None and fault.after_commit:
                await delay(tenant, service, fault.latency_seconds)
                if fault.drop_connection:
                    warnings.append("after_commit fault: connection dropped after the commit")
                    return _finish(
                        service, tenant, request, DroppedConnection(), 0, warnings, rules
                    )
                if fault.status is not None:
                    warnings.append(f"after_commit fault: answered {fault.status} after the commit")
                    raise fault_error(fault)
            response = _render(reply, request_id, status)
            sent_body = reply.body if reply.check is None else reply.check
            expected = schema if reply.schema is None else reply.schema
            if service.validate_responses and expected and not isinstance(sent_body, bytes):
                _check_contract(
                    service,
                    tenant,
                    expected,
                    sent_body,
                    f"{method} {path}",
                    ctx.version.name,
                    versions,
                )
        except ApiError as error:
            rules.extend((*error.rules, *ledger.rules_for_error(error.code)))
            shown = version_header.error_format(request, versions) if kind == "api" else None
            response, sent_body = _error_response(error, request_id, shown)
            if service.validate_responses and sent_body is not None:
                _check_contract(
                    service, tenant, "error", sent_body, f"{method} {path}", None, versions
                )
        except Exception as exc:  # a bug in the fake: answer, and make the test fail
            service.report(
                Problem(
                    "exception",
                    tenant.key if tenant else None,
                    f"{method} {path}: {type(exc).__name__}: {exc}",
                )
            )
            crash = ApiError(
                500,
                "internal_error",
                "Internal server error",
                f"cartesia-fake failed: {type(exc).__name__}",
            )
            response, sent_body = _error_response(crash, request_id, None)
        budget = service.budget
        if budget is not None and kind == "api" and isinstance(response, Answer) and tenant:
            budget.after(tenant, f"{method} {template}", len(response.body))
        return _finish(
            service,
            tenant if journaled else None,
            request,
            response,
            response.status_code if isinstance(response, Answer) else 0,
            warnings,
            rules,
        )

    return run


def _spend(service: Service, request: Request, tenant: Tenant, route: str) -> None:
    """Count the request against the runaway budgets. In process, a budget exceeded ends
    the caller's own call; served, it is a 429 ``budget_exceeded`` naming the hottest loop."""
    assert service.budget is not None
    try:
        service.budget.before(tenant, route)
    except BudgetExceeded as exc:
        if request.scope.get(ASIDE_KEY) is None:
            raise
        raise ApiError(429, "budget_exceeded", "Budget exceeded", str(exc)) from None


def _check_contract(
    service: Service,
    tenant: Tenant | None,
    name: str,
    body: Any,
    where: str,
    version: str | None,
    versions: WireTable,
) -> None:
    errors = contracts.validator_for(name, version, lineage=versions.lineage).errors(body)
    if errors:
        detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
        service.report(
            Problem(
                "contract",
                tenant.key if tenant else None,
                f"{where} broke {name!r} ({version or 'any version'}): {detail}",
            )
        )


def _finish(
    service: Service,
    tenant: Tenant | None,
    request: Request,
    response: Answer | DroppedConnection,
    status: int,
    warnings: list[str],
    rules: list[str],
) -> Answer | DroppedConnection:
    if tenant is not None:
        headers: dict[str, str] = {}
        for raw_name, raw_value in request.scope["headers"]:
            name = raw_name.lower()
            if name in _JOURNAL_HEADERS:
                key = name.decode("latin-1")
                value = raw_value[:JOURNAL_HEADER_BYTES].decode("latin-1")
                headers[key] = f"{headers[key]}, {value}" if key in headers else value
        tenant.record(
            JournalEntry(
                at=tenant.now_ms(),
                method=request.method,
                path=request.scope["path"],
                status=status,
                headers=headers,
                warnings=list(warnings),
                body=request.scope.get(SUMMARY_KEY),
                rules=tuple(dict.fromkeys(rules)),
                request_body=journal_body(request.scope.get(RAW_BODY_KEY)),
                response_body=journal_body(response.body if isinstance(response, Answer) else None),
            )
        )
    if service.on_request is not None:
        service.on_request(f"{request.method} {request.scope['path']} -> {status or 'dropped'}")
    return response
