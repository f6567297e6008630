"""Injected faults: which requests they hit, what they do, and how many times."""

from __future__ import annotations

import re
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

    def matches(self, method: str, path: str, template: str | None = None) -> bool:
        """Whether a request hits this fault (see ``path_matches``)."""
        if self.method is not None and self.method != method:
            return False
        return self.path is None or path_matches(self.path, path, template)

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


def path_matches(pattern: str, path: str, template: str | None = None) -> bool:
    """Whether ``path`` matches ``pattern``: equal, or for a ``{param}`` pattern, the route
    the request was served by (``template``, e.g. ``/agents/calls/{call_id}``: every Get Call,
    not List Calls nor Get Batch); without a template, segment by segment."""
    if pattern == path:
        return True
    if "{" not in pattern:
        return False
    if template is not None:
        return _shape(pattern) == _shape(template)
    want, got = pattern.split("/"), path.split("/")
    return len(want) == len(got) and all(
        w == g or (w.startswith("{") and w.endswith("}") and g)
        for w, g in zip(want, got, strict=True)
    )


def _shape(template: str) -> str:
    """``/agents/calls/{call_id}`` -> ``/agents/calls/{}``: parameter names do not matter."""
    return re.sub(r"\{[^}/]*\}", "{}", template)


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


_METHODS = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"})


def check_fault(fault: Fault) -> None:
    """A ``ValueError`` naming the field of a fault that could never fire as meant."""
    if fault.method is not None and fault.method not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)} (got {fault.method!r})")
    if fault.path is not None and not fault.path.startswith("/"):
        raise ValueError(f"path must start with '/' (got {fault.path!r})")
    if fault.status is not None and not 400 <= fault.status <= 599:
        raise ValueError(f"status must be an error status, 400-599 (got {fault.status!r})")
    if not fault.latency_seconds >= 0:
        raise ValueError(f"latency_seconds must be >= 0 (got {fault.latency_seconds!r})")
    if fault.times is not None and fault.times < 1:
        raise ValueError(f"times must be >= 1 or None (got {fault.times!r})")
    if fault.retry_after is not None and not fault.retry_after >= 0:
        raise ValueError(f"retry_after must be >= 0 (got {fault.retry_after!r})")
    if fault.status is None and not fault.drop_connection and fault.latency_seconds == 0:
        raise ValueError("a fault needs a status, drop_connection=True or latency_seconds > 0")


class FaultBook:
    """The tenant's faults, first added first matched; a fault with no times left is retired."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        return fault

    def take(self, method: str, path: str, template: str | None = None) -> Fault | None:
        """The first live fault matching the request, counted as used; or None."""
        for fault in self._faults:
            if fault.matches(method, path, template):
                fault.hits += 1
                if fault.times is not None and fault.hits >= fault.times:
                    self._faults.remove(fault)
                return fault
        return None

    def active(self) -> list[Fault]:
        return list(self._faults)

    def __bool__(self) -> bool:
        return bool(self._faults)

    def unused(self) -> list[Fault]:
        """Faults that never fired (a test that set one up expected it to)."""
        return [f for f in self._faults if f.hits == 0]

    def clear(self) -> None:
        self._faults.clear()


def make_fault(name: str | None, **fields: Any) -> Fault:
    """A checked fault: the named documented one with the ``fields`` that differ from a
    plain fault's defaults overriding its own, or a plain one of ``fields``."""
    if name is not None:
        defaults = Fault()
        given = {k: v for k, v in fields.items() if v != getattr(defaults, k)}
        fault = named(name, **given)
    else:
        fault = Fault(**fields)
    check_fault(fault)
    return fault
