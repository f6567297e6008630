"""The check report: a terminal table, JSON and Markdown; per probe and per ledger entry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mock_server.checker.runner import Outcome
from mock_server.ledger import LEDGER


@dataclass
class Report:
    base_url: str
    tier: int
    outcomes: list[Outcome]

    @property
    def ok(self) -> bool:
        return all(o.verdict == "match" for o in self.outcomes)

    def ledger(self) -> dict[str, str]:
        """Each ledger entry: confirmed, contradicted or untested (error counts as untested)."""
        status = {entry.id: "untested" for entry in LEDGER}
        for outcome in self.outcomes:
            for entry_id in outcome.probe.confirms:
                if outcome.verdict == "differs":
                    status[entry_id] = "contradicted"
                elif outcome.verdict == "match" and status.get(entry_id) == "untested":
                    status[entry_id] = "confirmed"
        return status

    def counts(self) -> dict[str, int]:
        out = {"match": 0, "differs": 0, "error": 0}
        for o in self.outcomes:
            out[o.verdict] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "tier": self.tier,
            "ok": self.ok,
            "counts": self.counts(),
            "probes": [
                {
                    "id": o.probe.id,
                    "tier": o.probe.tier,
                    "method": o.probe.method,
                    "path": o.probe.path,
                    "verdict": o.verdict,
                    "differences": o.differences,
                    "detail": o.detail,
                    "confirms": list(o.probe.confirms),
                    "target": o.target,
                    "fake": o.reference,
                }
                for o in self.outcomes
            ],
            "ledger": self.ledger(),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def to_markdown(self) -> str:
        c = self.counts()
        lines = [
            f"# cartesia-fake conformance: {self.base_url} (tier {self.tier})",
            "",
            f"{c['match']} match, {c['differs']} differ, {c['error']} error",
            "",
            "| probe | verdict | differences |",
            "| --- | --- | --- |",
        ]
        for o in self.outcomes:
            detail = "; ".join(o.differences) or o.detail
            lines.append(f"| `{o.probe.id}` | {o.verdict} | {detail.replace('|', '/')} |")
        lines += ["", "| ledger entry | result |", "| --- | --- |"]
        lines += [f"| `{k}` | {v} |" for k, v in self.ledger().items() if v != "untested"]
        return "\n".join(lines) + "\n"

    def table(self) -> str:
        width = max(len(o.probe.id) for o in self.outcomes) if self.outcomes else 10
        lines = [f"{'probe':<{width}}  {'verdict':<8} details"]
        for o in self.outcomes:
            detail = "; ".join(o.differences) or o.detail
            lines.append(f"{o.probe.id:<{width}}  {o.verdict:<8} {detail}")
        ledger = self.ledger()
        contradicted = [k for k, v in ledger.items() if v == "contradicted"]
        confirmed = [k for k, v in ledger.items() if v == "confirmed"]
        c = self.counts()
        lines.append("")
        lines.append(
            f"{c['match']} match, {c['differs']} differ, {c['error']} error; ledger: "
            f"{len(confirmed)} confirmed, {len(contradicted)} contradicted, "
            f"{len(ledger) - len(confirmed) - len(contradicted)} untested"
        )
        if contradicted:
            lines.append("contradicted: " + ", ".join(contradicted))
        return "\n".join(lines)
