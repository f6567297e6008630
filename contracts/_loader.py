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


_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)")


def is_rfc3339(value: object) -> bool:
    """True for an RFC 3339 date-time with a zone (``Z`` or an offset) that exists."""
    if not isinstance(value, str) or _RFC3339.fullmatch(value) is None:
        return False
    from datetime import datetime

    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker()
    checker.checks("e164")(lambda v: not isinstance(v, str) or is_e164(v))
    checker.checks("uuid")(lambda v: not isinstance(v, str) or _UUID4.fullmatch(v) is not None)
    checker.checks("date-time-input")(lambda v: not isinstance(v, str) or is_rfc3339(v))
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


#: The Cartesia-Version values whose wire shapes are shipped, oldest first.
VERSIONS: tuple[str, ...] = ("2026-03-01", "2026-08-14")
#: What the official SDKs send by default (cartesia 4.x, @cartesia/cartesia-js 4.x).
LATEST = VERSIONS[-1]


def _check_version(version: str | None) -> str:
    if version is None:
        return LATEST
    if version not in VERSIONS:
        raise KeyError(
            f"no contracts for Cartesia-Version {version!r}; known: {', '.join(VERSIONS)}"
        )
    return version


def _folder() -> Any:
    return resources.files("contracts").joinpath("schemas")


@cache
def _files(sub: str | None) -> Mapping[str, Mapping[str, Any]]:
    """The schema files of the shared folder (``sub`` None) or of one version's folder."""
    folder = _folder() if sub is None else _folder().joinpath(sub)
    out: dict[str, Mapping[str, Any]] = {}
    if not folder.is_dir():
        return out
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".json"):
            out[entry.name[: -len(".json")]] = json.loads(entry.read_text("utf-8"))
    return out


@cache
def _raw_schemas(version: str) -> Mapping[str, Mapping[str, Any]]:
    """Every schema as ``version`` sees it: the shared files, overlaid by the version's own
    folder (``schemas/<version>/``). Each gets a versioned ``$id``, so a relative ``$ref``
    resolves to the same version's schema."""
    merged = {**_files(None), **_files(version)}
    out: dict[str, Mapping[str, Any]] = {}
    for name, schema in merged.items():
        out[name] = {**schema, "$id": f"{BASE_URI}{version}/{name}.json"}
    return out


def schema_names(version: str | None = None) -> tuple[str, ...]:
    """Names of every schema (file stem) that ``version`` has, sorted."""
    return tuple(sorted(_raw_schemas(_check_version(version))))


def version_overrides(version: str) -> tuple[str, ...]:
    """The schemas that ``version`` defines differently from the shared files."""
    return tuple(sorted(_files(_check_version(version))))


def load_schema(name: str, version: str | None = None) -> dict[str, Any]:
    """A deep copy of schema ``name`` as ``version`` (default: the latest) defines it."""
    version = _check_version(version)
    try:
        raw = _raw_schemas(version)[name]
    except KeyError:
        known = ", ".join(schema_names(version))
        raise KeyError(f"no contract named {name!r}; known: {known}") from None
    copied: dict[str, Any] = json.loads(json.dumps(raw))
    return copied


@cache
def registry() -> Registry[Any]:
    """A registry that resolves every version's schemas by their ``$id`` (no network)."""
    from referencing import Registry, Resource

    resources_ = [
        (str(schema["$id"]), Resource.from_contents(dict(schema)))
        for version in VERSIONS
        for schema in _raw_schemas(version).values()
    ]
    return Registry().with_resources(resources_)


def build_validator(schema: Mapping[str, Any], version: str | None = None) -> Validator:
    """A strict validator for ``schema``; its relative ``$ref``s resolve to ``version``'s
    schemas in our registry."""
    version = _check_version(version)
    schema = dict(schema)
    if "$id" not in schema:
        schema["$id"] = f"{BASE_URI}{version}/_anonymous.json"
    validator: Validator = _strict_validator_class()(
        schema, registry=registry(), format_checker=_format_checker()
    )
    return validator


@cache
def validator_for(name: str, version: str | None = None) -> Validator:
    """The cached validator of schema ``name`` under ``version`` (default: the latest)."""
    version = _check_version(version)
    if name not in _raw_schemas(version):
        load_schema(name, version)  # raises the KeyError naming the known ones
    return build_validator(_raw_schemas(version)[name], version)
