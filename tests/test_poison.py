"""Values the API could not write back never get in: a number that overflows to infinity or
a string holding a lone UTF-16 surrogate is a 400 naming its path on every route that takes
a body, and whatever a write accepts, every read of it answers 2xx."""

from __future__ import annotations

import json

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from mock_server import FakeCartesia
from tests.conftest import AGENT, NUMBER, examples

#: The start of a create body, its closing brace left off: ``HEAD + ', ...}'``.
HEAD = json.dumps({"from_number_id": NUMBER, "agent_id": AGENT})[:-1]
POISON = {"infinity": "1e999", "surrogate": '"\\ud800"', "low surrogate": '"x\\udfffy"'}

#: (method, path, a body template with one POISON slot, the path the 400 must name)
WRITES = [
    (
        "POST",
        "/agents/calls",
        HEAD + ', "outbound_calls": [{"to_number": "+14155550100", "metadata": {"note": @}}]}',
        "outbound_calls[0].metadata.note",
    ),
    (
        "POST",
        "/agents/calls/batches",
        HEAD + ', "recipients": [{"to_number": "+14155550100", "dynamic_variables": {"v": @}}]}',
        "recipients[0].dynamic_variables.v",
    ),
    ("POST", "/__fake__/agents", '{"id": "agent_x", "name": @}', "name"),
    ("POST", "/__fake__/phone-numbers", '{"number": "+12025550111", "label": @}', "label"),
    ("PUT", "/__fake__/callees/+14155550100", '{"outcome": "answer", "says": [@]}', "says[0]"),
    (
        "POST",
        "/agents/webhooks",
        '{"url": "https://x.test/h", "secret": "s", "display_name": @}',
        "display_name",
    ),
    ("PATCH", f"/agents/{AGENT}", '{"name": @}', "name"),
]


@pytest.mark.parametrize("poison", list(POISON))
@pytest.mark.parametrize(("method", "path", "template", "where"), WRITES)
def test_unrenderable_values_are_400_naming_the_path(
    method: str, path: str, template: str, where: str, poison: str
) -> None:
    with FakeCartesia() as fake:
        client = fake.client()
        body = template.replace("@", POISON[poison])
        r = client.request(
            method, path, content=body.encode(), headers={"content-type": "application/json"}
        )
        assert r.status_code == 400, r.text
        assert r.json()["message"].startswith(f"{where}: "), r.json()["message"]
        # nothing half-stored: every read still answers
        for read in ("/agents", "/agents/phone-numbers", "/agents/webhooks"):
            assert client.get(read).status_code == 200
        listed = client.get("/agents/calls", params={"agent_id": AGENT})
        assert listed.status_code == 200
        assert listed.json()["data"] == []
        assert not fake.problems()


def test_paired_surrogates_and_big_finite_numbers_are_fine() -> None:
    with FakeCartesia(api_version="2026-03-01") as fake:
        body = (
            HEAD + ', "outbound_calls": [{"to_number": "+14155550100", '
            '"metadata": {"emoji": "\\ud83d\\ude00", "big": 1e308}}]}'
        )
        r = fake.client().post(
            "/agents/calls", content=body.encode(), headers={"content-type": "application/json"}
        )
        assert r.status_code == 200, r.text
        call = fake.client().get(f"/agents/calls/{r.json()['calls'][0]['agent_call_id']}")
        assert call.json()["metadata"] == {"emoji": "\U0001f600", "big": 1e308}


_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["1e999", "-1e400", "1" * 320 + ".5"]),
    st.text(max_size=8).map(json.dumps),
    st.sampled_from(['"\\ud800"', '"\\udbff\\udfff"', '"a\\udc00"', '"\\u0000"']),
)


def _raw(value: object) -> str:
    if isinstance(value, list):
        return "[" + ",".join(_raw(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_raw(v)}" for k, v in value.items()) + "}"
    return (
        "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    )


_json = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=examples(1))
@given(metadata=st.dictionaries(st.text(max_size=5), _json, max_size=3), name=_scalar)
def test_whatever_a_write_accepts_every_read_answers(metadata: dict, name: object) -> None:
    with FakeCartesia(api_version="2026-03-01") as fake:
        client = fake.client()
        headers = {"content-type": "application/json"}
        body = (
            HEAD
            + ', "outbound_calls": [{"to_number": "+14155550100", "metadata": '
            + _raw(metadata)
            + "}]}"
        )
        created = client.post("/agents/calls", content=body.encode(), headers=headers)
        assert created.status_code in (200, 400), created.text
        named = client.post(
            "/__fake__/agents", content=f'{{"name": {_raw(name)}}}'.encode(), headers=headers
        )
        assert named.status_code in (201, 400), named.text
        fake.run_until_idle()
        for read in ("/agents", f"/agents/calls?agent_id={AGENT}&expand=transcript"):
            assert client.get(read).status_code == 200, read
        if created.status_code == 200:
            call_id = created.json()["calls"][0]["agent_call_id"]
            assert client.get(f"/agents/calls/{call_id}").status_code == 200
        assert not fake.problems()
