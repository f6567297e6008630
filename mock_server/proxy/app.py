"""The validating proxy: forwards each request to the upstream unchanged and returns its
answer unchanged; after answering, checks the exchange (``checks``), records it if asked
(``exchange``) and adds it to the report served at ``/__proxy__/report``."""

from __future__ import annotations

import contextlib
import gzip
import itertools
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mock_server.domain.clock import monotonic
from mock_server.proxy import checks, exchange
from mock_server.proxy.report import ProxyReport

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
    _scratch: Any = None
    _scratch_client: httpx.AsyncClient | None = None
    _scratch_uses: int = 0

    async def scratch(self) -> httpx.AsyncClient:
        """A client of an in-process fake where every check uses a fresh tenant (no state
        at all); the fake is replaced after a while, so tenants do not pile up."""
        from mock_server import FakeCartesia

        if self._scratch_client is None or self._scratch_uses >= _SCRATCH_USES:
            await self._close_scratch()
            self._scratch = FakeCartesia(validate_responses=False)
            self._scratch_client = httpx.AsyncClient(
                transport=self._scratch.async_transport(), base_url="https://api.cartesia.ai"
            )
            self._scratch_uses = 0
        self._scratch_uses += 1
        return self._scratch_client

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


def _decoded(raw: bytes, encoding: str) -> bytes:
    try:
        if encoding == "gzip":
            return gzip.decompress(raw)
        if encoding == "deflate":
            return zlib.decompress(raw)
    except (OSError, zlib.error):
        return b""
    return raw


async def _fake_answer(state: ProxyState, ex: exchange.Exchange) -> tuple[int, Any]:
    client = await state.scratch()
    headers = dict(ex.request_headers)
    headers["authorization"] = f"Bearer sk_proxy_check_{ex.seq}"
    if ex.tenant is None:  # the caller sent no key: neither does the check
        headers.pop("authorization")
    url = ex.path + (f"?{ex.query}" if ex.query else "")
    answer = await client.request(ex.method, url, headers=headers, content=checks.request_bytes(ex))
    try:
        body = answer.json()
    except ValueError:
        body = None
    return answer.status_code, body


async def _observe(
    state: ProxyState,
    request: Request,
    raw_request: bytes,
    status: int,
    response_headers: dict[str, str],
    raw_response: bytes,
) -> None:
    request_headers = {k.lower(): v for k, v in request.headers.items()}
    ex = exchange.make(
        next(state.seq),
        monotonic() - state.started,
        state.pseudonyms.of(request_headers),
        request.method,
        request.url.path,
        request.url.query,
        request_headers,
        raw_request,
        status,
        response_headers,
        _decoded(raw_response, response_headers.get("content-encoding", "")),
    )
    if state.record is not None:
        exchange.write(state.record, ex)
    verdict = checks.Verdict()
    try:
        checks.check_contract(ex, verdict)
        checks.compare_with_fake(ex, await _fake_answer(state, ex), verdict)
    except Exception as exc:  # a check that fails must still count, and say so
        verdict.findings.append(
            checks.Finding(
                "unchecked",
                ex.method,
                ex.path,
                ex.version,
                f"the proxy could not check this answer: {type(exc).__name__}: {exc}",
                (),
            )
        )
    state.report.add(verdict)


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
            upstream = await state.client.send(
                state.client.build_request(request.method, target, headers=headers, content=raw),
                stream=True,
            )
            body = b"".join([chunk async for chunk in upstream.aiter_raw()])
            await upstream.aclose()
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
        kept = {k.lower(): v for k, v in upstream.headers.items() if k.lower() not in _HOP}
        return Response(
            body,
            status_code=upstream.status_code,
            headers=kept,
            background=BackgroundTask(
                _observe, state, request, raw, upstream.status_code, kept, body
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
