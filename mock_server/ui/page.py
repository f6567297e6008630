"""The dashboard's pages: the live one (``/__fake__/ui``: a key form, clock buttons and a
view the script refreshes every second) and the standalone timeline file (the same view,
frozen, with every call's details inside). No network beyond the fake: no CDN, no build."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from mock_server.domain.reads.dashboard import DashboardState
from mock_server.service.keys import fingerprint
from mock_server.ui import render


@cache
def _asset(name: str) -> str:
    return resources.files("mock_server.ui").joinpath(name).read_text("utf-8")


def _document(title: str, mode: str, header: str, body: str, aside: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<link rel='icon' href='data:,'>"
        f"<title>{html.escape(title)}</title><style>{_asset('dashboard.css')}</style></head>"
        f"<body data-mode='{mode}'><header><h1>cartesia-fake</h1>{header}</header>"
        f"<main><div id='view'>{body}</div><aside id='detail'>{aside}</aside></main>"
        f"<script>{_asset('dashboard.js')}</script></body></html>"
    )


def live() -> str:
    """The live page: nothing of any tenant until a key is given."""
    header = (
        "<form id='key-form' autocomplete='off'><input id='key' type='password' "
        "placeholder='API key (the tenant to show)' aria-label='API key'>"
        "<button class='primary' type='submit'>Show</button></form>"
        "<div id='controls' aria-label='virtual clock'>"
        "<button type='button' data-seconds='1' disabled>+1 s</button>"
        "<button type='button' data-seconds='10' disabled>+10 s</button>"
        "<button type='button' disabled>Run until idle</button></div>"
        "<span id='state'>enter a tenant's API key</span>"
    )
    body = "<p class='muted empty'>The calls of the tenant whose key you enter appear here.</p>"
    return _document("cartesia-fake dashboard", "live", header, body, _hint())


def _hint() -> str:
    return "<h2>Call</h2><p class='muted'>Click a call to see it.</p>"


def view(state: DashboardState) -> str:
    """The refreshable part of the live page."""
    return f"<div data-clock-mode='{state.mode}'></div>" + render.view(state)


def call_detail(call: Mapping[str, Any], events: Iterable[Mapping[str, Any]]) -> str:
    """A call's Get Call object, timeline and transcript."""
    items = "".join(
        f"<li><code>{html.escape(e['at'][11:23])}</code> {html.escape(e['event'])} → "
        f"{html.escape(e['status'])}"
        + (f" ({html.escape(str(e['end_reason']))})" if e.get("end_reason") else "")
        + "</li>"
        for e in events
    )
    turns = call.get("transcript") or []
    said = (
        "".join(
            f"<p class='turn'><b>{html.escape(str(t.get('role', '')))}:</b> "
            f"{html.escape(str(t.get('text', '')))}</p>"
            for t in turns
            if isinstance(t, dict)
        )
        or "<p class='muted'>No transcript.</p>"
    )
    pretty = html.escape(json.dumps(call, indent=2, ensure_ascii=False))
    return (
        f"<h2>Call <code>{html.escape(str(call.get('id', '')))}</code></h2>"
        f"<p>to {html.escape(str(_to(call)))}: "
        f"<b>{html.escape(str(call.get('status', '')))}</b>"
        + (f" ({html.escape(str(call['end_reason']))})" if call.get("end_reason") else "")
        + f"</p><h3>Timeline</h3><ol>{items}</ol><h3>Transcript</h3>{said}"
        f"<h3>Get Call</h3><pre>{pretty}</pre>"
    )


def _to(call: Mapping[str, Any]) -> str:
    telephony = call.get("telephony_params")
    return str(telephony.get("to", "")) if isinstance(telephony, dict) else ""


def timeline_file(states: Iterable[tuple[DashboardState, Mapping[str, str]]], title: str) -> str:
    """A standalone document of each ``(state, {call id: detail HTML})``."""
    body, kept = [], []
    for state, details in states:
        tenant = html.escape(fingerprint(state.key))  # never the key, however short
        body.append(f"<h2 class='tenant'>Tenant {tenant}</h2>{render.view(state)}")
        kept += [
            f"<template id='details-{html.escape(call_id)}'>{detail}</template>"
            for call_id, detail in details.items()
        ]
    header = f"<span id='state'>{html.escape(title)}</span>"
    return _document(title, "file", header, "".join(body) + "".join(kept), _hint())
