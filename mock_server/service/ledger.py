"""The behaviour ledger: every rule the fake follows, where it comes from, and its knob.

The entries are data (``ledger.json``), the one place knobs are tied to rules: a test checks
that every ``Settings`` field is named there, and the README's fidelity section is generated
from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

from contracts import SHIPPED
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
    #: Error codes only this rule produces: a response carrying one relied on the rule.
    error_codes: tuple[str, ...] = ()
    #: Call end reasons this rule decides: a call shown with one relied on the rule.
    end_reasons: tuple[str, ...] = ()
    #: The first API version the rule holds for (None: every version), and the first it no
    #: longer holds for (None: it still does): versions are read from the lineage.
    since: str | None = None
    until: str | None = None
    #: For a DOC rule, the part no document states (our reading), if any.
    inferred: str | None = None
    #: The response contracts whose shape this rule is: ``name``, or ``name:field`` for
    #: one field of it (a violation there is a deviation from this rule).
    contracts: tuple[str, ...] = ()
    #: Differences from the vendor's published spec facts this rule explains: patterns
    #: (``*`` for any text) over ``spec_diff.Difference.key``, which reads
    #: ``VERSION METHOD /path WHERE ASPECT``.
    spec_differences: tuple[str, ...] = ()

    def span(self) -> str:
        """The versions in words: ``all``, ``2026-03-01 on``, ``before 2026-03-01``, ..."""
        if self.since is None and self.until is None:
            return "all"
        if self.until is None:
            return f"{self.since} on"
        if self.since is None:
            return f"before {self.until}"
        return f"{self.since} to before {self.until}"

    @property
    def versions(self) -> tuple[str, ...]:
        """The shipped versions the rule holds for, oldest first."""
        return SHIPPED.between(self.since, self.until)


def _load() -> tuple[Behavior, ...]:
    text = resources.files("mock_server.service").joinpath("ledger.json").read_text("utf-8")
    entries: list[dict[str, Any]] = json.loads(text)["behaviors"]
    fixed: list[dict[str, Any]] = [
        {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()} for entry in entries
    ]
    return tuple(Behavior(**entry) for entry in fixed)


def _index(field: str) -> Mapping[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for entry in LEDGER:
        for key in getattr(entry, field):
            index[key] = (*index.get(key, ()), entry.id)
    return MappingProxyType(index)


#: Every rule, in the order of ``ledger.json`` (the data lives there; this is its typed view).
LEDGER: tuple[Behavior, ...] = _load()
_BY_ERROR_CODE = _index("error_codes")
_BY_END_REASON = _index("end_reasons")
_BY_CONTRACT = _index("contracts")
_BY_ID = MappingProxyType({e.id: e for e in LEDGER})
#: Every rule by its id.
LEDGER_BY_ID = _BY_ID
INFERRED: frozenset[str] = frozenset(e.id for e in LEDGER if e.provenance == "INFERRED")


def rules_for_error(code: str | None) -> tuple[str, ...]:
    """The rules an error response with ``code`` relied on: the rule that produces the code,
    and the naming of codes itself (everything but the documented ``concurrency_limited``)."""
    if code is None:
        return ()
    named = () if code == "concurrency_limited" else ("errors.codes",)
    return (*_BY_ERROR_CODE.get(code, ()), *named)


def _holds(rule_id: str, version: str | None) -> bool:
    return version is None or version in _BY_ID[rule_id].versions


def rules_for_contract(name: str, path: str = "$", version: str | None = None) -> tuple[str, ...]:
    """The rules a violation of contract ``name`` at ``path`` (``a.b[0].c``) contradicts
    (under ``version``, when given): those naming that field of it when there are any, else
    those naming the contract."""
    top = path.removeprefix("$").lstrip(".").split(".")[0].split("[")[0]
    fields = _BY_CONTRACT.get(f"{name}:{top}", ()) if top else ()
    held = tuple(r for r in fields if _holds(r, version))
    return held or tuple(r for r in _BY_CONTRACT.get(name, ()) if _holds(r, version))


def rules_naming_contract(name: str, version: str | None = None) -> tuple[str, ...]:
    """Every rule about the shape of contract ``name`` (the whole of it or one field) that
    holds under ``version`` (every version when None)."""
    return tuple(
        e.id
        for e in LEDGER
        if any(c.split(":")[0] == name for c in e.contracts) and _holds(e.id, version)
    )


def rules_for_end_reason(reason: str | None) -> tuple[str, ...]:
    """The lifecycle rules that decided a call's ``end_reason``."""
    return _BY_END_REASON.get(reason, ()) if reason is not None else ()


def ledger_document(settings: Settings) -> dict[str, Any]:
    """The ledger as served at /__fake__/behaviors, with each knob's current value."""
    behaviors = []
    for entry in LEDGER:
        item = asdict(entry)
        item["versions"] = list(entry.versions)
        if entry.knob is not None:
            value = getattr(settings, entry.knob)
            item["knob_value"] = list(value) if isinstance(value, tuple) else value
        behaviors.append(item)
    return {"behaviors": behaviors}


def markdown_table(settings: Settings | None = None) -> str:
    """The ledger as the README's fidelity table."""
    current = settings or Settings()
    rows = [
        "| id | rule | versions | provenance | knob (default) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for entry in LEDGER:
        source = entry.source if entry.provenance == "DOC" else f"INFERRED: {entry.source}"
        if entry.provenance == "DOC":
            source = f"[DOC]({entry.source})"
            if entry.inferred:
                source += f"; INFERRED part: {entry.inferred}"
        knob = ""
        if entry.knob:
            value = getattr(current, entry.knob)
            knob = f"`{entry.knob}` ({list(value) if isinstance(value, tuple) else value!r})"
        statement = entry.statement.replace("|", "\\|")
        versions = entry.span()
        source = source.replace("|", "\\|")
        rows.append(f"| `{entry.id}` | {statement} | {versions} | {source} | {knob} |")
    return "\n".join(rows)
