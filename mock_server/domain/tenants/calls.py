"""The calls API on a tenant: place, read, list, cancel and delete calls, each operation one
transaction (a mixin of ``Tenant``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from mock_server.domain.calls import lifecycle, outbound
from mock_server.domain.calls.listing import StartBounds, agent_page
from mock_server.domain.calls.readmodels import CallPage, CallView, Placement
from mock_server.domain.commands import FORMAT, PlaceCalls
from mock_server.domain.errors import ApiError, bad_request, not_found
from mock_server.domain.models import Call, CallStatus, Phase
from mock_server.domain.tenants.operations import TenantOperations
from mock_server.domain.tenants.world import World

T = TypeVar("T")


class CallOperations(TenantOperations):
    """Place, read, list, cancel and delete calls."""

    def create_outbound(
        self, command: PlaceCalls, *, idempotency_key: str | None = None
    ) -> Placement:
        """Apply rules 3-5 (the shapes were decoded at the edge), then create the calls: what
        was decided, per destination and for the request."""
        with self.transaction() as tx:
            world = tx.world
            outbound.check_parties(command.agent_id, command.from_number_id, world)
            self._check_concurrency(world, len(command.destinations) - command.refused)
            now = tx.now_ms()
            results, created = outbound.create_calls(command, world, tx.settings, now=now)
            tx.schedule_new(created)
            dups = world.journal.note_dials(created, now)
            tx.catch_up()
            if self.recorder is not None:  # only a logged tenant pays for the record
                args: dict[str, Any] = {"format": FORMAT, "command": command.record()}
                if idempotency_key is not None:  # a replay rebuilds the key's record too
                    args["idempotency_key"] = idempotency_key
                tx.record("create_outbound", **args)
            number = world.numbers[command.from_number_id]
            waits = bool(created) and created[-1].dial_at > created[-1].created_at
            return Placement(results, dups, number.provider, waits)

    def _check_concurrency(self, world: World, more: int) -> None:
        """With ``org_limit_holds_single_calls``: 429 beyond the organisation's limit."""
        limit = self.settings.organization_concurrency_limit
        if self.settings.org_limit_holds_single_calls and world.active + more > limit:
            raise ApiError(
                429,
                "concurrency_limited",
                "Too many concurrent calls",
                f"The organisation has {world.active} calls in flight; its limit is {limit}.",
                headers={"retry-after": "1"},
            )

    @staticmethod
    def _call(world: World, call_id: str) -> Call:
        call = world.calls.get(call_id)
        if call is None:
            raise not_found(f"Call {call_id!r} not found.", code="call_not_found")
        return call

    def get_call(
        self, call_id: str, show: Callable[[CallView], T], *, count_poll: bool = True
    ) -> T:
        """The call as ``show`` renders it (in the lock); a client's read is a poll of it."""
        self.poll()
        with self.transaction() as tx:
            call = self._call(tx.world, call_id)
            if count_poll:
                tx.world.journal.polled(call.id, tx.now_ms())
            return show(tx.view(call))

    def call(self, call_id: str) -> Call:
        with self.transaction() as tx:
            return self._call(tx.world, call_id)

    def list_calls(
        self,
        agent_id: str,
        show: Callable[[CallView], T],
        *,
        limit: int = 10,
        starting_after: str | None = None,
        ending_before: str | None = None,
        started: StartBounds | None = None,
        unknown_agent_is_404: bool = False,
    ) -> CallPage[T]:
        """A page of ``agent_id``'s calls, newest first, each rendered by ``show`` (``started``:
        inclusive start-time bounds; a call that never started is left out by them)."""
        self.poll()
        with self.transaction() as tx:
            world = tx.world
            if unknown_agent_is_404 and agent_id not in world.agents:
                raise not_found(f"Agent {agent_id!r} not found.", code="agent_not_found")
            if starting_after is None and ending_before is None:  # a poll, not paging on
                world.journal.polled(f"List Calls agent_id={agent_id}", tx.now_ms())
            page, next_page = agent_page(
                world,
                agent_id,
                limit=limit,
                after=starting_after,
                before=ending_before,
                started=started,
            )
            return CallPage([show(tx.view(c)) for c in page], next_page, next_page is not None)

    def cancel(self, call_id: str) -> None:
        with self.transaction() as tx:
            call = self._call(tx.world, call_id)
            _refuse_unless(
                call.status is CallStatus.STARTED,
                call,
                "only started calls can be cancelled.",
                "call_not_active",
            )
            tx.end_now(call, lifecycle.cancel_step(call, tx.now_ms()))
            tx.record("cancel", call_id=call_id)

    def delete(self, call_id: str, show: Callable[[CallView], T]) -> T:
        with self.transaction() as tx:
            call = self._call(tx.world, call_id)
            _refuse_unless(
                call.phase is Phase.ENDED,
                call,
                "only completed or failed calls can be deleted. Cancel it first.",
                "call_not_ended",
            )
            if call.redacted_at is None:
                call.redacted_at = tx.now_ms()
                tx.record("delete", call_id=call_id)
            return show(tx.view(call))


def _refuse_unless(ok: bool, call: Call, rule: str, code: str) -> None:
    """A 400 ``code`` saying what state the call is in and what ``rule`` allows."""
    if not ok:
        raise bad_request(f"Call {call.id!r} is {call.status.value}; {rule}", code=code)
