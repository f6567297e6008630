"""What the proxy found: each deviation (with the rules it contradicts and how often it was
seen) and the rules real answers confirmed, as a table, JSON or Markdown."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mock_server.recordings.checks import Finding, Verdict


@dataclass(slots=True)
class ProxyReport:
    exchanges: int = 0
    findings: Counter[Finding] = field(default_factory=Counter)
    confirmed: Counter[str] = field(default_factory=Counter)

    def add(self, verdict: Verdict) -> None:
        self.exchanges += 1
        self.findings.update(verdict.findings)
        self.confirmed.update(verdict.confirmed)

    @property
    def ok(self) -> bool:
        return not self.findings

    def contradicted(self) -> list[str]:
        return sorted({rule for f in self.findings for rule in f.rules})

    def as_dict(self) -> dict[str, Any]:
        return {
            "exchanges": self.exchanges,
            "deviations": [
                {
                    "kind": f.kind,
                    "method": f.method,
                    "route": f.route,
                    "version": f.version,
                    "detail": f.detail,
                    "rules": list(f.rules),
                    "count": n,
                }
                for f, n in sorted(
                    self.findings.items(), key=lambda kv: (kv[0].route, kv[0].method, kv[0].detail)
                )
            ],
            "contradicted": self.contradicted(),
            "confirmed": dict(sorted(self.confirmed.items())),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2) + "\n"

    def to_markdown(self) -> str:
        doc = self.as_dict()
        lines = [
            "## cartesia-fake proxy report",
            "",
            f"{doc['exchanges']} exchanges, {len(doc['deviations'])} deviations, "
            f"{len(doc['confirmed'])} rules confirmed.",
            "",
        ]
        if doc["deviations"]:
            lines += [
                "| rules | request | version | deviation | seen |",
                "| --- | --- | --- | --- | ---: |",
            ]
            for d in doc["deviations"]:
                detail = d["detail"].replace("|", "/")
                lines.append(
                    f"| {', '.join(f'`{r}`' for r in d['rules'])} | `{d['method']} {d['route']}` "
                    f"| {d['version'] or '-'} | {detail} | {d['count']} |"
                )
        else:
            lines.append("No deviations: every real answer agreed with the fake where checked.")
        if doc["confirmed"]:
            lines += [
                "",
                "Confirmed: " + ", ".join(f"`{r}` ({n})" for r, n in doc["confirmed"].items()),
            ]
        return "\n".join(lines) + "\n"

    def table(self) -> str:
        doc = self.as_dict()
        lines = [f"{doc['exchanges']} exchanges, {len(doc['deviations'])} deviations"]
        for d in doc["deviations"]:
            lines.append(
                f"  [{', '.join(d['rules'])}] {d['method']} {d['route']} "
                f"({d['version'] or 'no version'}): {d['detail']} x{d['count']}"
            )
        if doc["confirmed"]:
            lines.append(
                "confirmed: " + ", ".join(f"{r} ({n})" for r, n in doc["confirmed"].items())
            )
        return "\n".join(lines) + "\n"
