"""Contracts of the Cartesia outbound-call API: JSON Schemas as data, and their validation.

This package imports nothing else of ours (see ARCHITECTURE.md). Hypothesis strategies live
in ``contracts.strategies`` and are imported lazily, so Hypothesis is only needed there.
"""

from __future__ import annotations

from typing import Any

from contracts._loader import build_validator, is_e164, load_schema, schema_names, validator_for
from contracts._violation import ContractError, ContractViolation, explain_all

__all__ = [
    "ContractError",
    "ContractViolation",
    "build_validator",
    "errors_of",
    "explain_all",
    "is_e164",
    "load_schema",
    "schema_names",
    "validate",
    "validator_for",
]


def errors_of(name: str, instance: Any) -> list[ContractError]:
    """Every violation of contract ``name`` by ``instance``, sorted by path (empty if valid)."""
    return explain_all(validator_for(name).iter_errors(instance))


def validate(name: str, instance: Any) -> None:
    """Raise ContractViolation listing every error if ``instance`` breaks contract ``name``.

    Example:
        >>> validate("cancel_response", {"cancelled": True})
    """
    errors = errors_of(name, instance)
    if errors:
        raise ContractViolation(name, errors)
