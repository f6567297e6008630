"""Timeline states for failing tests: with ``--cartesia-timeline-dir DIR`` (ini
``cartesia_timeline_dir``), each failing test that used the fake leaves ``DIR/<test>.html``
(the dashboard's state of its calls, frozen) and the failure names the file."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mock_server import FakeCartesia

#: The fakes (and the tenant's key, when the test had one tenant of a shared server) a test
#: used, in the order it made them.
USED = pytest.StashKey[list[tuple["FakeCartesia", "str | None"]]]()


def note_fake(item: pytest.Item, fake: FakeCartesia, api_key: str | None = None) -> None:
    item.stash.setdefault(USED, []).append((fake, api_key))


def file_stem(nodeid: str) -> str:
    """A file name for a test: its id made safe, and a short hash of the whole id, so two
    tests whose ids differ only in characters a file name cannot hold (``a/b``, ``a?b``,
    ``a b``) never share a file."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:140]
    return f"{readable}-{hashlib.sha256(nodeid.encode()).hexdigest()[:8]}"


class TimelineWriter:
    """The plugin part that writes the states (registered only when a directory is set)."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        used = item.stash.get(USED, [])
        if not (report.failed and report.when == "call" and used):
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        stem = file_stem(item.nodeid)
        written = []
        for i, (fake, api_key) in enumerate(used):
            path = self.directory / f"{stem}{'' if i == 0 else f'-{i + 1}'}.html"
            try:
                fake.timeline_html(path, api_key=api_key)
            except Exception as exc:  # a state must never hide the test's own failure
                written.append(f"(no timeline: {type(exc).__name__}: {exc})")
            else:
                written.append(str(path))
        report.sections.append(
            ("cartesia-fake timeline", "the calls of this test: " + ", ".join(written))
        )
