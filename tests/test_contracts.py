"""The contracts themselves: valid schemas, strict integers, E.164, and ContractViolation."""

from __future__ import annotations

import hypothesis.strategies as st
import jsonschema_rs
import pytest
from hypothesis import given

import contracts
from contracts import ContractViolation, load_schema, schema_names, validate


@pytest.mark.parametrize("name", schema_names())
def test_every_schema_is_valid_2020_12_with_an_id(name: str) -> None:
    schema = load_schema(name)
    jsonschema_rs.meta.validate(schema)  # a valid Draft 2020-12 schema
    assert schema["$id"].endswith(f"/{name}.json")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema.get("title")


def test_violation_lists_every_error_with_path_and_value() -> None:
    with pytest.raises(ContractViolation) as info:
        validate("outbound_request", {"from_number_id": 3, "outbound_calls": [{"to_number": "x"}]})
    err = info.value
    assert isinstance(err, AssertionError)
    paths = [e.path for e in err.errors]
    assert paths == ["agent_id", "from_number_id", "outbound_calls[0].to_number"]
    assert "(got 3)" in str(err)
    assert "(got 'x')" in str(err)


@pytest.mark.parametrize("value", [30.0, True, "30", 5.5])
def test_integer_means_integer(value: object) -> None:
    body = {
        "from_number_id": "a",
        "agent_id": "b",
        "outbound_calls": [{"to_number": "+15"}],
        "ringing_timeout_seconds": value,
    }
    assert [e.path for e in contracts.errors_of("outbound_request", body)] == [
        "ringing_timeout_seconds"
    ]


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("+14155559876", True),
        ("+15", True),
        ("+123456789012345", True),
        ("+1234567890123456", False),
        ("+0123", False),
        ("14155559876", False),
        ("+14155559876\n", False),
        ("+1415555 9876", False),
        ("+", False),
        ("", False),
        ("+١٢٣٤", False),
    ],
)
def test_e164(number: str, ok: bool) -> None:
    assert contracts.is_e164(number) is ok
    assert (contracts.errors_of("e164", number) == []) is ok


def test_unknown_contract_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="agent_call"):
        load_schema("nope")


def test_load_schema_returns_a_copy() -> None:
    load_schema("agent_call")["properties"].clear()
    assert load_schema("agent_call")["properties"]


def test_agent_call_status_rules() -> None:
    base = {"id": "call_0123456789abcdef", "agent_id": "a"}
    validate("agent_call", {**base, "status": "created", "end_time": None, "end_reason": None})
    with pytest.raises(ContractViolation):
        validate("agent_call", {**base, "status": "completed", "end_reason": None})
    with pytest.raises(ContractViolation):
        validate("agent_call", {**base, "status": "active"})


def test_response_item_has_id_or_error_never_both() -> None:
    validate("outbound_response_item", {"number": "+1", "agent_call_id": "call_0123456789abcdef"})
    validate("outbound_response_item", {"number": "+1", "error": {"code": "x", "message": "y"}})
    with pytest.raises(ContractViolation):
        validate("outbound_response_item", {"number": "+1"})
    with pytest.raises(ContractViolation):
        validate(
            "outbound_response_item",
            {
                "number": "+1",
                "agent_call_id": "call_0123456789abcdef",
                "error": {"code": "x", "message": "y"},
            },
        )


def _format_nodes(node: object, name: str) -> list[dict[str, object]]:
    if isinstance(node, dict):
        here = [node] if node.get("format") == name else []
        return here + [n for v in node.values() for n in _format_nodes(v, name)]
    if isinstance(node, list):
        return [n for v in node for n in _format_nodes(v, name)]
    return []


def test_every_e164_format_carries_the_pattern_the_quick_validator_relies_on() -> None:
    """Contracts decide with a validator that skips the e164 format's Python callback; that
    is only the same contract while every such format sits beside the E.164 pattern."""
    import json
    from pathlib import Path

    from contracts._loader import E164_PATTERN

    files = sorted((Path(contracts.__file__).parent / "schemas").rglob("*.json"))
    nodes = [n for f in files for n in _format_nodes(json.loads(f.read_text("utf-8")), "e164")]
    assert len(nodes) >= 2  # e164.json and the seed file's callee keys, at least
    assert all(n.get("pattern") == E164_PATTERN for n in nodes), nodes


@given(st.one_of(st.text(alphabet="+0123456789 \n١x", max_size=18), st.text(max_size=6)))
def test_the_quick_validator_decides_e164_as_the_full_format_does(text: str) -> None:
    contract = contracts.validator_for("e164")
    assert contract.is_valid(text) is contracts.is_e164(text)
    assert (contract.errors(text) == []) is contracts.is_e164(text)
