"""The examples/ suite runs as users run it: under xdist, and against a live target."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import Served

pytestmark = pytest.mark.slow  # starts servers or subprocesses

ROOT = Path(__file__).resolve().parents[2]


def _pytest(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "examples", "-p", "no:randomly", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_examples_pass_under_xdist() -> None:
    out = _pytest("-n", "2")
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(r"10 passed", out.stdout), out.stdout


def test_examples_run_against_a_live_target() -> None:
    served = Served("--quiet")
    try:
        out = _pytest(
            "--cartesia-target=live",
            f"--cartesia-base-url={served.url}",
            "-rs",
            env={"CARTESIA_API_KEY": "sk_car_live_parity"},
        )
    finally:
        served.stop()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 passed, 7 skipped" in out.stdout, out.stdout
    assert "needs the fake (cartesia_fake_only)" in out.stdout


PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PYTEST_BLOCKS = [
    pytest.param(block, id=f"{page.name}:{block.splitlines()[0][2:]}")
    for page in PAGES
    for block in re.findall(r"```python\n(# test_\w+\.py\n.*?)```", page.read_text(), re.S)
]


@pytest.mark.parametrize("block", PYTEST_BLOCKS)
def test_the_docs_pytest_examples_pass(pytester: pytest.Pytester, block: str) -> None:
    name = block.splitlines()[0][2:].removesuffix(".py")
    pytester.makepyfile(**{name: block})
    result = pytester.runpytest()
    result.assert_outcomes(passed=len(re.findall(r"(?m)^def test_", block)))
