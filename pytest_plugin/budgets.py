"""The budgets of the fakes the plugin makes, as pytest sees them: past one, the test fails
from inside the dialer's own call (in process), or — on the session's live server — the
server answers 429 and the test is ended in its own thread by a signal."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mock_server import FakeCartesia


@contextlib.contextmanager
def served_budget(fake: FakeCartesia) -> Iterator[None]:
    """While a test uses the session server: its tenant past a budget ends the test in the
    test's own thread (a signal interrupts a client blocked on the socket)."""
    import signal

    budget = fake.service.budget
    if budget is None or not hasattr(signal, "SIGUSR2"):
        yield
        return
    served, before = ServedBudget(), budget.on_exceeded
    budget.on_exceeded = served

    def stop(*_: object) -> None:
        message = next(iter(served.exceeded.values()), "cartesia-fake budget exceeded")
        pytest.fail(message, pytrace=False)

    previous = signal.signal(signal.SIGUSR2, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGUSR2, previous)
        budget.on_exceeded = before


def fail_test(message: str) -> None:
    """End the running test with ``message`` (``pytest.fail`` is not an ``Exception``: a
    dialer that swallows errors cannot swallow it)."""
    pytest.fail(message, pytrace=False)


class ServedBudget:
    """The session server's budgets, per test tenant: past one, every request of that
    tenant is ended on the server, and the test itself is ended in its own thread (a signal
    to the main thread interrupts a client waiting on the socket), naming the hottest loop."""

    def __init__(self) -> None:
        self.exceeded: dict[str, str] = {}

    def __call__(self, message: str) -> None:
        import signal
        import threading

        from mock_server.service.budget import BudgetExceeded

        first = not self.exceeded
        self.exceeded[threading.current_thread().name] = message
        if first and hasattr(signal, "SIGUSR2"):
            os.kill(os.getpid(), signal.SIGUSR2)
        raise BudgetExceeded(message)
