"""Keep the inner pytest runs of the plugin tests free of unrelated plugins.

A machine may have plugins installed that have nothing to do with us (CI's Python
has pytest-benchmark, which warns when xdist is active; the outer run's
``filterwarnings = error`` then turns the warning into an INTERNALERROR inside
pytester's in-process run). The inner runs test our plugin, so they switch the
known troublemakers off.
"""

from __future__ import annotations

import pytest

UNRELATED_PLUGINS = ("benchmark",)


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester, with the unrelated plugins off (set after pytester clears PYTEST_ADDOPTS)."""
    opts = " ".join(f"-p no:{name}" for name in UNRELATED_PLUGINS)
    monkeypatch.setenv("PYTEST_ADDOPTS", opts)
    return pytester
