"""pytest plugin: fixtures for testing dialers against cartesia-fake (stub; see issue 6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mock_server import FakeCartesia


@pytest.fixture
def cartesia_fake() -> Iterator[FakeCartesia]:
    """A fresh in-process fake on a virtual clock; fails the test on any recorded problem."""
    from mock_server import FakeCartesia

    fake = FakeCartesia()
    with fake, fake.expect_no_problems():
        yield fake
