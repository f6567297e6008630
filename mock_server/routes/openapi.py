"""OpenAPI 3.1 documents, one per API version, built from the route tables and the contract
files — so the document cannot disagree with what is served (a test checks it both ways)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from contracts import SHIPPED, Lineage, load_schema
from mock_server.routes.api import API_ROUTES, STRUCTURED_ERRORS_SINCE
from mock_server.routes.control import CONTROL_ROUTES
from mock_server.routes.spec import RouteSpec
from mock_server.routes.ui import UI_ROUTES

_REF = re.compile(r"^([a-z0-9_]+)\.json$")


def _component(name: str, version: str, lineage: Lineage) -> dict[str, Any]:
    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {
                k: rewrite(v)
                for k, v in node.items()
                if k not in ("$id", "$schema") and not k.startswith("x-")
            }
            ref = node.get("$ref")
            if isinstance(ref, str) and (m := _REF.match(ref)):
                out["$ref"] = f"#/components/schemas/{m.group(1)}"
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    component: dict[str, Any] = rewrite(load_schema(name, version, lineage=lineage))
    return component


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(spec: RouteSpec, version: str, lineage: Lineage) -> dict[str, Any]:
    control = spec.kind == "control"
    plain = spec.kind == "api" and lineage.order(version) < lineage.order(STRUCTURED_ERRORS_SINCE)
    op: dict[str, Any] = {
        "operationId": f"{spec.method.lower()}_"
        + re.sub(r"[^a-z0-9]+", "_", spec.path.lower()).strip("_"),
        "tags": ["control plane" if control else "agents"],
        "responses": {
            "default": (
                {
                    "description": "Legacy error: 'Title: Message' as text",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
                if plain
                else {
                    "description": "Structured error",
                    "content": {"application/json": {"schema": _ref("error")}},
                }
            )
        },
    }
    if spec.summary:
        op["summary"] = spec.summary
    schema: dict[str, Any] = (
        {"type": "string", "format": "binary"}
        if spec.media_type != "application/json"
        else (_ref(spec.response) if spec.response else {"type": "object"})
    )
    op["responses"][str(spec.status)] = (
        {"description": "No content"}
        if spec.status == 204
        else {"description": "Success", "content": {spec.media_type: {"schema": schema}}}
    )
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": _ref("e164") if name == "number" else {"type": "string", "minLength": 1},
        }
        for name in re.findall(r"{(\w+)}", spec.path)
    ]
    if spec.kind == "api":
        params.append(
            {
                "name": "Cartesia-Version",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "enum": [version]},
            }
        )
    for q in spec.query:
        if version in q.versions(lineage):
            row: dict[str, Any] = {"name": q.name, "in": "query", "schema": dict(q.schema)}
            if q.required:
                row["required"] = True
            if q.description:
                row["description"] = q.description
            params.append(row)
    if params:
        op["parameters"] = params
    if spec.kind == "public":
        op["security"] = []
    if spec.request is not None:
        request = load_schema(spec.request, version, lineage=lineage)
        op["requestBody"] = {
            "required": bool(request.get("required") or request.get("anyOf")),
            "content": {"application/json": {"schema": _ref(spec.request)}},
        }
    return op


def served_routes(version: str, lineage: Lineage = SHIPPED) -> Iterable[RouteSpec]:
    """Every route the fake serves under ``version`` (the API's, the control plane's, the
    dashboard's)."""
    for spec in (*API_ROUTES, *CONTROL_ROUTES, *UI_ROUTES):
        if version in spec.versions(lineage):
            yield spec


def _document(version: str, lineage: Lineage) -> dict[str, Any]:
    key = ("openapi", version)
    found = lineage.memo.get(key)
    if isinstance(found, dict):
        return found
    paths: dict[str, dict[str, Any]] = {}
    for spec in served_routes(version, lineage):
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, version, lineage)
    document = _build(version, lineage, paths)
    lineage.memo[key] = document
    return document


def _build(version: str, lineage: Lineage, paths: dict[str, Any]) -> dict[str, Any]:
    summary = lineage.get(version).summary
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cartesia-fake",
            "version": version,
            "description": f"Cartesia's agent-call API as Cartesia-Version {version} shapes it "
            f"({summary}), served by cartesia-fake, and the fake's /__fake__/ control plane. "
            "Other versions: "
            + ", ".join(f"/openapi.json?version={v}" for v in lineage.names if v != version)
            + ".",
        },
        "servers": [{"url": "http://127.0.0.1:8000"}],
        "security": [{"APIKeyAuth": []}, {"APIKeyHeader": []}],
        "paths": paths,
        "components": {
            "schemas": {
                name: _component(name, version, lineage)
                for name in sorted(lineage.schemas(version))
            },
            "securitySchemes": {
                "APIKeyAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "API Key"},
                "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }


def openapi_document(version: str | None = None, lineage: Lineage = SHIPPED) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``version`` (default: the latest) in ``lineage`` (a fresh
    copy)."""
    return copy.deepcopy(_document(lineage.check(version), lineage))
