"""The ``Cartesia-Version`` header: which version a request asks for, whether the route has
it, and which version's error format an answer uses."""

from __future__ import annotations

from starlette.requests import Request

from mock_server.domain.errors import ApiError
from mock_server.domain.tenants.tenant import Tenant
from mock_server.http.head import head_of
from mock_server.service.core import Service
from mock_server.wire.versions import WireTable, WireVersion


def sent(request: Request) -> list[str]:
    raw = head_of(request).versions
    return [v.strip() for line in raw for v in line.split(",") if v.strip()]


def error_format(request: Request, versions: WireTable) -> WireVersion | None:
    """The version whose error format an answer uses: the one the request names, if the
    fake knows it (a legacy client gets its plain-text errors even for a 401)."""
    values = sent(request)
    return versions.get(values[0]) if values and values[0] in versions else None


def check(
    request: Request,
    tenant: Tenant,
    service: Service,
    versions: WireTable,
    served: frozenset[str],
    warnings: list[str],
    rules: list[str],
) -> WireVersion:
    values = sent(request)
    if not values:
        raise ApiError(
            service.settings.missing_version_status,
            "missing_cartesia_version",
            "Missing Cartesia-Version",
            f"Send a Cartesia-Version header, for example 'Cartesia-Version: {versions.latest}'.",
        )
    accepted = service.settings.accepted_versions or versions.names
    for value in values:
        if value not in accepted:
            raise ApiError(
                404,
                "api_version_not_found",
                "API version not found",
                f"No API schema exists for the requested Cartesia-Version {value!r}; "
                f"supported: {', '.join(accepted)}.",
            )
    if len(values) > 1:
        warnings.append(f"Cartesia-Version sent {len(values)} times: {', '.join(values)}")
        rules.append("version.duplicate")
    if values[0] not in served:
        oldest = min(served, key=versions.lineage.order)
        rules.append("version.route_since")
        if service.settings.version_not_on_route == "not_found":
            raise ApiError(
                404,
                "api_version_not_found",
                "API version not found",
                "No API schema exists for the requested Cartesia-Version.",
            )
        warnings.append(
            f"{request.method} {request.scope['path']} is not documented under "
            f"{values[0]}; answered as {oldest} (knob version_not_on_route)"
        )
        return versions.get(oldest)
    shown = versions.get(values[0])
    if shown.cancelled_status is not None and tenant.settings.legacy_call_shape != "legacy":
        rules.append("version.legacy_shape")
        return versions.get(tenant.settings.legacy_call_shape)
    return shown
