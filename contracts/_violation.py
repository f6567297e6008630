"""ContractViolation and the rendering of schema errors as (path, message) pairs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


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


def type_words(expected: object) -> str:
    """``"integer"`` -> ``an integer``; ``["string", "null"]`` -> ``a string (or null)``."""
    names = expected if isinstance(expected, list) else [expected]
    words = [_ARTICLES.get(str(n), str(n)) for n in names if n != "null"] or ["null"]
    suffix = " (or null)" if "null" in names and len(names) > 1 else ""
    return " or ".join(words) + suffix


def _message(kind: Any, value: str, fallback: str) -> str:
    """Our wording of one validator error kind (``jsonschema_rs.ValidationErrorKind``)."""
    name = type(kind).__name__
    if name == "Type":
        return f"must be {type_words(list(kind.types))} (got {value})"
    if name == "Custom":  # strictInteger words its own message
        return f"{kind.message} (got {value})"
    words = {
        "Minimum": "must be >= {limit}",
        "Maximum": "must be <= {limit}",
        "MaxLength": "must be at most {limit} characters",
        "MaxProperties": "must have at most {limit} entries",
        "MinItems": "must have at least {limit} item(s)",
        "MaxItems": "must have at most {limit} items",
    }
    if name in words:
        text = words[name].format(limit=_number(kind.limit))
        return (
            text if name in ("MaxProperties", "MinItems", "MaxItems") else f"{text} (got {value})"
        )
    if name == "MinLength":
        return f"must not be empty (got {value})"
    if name == "Format":
        return f"must be a valid {kind.format} value (got {value})"
    if name == "Pattern":
        return f"must match {kind.pattern} (got {value})"
    if name == "Enum":
        return f"must be one of {list(kind.options)} (got {value})"
    if name == "Constant":
        return f"must be {kind.expected_value!r} (got {value})"
    return f"{fallback} (got {value})"


def _number(limit: object) -> object:
    """``80.0`` -> ``80``: limits read back as floats are written as the schema has them."""
    return int(limit) if isinstance(limit, float) and limit.is_integer() else limit


def _required_choices(branches: Any) -> list[str]:
    """The fields of an ``anyOf`` whose every branch failed only for one missing field."""
    fields = []
    for errors in branches:
        if len(errors) != 1 or type(errors[0].kind).__name__ != "Required":
            return []
        fields.append(str(errors[0].kind.property))
    return fields


def explain(error: Any, base: list[Any] | None = None) -> list[ContractError]:
    """Turn one ``jsonschema_rs.ValidationError`` into path-named errors (``required`` names
    the missing field, ``additionalProperties`` each unexpected one)."""
    path = list(error.instance_path) if base is None else base
    kind = error.kind
    name = type(kind).__name__
    if name == "Required":
        return [ContractError(json_path([*path, kind.property]), "is required")]
    if name == "AdditionalProperties":
        return [
            ContractError(json_path([*path, key]), "is not an allowed field")
            for key in kind.unexpected
        ]
    if name == "PropertyNames":  # a bad key: name the key itself
        inner = kind.error
        return explain(inner, [*path, inner.instance])
    value = _short(error.instance)
    if name == "AnyOf":  # branches that each only require a field: name the fields
        needed = _required_choices(kind.context)
        if needed:
            return [
                ContractError(
                    json_path(path), f"needs at least one of {', '.join(needed)} (got {value})"
                )
            ]
    if name == "Not":
        negated = kind.schema
        reason = negated.get("x-reason") if isinstance(negated, dict) else None
        if isinstance(reason, str):
            return [ContractError(json_path(path), f"{reason} (got {value})")]
    return [ContractError(json_path(path), _message(kind, value, str(error.message)))]


def explain_all(errors: Iterable[Any]) -> list[ContractError]:
    """Every error, deduplicated and sorted by path, then message.

    A value that breaks both ``format`` and ``pattern`` (E.164 has both) is reported once.
    """
    seen: dict[tuple[str, str], ContractError] = {}
    format_paths: set[str] = set()
    pattern_errors: list[ContractError] = []
    for error in errors:
        name = type(error.kind).__name__
        for item in explain(error):
            if name == "Pattern":
                pattern_errors.append(item)
                continue
            if name == "Format":
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
