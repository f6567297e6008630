"""Replaying a recording against the fake: the recorded requests, in order, sent to a fresh
fake on a virtual clock (moved by the recorded gaps), each answer compared with the recorded
one after normalisation, and each difference named by the ledger rules behind the fake's
answer.

The fake starts with the agents and numbers the recording used (taken from the requests
that succeeded, and from phone-number listings for their E.164 numbers). Ids the real API
made are mapped to the ones the fake makes as answers reveal them, so a later request for a
recorded call asks the fake for its own call.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from mock_server.domain.reads import discovery, lookups
from mock_server.recordings import checks
from mock_server.recordings.compare import diff, normalise
from mock_server.recordings.exchange import Exchange, read_all
from mock_server.service import ledger

#: Every id family the API hands out (calls, batches and their recipients, webhooks, phone
#: numbers, agents, deployments): recorded ones are mapped to the fake's as answers show them.
_ID = re.compile(r"^(call|acb|acr|wh|ap|pn|agent|ad|av)_[0-9A-Za-z]{8,}$")


@dataclass(frozen=True, slots=True)
class Difference:
    seq: int
    method: str
    route: str
    detail: str
    rules: tuple[str, ...]


@dataclass(slots=True)
class ReplayReport:
    exchanges: int = 0
    #: Exchanges replayed whose recorded body is only a marker (not compared).
    unchecked: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def rules(self) -> list[str]:
        return sorted({r for d in self.differences for r in d.rules})

    def table(self) -> str:
        lines = [f"replayed {self.exchanges} exchanges: {len(self.differences)} differences"]
        if self.unchecked:
            lines[0] += f" ({self.unchecked} not compared: the recording kept only a marker)"
        for d in self.differences:
            lines.append(f"  #{d.seq} {d.method} {d.route} [{', '.join(d.rules)}]: {d.detail}")
        if self.differences:
            lines.append(f"rules: {', '.join(self.rules())}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "exchanges": self.exchanges,
            "unchecked": self.unchecked,
            "differences": [
                {
                    "seq": d.seq,
                    "method": d.method,
                    "route": d.route,
                    "detail": d.detail,
                    "rules": list(d.rules),
                }
                for d in self.differences
            ],
            "rules": self.rules(),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2) + "\n"

    def to_markdown(self) -> str:
        lines = [
            "## cartesia-fake replay",
            "",
            f"{self.exchanges} exchanges replayed, {len(self.differences)} differences.",
        ]
        if self.differences:
            lines += ["", "| # | request | rules | difference |", "| ---: | --- | --- | --- |"]
            for d in self.differences:
                rules = ", ".join(f"`{r}`" for r in d.rules)
                detail = d.detail.replace("|", "/")
                lines.append(f"| {d.seq} | `{d.method} {d.route}` | {rules} | {detail} |")
        return "\n".join(lines) + "\n"


def _learn(recorded: Any, mine: Any, ids: dict[str, str]) -> None:
    """Map each id in a recorded answer to the one at the same place in the fake's."""
    if isinstance(recorded, dict) and isinstance(mine, dict):
        for key, value in recorded.items():
            if key in mine:
                _learn(value, mine[key], ids)
    elif isinstance(recorded, list) and isinstance(mine, list):
        for a, b in zip(recorded, mine, strict=False):
            _learn(a, b, ids)
    elif (
        isinstance(recorded, str)
        and isinstance(mine, str)
        and recorded != mine
        and _ID.match(recorded)
        and _ID.match(mine)
    ):
        ids.setdefault(recorded, mine)


def _swap(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _swap(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, ids) for v in value]
    if isinstance(value, str):
        return ids.get(value, value)
    return value


def _world(fake: Any, exchanges: list[Exchange]) -> None:
    """Give each tenant the agents and numbers its successful requests used."""
    e164: dict[str, str] = {}
    for ex in exchanges:
        body = ex.response_body
        if ex.status == 200 and isinstance(body, dict):
            for item in body.get("data", []) if isinstance(body.get("data"), list) else []:
                if isinstance(item, dict) and str(item.get("id", "")).startswith("ap_"):
                    e164[item["id"]] = str(item.get("number", ""))
    spare = iter(f"+1202555{i:04d}" for i in range(100, 200))
    for ex in exchanges:
        body = ex.request_body
        if not (200 <= ex.status < 300 and isinstance(body, dict)):
            continue
        tenant = fake.tenant(_key(ex))
        agent_id, number_id = body.get("agent_id"), body.get("from_number_id")
        if isinstance(agent_id, str) and agent_id not in discovery.agents_by_id(tenant):
            tenant.add_agent(agent_id, name="Recorded agent")
        if isinstance(number_id, str) and not lookups.knows(tenant, number=number_id):
            tenant.add_phone_number(e164.get(number_id) or next(spare), number_id=number_id)


def _omitted(body: Any) -> bool:
    """A body the proxy did not keep (over its bound, or undecodable): only a marker."""
    return isinstance(body, dict) and "omitted" in body and "bytes" in body


def _key(ex: Exchange) -> str:
    return f"sk_replay_{ex.tenant or 'none'}"


def _recorded_response(ex: Exchange) -> httpx.Response:
    headers = dict(ex.response_headers)
    body = ex.response_body
    if isinstance(body, dict) and set(body) == {"bytes", "content_type"}:
        return httpx.Response(ex.status, headers=headers, content=b"\0" * int(body["bytes"]))
    content = (
        b""
        if body is None
        else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    )
    return httpx.Response(ex.status, headers=headers, content=content)


def replay(directory: Path | str, fake: Any) -> ReplayReport:
    """Replay the recording in ``directory`` against ``fake`` (a ``FakeCartesia``, fresh or
    set up by the caller) and report every difference."""
    return _replay(fake, list(read_all(Path(directory))))


def _replay(fake: Any, exchanges: Iterable[Exchange]) -> ReplayReport:
    exchanges = list(exchanges)
    _world(fake, exchanges)
    report = ReplayReport()
    ids: dict[str, str] = {}
    clock: dict[str, float] = {}
    for ex in exchanges:
        key = _key(ex)
        if key in clock and ex.at > clock[key]:
            fake.advance(ex.at - clock[key], api_key=key)
        clock[key] = max(clock.get(key, ex.at), ex.at)
        headers = dict(ex.request_headers)
        if ex.tenant is not None:
            headers["authorization"] = f"Bearer {key}"
        path = "/".join(ids.get(part, part) for part in ex.path.split("/"))
        query = (
            "&".join(
                "=".join(ids.get(p, p) for p in pair.split("=", 1)) for pair in ex.query.split("&")
            )
            if ex.query
            else ""
        )
        body = _swap(ex.request_body, ids)
        swapped = replace(ex, request_body=body)
        with httpx.Client(transport=fake.transport(), base_url="https://api.cartesia.ai") as c:
            mine = c.request(
                ex.method,
                path + (f"?{query}" if query else ""),
                headers=headers,
                content=checks.request_bytes(swapped),
            )
        report.exchanges += 1
        if _omitted(ex.response_body) or _omitted(ex.request_body):
            report.unchecked += 1  # the proxy kept only a marker: nothing to compare
            continue
        with contextlib.suppress(ValueError):
            _learn(ex.response_body, mine.json(), ids)
        found = diff(normalise(_recorded_response(ex)), normalise(mine), name="recorded")
        if not found:
            continue
        journal = fake.requests(api_key=key)
        relied = journal[-1].rules if journal else ()
        spec = checks.route_of(ex.method, ex.path, ex.version)
        for detail in found:
            where = detail.split(":", 1)[0].removeprefix("body.")
            shape = (
                ledger.rules_for_contract(spec.response, where, ex.version)
                if spec and spec.response
                else ()
            )
            rules = tuple(dict.fromkeys((*relied, *shape))) or ("unlisted",)
            report.differences.append(
                Difference(
                    ex.seq,
                    ex.method,
                    spec.path if spec else ex.path,
                    detail,
                    rules,
                )
            )
    return report
