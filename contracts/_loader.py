"""Loading the JSON Schema files shipped as package data, with one shared registry.

jsonschema and referencing are imported when the first validator is built, not at import:
the served fake's hot path validates requests with ``fastcheck`` and starts ~50 ms sooner.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import FormatChecker
    from jsonschema.protocols import Validator
    from referencing import Registry

BASE_URI = "https://cartesia-fake.invalid/schemas/"

# Python's `$` also matches before a trailing newline, so E.164 is checked with fullmatch.
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def is_e164(value: object) -> bool:
    """True when ``value`` is a whole-string E.164 number (``+`` then 2-15 digits)."""
    return isinstance(value, str) and _E164.fullmatch(value) is not None


def _format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker()
    checker.checks("e164")(lambda v: not isinstance(v, str) or is_e164(v))
    checker.checks("uuid")(lambda v: not isinstance(v, str) or _UUID4.fullmatch(v) is not None)
    checker.checks("date-time")(
        lambda v: (
            not isinstance(v, str)
            or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", v) is not None
        )
    )
    return checker


def _is_strict_integer(_checker: object, instance: object) -> bool:
    # JSON Schema's "integer" admits 30.0; the API does not (a float is not an integer here).
    return isinstance(instance, int) and not isinstance(instance, bool)


@cache
def _strict_validator_class() -> Any:
    """Draft 2020-12 with "integer" excluding floats."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend

    return extend(  # type: ignore[no-untyped-call]
        Draft202012Validator,
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_strict_integer),
    )


def schema_names() -> tuple[str, ...]:
    """Names of every shipped schema (file stem), sorted."""
    folder = resources.files("contracts").joinpath("schemas")
    return tuple(
        sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))
    )


@cache
def _raw_schemas() -> Mapping[str, Mapping[str, Any]]:
    folder = resources.files("contracts").joinpath("schemas")
    out: dict[str, Mapping[str, Any]] = {}
    for name in schema_names():
        out[name] = json.loads(folder.joinpath(name + ".json").read_text("utf-8"))
    return out


def load_schema(name: str) -> dict[str, Any]:
    """A deep copy of schema ``name`` (safe to modify)."""
    try:
        raw = _raw_schemas()[name]
    except KeyError:
        raise KeyError(f"no contract named {name!r}; known: {', '.join(schema_names())}") from None
    copied: dict[str, Any] = json.loads(json.dumps(raw))
    return copied


@cache
def registry() -> Registry[Any]:
    """A registry that resolves every schema by its ``$id`` (no network access)."""
    from referencing import Registry, Resource

    resources_ = [
        (BASE_URI + name + ".json", Resource.from_contents(dict(schema)))
        for name, schema in _raw_schemas().items()
    ]
    return Registry().with_resources(resources_)


def build_validator(schema: Mapping[str, Any]) -> Validator:
    """A strict validator for ``schema`` whose relative ``$ref``s resolve in our registry."""
    validator: Validator = _strict_validator_class()(
        dict(schema), registry=registry(), format_checker=_format_checker()
    )
    return validator


@cache
def validator_for(name: str) -> Validator:
    """The cached validator of the shipped schema ``name``."""
    return build_validator(_raw_schemas()[name] if name in _raw_schemas() else load_schema(name))
