"""The control plane under /__fake__/: clock, world set-up, faults, queue, timeline, journal."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute

import contracts
from mock_server.domain.errors import bad_request
from mock_server.domain.journal.faults import Fault, named
from mock_server.domain.models import Webhook
from mock_server.domain.reads import discovery, lookups
from mock_server.domain.settings import Settings
from mock_server.domain.tenants import knobs
from mock_server.domain.tenants.seed import script_from
from mock_server.domain.timing.clock import rfc3339
from mock_server.domain.webhooks.outbox import WebhookFault
from mock_server.http import control_views
from mock_server.http.pipeline import Ctx, Reply
from mock_server.routes.spec import RouteSpec, starlette_routes
from mock_server.service import knob_values
from mock_server.service.core import Service
from mock_server.service.ledger import ledger_document
from mock_server.wire import views


def _body(ctx: Ctx, schema: str) -> dict[str, Any]:
    body = ctx.body if ctx.has_body else {}
    errors = contracts.errors_of(schema, body)
    if errors:
        detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
        raise bad_request(f"Invalid control request: {detail}", code="invalid_control_request")
    assert isinstance(body, dict)
    return body


def clock(ctx: Ctx) -> Reply:
    return Reply(control_views.clock(*lookups.clock_now(ctx.tenant)))


def advance(ctx: Ctx) -> Reply:
    body = _body(ctx, "control_advance")
    return Reply({"now": rfc3339(ctx.tenant.advance(float(body["seconds"])))})


def run_until_idle(ctx: Ctx) -> Reply:
    return Reply({"now": rfc3339(ctx.tenant.run_until_idle())})


def create_agent(ctx: Ctx) -> Reply:
    body = _body(ctx, "control_agent_create")
    hook = body.get("webhook")
    item = ctx.tenant.add_agent(
        body.get("id"),
        name=body.get("name", "Test agent"),
        deployed=body.get("deployed", True),
        line_url=body.get("line_url"),
        webhook=Webhook(hook["url"], hook["secret"]) if hook else None,
    )
    return Reply(views.agent(item), status=201)


def create_number(ctx: Ctx) -> Reply:
    body = _body(ctx, "control_phone_number_create")
    item = ctx.tenant.add_phone_number(
        body["number"],
        number_id=body.get("id"),
        provider=body.get("provider", "cartesia"),
        organization=body.get("organization", "self"),
        can_place_outbound=body.get("can_place_outbound", True),
        label=body.get("label"),
        provider_id=body.get("provider_id"),
        agent_id=body.get("agent_id"),
    )
    return Reply(views.phone_number(item, discovery.agents_by_id(ctx.tenant)), status=201)


def put_callee(ctx: Ctx) -> Reply:
    number = ctx.path_param("number")
    if not contracts.is_e164(number):
        raise bad_request(
            f"{number[:40]!r} is not an E.164 number.", code="invalid_control_request"
        )
    body = _body(ctx, "control_callee_script")
    script = script_from(body)
    ctx.tenant.set_callee(number, script)
    return Reply({"number": number, **script.as_dict()})


def add_fault(ctx: Ctx) -> Reply:
    body = _body(ctx, "control_fault")
    given: dict[str, Any] = {
        key: body[key]
        for key in (
            "method",
            "path",
            "status",
            "retry_after",
            "drop_connection",
            "after_commit",
            "times",
        )
        if key in body
    }
    if "latency_seconds" in body:
        given["latency_seconds"] = float(body["latency_seconds"])
    fault = named(body["name"], **given) if "name" in body else Fault(**given)
    return Reply(ctx.tenant.add_fault(fault).as_dict(), status=201)


def add_webhook_fault(ctx: Ctx) -> Reply:
    body = _body(ctx, "control_webhook_fault")
    fault = WebhookFault(
        body["kind"], body.get("event"), float(body.get("delay_seconds", 0)), body.get("times")
    )
    ctx.tenant.add_webhook_fault(fault)
    return Reply(
        {
            "kind": fault.kind,
            "event": fault.event,
            "delay_seconds": fault.delay_seconds,
            "times": fault.times,
        },
        status=201,
    )


def deliveries(ctx: Ctx) -> Reply:
    return Reply(
        {"deliveries": [control_views.delivery(d) for d in lookups.deliveries(ctx.tenant)]}
    )


def queue(ctx: Ctx) -> Reply:
    return Reply(control_views.queue(lookups.queue(ctx.tenant)))


def timeline(ctx: Ctx) -> Reply:
    return Reply({"events": control_views.timeline(ctx.tenant.call(ctx.path_param("call_id")))})


def journal(ctx: Ctx) -> Reply:
    entries = [control_views.journal_entry(e) for e in lookups.journal(ctx.tenant)]
    dups = [d.as_dict() for d in lookups.duplicates(ctx.tenant)]
    return Reply({"requests": entries, "duplicate_dials": dups})


def _settings_view(settings: Settings) -> dict[str, Any]:
    return {"knobs": knobs.current(settings), "tenant_knobs": sorted(knobs.TENANT_KNOBS)}


def get_settings(ctx: Ctx) -> Reply:
    return Reply(_settings_view(ctx.tenant.settings))


def patch_settings(ctx: Ctx) -> Reply:
    body = ctx.body if ctx.has_body else None
    if not isinstance(body, dict) or not body:
        raise bad_request(
            'Send a JSON object of the knobs to change, e.g. {"dial_interval_seconds": 2}; '
            f"this tenant may change {', '.join(sorted(knobs.TENANT_KNOBS))}.",
            code="invalid_control_request",
        )
    try:
        settings = knobs.configure(ctx.tenant, knob_values.check(body, tenant_only=True))
    except knobs.KnobError as exc:
        raise bad_request(f"Invalid settings: {exc}", code="invalid_control_request") from None
    return Reply(_settings_view(settings))


def reset(ctx: Ctx) -> Reply:
    ctx.tenant.reset()
    return Reply({"reset": True})


def behaviors(ctx: Ctx) -> Reply:
    return Reply(ledger_document(ctx.service.settings))


def _control(
    method: str,
    path: str,
    handler: Any,
    response: str | None,
    *,
    request: str | None = None,
    status: int = 200,
    reads_body: bool = False,
) -> RouteSpec:
    return RouteSpec(
        method,
        path,
        handler,
        response,
        status=status,
        request=request,
        kind="control",
        reads_body=reads_body,
    )


CONTROL_ROUTES: tuple[RouteSpec, ...] = (
    _control("GET", "/__fake__/clock", clock, "control_clock"),
    _control(
        "POST", "/__fake__/clock/advance", advance, "control_clock", request="control_advance"
    ),
    _control("POST", "/__fake__/clock/run-until-idle", run_until_idle, "control_clock"),
    _control(
        "POST",
        "/__fake__/agents",
        create_agent,
        "agent",
        request="control_agent_create",
        status=201,
    ),
    _control(
        "POST",
        "/__fake__/phone-numbers",
        create_number,
        "phone_number",
        request="control_phone_number_create",
        status=201,
    ),
    _control(
        "PUT", "/__fake__/callees/{number}", put_callee, None, request="control_callee_script"
    ),
    _control("POST", "/__fake__/faults", add_fault, None, request="control_fault", status=201),
    _control("GET", "/__fake__/queue", queue, "control_queue"),
    _control(
        "POST",
        "/__fake__/webhook-faults",
        add_webhook_fault,
        None,
        request="control_webhook_fault",
        status=201,
    ),
    _control("GET", "/__fake__/webhooks", deliveries, None),
    _control("GET", "/__fake__/calls/{call_id}/timeline", timeline, "control_timeline"),
    _control("GET", "/__fake__/requests", journal, "control_journal"),
    _control("POST", "/__fake__/reset", reset, "control_reset"),
    _control("GET", "/__fake__/settings", get_settings, "control_settings_view"),
    _control(
        "PATCH",
        "/__fake__/settings",
        patch_settings,
        "control_settings_view",
        request="control_settings",
    ),
    _control("GET", "/__fake__/behaviors", behaviors, "control_ledger"),
)


def routes(service: Service) -> list[BaseRoute]:
    return starlette_routes(service, CONTROL_ROUTES)
