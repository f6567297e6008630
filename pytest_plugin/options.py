"""The plugin's command-line and ini options, and reading them (an option wins over ini)."""

from __future__ import annotations

from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cartesia", "cartesia-fake")
    options: tuple[tuple[str, str, str | None], ...] = (
        ("target", "fake (in-process, default) or live (a real or served API at base-url)", "fake"),
        ("base-url", "base URL of the live target (with --cartesia-target=live)", None),
        ("api-key-env", "environment variable holding the live API key", "CARTESIA_API_KEY"),
        ("seed", "master seed of the fakes (ids are deterministic per seed)", "0"),
        (
            "api-version",
            "Cartesia-Version the fixtures send and the strategies draw for (empty: the "
            "latest, as the SDKs send)",
            "",
        ),
        ("max-requests", "API requests one test may make before it fails", "10000"),
        (
            "max-virtual-seconds",
            "virtual seconds one test's fake may move before it fails (31 days)",
            "2678400",
        ),
    )
    group.addoption(
        "--cartesia-timeline-dir",
        dest="cartesia_timeline_dir",
        default=None,
        help="write DIR/<test>.html, a timeline of the calls, for each failing test that "
        "used the fake [ini: cartesia_timeline_dir; default off]",
    )
    parser.addini(
        "cartesia_timeline_dir", "directory for failing tests' call timelines", default=""
    )
    for name, text, default in options:
        ini = "cartesia_" + name.replace("-", "_")
        group.addoption(
            f"--cartesia-{name}",
            dest=ini,
            default=None,
            help=f"{text} [ini: {ini}; default {default}]",
        )
        parser.addini(ini, text, default=default)
    group.addoption(
        "--cartesia-check-duplicates",
        dest="cartesia_check_duplicates",
        action="store_true",
        default=None,
        help="fail tests whose code dialed one number twice within the window",
    )
    parser.addini(
        "cartesia_check_duplicates", "fail tests on duplicate dials", type="bool", default=False
    )
    group.addoption(
        "--cartesia-strict-inferred",
        dest="cartesia_strict_inferred",
        action="store_true",
        default=None,
        help="fail tests whose fake answers relied on an INFERRED ledger rule",
    )
    parser.addini(
        "cartesia_strict_inferred",
        "fail tests relying on INFERRED ledger rules",
        type="bool",
        default=False,
    )


def _setting(config: pytest.Config, name: str) -> Any:
    value = config.getoption(name)
    return value if value is not None else config.getini(name)


def api_version(config: pytest.Config) -> str:
    """The pinned Cartesia-Version (ini or option ``cartesia_api_version``), or the latest."""
    from contracts import LATEST

    return str(_setting(config, "cartesia_api_version") or LATEST)
