"""A tenant's dashboard state as HTML: an SVG timeline per from-number and per batch (each call a
bar from creation through queue and ringing to the end of its talk, coloured by outcome),
then the dial queue, the newest requests and the webhook deliveries. Colours are the
Okabe-Ito palette, distinguishable with the common colour-vision deficiencies; every bar also
says what it is in words (its tooltip and the call's row label)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from types import MappingProxyType

from mock_server.domain.reads.dashboard import BatchRow, CallBar, DashboardState
from mock_server.domain.timing.clock import rfc3339

#: outcome -> (label, colour)
OUTCOMES = MappingProxyType(
    {
        "active": ("in progress", "#0072B2"),
        "completed": ("completed", "#009E73"),
        "busy": ("busy", "#E69F00"),
        "no_answer": ("no answer", "#CC79A7"),
        "failed": ("failed", "#D55E00"),
        "cancelled": ("cancelled", "#7F7F7F"),
    }
)
QUEUED = "#C8C8C8"
WIDTH, LEFT, RIGHT, ROW, HEAD = 940, 190, 14, 22, 26


def outcome(call: CallBar) -> str:
    if call.ended_at is None:
        return "active"
    reason = call.end_reason or ""
    if reason == "api_cancelled":
        return "cancelled"
    if call.status == "completed":
        return "completed"
    return {"dial_busy": "busy", "dial_no_answer": "no_answer"}.get(reason, "failed")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _clock(ms: int) -> str:
    return rfc3339(ms)[11:19]


def _step(span_ms: int) -> int:
    for seconds in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400):
        if span_ms / (seconds * 1000) <= 14:
            return seconds * 1000
    return 86400 * 1000 * 7


class _Scale:
    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, max(end, start + 10_000)
        self.width = WIDTH - LEFT - RIGHT

    def x(self, ms: int) -> float:
        return round(LEFT + (ms - self.start) / (self.end - self.start) * self.width, 1)


def _bar(call: CallBar, scale: _Scale, y: int, now: int) -> str:
    kind = outcome(call)
    label, colour = OUTCOMES[kind]
    end = call.ended_at if call.ended_at is not None else now
    dial = call.dial_at if call.dialed else min(call.dial_at, end)
    parts = [
        f'<rect class="queued" x="{scale.x(call.created_at)}" y="{y + 4}" '
        f'width="{max(scale.x(dial) - scale.x(call.created_at), 0)}" height="14" '
        f'fill="{QUEUED}"/>'
    ]
    if call.dialed:
        ring_end = call.answered_at if call.answered_at is not None else end
        parts.append(
            f'<rect class="ringing" x="{scale.x(dial)}" y="{y + 4}" '
            f'width="{max(scale.x(ring_end) - scale.x(dial), 1)}" height="14" fill="{colour}" '
            f'fill-opacity="0.35" stroke="{colour}" stroke-width="1"/>'
        )
        if call.answered_at is not None:
            parts.append(
                f'<rect class="talk" x="{scale.x(call.answered_at)}" y="{y + 4}" '
                f'width="{max(scale.x(end) - scale.x(call.answered_at), 1)}" height="14" '
                f'fill="{colour}"/>'
            )
        parts.append(
            f'<line class="dial" x1="{scale.x(dial)}" x2="{scale.x(dial)}" y1="{y + 1}" '
            f'y2="{y + 21}" stroke="#222" stroke-width="1.5"/>'
        )
    reason = f" ({call.end_reason})" if call.end_reason else ""
    tip = (
        f"{call.id} to {call.to_number}: {label}{reason}\n"
        f"created {_clock(call.created_at)}, dial {_clock(call.dial_at)}"
        + (f", answered {_clock(call.answered_at)}" if call.answered_at is not None else "")
        + (f", ended {_clock(call.ended_at)}" if call.ended_at is not None else "")
    )
    return (
        f'<g class="call outcome-{kind}" data-call="{_e(call.id)}" data-outcome="{kind}" '
        f'tabindex="0"><title>{_e(tip)}</title>'
        f'<rect class="hit" x="0" y="{y}" width="{WIDTH}" height="{ROW}" fill="transparent"/>'
        f'<text x="6" y="{y + 15}" class="label">{_e(call.to_number)}'
        f'<tspan class="muted"> {_e(label)}</tspan></text>{"".join(parts)}</g>'
    )


def _axis(scale: _Scale, height: int, now: int) -> str:
    step = _step(scale.end - scale.start)
    first = scale.start - scale.start % step + (step if scale.start % step else 0)
    ticks = []
    for t in range(first, scale.end + 1, step):
        x = scale.x(t)
        ticks.append(f'<line x1="{x}" x2="{x}" y1="{HEAD - 6}" y2="{height}" class="grid"/>')
        if x < WIDTH - 28:  # a label past the edge would be cut
            ticks.append(f'<text x="{x}" y="{HEAD - 10}" class="tick">{_clock(t)}</text>')
    now_x = scale.x(min(max(now, scale.start), scale.end))
    return "".join(ticks) + (
        f'<line x1="{now_x}" x2="{now_x}" y1="{HEAD - 6}" y2="{height}" class="now"/>'
        f'<text x="{now_x}" y="{height + 12}" class="now-label">now</text>'
    )


def _waiting(to_number: str, since: int, scale: _Scale, y: int, now: int) -> str:
    """A batch recipient the dispatcher has not taken yet: queued since the batch began."""
    return (
        f'<g class="recipient waiting"><title>{_e(to_number)}: waiting for the batch to '
        f'dispatch it</title><text x="6" y="{y + 15}" class="label">{_e(to_number)}'
        f'<tspan class="muted"> waiting</tspan></text><rect x="{scale.x(since)}" '
        f'y="{y + 4}" width="{max(scale.x(now) - scale.x(since), 1)}" height="14" '
        f'fill="{QUEUED}" fill-opacity="0.6"/></g>'
    )


def _refused(to_number: str, why: str, at: int, scale: _Scale, y: int) -> str:
    """A batch recipient refused before a call was placed: a row with a mark where the
    dispatcher took the batch up, the reason in its tooltip."""
    x = scale.x(at)
    colour = OUTCOMES["failed"][1]
    return (
        f'<g class="recipient refused" data-to="{_e(to_number)}" tabindex="0">'
        f"<title>{_e(to_number)}: refused before dialing: {_e(why)}</title>"
        f'<text x="6" y="{y + 15}" class="label">{_e(to_number)}'
        f'<tspan class="muted"> refused</tspan></text>'
        f'<path d="M{x - 5} {y + 6} l10 10 m0 -10 l-10 10" stroke="{colour}" '
        f'stroke-width="2"/></g>'
    )


def _section(
    title: str,
    calls: Sequence[CallBar],
    scale: _Scale,
    now: int,
    extra: str,
    waiting: tuple[tuple[str, int], ...] = (),
    refused: tuple[tuple[str, str, int], ...] = (),
) -> str:
    height = HEAD + ROW * (len(calls) + len(waiting) + len(refused)) + 4
    rows = "".join(_bar(c, scale, HEAD + i * ROW, now) for i, c in enumerate(calls))
    rows += "".join(
        _waiting(number, since, scale, HEAD + (len(calls) + i) * ROW, now)
        for i, (number, since) in enumerate(waiting)
    )
    first = len(calls) + len(waiting)
    rows += "".join(
        _refused(number, why, at, scale, HEAD + (first + i) * ROW)
        for i, (number, why, at) in enumerate(refused)
    )
    return (
        f'<section class="lane"><h3>{title}</h3>{extra}'
        f'<svg viewBox="0 0 {WIDTH} {height + 16}" width="100%" role="img" '
        f'aria-label="{_e(title)}: {len(calls)} calls">'
        f"{_axis(scale, height, now)}{rows}</svg></section>"
    )


#: What each batch status means (the docs' table: it tells how far dispatch has got).
STATUS_MEANING = MappingProxyType(
    {
        "pending": "nothing dispatched yet",
        "in_progress": "some recipients dispatched",
        "completed": "every recipient dispatched",
        "cancelled": "cancelled before every recipient was dispatched",
        "failed": "every recipient failed before dialing",
    }
)


def _progress(batch: BatchRow) -> str:
    total = max(batch.scheduled, 1)
    done = batch.finished / total * 100
    sent = (batch.dispatched - batch.finished) / total * 100
    return (
        f'<div class="progress" role="progressbar" aria-valuenow="{batch.finished}" '
        f'aria-valuemax="{batch.scheduled}"><span class="done" style="width:{done:.1f}%"></span>'
        f'<span class="sent" style="width:{sent:.1f}%"></span></div>'
        f'<p class="counts"><abbr title="{STATUS_MEANING.get(batch.status, "")}">'
        f"{_e(batch.status)}</abbr>: {batch.scheduled} scheduled, "
        f"{batch.dispatched} dispatched, {batch.finished} finished; "
        f"<b>{batch.in_flight}</b> in flight of a limit of {batch.limit}</p>"
    )


def legend() -> str:
    swatches = [f'<span class="sw" style="background:{QUEUED}"></span>queued']
    swatches.append(
        '<span class="sw ring"></span>ringing (light) · talking (solid) · '
        '<span class="tick-mark"></span> dial'
    )
    swatches += [
        f'<span class="sw" style="background:{colour}"></span>{_e(label)}'
        for label, colour in OUTCOMES.values()
    ]
    return '<div class="legend">' + "".join(f"<span>{s}</span>" for s in swatches) + "</div>"


def _table(title: str, head: Iterable[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<section class="table"><h3>{title}</h3><p class="muted">{empty}</p></section>'
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    header = "".join(f"<th>{_e(h)}</th>" for h in head)
    return (
        f'<section class="table"><h3>{title}</h3><table><thead><tr>{header}</tr></thead>'
        f"<tbody>{cells}</tbody></table></section>"
    )


def view(state: DashboardState) -> str:
    """The dashboard's body for ``state`` (the same in the live page and the file)."""
    now = state.now
    calls = state.calls
    if calls or state.batches:
        start = min([*(c.created_at for c in calls), *(b.created_at for b in state.batches)])
        end = max([now, *(c.ended_at for c in calls if c.ended_at is not None)])
    else:
        start, end = now, now
    scale = _Scale(start, end)
    parts = [
        f'<div class="summary"><span>clock <b id="clock">{_e(rfc3339(now))}</b> '
        f"({_e(state.mode)})</span><span>{len(calls)} calls</span>"
        f"<span><b>{state.active}</b> in flight of the organisation's "
        f"{state.organization_limit}</span></div>",
        legend(),
    ]
    for batch in state.batches:
        mine = [c for c in calls if c.batch_id == batch.id]
        title = f"Batch {_e(batch.name or batch.id)} <code>{_e(batch.id)}</code>"
        waiting = tuple((number, batch.created_at) for number in batch.waiting)
        at = batch.created_at if batch.admitted_at is None else batch.admitted_at
        refused = tuple((number, why, at) for number, why in batch.refused)
        parts.append(_section(title, mine, scale, now, _progress(batch), waiting, refused))
    by_number: dict[str, list[CallBar]] = {}
    for call in calls:
        if call.batch_id is None:
            by_number.setdefault(call.from_number, []).append(call)
    for number, mine in by_number.items():
        parts.append(_section(f"From {_e(number)}", mine, scale, now, ""))
    if not calls:
        parts.append('<p class="muted empty">No calls yet.</p>')
    queue = [
        [_e(c.from_number), str(i), _e(c.to_number), f"<code>{_e(c.id)}</code>", _clock(c.dial_at)]
        for waiting in state.queue.values()
        for i, c in enumerate(waiting, start=1)
    ]
    parts.append(
        _table("Dial queue", ("from", "#", "to", "call", "dials at"), queue, "Nobody waiting.")
    )
    journal = [
        [
            _clock(e.at),
            _e(e.method),
            f"<code>{_e(e.path)}</code>",
            f'<span class="status s{e.status // 100}">{e.status or "dropped"}</span>',
            _e("; ".join(e.warnings)),
            " ".join(f"<code>{_e(r)}</code>" for r in e.rules),
        ]
        for e in reversed(state.journal)
    ]
    parts.append(
        _table(
            "Requests (newest first)",
            ("at", "method", "path", "status", "faults and warnings", "ledger rules"),
            journal,
            "No requests yet.",
        )
    )
    deliveries = [
        [
            _e(d.event),
            f"<code>{_e(d.call_id)}</code>",
            str(d.attempts),
            _e(d.state),
            _e("; ".join(d.results)),
        ]
        for d in state.deliveries
    ]
    parts.append(
        _table(
            "Webhook deliveries",
            ("event", "call", "attempts", "state", "results"),
            deliveries,
            "No webhook deliveries.",
        )
    )
    return "".join(parts)
