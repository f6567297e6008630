"""The container files, checked without a Docker engine: the Dockerfile's own commands (its
ENTRYPOINT and CMD, its HEALTHCHECK, the dialer stage's CMD) are run here as CI runs them,
against a served fake, and compose.yaml wires the same pieces."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench.served import _free_port

pytestmark = pytest.mark.slow  # starts a server and a pytest run

ROOT = Path(__file__).resolve().parent.parent


def _stages() -> dict[str, list[tuple[str, str]]]:
    """Each stage's instructions (keyword, rest), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    stages: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "FROM":
            name = rest.split(" AS ")[1] if " AS " in rest else "final"
            current = stages.setdefault(name, [])
        current.append((keyword, rest))
    return stages


def _one(stage: list[tuple[str, str]], keyword: str) -> str:
    found = [rest for k, rest in stage if k == keyword]
    assert found, f"no {keyword}"
    return found[-1]


def test_the_image_is_small_non_root_with_a_volume_and_a_healthcheck() -> None:
    stages = _stages()
    fake = stages["fake"]
    assert _one(fake, "FROM").startswith("python:3.11-slim")
    assert _one(fake, "USER") == "fake"  # non-root
    assert json.loads(_one(fake, "VOLUME")) == ["/data"]
    assert "CMD" in _one(fake, "HEALTHCHECK")
    assert not any(k == "COPY" and "tests" in rest for k, rest in fake)  # runtime only
    assert _one(stages["final"], "FROM") == "fake"  # `docker build .` gives the server
    assert _one(stages["dialer"], "USER") == "fake"


def test_the_image_commands_serve_and_pass_their_own_healthcheck(tmp_path: Path) -> None:
    """ENTRYPOINT + CMD as the image runs them (the port and /data moved to this machine),
    then the HEALTHCHECK's command and the dialer stage's command against that server."""
    stages = _stages()
    port = _free_port()
    command = json.loads(_one(stages["fake"], "ENTRYPOINT")) + json.loads(
        _one(stages["fake"], "CMD")
    )
    assert command[:2] == ["cartesia-fake", "serve"]
    local = [
        {"0.0.0.0": "127.0.0.1", "8000": str(port)}.get(a, a).replace("/data", str(tmp_path))
        for a in command[2:]
    ]
    server = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "serve", "--quiet", *local],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert server.stdout is not None
        assert "listening" in server.stdout.readline()
        health = json.loads(_one(stages["fake"], "HEALTHCHECK").split("CMD", 1)[1])
        health = [a.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for a in health]
        assert health[0] == "python"
        assert subprocess.run([sys.executable, *health[1:]], timeout=30).returncode == 0
        assert (tmp_path / "state.db").exists()  # the state is on the volume

        dialer = json.loads(_one(stages["dialer"], "CMD"))
        dialer = [a.replace("http://fake:8000", f"http://127.0.0.1:{port}") for a in dialer]
        compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
        env = {**os.environ, **compose["services"]["dialer"]["environment"]}
        env.pop("PYTEST_ADDOPTS", None)
        home = tmp_path / "home"  # as in the image: the examples, no project config
        shutil.copytree(ROOT / "examples", home / "examples")
        run = subprocess.run(
            [sys.executable, *dialer[1:]],
            cwd=home,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout[-3000:]
        assert " passed" in run.stdout
        assert "failed" not in run.stdout
    finally:
        server.terminate()
        server.communicate(timeout=15)


def test_compose_runs_the_fake_and_the_dialer_after_it_is_healthy() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    fake, dialer = compose["services"]["fake"], compose["services"]["dialer"]
    assert fake["build"]["target"] == "fake"
    assert dialer["build"]["target"] == "dialer"
    assert dialer["depends_on"]["fake"]["condition"] == "service_healthy"
    assert any(v.endswith(":/data") for v in fake["volumes"])
    assert dialer["environment"]["CARTESIA_API_KEY"]
