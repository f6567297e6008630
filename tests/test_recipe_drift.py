"""The docs' "drift CI from recordings" recipe, run as written: a served fake stands in for
the real API, the proxy records, and two replays: one clean, one with a rule changed."""

from __future__ import annotations

import re
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bench.served import _free_port
from tests.test_proxy import _traffic

pytestmark = pytest.mark.slow  # a server, the proxy and the CLI

ROOT = Path(__file__).resolve().parent.parent


def _recipe() -> list[str]:
    page = (ROOT / "docs" / "conformance.md").read_text()
    section = page.split("## Drift CI from recordings", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.startswith("cartesia-fake ")]


def _argv(line: str, ports: dict[str, str], tmp: Path) -> list[str]:
    words = shlex.split(line.rstrip(" &"))[1:]
    out = []
    for word in words:
        for old, new in ports.items():
            word = word.replace(old, new)
        if word in ("recordings", "proxy-report.md"):
            word = str(tmp / word)
        out.append(word)
    return [sys.executable, "-m", "mock_server", *out]


def _started(argv: list[str]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "listening on http://127.0.0.1:" in line, (line, proc.stderr and proc.stderr.read())
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc


def test_the_drift_recipe_runs_as_documented(tmp_path: Path) -> None:
    serve, proxy, clean, changed = _recipe()
    ports = {"8000": str(_free_port()), "8001": str(_free_port())}
    fake = _started(_argv(serve, ports, tmp_path))
    try:
        relay = _started(_argv(proxy, ports, tmp_path))
        try:
            n = _traffic(f"http://127.0.0.1:{ports['8001']}")
        finally:
            relay.send_signal(signal.SIGTERM)
            _, err = relay.communicate(timeout=30)
        assert relay.returncode == 0, err  # a clean upstream: no deviations
        assert f"{n} exchanges, 0 deviations" in err
        assert "No deviations" in (tmp_path / "proxy-report.md").read_text()
    finally:
        fake.terminate()
        fake.communicate(timeout=30)
    assert len(list((tmp_path / "recordings").glob("*.json"))) == n

    first = subprocess.run(_argv(clean, ports, tmp_path), capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"replayed {n} exchanges: 0 differences" in first.stdout
    second = subprocess.run(_argv(changed, ports, tmp_path), capture_output=True, text=True)
    assert second.returncode == 1, second.stdout + second.stderr
    assert "#1 POST /agents/calls [create.max_items" in second.stdout
