"""Cartesia's published spec as a checked source: the facts extracted from its fragments
(``contracts/vendor_facts.json``, made by ``scripts/spec_facts.py``) against the fake's
contracts, version by version; every difference must be named by a ledger entry saying which
source the fake follows instead. ``cartesia-fake contracts diff FILE`` runs the same
comparison on a file a team downloads."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from argparse import Namespace
from collections import Counter
from pathlib import Path

import pytest

from contracts import SHIPPED
from mock_server.checker import spec_command
from mock_server.checker.spec_diff import differences, naming_rule, shipped_facts
from mock_server.checker.spec_facts import SpecError, facts_of_text
from mock_server.service import ledger
from tests.conftest import AGENT, NUMBER, Door

ROOT = Path(__file__).resolve().parent.parent

PAGE = """\
# Get Thing

## OpenAPI

````yaml latest.yml GET /agents/things/{thing_id}
openapi: 3.0.1
paths:
  /agents/things/{thing_id}:
    get:
      parameters:
        - $ref: '#/components/parameters/CartesiaVersionHeader'
        - name: limit
          in: query
          required: false
          schema: {type: integer, minimum: 1, maximum: 100, nullable: true}
      responses:
        '200':
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
        '404': {description: Not found.}
components:
  parameters:
    CartesiaVersionHeader:
      name: Cartesia-Version
      in: header
      required: true
      schema: {type: string, enum: ['2026-03-01']}
  schemas:
    Thing:
      type: object
      required: [id, status]
      properties:
        id: {type: string}
        status: {type: string, enum: [idle, active]}
        tags: {type: array, maxItems: 5, items: {type: string}}
        owner:
          allOf:
            - {$ref: '#/components/schemas/Owner'}
    Owner:
      type: object
      required: [name]
      properties:
        name: {type: string, minLength: 1}
````
"""


LIMIT_PARAMETER = (
    "        - name: limit\n          in: query\n          required: false\n"
    "          schema: {type: integer, minimum: 1, maximum: 100, nullable: true}\n"
)


def test_the_extractor_keeps_the_facts_and_no_prose() -> None:
    [doc] = facts_of_text(PAGE, "2026-08-14")
    assert (doc["version"], doc["complete"]) == ("2026-03-01", True)
    op = doc["operations"]["GET /agents/things/{thing_id}"]
    assert op["statuses"] == ["200", "404"]
    assert op["parameters"]["query:limit"] == {
        "type": ["integer"],
        "nullable": True,
        "minimum": 1,
        "maximum": 100,
        "required": False,
    }
    assert op["parameters"]["header:Cartesia-Version"]["enum"] == ["2026-03-01"]
    body = op["responses"]["200"]
    assert body["status"] == {"type": ["string"], "enum": ["active", "idle"], "required": True}
    assert body["tags"]["maxItems"] == 5
    assert body["tags[]"]["type"] == ["string"]
    assert body["owner.name"] == {"type": ["string"], "minLength": 1, "required": True}
    assert "description" not in json.dumps(doc)  # facts only


def test_a_fragment_cut_short_is_read_to_its_last_whole_line() -> None:
    cut = PAGE[: PAGE.index("        '404'")] + "        '40"
    [doc] = facts_of_text(cut, "2026-08-14")
    assert doc["complete"] is False
    op = doc["operations"]["GET /agents/things/{thing_id}"]
    assert op["statuses"] == ["200"]
    assert op["parameters"]["header:Cartesia-Version"] == {"unresolved": "CartesiaVersionHeader"}
    assert doc["version"] == "2026-08-14"  # latest.yml: the newest version
    with pytest.raises(SpecError):
        facts_of_text("just prose, no spec", "2026-08-14")


def test_the_shipped_facts_name_their_sources() -> None:
    data = shipped_facts()
    assert data["sources"]
    for source in data["sources"]:
        assert source["url"].startswith("https://")
        assert len(source["retrieved"]) == 10
        assert source["version"] in SHIPPED.names
        assert source["operations"]
        assert all(op.split(" ", 1)[1].startswith("/agents") for op in source["operations"])


def test_every_difference_from_the_published_spec_is_named_by_the_ledger() -> None:
    found = differences(shipped_facts()["sources"])
    unexplained = [d.line() for d in found if naming_rule(d) is None]
    assert not unexplained, "differences no ledger entry names:\n" + "\n".join(unexplained)
    for rule in {naming_rule(d) for d in found}:
        entry = ledger.LEDGER_BY_ID[str(rule)]
        assert entry.source  # which source the fake follows instead
        assert entry.statement  # and what it does
    # every pattern still names something: a fixed difference takes its pattern with it
    patterns = [(e.id, p) for e in ledger.LEDGER for p in e.spec_differences]
    assert patterns
    from mock_server.checker.spec_diff import _pattern

    stale = [
        (rule, p) for rule, p in patterns if not any(_pattern(p).fullmatch(d.key) for d in found)
    ]
    assert not stale, f"ledger patterns that match no difference: {stale}"
    kinds = Counter(d.aspect for d in found)
    assert set(kinds) <= {
        "missing",
        "extra",
        "nullable",
        "required",
        "enum",
        "type",
        *(
            [
                "minimum",
                "maximum",
                "minLength",
                "maxLength",
                "minItems",
                "maxItems",
                "maxProperties",
            ]
        ),
    }


def test_contracts_diff_reports_drift_and_exits_1(tmp_path: Path) -> None:
    drifted = PAGE.replace("/agents/things/{thing_id}", "/agents/calls/batches/{batch_id}")
    page = tmp_path / "get-call-batch.md"
    page.write_text(drifted.replace("'2026-03-01'", "'2026-08-14'"))
    out = io.StringIO()
    code = spec_command.run(Namespace(file=page, version=None, paths="/agents", all=False), out=out)
    text = out.getvalue()
    assert code == 1, text
    # the fake's batch has no "tags" or "owner"; its status enum differs
    assert (
        "DRIFT  2026-08-14 GET /agents/calls/batches/{batch_id} response 200 tags missing" in text
    )
    assert "response 200 status enum" in text
    assert "not explained by the ledger" in text.splitlines()[-1]


@pytest.mark.slow
def test_contracts_diff_from_the_command_line(tmp_path: Path) -> None:
    same = tmp_path / "same.md"
    same.write_text(
        PAGE.replace("/agents/things/{thing_id}", "/agents/calls/{call_id}/audio")
        .replace("'2026-03-01'", "'2026-08-14'")
        .split("components:")[0]
        .replace("              schema: {$ref: '#/components/schemas/Thing'}\n", "")
        .replace("            application/json:\n", "")
        .replace("          content:\n", "          description: audio\n")
        .replace(
            "        - name: limit\n          in: query\n          required: false\n"
            "          schema: {type: integer, minimum: 1, maximum: 100, nullable: true}\n",
            "",
        )
        + "````\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "mock_server", "contracts", "diff", str(same), "--all"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 not explained" in run.stdout
    bad = tmp_path / "bad.yml"
    bad.write_text("::: not yaml :::\n  - [")
    run = subprocess.run(
        [sys.executable, "-m", "mock_server", "contracts", "diff", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 2
    assert "bad.yml" in run.stderr


def test_what_the_spec_check_found_is_fixed(door: Door) -> None:
    """List Call Batches filters by agent_id (the spec's parameter); agents show the spec's
    optional fields; a null in PATCH leaves a field as it is."""
    other = door.post("/__fake__/agents", json={"name": "Other"}).json()["id"]
    base = {"name": "b", "from_number_id": NUMBER, "recipients": [{"to_number": "+14155550100"}]}
    mine = door.post("/agents/calls/batches", json={**base, "agent_id": AGENT}).json()["id"]
    door.post("/agents/calls/batches", json={**base, "agent_id": other})
    listed = door.get("/agents/calls/batches", params={"agent_id": AGENT}).json()
    door.validate("batch_list", listed)
    assert [b["id"] for b in listed["data"]] == [mine]
    assert len(door.get("/agents/calls/batches").json()["data"]) == 2
    shown = door.get(f"/agents/{AGENT}").json()
    door.validate("agent", shown)
    assert (shown["deleted_at"], shown["git_deploy_branch"], shown["git_repository"]) == (
        None,
        None,
        None,
    )
    named = door.patch(f"/agents/{AGENT}", json={"tts_voice": "voice_keep"}).json()
    kept = door.patch(
        f"/agents/{AGENT}", json={"name": None, "tts_voice": None, "description": "d"}
    )
    assert kept.status_code == 200, kept.text
    assert (kept.json()["name"], kept.json()["tts_voice"]) == (named["name"], "voice_keep")
    assert kept.json()["description"] == "d"
