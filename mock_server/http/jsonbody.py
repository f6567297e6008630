"""Strict JSON bodies: UTF-8 only, no NaN/Infinity, no duplicate keys, bounded size and depth."""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from types import MappingProxyType
from typing import Any

from mock_server.domain.errors import ApiError


def invalid_json(message: str) -> ApiError:
    return ApiError(400, "invalid_json", "Invalid JSON body", message)


def _reject_constant(name: str) -> Any:
    raise invalid_json(f"{name} is not valid JSON (only finite numbers are allowed).")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise invalid_json(f"Duplicate key {key!r} in a JSON object.")
        out[key] = value
    return out


#: Escapes of UTF-16 surrogates (a lone one decodes to a string UTF-8 cannot carry): only
#: when one appears, or a number overflowed a float, is the value walked.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_INFINITE = (math.inf, -math.inf)


def _path(parts: list[object]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def _unrenderable(value: Any) -> tuple[str, str] | None:
    """The first place in ``value`` the API could not write back, and why: a number that
    overflowed to infinity, or a string (or key) holding a lone UTF-16 surrogate."""
    stack: list[tuple[list[object], Any]] = [([], value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                if not _utf8(key):
                    return _path(
                        [*where, key.encode("utf-8", "replace").decode()]
                    ), "a key with a lone surrogate"
                stack.append(([*where, key], inner))
        elif isinstance(item, list):
            stack.extend(([*where, i], inner) for i, inner in enumerate(item))
        elif isinstance(item, float) and math.isinf(item):
            return _path(where), "a number too large to represent (only finite numbers)"
        elif isinstance(item, str) and not _utf8(item):
            return _path(where), "a string with a lone UTF-16 surrogate (not valid Unicode)"
    return None


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


#: A whole JSON string (escapes included), and the brackets left once strings are gone.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = re.compile(r"[\[\]{}]")
_DELTA = MappingProxyType({"[": 1, "{": 1, "]": -1, "}": -1})


def _depth_exceeds(raw: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit``: a scan so that deeply
    nested input never reaches the recursive parser. Strings are cut out by one regex and
    only the brackets left are walked (a 5,000-recipient body is 20,000 brackets, not
    275,000 characters)."""
    if raw.count("[") + raw.count("{") <= limit:
        return False
    bare = _STRING.sub("", raw)
    quote = bare.find('"')
    if quote >= 0:  # an unterminated string: what follows is inside it
        bare = bare[:quote]
    return _deepest(bare) > limit


def _deepest(text: str) -> int:
    return max(accumulate(map(_DELTA.__getitem__, _BRACKETS.findall(text))), default=0)


class _Overflow(Exception):
    """A number in the body overflowed a float (the body is parsed again to find it)."""


def _finite(literal: str) -> float:
    value = float(literal)
    if value in _INFINITE:
        raise _Overflow
    return value


#: The body's parsers, configured once (stateless: the hooks only check): the strict one
#: stops at an overflowing number; the lenient one keeps it, to name where it is.
_STRICT = json.JSONDecoder(
    parse_float=_finite, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates
)
_LENIENT = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)


def _decoded(text: str, decoder: json.JSONDecoder) -> Any:
    """``text`` parsed, or the 400 saying what is wrong with it."""
    try:
        return decoder.decode(text)
    except (ApiError, _Overflow):
        raise
    except json.JSONDecodeError as exc:
        raise invalid_json(
            f"Malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}."
        ) from None
    except (ValueError, RecursionError) as exc:
        raise invalid_json(f"The JSON body cannot be parsed: {exc}.") from None


def parse(body: bytes, *, max_depth: int) -> Any:
    """Decode and parse ``body`` or raise a 400 ApiError saying exactly what is wrong."""
    if not body.strip():
        raise invalid_json("The request body is empty; a JSON object is expected.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid_json(
            f"The request body is not UTF-8 (invalid byte at offset {exc.start})."
        ) from None
    if text.startswith("\ufeff"):
        raise invalid_json("The request body starts with a byte-order mark; send plain UTF-8.")
    if "\x00" in text:
        raise invalid_json("The request body contains NUL characters (UTF-16/32 is not accepted).")
    if _depth_exceeds(text, max_depth):
        raise invalid_json(f"JSON nesting deeper than {max_depth} levels is not accepted.")
    try:
        value = _decoded(text, _STRICT)
        overflowed = False
    except _Overflow:  # parsed again, keeping the infinity, to say where it is
        value = _decoded(text, _LENIENT)
        overflowed = True
    if overflowed or _SURROGATE.search(text):
        found = _unrenderable(value)
        if found is not None:
            raise invalid_json(f"{found[0]}: {found[1]} cannot be stored or sent back.")
    return value
