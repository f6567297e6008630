"""Loading the JSON Schema files shipped as package data, and compiling them.

Every validation of the package runs on validators compiled by ``jsonschema-rs`` (Draft
2020-12) over one registry that holds every version's schemas. Two semantics of ours are
kept on top of it:

- "integer means integer": JSON Schema counts ``30.0`` as an integer, the API does not. Each
  schema location whose ``type`` admits integers (and not numbers) gets a ``strictInteger``
  keyword, a custom keyword that refuses floats.
- our formats (``e164`` whole-string, ``uuid`` v4, ``date-time`` as the API renders it,
  ``date-time-input`` as RFC 3339 with a zone) are checked by the functions below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import jsonschema_rs

from contracts._lineage import BASE_URI, ApiVersion, Lineage
from contracts._violation import ContractError, explain_all, type_words

# Python's `$` also matches before a trailing newline, so E.164 is checked with fullmatch.
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_RENDERED_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


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


#: The formats our schemas use, each a check of a string.
_FORMATS: Mapping[str, Callable[[str], bool]] = MappingProxyType(
    {
        "e164": is_e164,
        "uuid": lambda v: _UUID4.fullmatch(v) is not None,
        "date-time-input": is_rfc3339,
        "date-time": lambda v: _RENDERED_TIME.fullmatch(v) is not None,
    }
)


class StrictInteger:
    """The ``strictInteger`` keyword: a float is not an integer (``30.0`` is refused)."""

    def __init__(self, parent_schema: dict[str, Any], value: Any, schema_path: Any) -> None:
        self.message = f"must be {type_words(parent_schema.get('type', 'integer'))}"

    def validate(self, instance: Any) -> None:
        if isinstance(instance, float):
            raise ValueError(self.message)


def _admits_integers_only(kind: object) -> bool:
    kinds = kind if isinstance(kind, list) else [kind]
    return "integer" in kinds and "number" not in kinds


def _strict(node: Any) -> Any:
    """A copy of a schema with ``strictInteger`` beside every integer ``type``."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict(value) for key, value in node.items()}
    if _admits_integers_only(node.get("type")):
        out["strictInteger"] = True
    return out


#: Every Cartesia-Version the fake serves, oldest first, each stated against its base.
SHIPPED = Lineage(
    (
        ApiVersion(
            "2024-06-10",
            None,
            "legacy: Get Call, List Calls and Download Call Audio in the legacy call shape",
        ),
        ApiVersion("2024-11-13", "2024-06-10", "legacy: the same shapes as 2024-06-10"),
        ApiVersion("2025-04-16", "2024-11-13", "legacy: the same shapes as 2024-11-13"),
        ApiVersion(
            "2025-11-04",
            "2025-04-16",
            "the SDK 3.x default: the 2026-03-01 call fields with the legacy status names",
        ),
        ApiVersion(
            "2026-03-01",
            "2025-11-04",
            "POST /agents/calls, batches, webhooks, phone numbers; structured JSON errors",
        ),
        ApiVersion(
            "2026-08-14",
            "2026-03-01",
            "dynamic_variables, per-destination errors, List Calls filters and has_more",
        ),
    ),
    latest="2026-08-14",
)
#: The Cartesia-Version values the fake serves, oldest first.
VERSIONS: tuple[str, ...] = SHIPPED.names
#: What the official SDKs send by default (cartesia 4.x, @cartesia/cartesia-js 4.x).
LATEST = SHIPPED.latest


def versions_with(shape: str) -> tuple[str, ...]:
    """The shipped versions that have ``shape`` (so serve what it describes), oldest first."""
    return SHIPPED.versions_with(shape)


def _check_version(version: str | None) -> str:
    return SHIPPED.check(version)


def schema_names(version: str | None = None) -> tuple[str, ...]:
    """Names of every schema (file stem) that ``version`` has, sorted."""
    return tuple(sorted(SHIPPED.schemas(_check_version(version))))


def version_overrides(version: str) -> tuple[str, ...]:
    """The schemas that ``version`` states differently from its base."""
    return SHIPPED.overrides(version)


def load_schema(
    name: str, version: str | None = None, *, lineage: Lineage = SHIPPED
) -> dict[str, Any]:
    """A deep copy of schema ``name`` as ``version`` (default: the latest) defines it."""
    version = lineage.check(version)
    try:
        raw = lineage.schemas(version)[name]
    except KeyError:
        known = ", ".join(sorted(lineage.schemas(version)))
        raise KeyError(f"no contract named {name!r} under {version}; known: {known}") from None
    copied: dict[str, Any] = json.loads(json.dumps(raw))
    return copied


def registry(lineage: Lineage = SHIPPED) -> jsonschema_rs.Registry:
    """A registry that resolves every version's schemas by their ``$id`` (no network)."""
    found = lineage.memo.get("registry")
    if not isinstance(found, jsonschema_rs.Registry):
        found = jsonschema_rs.Registry(
            [
                (str(schema["$id"]), _strict(dict(schema)))
                for version in lineage.names
                for schema in lineage.schemas(version).values()
            ]
        )
        lineage.memo["registry"] = found
    return found


#: Formats the quick validator leaves out because a pattern beside them says the same: every
#: ``"format": "e164"`` in our schemas carries ``E164_PATTERN`` (a test holds that), and
#: jsonschema_rs's ``$`` ends the input, so the pattern alone is the whole-string check. The
#: format's Python callback costs ~1 us per number; a 100-destination body has 100.
_QUICK_SKIPS = frozenset({"e164"})
E164_PATTERN = "^\\+[1-9][0-9]{1,14}$"


class Contract:
    """A compiled contract: ``errors`` lists every violation with its path, ``is_valid``
    answers yes or no (faster).

    Two validators of the same schema: the quick one (no Python callback for a format a
    pattern already checks) decides; the full one words the errors of what it refused."""

    __slots__ = ("_quick", "_validator")

    def __init__(
        self, validator: jsonschema_rs.Validator, quick: jsonschema_rs.Validator | None = None
    ) -> None:
        self._validator = validator
        self._quick = validator if quick is None else quick

    def is_valid(self, instance: Any) -> bool:
        try:
            return bool(self._quick.is_valid(instance))
        except (ValueError, TypeError, UnicodeError):
            return False

    def iter_errors(self, instance: Any) -> Iterator[jsonschema_rs.ValidationError]:
        """The validator's own errors (``errors`` words them)."""
        return iter(self._validator.iter_errors(instance))

    def errors(self, instance: Any) -> list[ContractError]:
        """Every violation, deduplicated and sorted by path (empty if valid)."""
        try:
            if self._quick.is_valid(instance):
                return []
            return explain_all(self._validator.iter_errors(instance))
        except (ValueError, TypeError, UnicodeError) as exc:  # not JSON at all
            return [ContractError("$", f"is not a JSON value ({exc})")]


def build_validator(
    schema: Mapping[str, Any], version: str | None = None, *, lineage: Lineage = SHIPPED
) -> Contract:
    """A compiled, strict validator for ``schema``; its relative ``$ref``s resolve to
    ``version``'s schemas in the lineage's registry."""
    version = lineage.check(version)
    schema = dict(schema)
    if "$id" not in schema:
        schema["$id"] = f"{BASE_URI}{version}/_anonymous.json"
    strict = _strict(schema)

    def compiled(formats: Mapping[str, Callable[[str], bool]]) -> jsonschema_rs.Validator:
        return jsonschema_rs.Draft202012Validator(
            strict,
            registry=registry(lineage),
            formats=dict(formats),
            validate_formats=True,
            keywords={"strictInteger": StrictInteger},
        )

    quick = {k: v for k, v in _FORMATS.items() if k not in _QUICK_SKIPS}
    return Contract(compiled(_FORMATS), compiled(quick))


@lru_cache(maxsize=1024)
def validator_for(name: str, version: str | None = None, *, lineage: Lineage = SHIPPED) -> Contract:
    """The cached compiled contract ``name`` under ``version`` (default: the latest)."""
    version = lineage.check(version)
    if name not in lineage.schemas(version):
        load_schema(name, version, lineage=lineage)  # the KeyError naming the known ones
    return build_validator(lineage.schemas(version)[name], version, lineage=lineage)
