"""Normalising responses (ids, timestamps, request ids, prose) and diffing them."""

from __future__ import annotations

import re
from typing import Any

import httpx

_MASKS = (
    (re.compile(r"^call_[0-9A-Za-z]{16}$"), "<call_id>"),
    (re.compile(r"^(acb|acr|wh|ad|av|pn)_[0-9A-Za-z]{8,}$"), "<id>"),
    (re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"), "<uuid>"),
    (re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"), "<timestamp>"),
)


#: Fields whose content depends on timing or wording; only their kind is compared.
_PROSE = frozenset({"summary", "transcript", "error_message", "agent_name", "call_sid"})


def _kind(value: Any) -> str:
    return "<null>" if value is None else f"<{type(value).__name__}>"


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _kind(v) if k in _PROSE else _mask(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, str):
        for pattern, placeholder in _MASKS:
            if pattern.match(value):
                return placeholder
    return value


def normalise(response: httpx.Response) -> dict[str, Any]:
    """What must match: status, media type and the body with volatile values masked.

    Error bodies compare by their fields and ``error_code``; titles, messages and request
    ids are prose or random and are left out.
    """
    media = response.headers.get("content-type", "").split(";")[0].strip()
    out: dict[str, Any] = {"status": response.status_code, "content_type": media}
    if media == "application/json":
        try:
            body = response.json()
        except ValueError:
            out["body"] = "<invalid JSON>"
            return out
        if response.status_code >= 400 and isinstance(body, dict):
            out["body"] = {"fields": sorted(body), "error_code": body.get("error_code")}
        else:
            out["body"] = _mask(body)
    elif media.startswith("audio/"):
        out["body"] = f"<{len(response.content)} bytes>"
    return out


def diff(target: Any, reference: Any, path: str = "", *, name: str = "target") -> list[str]:
    """Human-readable differences (``path: target … but fake …``), empty when equal;
    ``name`` is what the other side is called (``recorded`` in a replay)."""
    if isinstance(target, dict) and isinstance(reference, dict):
        out: list[str] = []
        for key in sorted(set(target) | set(reference), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in reference:
                out.append(f"{where}: only the {name} has it ({target[key]!r})")
            elif key not in target:
                out.append(f"{where}: only the fake has it ({reference[key]!r})")
            else:
                out += diff(target[key], reference[key], where, name=name)
        return out
    if isinstance(target, list) and isinstance(reference, list) and len(target) == len(reference):
        return [
            d
            for i, (a, b) in enumerate(zip(target, reference, strict=True))
            for d in diff(a, b, f"{path}[{i}]", name=name)
        ]
    if target != reference:
        return [f"{path or '$'}: {name} {target!r} but the fake {reference!r}"]
    return []
