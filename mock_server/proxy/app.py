"""The validating proxy: forwards each request to the upstream unchanged and returns its
answer unchanged; after answering, checks the exchange (``checks``), records it if asked
(``exchange``) and adds it to the report served at ``/__proxy__/report``."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from mock_server.domain.timing.clock import monotonic
from mock_server.proxy import bodies
from mock_server.proxy.report import ProxyReport
from mock_server.recordings import checks, exchange

#: Hop-by-hop headers (RFC 9110 §7.6.1) and the Host, which names the proxy: not forwarded.
_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
#: How many checks one scratch fake answers before a fresh one replaces it.
_SCRATCH_USES = 500


@dataclass(slots=True)
class ProxyState:
    upstream: str
    record: Path | None = None
    report: ProxyReport = field(default_factory=ProxyReport)
    pseudonyms: exchange.Pseudonyms = field(default_factory=exchange.Pseudonyms)
    seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    started: float = field(default_factory=monotonic)
    client: httpx.AsyncClient | None = None
    #: Bodies larger than this are passed on but recorded and checked only as a marker.
    max_record_bytes: int = 1_048_576
    _scratch: Any = None
    _scratch_client: httpx.AsyncClient | None = None
    _scratch_uses: int = 0

    async def scratch(self) -> httpx.AsyncClient:
        """A client of an in-process fake where every check uses a fresh tenant (no state
        at all); the fake is replaced after a while, so tenants do not pile up."""
        from mock_server.kit.facade import FakeCartesia

        if self._scratch_client is None or self._scratch_uses >= _SCRATCH_USES:
            await self._close_scratch()
            self._scratch = FakeCartesia(validate_responses=False)
            self._scratch_client = httpx.AsyncClient(
                transport=self._scratch.async_transport(), base_url="https://api.cartesia.ai"
            )
            self._scratch_uses = 0
        self._scratch_uses += 1
        return self._scratch_client

    def scratch_fake(self) -> Any:
        """The scratch fake itself (its journal names the rules each answer relied on)."""
        return self._scratch

    async def _close_scratch(self) -> None:
        if self._scratch_client is not None:
            await self._scratch_client.aclose()
            self._scratch_client = None
        if self._scratch is not None:
            self._scratch.close()
            self._scratch = None

    async def close(self) -> None:
        """Close the upstream connections and the scratch fake (at the server's shutdown)."""
        if self.client is not None:
            await self.client.aclose()
            self.client = None
        await self._close_scratch()


async def _fake_answer(
    state: ProxyState, ex: exchange.Exchange
) -> tuple[int, Any, tuple[str, ...]]:
    """The scratch fake's answer to the same request, and the ledger rules it relied on
    (from its journal: the exact rule, not every rule that can give that error code)."""
    client = await state.scratch()
    headers = dict(ex.request_headers)
    key = f"sk_proxy_check_{ex.seq}"
    headers["authorization"] = f"Bearer {key}"
    if ex.tenant is None:  # the caller sent no key: neither does the check
        headers.pop("authorization")
    url = ex.path + (f"?{ex.query}" if ex.query else "")
    answer = await client.request(ex.method, url, headers=headers, content=checks.request_bytes(ex))
    try:
        body = answer.json()
    except ValueError:
        body = None
    journal = state.scratch_fake().requests(api_key=key) if ex.tenant is not None else []
    return answer.status_code, body, journal[-1].rules if journal else ()


def _exchange_of(
    state: ProxyState,
    request: Request,
    raw_request: bytes,
    status: int,
    response_headers: dict[str, str],
    kept: bodies.Kept,
) -> tuple[exchange.Exchange, str | None]:
    """The exchange as the proxy keeps it (bounded, decoded, secrets out), and why its
    answer cannot be checked (None: it can)."""
    request_headers = {k.lower(): v for k, v in request.headers.items()}
    key = bodies.caller_key(request_headers)
    unchecked = None
    limit = state.max_record_bytes
    request_media = request_headers.get("content-type", "application/json")
    if len(raw_request) > limit:
        request_body: Any = bodies.omitted(
            len(raw_request), request_media, f"over --max-record-bytes ({limit})"
        )
        unchecked = "its request body is over the recording bound"
    else:
        request_body = bodies.redact(exchange.body_of(raw_request, request_media), key)
    media = response_headers.get("content-type", "")
    if not kept.whole:
        response_body: Any = bodies.omitted(kept.total, media, f"over --max-record-bytes ({limit})")
        unchecked = "its answer is over the recording bound"
    else:
        try:
            plain = bodies.decoded(
                bytes(kept.data), response_headers.get("content-encoding", ""), 8 * limit
            )
        except bodies.Undecodable as exc:
            response_body = bodies.omitted(kept.total, media, str(exc))
            unchecked = f"its answer cannot be decoded ({exc})"
        else:
            response_body = bodies.redact(exchange.body_of(plain, media), key)
    query = request.url.query
    if key and key in query:
        query = query.replace(key, bodies.REDACTED)
    ex = exchange.Exchange(
        seq=next(state.seq),
        at=monotonic() - state.started,
        tenant=state.pseudonyms.of(request_headers),
        method=request.method,
        path=request.url.path,
        query=query,
        request_headers=exchange.kept(request_headers, exchange.KEPT_REQUEST),
        request_body=request_body,
        status=status,
        response_headers=exchange.kept(response_headers, exchange.KEPT_RESPONSE),
        response_body=response_body,
    )
    return ex, unchecked


async def _observe(
    state: ProxyState,
    request: Request,
    raw_request: bytes,
    status: int,
    response_headers: dict[str, str],
    kept: bodies.Kept,
) -> None:
    """Record and check one exchange, on the side. Whatever goes wrong here, the exchange
    is counted (as unchecked, saying why)."""
    verdict = checks.Verdict()
    method, path = request.method, request.url.path
    try:
        ex, unchecked = _exchange_of(state, request, raw_request, status, response_headers, kept)
        if state.record is not None:
            exchange.write(state.record, ex)
        if unchecked is not None:
            raise ValueError(unchecked)
        checks.check_contract(ex, verdict)
        checks.compare_with_fake(ex, await _fake_answer(state, ex), verdict)
    except Exception as exc:  # a check that fails must still count, and say so
        version = request.headers.get("cartesia-version")
        verdict.findings.append(
            checks.Finding(
                "unchecked",
                method,
                path,
                version,
                f"the proxy could not check this answer: {type(exc).__name__}: {exc}",
                (),
            )
        )
    state.report.add(verdict)


#: Methods safe to send twice: retried once on a fresh connection when a pooled one was
#: closed under them.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_STALE = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


async def _send(
    client: httpx.AsyncClient, method: str, target: str, headers: Any, raw: bytes
) -> httpx.Response:
    """The upstream's answer, streamed; an idempotent request whose pooled connection the
    upstream had closed (without saying so) is sent once more on a fresh one."""
    request = client.build_request(method, target, headers=headers, content=raw)
    try:
        return await client.send(request, stream=True)
    except _STALE:
        if method not in IDEMPOTENT:
            raise
    request = client.build_request(method, target, headers=headers, content=raw)
    return await client.send(request, stream=True)


def create_proxy(state: ProxyState) -> Starlette:
    """The proxy's ASGI app."""

    async def forward(request: Request) -> Response:
        if state.client is None:
            state.client = httpx.AsyncClient(timeout=httpx.Timeout(300, connect=10))
        raw = await request.body()
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _HOP]
        target = state.upstream.rstrip("/") + request.url.path
        if request.url.query:
            target += f"?{request.url.query}"
        try:
            upstream = await _send(state.client, request.method, target, headers, raw)
        except httpx.HTTPError as exc:
            return JSONResponse(
                {
                    "error_code": "upstream_unreachable",
                    "title": "Upstream unreachable",
                    "message": f"cartesia-fake proxy: {state.upstream} did not answer: "
                    f"{type(exc).__name__}",
                },
                status_code=502,
            )
        kept_headers = {k.lower(): v for k, v in upstream.headers.items() if k.lower() not in _HOP}
        if "content-length" in upstream.headers:  # the raw bytes pass unchanged
            kept_headers["content-length"] = upstream.headers["content-length"]
        kept = bodies.Kept(state.max_record_bytes)

        async def passed_on() -> AsyncIterator[bytes]:
            try:
                async for chunk in upstream.aiter_raw():
                    kept.add(chunk)
                    yield chunk
            finally:
                await upstream.aclose()

        return StreamingResponse(
            passed_on(),
            status_code=upstream.status_code,
            headers=kept_headers,
            background=BackgroundTask(
                _observe, state, request, raw, upstream.status_code, kept_headers, kept
            ),
        )

    async def report(request: Request) -> Response:
        kind = request.query_params.get("format", "json")
        if kind == "markdown":
            return PlainTextResponse(state.report.to_markdown(), media_type="text/markdown")
        if kind == "text":
            return PlainTextResponse(state.report.table())
        return JSONResponse(state.report.as_dict())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await state.close()

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(
        routes=[
            Route("/__proxy__/report", report, methods=["GET"]),
            Route("/{path:path}", forward, methods=methods),
        ],
        lifespan=lifespan,
    )
