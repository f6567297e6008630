"""The JS SDK's own TypeScript types as a contract: the same answers the Python SDK check
reads (``tests/test_sdk_types.py``) are written into a TypeScript file, each typed with the
JS SDK's (``@cartesia/cartesia-js`` 4.2.0) type for its route, and ``tsc --noEmit`` must
accept it but for the ledger's named difference (``sdk.call_status``).

The package and TypeScript come from the npm registry into a cache folder, once; this test
runs where node and npm are (``.ci/run`` installs them on a machine without).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.test_sdk_types import (
    SDK_VERSIONS,
    check_differences,
    sdk_answers,
    with_a_number_and_a_call,
)

pytestmark = pytest.mark.slow

SDK = "@cartesia/cartesia-js@4.2.0"
TYPESCRIPT = "typescript@5.9.3"
CACHE = Path(__file__).resolve().parent.parent / ".cache" / "js-sdk"

HEAD = """\
import type { AgentSummary, AgentListResponse, AgentListPhoneNumbersResponse }
  from "@cartesia/cartesia-js/resources/agents/agents";
import type { AgentCall } from "@cartesia/cartesia-js/resources/agents/calls";
import type { CursorIDPageResponse } from "@cartesia/cartesia-js/core/pagination";
type CallsPage = CursorIDPageResponse<AgentCall>;
// Extra fields are not a difference (the SDK keeps them); known ones must match exactly.
type Open<T> = T extends Array<infer U>
  ? Array<Open<U>>
  : T extends object ? { [K in keyof T]: Open<T[K]> } & Record<string, unknown> : T;
function typed<T>(value: Open<T>): void { void value; }
"""


def _install() -> Path:
    """The SDK and tsc in the cache folder (installed on first use; an OS lock keeps two
    xdist workers from installing into it at once)."""
    import fcntl

    tsc = CACHE / "node_modules" / ".bin" / "tsc"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE.parent / "js-sdk.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if tsc.exists() and (CACHE / "node_modules" / "@cartesia" / "cartesia-js").exists():
            return tsc
        (CACHE / "package.json").write_text('{"name": "sdk-types-check", "private": true}\n')
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", SDK, TYPESCRIPT],
            cwd=CACHE,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return tsc


def _field_at(line: str, column: int) -> str:
    """The JSON key nearest before ``column`` (1-based) on a generated line."""
    keys = [m for m in re.finditer(r'"([A-Za-z_][A-Za-z0-9_]*)":', line) if m.start() < column]
    return keys[-1].group(1) if keys else "?"


def _check(answers: list[tuple[str, Any]], folder: Path) -> set[tuple[str, str]]:
    tsc = _install()
    lines = HEAD.splitlines()
    owners: dict[int, str] = {}  # 1-based line -> the type its answer is checked as
    for name, body in answers:
        owners[len(lines) + 1] = name
        lines.append(f"typed<{name}>({json.dumps(body)});")
    source = folder / "answers.ts"
    source.write_text("\n".join(lines) + "\n")
    env = {**os.environ, "NODE_PATH": str(CACHE / "node_modules")}
    run = subprocess.run(
        [
            str(tsc),
            "--noEmit",
            "--strict",
            "--skipLibCheck",
            "--target",
            "es2020",
            "--moduleResolution",
            "node",
            "--baseUrl",
            str(CACHE / "node_modules"),
            "--typeRoots",
            str(CACHE / "node_modules" / "@types"),
            str(source),
        ],
        cwd=CACHE,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    found: set[tuple[str, str]] = set()
    text = source.read_text().splitlines()
    # an error and its indented elaboration lines
    error = r"answers\.ts\((\d+),(\d+)\): error (TS\d+): (.*(?:\n  .*)*)"
    for match in re.finditer(error, run.stdout):
        row, column = int(match.group(1)), int(match.group(2))
        owner = owners.get(row)
        assert owner is not None, f"tsc refused the file's own code: {match.group(0)}"
        name = "AgentCall" if owner == "CallsPage" else owner
        missing = re.search(r"Property '(\w+)' is missing", match.group(4))
        field = missing.group(1) if missing else _field_at(text[row - 1], column)
        found.add((name, field))
    assert (run.returncode != 0) == bool(found), run.stdout + run.stderr
    return found


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs node and npm (.ci/run has them)")
@pytest.mark.parametrize("version", SDK_VERSIONS)
def test_every_sdk_typed_answer_meets_the_js_sdks_types(version: str, tmp_path: Path) -> None:
    check_differences(_check(sdk_answers(version), tmp_path), version)


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs node and npm (.ci/run has them)")
def test_the_js_check_sees_a_wrong_field(tmp_path: Path) -> None:
    """The check is not blind: a wrong type and a missing required field are found."""
    answers = sdk_answers("2025-11-04")
    agent = dict(next(body for name, body in answers if name == "AgentSummary"))
    wrong = {**agent, "deployment_count": "three"}
    missing = {k: v for k, v in agent.items() if k != "tts_voice"}
    found = _check([("AgentSummary", wrong), ("AgentSummary", missing)], tmp_path)
    assert found == {("AgentSummary", "deployment_count"), ("AgentSummary", "tts_voice")}


SCRIPT = """\
import Cartesia from "@cartesia/cartesia-js";
const [baseURL, agentId] = process.argv.slice(2);
const client = new Cartesia({ apiKey: "sk_js_sdk", baseURL });
const out = {};
const updated = await client.agents.update(agentId, { description: "from js", tts_voice: "v" });
out.updated = [updated.description, updated.tts_voice];
out.agents = (await client.agents.list()).summaries.map((a) => a.id);
out.numbers = (await client.agents.listPhoneNumbers(agentId)).map((n) => n.number);
const calls = [];
for await (const call of client.agents.calls.list({ agent_id: agentId })) calls.push(call.id);
out.calls = calls;
out.call = (await client.agents.calls.retrieve(calls[0])).agent_id;
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs node and npm (.ci/run has them)")
def test_the_js_sdk_at_its_defaults_against_a_served_fake(tmp_path: Path) -> None:
    """A served run: the JS SDK, unchanged and at its defaults (its own Cartesia-Version),
    makes its typed agent calls; the per-agent number list is an array it can map."""
    from mock_server import FakeCartesia
    from tests.conftest import AGENT

    _install()
    script = CACHE / f"served_run_{os.getpid()}.mjs"  # beside node_modules, one per worker
    script.write_text(SCRIPT)
    with FakeCartesia() as fake:
        server = fake.serve()
        with_a_number_and_a_call(fake, "sk_js_sdk", "+14155550997")
        run = subprocess.run(
            ["node", str(script), server.url, AGENT],
            cwd=CACHE,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["updated"] == ["from js", "v"]
    assert AGENT in out["agents"]
    assert out["numbers"] == ["+14155550997"]
    assert len(out["calls"]) == 1
    assert out["call"] == AGENT
