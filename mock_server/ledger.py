"""The behaviour ledger: every rule the fake follows, where it comes from, and its knob.

The entries are data (``ledger.json``), the one place knobs are tied to rules: a test checks
that every ``Settings`` field is named there, and the README's fidelity section is generated
from it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any, Literal

from mock_server.domain.settings import Settings

Provenance = Literal["DOC", "INFERRED", "VERIFIED"]


@dataclass(frozen=True, slots=True)
class Behavior:
    """One rule: ``source`` is a URL for DOC, the reason for INFERRED."""

    id: str
    statement: str
    provenance: Provenance
    source: str
    knob: str | None = None


def _load() -> tuple[Behavior, ...]:
    text = resources.files("mock_server").joinpath("ledger.json").read_text("utf-8")
    return tuple(Behavior(**entry) for entry in json.loads(text)["behaviors"])


#: Every rule, in the order of ``ledger.json`` (the data lives there; this is its typed view).
LEDGER: tuple[Behavior, ...] = _load()


def ledger_document(settings: Settings) -> dict[str, Any]:
    """The ledger as served at /__fake__/behaviors, with each knob's current value."""
    behaviors = []
    for entry in LEDGER:
        item = asdict(entry)
        if entry.knob is not None:
            value = getattr(settings, entry.knob)
            item["knob_value"] = list(value) if isinstance(value, tuple) else value
        behaviors.append(item)
    return {"behaviors": behaviors}


def markdown_table(settings: Settings | None = None) -> str:
    """The ledger as the README's fidelity table."""
    current = settings or Settings()
    rows = ["| id | rule | provenance | knob (default) |", "| --- | --- | --- | --- |"]
    for entry in LEDGER:
        source = entry.source if entry.provenance == "DOC" else f"INFERRED: {entry.source}"
        if entry.provenance == "DOC":
            source = f"[DOC]({entry.source})"
        knob = ""
        if entry.knob:
            value = getattr(current, entry.knob)
            knob = f"`{entry.knob}` ({list(value) if isinstance(value, tuple) else value!r})"
        statement = entry.statement.replace("|", "\\|")
        rows.append(f"| `{entry.id}` | {statement} | {source} | {knob} |")
    return "\n".join(rows)
