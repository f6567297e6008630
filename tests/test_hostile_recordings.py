"""Hostile recordings: ``check --replay`` on malformed or crafted exchange files exits 2
with a message naming the file and the field, without a traceback and without allocating
what a file merely claims."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import ROOT

pytestmark = pytest.mark.slow  # subprocesses


def _exchange(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "format": "cartesia-fake-exchange/1",
        "seq": 1,
        "at": 0.0,
        "tenant": "key-1",
        "request": {"method": "GET", "path": "/agents", "query": "", "headers": {}, "body": None},
        "response": {"status": 200, "headers": {}, "body": {"summaries": []}},
    }
    base.update(over)
    return base


HOSTILE = {
    "request-not-an-object": (json.dumps(_exchange(request=["GET", "/agents"])), "request"),
    "seq-huge": (json.dumps(_exchange(seq=10**30)), "seq"),
    "at-infinite": (json.dumps(_exchange()).replace('"at": 0.0', '"at": 1e999'), "at"),
    "status-text": (
        json.dumps(_exchange(response={"status": "ok", "headers": {}, "body": None})),
        "response/status",
    ),
    "nested-deep": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "bytes-claimed": (
        json.dumps(
            _exchange(
                response={
                    "status": 200,
                    "headers": {"content-type": "audio/wav"},
                    "body": {"bytes": 2e9, "content_type": "audio/wav"},
                }
            )
        ),
        "response/body/bytes",
    ),
    "headers-not-text": (
        json.dumps(
            _exchange(
                request={"method": "GET", "path": "/agents", "headers": {"x": 1}, "body": None}
            )
        ),
        "request/headers/x",
    ),
    "not-json": ('{"format": ', "not JSON"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_recording_exits_2_naming_file_and_field(tmp_path: Path, name: str) -> None:
    text, field = HOSTILE[name]
    folder = tmp_path / "recording"
    folder.mkdir()
    file = folder / f"000001-{name}.json"
    file.write_text(text)
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))\n"  # 2 GiB at most
        "from mock_server.cli.main import main\n"
        f"sys.exit(main(['check', '--replay', {str(folder)!r}]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert str(file) in run.stderr
    assert field in run.stderr
