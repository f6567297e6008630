"""Contracts of the Cartesia outbound-call API: JSON Schemas as data, and their validation.

This package imports nothing else of ours (see ARCHITECTURE.md). Hypothesis strategies live
in ``contracts.strategies`` and are imported lazily, so Hypothesis is only needed there.
"""

from __future__ import annotations

from typing import Any

from contracts._lineage import ApiVersion, Lineage, merge_patch
from contracts._loader import (
    LATEST,
    SHIPPED,
    VERSIONS,
    Contract,
    build_validator,
    is_e164,
    is_rfc3339,
    load_schema,
    schema_names,
    validator_for,
    version_overrides,
    versions_with,
)
from contracts._violation import ContractError, ContractViolation, explain_all

__all__ = [
    "LATEST",
    "SHIPPED",
    "VERSIONS",
    "ApiVersion",
    "Contract",
    "ContractError",
    "ContractViolation",
    "Lineage",
    "build_validator",
    "errors_of",
    "explain_all",
    "is_e164",
    "is_rfc3339",
    "load_schema",
    "merge_patch",
    "schema_names",
    "validate",
    "validator_for",
    "version_overrides",
    "versions_with",
]


def errors_of(name: str, instance: Any, *, version: str | None = None) -> list[ContractError]:
    """Every violation of contract ``name`` (as Cartesia-Version ``version`` defines it; the
    latest by default) by ``instance``, sorted by path (empty if valid)."""
    return validator_for(name, version).errors(instance)


def validate(name: str, instance: Any, *, version: str | None = None) -> None:
    """Raise ContractViolation listing every error if ``instance`` breaks contract ``name``
    as Cartesia-Version ``version`` (default: the latest, as the SDKs send) defines it.

    Example:
        >>> validate("cancel_response", {"cancelled": True})
        >>> validate("call_list", {"data": [], "next_page": None}, version="2026-03-01")
    """
    errors = errors_of(name, instance, version=version)
    if errors:
        raise ContractViolation(name, errors)
