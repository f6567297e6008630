"""Budgets that stop a runaway dialer (a busy poller, a retry-forever loop) in seconds.

Per tenant, from its first request: how many API requests, how many bytes of answers while
its virtual clock stands still (what costs: polling a 5,000-recipient batch renders 800 KB a
time, and a poller that never lets time pass is the runaway; one that waits between polls
starts afresh each time the clock moves), how far its virtual clock moved, and how much wall
time passed. Past any of them, the next request ends the test: in
process, ``BudgetExceeded`` is raised from inside the dialer's own call (a ``BaseException``,
so a dialer that swallows ``Exception`` cannot swallow it); a test harness may give
``on_exceeded`` instead. The message names the hottest loop by route, whatever it polls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from mock_server.domain.tenants.tenant import Tenant
from mock_server.domain.timing.clock import monotonic


class BudgetExceeded(BaseException):
    """A tenant's requests went past a budget (see ``Budget``)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The budgets (None: no limit). The kit's defaults stop a busy poller or a retry loop
    within seconds and leave any sane test far below them."""

    max_requests: int | None = 10_000
    max_response_bytes: int | None = 256 * 1024 * 1024
    max_virtual_seconds: float | None = 31 * 24 * 3600
    max_wall_seconds: float | None = 120.0


@dataclass(slots=True)
class _Spent:
    began_ms: int
    began_wall: float
    requests: int = 0
    response_bytes: int = 0
    #: Bytes of answers since the virtual clock last moved, and the instant it stands at.
    still_bytes: int = 0
    still_at: int = -1
    by_route: Counter[str] = field(default_factory=Counter)
    bytes_by_route: Counter[str] = field(default_factory=Counter)


def _raise(message: str) -> None:
    raise BudgetExceeded(message)


class Budget:
    """What each tenant has spent, checked before each of its requests."""

    def __init__(
        self,
        limits: Limits,
        *,
        on_exceeded: Callable[[str], None] = _raise,
        describe: Callable[[str], str] | None = None,
    ) -> None:
        self.limits = limits
        self.on_exceeded = on_exceeded
        self.describe = describe
        self._spent: dict[str, _Spent] = {}

    def forget(self, key: str | None = None) -> None:
        """Start ``key``'s budgets afresh (every tenant's when None): a new test."""
        if key is None:
            self._spent.clear()
        else:
            self._spent.pop(key, None)

    def before(self, tenant: Tenant, route: str) -> None:
        """Count one request; past a budget, end it (``on_exceeded``)."""
        spent = self._spent.get(tenant.key)
        if spent is None:
            spent = self._spent[tenant.key] = _Spent(tenant.now_ms(), monotonic())
        spent.requests += 1
        spent.by_route[route] += 1
        why = self._over(tenant, spent)
        if why is not None:
            self.on_exceeded(self._message(tenant.key, spent, why))

    def after(self, tenant: Tenant, route: str, response_bytes: int) -> None:
        """Count what an answer cost."""
        spent = self._spent.get(tenant.key)
        if spent is not None:
            now = tenant.now_ms()
            if now != spent.still_at:
                spent.still_at, spent.still_bytes = now, 0
            spent.still_bytes += response_bytes
            spent.response_bytes += response_bytes
            spent.bytes_by_route[route] += response_bytes

    def _over(self, tenant: Tenant, spent: _Spent) -> str | None:
        limits = self.limits
        if limits.max_requests is not None and spent.requests > limits.max_requests:
            return f"{spent.requests - 1:,} API requests (max_requests={limits.max_requests:,})"
        if (
            limits.max_response_bytes is not None
            and spent.still_bytes > limits.max_response_bytes
            and tenant.now_ms() == spent.still_at
        ):
            return (
                f"{spent.still_bytes / 1e6:,.0f} MB of answers while the clock stood still "
                f"(max_response_bytes={limits.max_response_bytes:,})"
            )
        moved = (tenant.now_ms() - spent.began_ms) / 1000
        if limits.max_virtual_seconds is not None and moved > limits.max_virtual_seconds:
            return (
                f"the clock moved {moved:,.0f} virtual seconds "
                f"(max_virtual_seconds={limits.max_virtual_seconds:g})"
            )
        took = monotonic() - spent.began_wall
        if limits.max_wall_seconds is not None and took > limits.max_wall_seconds:
            return f"{took:,.0f} s of wall time (max_wall_seconds={limits.max_wall_seconds:g})"
        return None

    def _message(self, key: str, spent: _Spent, why: str) -> str:
        hottest = "".join(
            f"\n  {route}: {count:,} requests, {spent.bytes_by_route[route] / 1e6:,.1f} MB"
            for route, count in spent.by_route.most_common(5)
        )
        tail = f"\n{self.describe(key)}" if self.describe is not None else ""
        return (
            f"cartesia-fake budget: this test made {why}; a runaway or busy poller?\n"
            f"The hottest loops, by route:{hottest or ' none'}\n"
            "(raise a limit with FakeCartesia(max_requests=..., max_response_bytes=..., "
            "max_virtual_seconds=..., max_wall_seconds=...; None for none), the marker "
            "@pytest.mark.cartesia_fake(...) or the ini options cartesia_max_*)" + tail
        )


#: The budget options ``FakeCartesia`` and the pytest marker take, besides the knobs.
OPTIONS = ("max_requests", "max_response_bytes", "max_virtual_seconds", "max_wall_seconds")


def limits_from(options: dict[str, object]) -> Limits:
    """The budgets named in ``options`` (taken out of it) over the kit's defaults."""
    given = {name: options.pop(name) for name in OPTIONS if name in options}
    return Limits(**given)  # type: ignore[arg-type]
