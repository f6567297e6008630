"""ContractViolation and the rendering of schema errors as (path, message) pairs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jsonschema import ValidationError


@dataclass(frozen=True, slots=True)
class ContractError:
    """One schema error: where (a JSON path like ``outbound_calls[0].to_number``) and what."""

    path: str
    message: str


def json_path(parts: Iterable[object]) -> str:
    """Render path parts as ``a.b[0].c``; the root is ``$``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "$"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_ARTICLES = MappingProxyType(
    {
        "integer": "an integer",
        "object": "an object",
        "array": "an array",
        "string": "a string",
        "number": "a number",
        "boolean": "a boolean",
        "null": "null",
    }
)


def _type_words(expected: object) -> str:
    names = expected if isinstance(expected, list) else [expected]
    words = [_ARTICLES.get(str(n), str(n)) for n in names if n != "null"] or ["null"]
    suffix = " (or null)" if "null" in names and len(names) > 1 else ""
    return " or ".join(words) + suffix


def explain(error: ValidationError) -> list[ContractError]:
    """Turn one jsonschema error into path-named errors (``required`` names each missing field)."""
    base = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        required = error.validator_value if isinstance(error.validator_value, list) else []
        return [
            ContractError(json_path([*base, name]), "is required")
            for name in required
            if name not in error.instance
        ]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        return [
            ContractError(json_path([*base, key]), "is not an allowed field")
            for key in error.instance
            if key not in allowed
        ]
    value = _short(error.instance)
    if "propertyNames" in error.relative_schema_path and isinstance(error.instance, str):
        base = [*base, error.instance]  # a bad key: name the key itself
    negated = error.validator_value if error.validator == "not" else None
    reason = negated.get("x-reason") if isinstance(negated, dict) else None
    if isinstance(reason, str):
        return [ContractError(json_path(base), f"{reason} (got {value})")]
    messages = {
        "type": f"must be {_type_words(error.validator_value)} (got {value})",
        "minimum": f"must be >= {error.validator_value} (got {value})",
        "maximum": f"must be <= {error.validator_value} (got {value})",
        "minLength": f"must not be empty (got {value})",
        "maxLength": f"must be at most {error.validator_value} characters (got {value})",
        "maxProperties": f"must have at most {error.validator_value} entries",
        "minItems": f"must have at least {error.validator_value} item(s)",
        "maxItems": f"must have at most {error.validator_value} items",
        "format": f"must be a valid {error.validator_value} value (got {value})",
        "pattern": f"must match {error.validator_value} (got {value})",
        "enum": f"must be one of {error.validator_value} (got {value})",
        "const": f"must be {error.validator_value!r} (got {value})",
    }
    text = messages.get(str(error.validator), f"{error.message} (got {value})")
    return [ContractError(json_path(base), text)]


def explain_all(errors: Iterable[ValidationError]) -> list[ContractError]:
    """Every error, deduplicated and sorted by path, then message.

    A value that breaks both ``format`` and ``pattern`` (E.164 has both) is reported once.
    """
    seen: dict[tuple[str, str], ContractError] = {}
    format_paths: set[str] = set()
    pattern_errors: list[ContractError] = []
    for error in errors:
        for item in explain(error):
            if error.validator == "pattern":
                pattern_errors.append(item)
                continue
            if error.validator == "format":
                format_paths.add(item.path)
            seen.setdefault((item.path, item.message), item)
    for item in pattern_errors:
        if item.path not in format_paths:
            seen.setdefault((item.path, item.message), item)
    return sorted(seen.values(), key=lambda e: (e.path, e.message))


class ContractViolation(AssertionError):
    """An instance broke a contract; ``errors`` lists every problem with its JSON path."""

    def __init__(self, name: str, errors: Sequence[ContractError]) -> None:
        self.name = name
        self.errors = tuple(errors)
        lines = "\n".join(f"  {e.path}: {e.message}" for e in self.errors)
        super().__init__(f"{len(self.errors)} violation(s) of contract {name!r}:\n{lines}")
