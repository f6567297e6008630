"""What the proxy checks of each real answer: its contract for the request's version, and,
where the fake's answer to the same request is decided without any state (a validation
error, an unknown version or route, a missing key), that answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import contracts
from mock_server.recordings.exchange import Exchange
from mock_server.routes.spec import RouteSpec
from mock_server.service import ledger

#: Error codes whose answer depends only on the request, never on the tenant's state: for
#: these the fake's answer is a prediction of the real one.
STATELESS_CODES = frozenset(
    {
        "missing_api_key",
        "missing_cartesia_version",
        "api_version_not_found",
        "route_not_found",
        "invalid_json",
        "unsupported_content_type",
        "body_too_large",
        "invalid_request_body",
        "invalid_query_parameter",
        "invalid_dynamic_variables",
        "invalid_to_number",
    }
)

Kind = Literal["contract", "status", "error_code", "unchecked"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A deviation of the real answer: from its contract, or from the fake's answer."""

    kind: Kind
    method: str
    route: str
    version: str | None
    detail: str
    rules: tuple[str, ...]


@dataclass(slots=True)
class Verdict:
    findings: list[Finding] = field(default_factory=list)
    #: Rules the answer agreed with.
    confirmed: list[str] = field(default_factory=list)


@cache
def _api_routes(version: str) -> tuple[tuple[RouteSpec, tuple[str, ...]], ...]:
    from mock_server.routes.openapi import served_routes

    return tuple(
        (spec, tuple(spec.path.rstrip("/").split("/")) if spec.path != "/" else ("",))
        for spec in served_routes(version)
        if spec.kind != "control" and not spec.path.startswith("/__fake__")
    )


def route_of(method: str, path: str, version: str | None) -> RouteSpec | None:
    """The API route serving ``method path`` (the most literal template that matches)."""
    best: tuple[int, RouteSpec] | None = None
    got = path.rstrip("/").split("/") if path != "/" else [""]
    for spec, want in _api_routes(version if version in contracts.VERSIONS else contracts.LATEST):
        if spec.method != method:
            continue
        if len(want) != len(got):
            continue
        literal = 0
        for w, g in zip(want, got, strict=True):
            if w.startswith("{") and g:
                continue
            if w != g:
                break
            literal += 1
        else:
            if best is None or literal > best[0]:
                best = (literal, spec)
    return best[1] if best else None


def check_contract(exchange: Exchange, verdict: Verdict) -> None:
    """The real answer against the contract of its route (or the error contract)."""
    version = exchange.version if exchange.version in contracts.VERSIONS else None
    spec = route_of(exchange.method, exchange.path, version)
    route = spec.path if spec else exchange.path
    body = exchange.response_body
    if not isinstance(body, dict | list):
        return
    if exchange.status >= 400:
        name: str | None = "error"
    else:
        name = spec.response if spec is not None and 200 <= exchange.status < 300 else None
    if name is None:
        return
    errors = contracts.errors_of(name, body, version=version)
    for error in errors:
        rules = ledger.rules_for_contract(name, error.path, version) or (f"contract:{name}",)
        verdict.findings.append(
            Finding(
                "contract",
                exchange.method,
                route,
                exchange.version,
                f"{name} {error.path}: {error.message}",
                rules,
            )
        )
    if not errors:
        verdict.confirmed.extend(ledger.rules_naming_contract(name, version))


def compare_with_fake(exchange: Exchange, answer: tuple[Any, ...], verdict: Verdict) -> None:
    """The real answer against the fake's ``(status, body[, rules relied on])`` for the same
    request, when the fake's is decided by the request alone. The rules the fake's own
    answer relied on name a deviation exactly; without them, every rule that can give the
    error code does."""
    status, body = answer[0], answer[1]
    relied: tuple[str, ...] = answer[2] if len(answer) > 2 else ()
    code = body.get("error_code") if isinstance(body, dict) else None
    if status < 400 or code not in STATELESS_CODES:
        return
    by_code = tuple(r for r in ledger.rules_for_error(code) if r != "errors.codes")
    # the rule the fake's answer named first is the one the request broke
    exact = tuple(r for r in relied if r != "errors.codes" and r not in by_code)
    rules = exact[:1] or by_code
    version = exchange.version if exchange.version in contracts.VERSIONS else None
    spec = route_of(exchange.method, exchange.path, version)
    route = spec.path if spec else exchange.path
    real = exchange.response_body
    real_code = real.get("error_code") if isinstance(real, dict) else None
    if exchange.status != status:
        verdict.findings.append(
            Finding(
                "status",
                exchange.method,
                route,
                exchange.version,
                f"the API answered {exchange.status} ({real_code or 'no error_code'}) where the "
                f"fake answers {status} ({code})",
                rules or ("errors.codes",),
            )
        )
    elif real_code != code:
        verdict.findings.append(
            Finding(
                "error_code",
                exchange.method,
                route,
                exchange.version,
                f"the API's error_code is {real_code!r} where the fake's is {code!r}",
                ("errors.codes", *rules),
            )
        )
    else:
        verdict.confirmed.extend(rules)


def request_bytes(exchange: Exchange) -> bytes:
    """The recorded request body as bytes again (JSON re-serialised; text as it was)."""
    body = exchange.request_body
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()
