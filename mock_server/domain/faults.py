"""Injected faults: which requests they hit, what they do, and how many times."""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
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
    #: A documented failure this fault stands for (see ``NAMED``), and its message.
    name: str | None = None
    message: str | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.path is None or self.path == path:
            return True
        if "{" not in self.path:
            return False
        want, got = self.path.split("/"), path.split("/")
        return len(want) == len(got) and all(
            w == g or (w.startswith("{") and w.endswith("}") and g)
            for w, g in zip(want, got, strict=True)
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
            "name": self.name,
            "message": self.message,
        }


#: Documented failures a test can switch on by name (each matches every call id).
NAMED: MappingProxyType[str, Fault] = MappingProxyType(
    {
        "cancel_undeliverable": Fault(
            method="POST",
            path="/agents/calls/{call_id}/cancel",
            status=502,
            name="cancel_undeliverable",
            message="The cancel request could not be delivered. Retry the request.",
        ),
        "delete_incomplete": Fault(
            method="DELETE",
            path="/agents/calls/{call_id}",
            status=500,
            name="delete_incomplete",
            message="Deletion did not complete. Retry the request; deletion is idempotent.",
        ),
        "batch_usage_limit": Fault(
            method="POST",
            path="/agents/calls/batches",
            status=402,
            name="batch_usage_limit",
            message="The organisation's usage limit is reached; no batch was created.",
        ),
    }
)


def named(name: str, **overrides: Any) -> Fault:
    """A fresh copy of the documented fault ``name`` with ``overrides`` (e.g. ``times``)."""
    if name not in NAMED:
        raise ValueError(f"unknown fault name {name!r}; known: {', '.join(NAMED)}")
    return replace(NAMED[name], **overrides)


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
