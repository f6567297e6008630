"""OpenAPI 3.1 for the served API and the control plane, assembled from the contract files."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from types import MappingProxyType
from typing import Any

from contracts import load_schema, schema_names
from mock_server.routes.api import API_ROUTES, API_VERSION
from mock_server.routes.control import CONTROL_ROUTES

REQUEST_SCHEMAS = MappingProxyType(
    {
        ("POST", "/agents/calls"): "outbound_request",
        ("POST", "/agents/webhooks"): "webhook_create",
        ("PATCH", "/agents/{agent_id}"): "agent_patch",
        ("POST", "/__fake__/clock/advance"): "control_advance",
        ("POST", "/__fake__/agents"): "control_agent_create",
        ("POST", "/__fake__/phone-numbers"): "control_phone_number_create",
        ("PUT", "/__fake__/callees/{number}"): "control_callee_script",
        ("POST", "/__fake__/faults"): "control_fault",
        ("POST", "/__fake__/webhook-faults"): "control_webhook_fault",
    }
)

_REF = re.compile(r"^([a-z0-9_]+)\.json$")


def _component(name: str) -> dict[str, Any]:
    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: rewrite(v) for k, v in node.items() if k not in ("$id", "$schema")}
            ref = node.get("$ref")
            if isinstance(ref, str) and (m := _REF.match(ref)):
                out["$ref"] = f"#/components/schemas/{m.group(1)}"
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    component: dict[str, Any] = rewrite(load_schema(name))
    return component


def _operation(method: str, path: str, schema: str | None, *, control: bool) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "tags": ["control plane" if control else "agents"],
        "responses": {
            "default": {
                "description": "Structured error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}},
            }
        },
    }
    status = (
        "201"
        if method == "POST"
        and path
        in (
            "/__fake__/agents",
            "/__fake__/phone-numbers",
            "/__fake__/faults",
            "/__fake__/webhook-faults",
            "/agents/webhooks",
        )
        else "200"
    )
    if path.endswith("/audio"):
        content: dict[str, Any] = {"audio/wav": {"schema": {"type": "string", "format": "binary"}}}
    else:
        body_schema = {"$ref": f"#/components/schemas/{schema}"} if schema else {"type": "object"}
        content = {"application/json": {"schema": body_schema}}
    op["responses"][status] = {"description": "Success", "content": content}
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"$ref": "#/components/schemas/e164"}
            if name == "number"
            else {"type": "string", "minLength": 1},
        }
        for name in re.findall(r"{(\w+)}", path)
    ]
    if not control:
        params.append(
            {
                "name": "Cartesia-Version",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "enum": ["2026-03-01", "2026-08-14"]},
            }
        )
    if (method, path) == ("GET", "/agents/calls"):
        params += [
            {
                "name": "agent_id",
                "in": "query",
                "required": True,
                "schema": {"type": "string", "minLength": 1},
            },
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100},
            },
            {"name": "starting_after", "in": "query", "schema": {"type": "string"}},
            {"name": "ending_before", "in": "query", "schema": {"type": "string"}},
            {"name": "expand", "in": "query", "schema": {"type": "string", "enum": ["transcript"]}},
        ]
    if params:
        op["parameters"] = params
    request = REQUEST_SCHEMAS.get((method, path))
    if request is not None:
        required = bool(load_schema(request).get("required") or load_schema(request).get("anyOf"))
        op["requestBody"] = {
            "required": required,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{request}"}}
            },
        }
    return op


def documented_routes() -> Iterable[tuple[str, str]]:
    """(method, path) of every documented operation."""
    yield "GET", "/"
    yield "GET", "/openapi.json"
    for method, path, *_ in (*API_ROUTES, *CONTROL_ROUTES):
        yield method, path


@cache
def _document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {
        "/": {"get": _operation("GET", "/", "api_status", control=True)},
        "/openapi.json": {"get": _operation("GET", "/openapi.json", None, control=True)},
    }
    paths["/"]["get"]["tags"] = ["agents"]
    for public in ("/", "/openapi.json"):
        paths[public]["get"]["security"] = []
    for table, control in ((API_ROUTES, False), (CONTROL_ROUTES, True)):
        for method, path, _handler, schema, _body in table:
            paths.setdefault(path, {})[method.lower()] = _operation(
                method, path, schema, control=control
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cartesia-fake",
            "version": API_VERSION,
            "description": "Cartesia's outbound-call API as served by cartesia-fake, "
            "and the fake's /__fake__/ control plane.",
        },
        "servers": [{"url": "http://127.0.0.1:8000"}],
        "security": [{"APIKeyAuth": []}, {"APIKeyHeader": []}],
        "paths": paths,
        "components": {
            "schemas": {name: _component(name) for name in schema_names()},
            "securitySchemes": {
                "APIKeyAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "API Key"},
                "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (a fresh copy)."""
    import copy

    return copy.deepcopy(_document())
