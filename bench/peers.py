"""The mock servers a team would pick instead of the fake, serving the same two routes.

WireMock (npm package ``wiremock``, which bundles the standalone jar; Debian's JRE), Mockoon
CLI and Prism (npm) each serve POST /agents/calls and GET /agents/calls/{id} with a canned
answer, set up as each one's users write it: WireMock from two stub mappings, Mockoon from an
environment file with two routes, Prism from a small OpenAPI document with examples. They
are installed on first use into ``.cache/peers`` (git-ignored) with npm; a peer that cannot
be installed or started is left out, with the reason printed.

Each server is pinned with ``taskset`` to the cores given (the same cores as the fake), and
the JVM is told how many cores it has (``-XX:ActiveProcessorCount``), so no peer wins by
using more of the machine than the fake may.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "peers"
PACKAGES = ("wiremock@3.13.2", "@mockoon/cli@9.9.0", "@stoplight/prism-cli@5.14.2")

CREATED = {"calls": [{"number": "+14155550175", "agent_call_id": "call_0000000000000000"}]}
CALL = {
    "id": "call_0000000000000000",
    "agent_id": "agent_Fo7pKNBUwLZxrTd6jvhpaE",
    "status": "completed",
    "start_time": "2026-03-01T12:00:01Z",
    "end_time": "2026-03-01T12:01:01Z",
    "transcript": [],
    "summary": "",
}


def install() -> str | None:
    """Install the peers into ``.cache/peers``; None, or why they could not be."""
    if shutil.which("npm") is None:
        return "npm not found (apt-get install nodejs npm)"
    if all((CACHE / "node_modules" / ".bin" / b).exists() for b in _BINS.values()):
        return None
    CACHE.mkdir(parents=True, exist_ok=True)
    if not (CACHE / "package.json").exists():
        (CACHE / "package.json").write_text('{"private": true}\n')
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", *PACKAGES],
        cwd=CACHE,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return f"npm install failed: {done.stderr.strip()[-300:]}"
    return None


_BINS = {"wiremock": "wiremock", "mockoon": "mockoon-cli", "prism": "prism"}


def _openapi() -> dict[str, object]:
    def answer(body: object) -> dict[str, object]:
        return {
            "description": "ok",
            "content": {"application/json": {"schema": {"type": "object"}, "example": body}},
        }

    return {
        "openapi": "3.0.3",
        "info": {"title": "agent calls", "version": "2026-08-14"},
        "paths": {
            "/agents/calls": {
                "post": {
                    "requestBody": {
                        "content": {"application/json": {"schema": {"type": "object"}}}
                    },
                    "responses": {"200": answer(CREATED)},
                }
            },
            "/agents/calls/{call_id}": {
                "get": {
                    "parameters": [
                        {
                            "name": "call_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {"200": answer(CALL)},
                }
            },
        },
    }


def _mockoon_environment(port: int) -> dict[str, object]:
    """A Mockoon environment (its data file format, migration 33 of CLI 9.9) with the two
    routes, each one canned JSON answer with templating off."""

    def route(n: int, method: str, endpoint: str, body: object) -> dict[str, object]:
        answer = {
            "uuid": f"00000000-0000-4000-8000-00000000010{n}",
            "body": json.dumps(body),
            "latency": 0,
            "statusCode": 200,
            "label": "",
            "headers": [{"key": "Content-Type", "value": "application/json"}],
            "bodyType": "INLINE",
            "filePath": "",
            "databucketID": "",
            "sendFileAsBody": False,
            "rules": [],
            "rulesOperator": "OR",
            "disableTemplating": True,
            "fallbackTo404": False,
            "default": True,
            "crudKey": "id",
            "callbacks": [],
        }
        return {
            "uuid": f"00000000-0000-4000-8000-00000000000{n}",
            "type": "http",
            "documentation": "",
            "method": method,
            "endpoint": endpoint,
            "responses": [answer],
            "responseMode": None,
            "streamingMode": None,
            "streamingInterval": 0,
        }

    routes = [
        route(1, "post", "agents/calls", CREATED),
        route(2, "get", "agents/calls/:call_id", CALL),
    ]
    return {
        "uuid": "00000000-0000-4000-8000-000000000000",
        "lastMigration": 33,
        "name": "agent calls",
        "endpointPrefix": "",
        "latency": 0,
        "port": port,
        "hostname": "127.0.0.1",
        "folders": [],
        "routes": routes,
        "rootChildren": [{"type": "route", "uuid": r["uuid"]} for r in routes],
        "proxyMode": False,
        "proxyHost": "",
        "proxyRemovePrefix": False,
        "tlsOptions": {"enabled": False},
        "cors": False,
        "headers": [],
        "proxyReqHeaders": [],
        "proxyResHeaders": [],
        "data": [],
        "callbacks": [],
    }


def _wiremock_root(where: Path) -> Path:
    mappings = where / "mappings"
    mappings.mkdir(parents=True)
    for name, request, body in (
        ("create", {"method": "POST", "urlPath": "/agents/calls"}, CREATED),
        ("get", {"method": "GET", "urlPathPattern": "/agents/calls/[^/]+"}, CALL),
    ):
        stub = {
            "request": request,
            "response": {
                "status": 200,
                "jsonBody": body,
                "headers": {"Content-Type": "application/json"},
            },
        }
        (mappings / f"{name}.json").write_text(json.dumps(stub))
    return where


def _command(kind: str, port: int, cores: str, scratch: Path) -> list[str]:
    ncores = str(len(cores.split(",")))
    pin = ["taskset", "-c", cores]
    if kind == "wiremock":
        jar = next((CACHE / "node_modules" / "wiremock" / "build").glob("*.jar"))
        return [
            *pin,
            "java",
            f"-XX:ActiveProcessorCount={ncores}",
            "-jar",
            str(jar),
            "--port",
            str(port),
            "--bind-address",
            "127.0.0.1",
            "--root-dir",
            str(_wiremock_root(scratch / "wiremock")),
            "--no-request-journal",
            "--disable-banner",
        ]
    binary = str(CACHE / "node_modules" / ".bin" / _BINS[kind])
    if kind == "mockoon":
        environment = scratch / "environment.json"
        environment.write_text(json.dumps(_mockoon_environment(port)))
        return [*pin, binary, "start", "--data", str(environment), "--port", str(port), "-X"]
    spec = scratch / "openapi.json"
    spec.write_text(json.dumps(_openapi()))
    return [*pin, binary, "mock", "--host", "127.0.0.1", "--port", str(port), str(spec)]


def _wait(url: str, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/agents/calls/call_x", timeout=2).status_code < 500:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


@contextmanager
def peers(cores: str, ports: dict[str, int]) -> Iterator[dict[str, str]]:
    """Start every peer that can start, pinned to ``cores``: name -> URL (the others are
    printed and left out)."""
    why = install()
    if why is not None:
        print(f"peers left out: {why}")
        yield {}
        return
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        urls: dict[str, str] = {}
        for kind, port in ports.items():
            scratch = Path(tmp, kind)
            scratch.mkdir()
            if kind == "wiremock" and shutil.which("java") is None:
                print("WireMock left out: java not found (apt-get install default-jre-headless)")
                continue
            proc = subprocess.Popen(
                _command(kind, port, cores, scratch),
                cwd=scratch,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            stack.callback(_stop, proc)
            url = f"http://127.0.0.1:{port}"
            if _wait(url):
                urls[kind] = url
            else:
                print(f"{kind} left out: it did not answer within 60 s")
        yield urls


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
