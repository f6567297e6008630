"""The check report: a terminal table, JSON and Markdown; per probe and per ledger entry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mock_server.checker.runner import Outcome
from mock_server.service.ledger import LEDGER


@dataclass
class Report:
    base_url: str
    tier: int
    outcomes: list[Outcome]

    @property
    def ok(self) -> bool:
        return all(o.verdict == "match" for o in self.outcomes)

    def ledger(self) -> dict[str, str]:
        """Each ledger entry: confirmed (a probe exercised it whole and matched), partly
        confirmed (only probes that exercise part of it matched), contradicted, or untested
        (no probe exercised it; an error counts as untested)."""
        status = {entry.id: "untested" for entry in LEDGER}
        rank = {"untested": 0, "partly confirmed": 1, "confirmed": 2, "contradicted": 3}
        for outcome in self.outcomes:
            for entry_id in outcome.probe.confirms:
                if outcome.verdict == "differs":
                    found = "contradicted"
                elif outcome.verdict == "match":
                    found = "partly confirmed" if outcome.probe.partial else "confirmed"
                else:
                    continue
                if rank[found] > rank[status.get(entry_id, "untested")]:
                    status[entry_id] = found
        return status

    def findings(self) -> list[tuple[str, list[str]]]:
        """Differences grouped by what differs (one root cause, such as a version the target
        does not serve, is one finding however many probes show it), most probes first."""
        groups: dict[str, list[str]] = {}
        for outcome in self.outcomes:
            for difference in outcome.differences:
                # what the target answered is the finding; what the fake answered varies
                cause = difference.split(" but the fake ", 1)[0]
                ids = groups.setdefault(cause, [])
                if outcome.probe.id not in ids:
                    ids.append(outcome.probe.id)
        return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))

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
            "findings": [{"difference": d, "probes": ids} for d, ids in self.findings()],
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

    def rows(self) -> list[tuple[str, str, str]]:
        """(probe, verdict, details) per probe, in the order they ran."""
        return [
            (o.probe.id, o.verdict, "; ".join(o.differences) or o.detail) for o in self.outcomes
        ]

    def summary(self) -> str:
        """The counts, the findings and the ledger rules by result, as lines of text."""
        ledger = self.ledger()
        by_status: dict[str, list[str]] = {}
        for rule, verdict in ledger.items():
            by_status.setdefault(verdict, []).append(rule)
        c = self.counts()
        lines = [
            f"{c['match']} match, {c['differs']} differ, {c['error']} error; ledger: "
            + ", ".join(
                f"{len(by_status.get(k, []))} {k}"
                for k in ("confirmed", "partly confirmed", "contradicted", "untested")
            )
        ]
        findings = self.findings()
        if findings:
            lines.append(
                f"findings ({len(findings)}, each a difference and the probes showing it):"
            )
            for difference, ids in findings:
                shown = ", ".join(ids[:4]) + (f" and {len(ids) - 4} more" if len(ids) > 4 else "")
                lines.append(f"  {len(ids):>3} probe(s): {difference}  [{shown}]")
        for verdict in ("contradicted", "partly confirmed", "untested"):
            if by_status.get(verdict):
                lines.append(f"{verdict}: " + ", ".join(by_status[verdict]))
        return "\n".join(lines)

    def table(self) -> str:
        """Every probe's verdict, then the summary, as plain text."""
        rows = self.rows()
        width = max((len(probe) for probe, _, _ in rows), default=10)
        lines = [f"{'probe':<{width}}  {'verdict':<8} details"]
        lines += [f"{probe:<{width}}  {verdict:<8} {detail}" for probe, verdict, detail in rows]
        return "\n".join([*lines, "", self.summary()])
