"""cartesia-fake: a faithful, stateful fake of Cartesia's outbound-call API."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mock_server.app import create_app
from mock_server.domain.clock import RealClock, VirtualClock
from mock_server.domain.errors import ApiError
from mock_server.domain.faults import Fault
from mock_server.domain.models import CalleeScript, CallStatus
from mock_server.domain.seed import Seed
from mock_server.domain.settings import Settings
from mock_server.server import LiveServer
from mock_server.service import Problem

if TYPE_CHECKING:
    from mock_server.facade import FakeCartesia
    from mock_server.transports import AsyncTransport, SyncTransport

#: Names whose modules need httpx, imported on first use: ``cartesia-fake serve`` never
#: touches them and starts ~0.2 s sooner.
_LAZY = (
    ("FakeCartesia", "mock_server.facade"),
    ("SyncTransport", "mock_server.transports"),
    ("AsyncTransport", "mock_server.transports"),
)


def __getattr__(name: str) -> Any:
    for lazy, module in _LAZY:
        if name == lazy:
            return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module 'mock_server' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *(name for name, _ in _LAZY)})


__all__ = [
    "ApiError",
    "AsyncTransport",
    "CallStatus",
    "CalleeScript",
    "FakeCartesia",
    "Fault",
    "LiveServer",
    "Problem",
    "RealClock",
    "Seed",
    "Settings",
    "SyncTransport",
    "VirtualClock",
    "create_app",
]
