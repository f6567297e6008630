"""cartesia-fake: a faithful, stateful fake of Cartesia's outbound-call API."""

from __future__ import annotations

from mock_server.app import create_app
from mock_server.domain.clock import RealClock, VirtualClock
from mock_server.domain.errors import ApiError
from mock_server.domain.faults import Fault
from mock_server.domain.models import CalleeScript, CallStatus
from mock_server.domain.seed import Seed
from mock_server.domain.settings import Settings
from mock_server.facade import FakeCartesia
from mock_server.server import LiveServer
from mock_server.service import Problem
from mock_server.transports import AsyncTransport, SyncTransport

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
