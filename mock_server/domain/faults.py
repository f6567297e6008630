"""Injected faults: which requests they hit, what they do, and how many times."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Fault:
    """A fault matching ``method``/``path`` (None = any). ``times=None`` means forever.

    ``after_commit`` lets the request take effect first (calls are created and queued) and
    only then answers with ``status`` or drops the connection.
    """

    method: str | None = None
    path: str | None = None
    status: int | None = None
    retry_after: float | None = None
    latency_seconds: float = 0.0
    drop_connection: bool = False
    after_commit: bool = False
    times: int | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or self.path == path
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "retry_after": self.retry_after,
            "latency_seconds": self.latency_seconds,
            "drop_connection": self.drop_connection,
            "after_commit": self.after_commit,
            "times": self.times,
            "hits": self.hits,
        }


class FaultBook:
    """The tenant's faults, first added first matched; a fault with no times left is retired."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first live fault matching the request, counted as used; or None."""
        for fault in self._faults:
            if fault.matches(method, path):
                fault.hits += 1
                if fault.times is not None and fault.hits >= fault.times:
                    self._faults.remove(fault)
                return fault
        return None

    def active(self) -> list[Fault]:
        return list(self._faults)

    def clear(self) -> None:
        self._faults.clear()
