"""What the tenant's operation mixins (``calls.py``, ``setup.py``) may use of a tenant."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from mock_server.domain.settings import Settings
from mock_server.domain.tenants.transaction import Transaction

#: Takes (op, args, at) after each successful change (see ``oplog``).
Recorder = Callable[[str, dict[str, Any], int], None]


class TenantOperations:
    """The base of a tenant's operation mixins: every operation is one transaction."""

    settings: Settings
    recorder: Recorder | None

    def transaction(self) -> AbstractContextManager[Transaction]:
        raise NotImplementedError  # Tenant's

    def holding(self) -> AbstractContextManager[Transaction]:
        raise NotImplementedError  # Tenant's

    def poll(self) -> None:
        raise NotImplementedError  # Tenant's

    def has_faults(self) -> bool:
        raise NotImplementedError  # Tenant's
