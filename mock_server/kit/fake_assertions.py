"""The assertions a dialer's tests make on the fake (``FakeCartesia`` inherits them): what
was dialed and in which order, how it polled, how many calls were in flight, which INFERRED
rules the answers relied on. Each reads the tenant and defers to ``mock_server.kit.assertions``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mock_server.domain.journal.journal import PollStat
from mock_server.domain.models import Call
from mock_server.domain.reads import lookups
from mock_server.domain.tenants.tenant import Tenant
from mock_server.kit import assertions, tenancy

if TYPE_CHECKING:
    from mock_server.service.core import Service


class DialerAssertions:
    """Checks over one fake's tenants (the default key unless another is given)."""

    service: Service
    api_key: str

    def _tenant_of(self, api_key: str | None) -> Tenant:
        return self.service.tenants.get(api_key or self.api_key)

    def inferred_rules(self, *, api_key: str | None = None) -> dict[str, list[str]]:
        """INFERRED ledger rules the answers relied on: rule id -> the requests."""
        return assertions.inferred_rules(self._tenant_of(api_key))

    def assert_no_inferred_rules(
        self, *, allow: Iterable[str] = (), api_key: str | None = None
    ) -> None:
        """Strict mode by hand: no answer relied on an INFERRED rule outside ``allow``."""
        assertions.no_inferred_rules(self._tenant_of(api_key), allow=allow)

    # ---- assertions for dialer tests (see mock_server.kit.assertions) -------------------------

    def assert_dialed(
        self, number: str, *, times: int | None = None, api_key: str | None = None
    ) -> list[Call]:
        """Calls were placed to ``number`` (exactly ``times`` if given); returns them."""
        return assertions.dialed(
            tenancy.checked_tenant(self.service, self.api_key, api_key), number, times=times
        )

    def assert_not_dialed(self, number: str, *, api_key: str | None = None) -> None:
        assertions.not_dialed(tenancy.checked_tenant(self.service, self.api_key, api_key), number)

    def assert_dialed_in_order(
        self, numbers: list[str], *, batch_id: str | None = None, api_key: str | None = None
    ) -> None:
        """The first calls to ``numbers`` (of one batch, if given) were placed in order."""
        assertions.dialed_in_order(
            tenancy.checked_tenant(self.service, self.api_key, api_key), numbers, batch_id=batch_id
        )

    def assert_batch_concurrency(
        self, *, at_most: int, batch_id: str | None = None, api_key: str | None = None
    ) -> int:
        """No batch (or the one given) ever had more than ``at_most`` calls in flight;
        returns the highest number seen."""
        return assertions.batch_concurrency(
            self._tenant_of(api_key), at_most=at_most, batch_id=batch_id
        )

    def poll_stats(self, *, api_key: str | None = None) -> dict[str, PollStat]:
        """How your code polled each thing: per call id (Get Call), per batch id (Get Call
        Batch), and ``List Calls agent_id=…`` / ``List Calls batch_id=…`` / ``List Call
        Batches`` (first pages): count, span and shortest gap (virtual)."""
        return lookups.poll_stats(self._tenant_of(api_key))

    def assert_poll_interval(self, *, at_least: float, api_key: str | None = None) -> None:
        """Assert your code never polled a call, a batch or a list twice within ``at_least``
        virtual seconds (with ``auto_advance=True`` every poll moves the clock, so a busy
        poller looks slow; check it without auto-advance)."""
        assertions.poll_interval(self._tenant_of(api_key), at_least=at_least)

    def assert_dial_spacing(
        self,
        *,
        at_least: float = 1.0,
        from_number_id: str | None = None,
        api_key: str | None = None,
    ) -> None:
        assertions.dial_spacing(
            self._tenant_of(api_key), at_least=at_least, from_number_id=from_number_id
        )

    def wait_for_status(
        self, call_id: str, *statuses: str, within: float = 3600.0, api_key: str | None = None
    ) -> Call:
        """Advance the virtual clock until the call reaches one of ``statuses``."""
        tenant = tenancy.tenant_holding(self.service, self.api_key, api_key, call_id)
        return assertions.wait_for_status(tenant, call_id, *statuses, within=within)

    def assert_matches_recording(self, directory: str | Path) -> None:
        """Replay a recording (``cartesia-fake proxy --record DIR``) against this fake, in
        tenants of its own; fail naming each difference from the recorded answers and the
        ledger rules behind it."""
        assertions.matches_recording(self, directory)
