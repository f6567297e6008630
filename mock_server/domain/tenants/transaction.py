"""A transaction on a tenant: the one way the rest of the domain reads or changes it.

``with tenant.transaction() as tx`` holds the tenant's lock, brings its world up to date
with its clock (every transition due by now applied) and hands over what a change needs:
the world, the instant, the knobs, the op log, and the engine's two entry points for new
and ended calls. Batch, lookup, discovery, knob and webhook-configuration code receive one;
none of them sees the lock, the clock or the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mock_server.domain.calls import lifecycle
from mock_server.domain.calls.readmodels import CallView
from mock_server.domain.models import Call
from mock_server.domain.settings import Settings
from mock_server.domain.tenants.world import World
from mock_server.domain.timing.engine import Engine


@dataclass(frozen=True, slots=True)
class Transaction:
    """One holding of a tenant (valid inside its ``with`` block only)."""

    world: World
    #: The tenant's knobs as of the start of the transaction.
    settings: Settings
    #: The tenant's instant, in epoch milliseconds (it does not move during a transaction
    #: on a virtual clock; on a real one it is read afresh).
    now_ms: Callable[[], int]
    #: A call with its agent and number, as of now (what reads render).
    view: Callable[[Call], CallView]
    _record: Callable[[str, dict[str, Any]], None]
    _engine: Engine

    def record(self, op: str, **args: Any) -> None:
        """Hand a successful change to the op log (persistence), if one is attached."""
        self._record(op, args)

    def schedule_new(self, calls: list[Call]) -> None:
        """Queue new calls' first transition (the dial) and count them as active."""
        self._engine.schedule_new(self.world, calls)

    def catch_up(self) -> None:
        """Apply what has fallen due by now (after a change that made something due)."""
        self._engine.run_due(self.world, self.now_ms())

    def end_now(self, call: Call, step: lifecycle.Step) -> None:
        """End a call out of turn (an API cancel) through the engine's hooks."""
        self._engine.end_now(self.world, call, step)
