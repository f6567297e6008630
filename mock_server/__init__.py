"""cartesia-fake: a faithful, stateful fake of Cartesia's agent-call API.

Every public name is imported on first use, so importing ``mock_server.domain`` (or the
package itself) loads no Starlette, uvicorn or httpx.
"""

from __future__ import annotations

import importlib
from types import MappingProxyType as _Frozen
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_server.domain.errors import ApiError
    from mock_server.domain.journal.faults import Fault
    from mock_server.domain.journal.journal import DuplicateDial, JournalEntry, PollStat
    from mock_server.domain.models import CalleeScript, CallStatus
    from mock_server.domain.settings import Settings
    from mock_server.domain.tenants.seed import Seed
    from mock_server.domain.timing.clock import RealClock, VirtualClock
    from mock_server.kit.facade import FakeCartesia
    from mock_server.service.budget import BudgetExceeded
    from mock_server.service.core import Problem
    from mock_server.serving.app import create_app
    from mock_server.serving.server import LiveServer
    from mock_server.serving.transports import AsyncTransport, SyncTransport

#: Each public name and the module that defines it.
_LAZY = _Frozen(
    {
        "ApiError": "mock_server.domain.errors",
        "AsyncTransport": "mock_server.serving.transports",
        "BudgetExceeded": "mock_server.service.budget",
        "CallStatus": "mock_server.domain.models",
        "CalleeScript": "mock_server.domain.models",
        "DuplicateDial": "mock_server.domain.journal.journal",
        "FakeCartesia": "mock_server.kit.facade",
        "Fault": "mock_server.domain.journal.faults",
        "JournalEntry": "mock_server.domain.journal.journal",
        "LiveServer": "mock_server.serving.server",
        "PollStat": "mock_server.domain.journal.journal",
        "Problem": "mock_server.service.core",
        "RealClock": "mock_server.domain.timing.clock",
        "Seed": "mock_server.domain.tenants.seed",
        "Settings": "mock_server.domain.settings",
        "SyncTransport": "mock_server.serving.transports",
        "VirtualClock": "mock_server.domain.timing.clock",
        "create_app": "mock_server.serving.app",
    }
)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mock_server' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ApiError",
    "AsyncTransport",
    "BudgetExceeded",
    "CallStatus",
    "CalleeScript",
    "DuplicateDial",
    "FakeCartesia",
    "Fault",
    "JournalEntry",
    "LiveServer",
    "PollStat",
    "Problem",
    "RealClock",
    "Seed",
    "Settings",
    "SyncTransport",
    "VirtualClock",
    "create_app",
]
