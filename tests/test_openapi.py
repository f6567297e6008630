"""/openapi.json: valid OpenAPI 3.1 per API version, documenting exactly what the route table
serves under that version (every path, method, status and schema), and nothing else."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate as validate_openapi
from starlette.routing import Route

from contracts import VERSIONS, load_schema
from mock_server import FakeCartesia
from mock_server.routes.api import NOT_SERVED
from mock_server.routes.openapi import served_routes

pytestmark = pytest.mark.parametrize("version", VERSIONS)


def _doc(fake: FakeCartesia, version: str) -> dict:  # type: ignore[type-arg]
    r = fake.client().get("/openapi.json", params={"version": version})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_openapi_is_valid_3_1(fake: FakeCartesia, version: str) -> None:
    doc = _doc(fake, version)
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["version"] == version
    validate_openapi(doc)


def test_every_served_route_is_documented_and_nothing_else(
    fake: FakeCartesia, version: str
) -> None:
    served = {
        (method, route.path)
        for route in fake.app.routes
        if isinstance(route, Route)
        and route.path != "/{path:path}"
        and route.path not in NOT_SERVED
        for method in (route.methods or set()) - {"HEAD"}
    }
    doc = _doc(fake, version)
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert documented == {(s.method, s.path) for s in served_routes(version)}
    assert served == {(s.method, s.path) for v in VERSIONS for s in served_routes(v)}
    if version < "2026-03-01":  # legacy: the call reads, the agents, no batches or webhooks
        assert ("GET", "/agents/calls/{call_id}/audio") in documented
        assert ("POST", "/agents/calls/batches") not in documented


def test_statuses_and_schemas_are_the_route_tables(fake: FakeCartesia, version: str) -> None:
    doc = _doc(fake, version)
    for spec in served_routes(version):
        op = doc["paths"][spec.path][spec.method.lower()]
        success = {code for code in op["responses"] if code != "default"}
        assert success == {str(spec.status)}, (spec.method, spec.path)
        if spec.status == 204:  # No Content: nothing to describe
            assert "content" not in op["responses"]["204"]
            continue
        content = op["responses"][str(spec.status)]["content"]
        assert list(content) == [spec.media_type]
        if spec.response is not None:
            assert content[spec.media_type]["schema"] == {
                "$ref": f"#/components/schemas/{spec.response}"
            }
            component = doc["components"]["schemas"][spec.response]
            assert component.get("required") == load_schema(spec.response, version).get("required")
        if spec.request is not None:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == f"#/components/schemas/{spec.request}"


def test_components_are_the_versions_contracts(fake: FakeCartesia, version: str) -> None:
    doc = _doc(fake, version)
    schemas = doc["components"]["schemas"]
    call = schemas["agent_call"]
    statuses = ["created", "started", "completed", "failed"]
    legacy = ["active", "completed", "failed", "cancelled"]
    assert call["properties"]["status"]["enum"] == (statuses if version >= "2026-03-01" else legacy)
    assert ("dynamic_variables" in call["properties"]) == (version == "2026-08-14")
    assert ("metadata" in call["properties"]) == (version in ("2025-11-04", "2026-03-01"))
    assert ("agent_name" in call["properties"]) == (version >= "2025-11-04")
    assert ("has_more" in schemas["call_list"]["required"]) == (version == "2026-08-14")
    text = str(doc)
    assert ".json'" not in text.replace("/openapi.json", "")  # every $ref rewritten
    assert "x-reason" not in text  # our private annotations stay out


def test_list_calls_parameters_follow_the_version(fake: FakeCartesia, version: str) -> None:
    params = _doc(fake, version)["paths"]["/agents/calls"]["get"]["parameters"]
    names = {p["name"]: p for p in params}
    assert ("batch_id" in names) == (version == "2026-08-14")
    assert ("start_time_gte" in names) == (version == "2026-08-14")
    assert names["agent_id"].get("required", False) == (version < "2026-08-14")
