"""A conformance probe: one request, sent alike to the real API and to the fake."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: A probe's version placeholder: the version of the run (each of ``check --version``'s).
RUN_VERSION = "<run>"


@dataclass(frozen=True)
class Probe:
    """One request. ``auth`` False sends no key; ``version`` None sends no Cartesia-Version."""

    id: str
    tier: int
    method: str
    path: str
    confirms: tuple[str, ...]
    body: Any = None
    raw: str | None = None
    auth: bool = True
    auth_header: str | None = None
    version: str | None = RUN_VERSION
    query: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: The versions the probe's answer holds for (``since`` up to ``until``; None: no bound).
    since: str | None = None
    until: str | None = None
    #: The probe exercises only part of its rules (the refused side of a range: the accepted
    #: side would place a call): a match makes them "partly confirmed", never "confirmed".
    partial: bool = False

    def content(self) -> bytes | None:
        if self.raw is not None:
            return self.raw.encode()
        return None if self.body is None else json.dumps(self.body).encode()
