"""The facts of an OpenAPI document, and nothing else: paths, methods, parameters, status
codes, and the fields of request and response bodies with their types, required-ness, enums
and bounds. No descriptions, summaries or examples are kept.

The input is either a whole spec (YAML or JSON) or a docs page in Markdown that embeds an
endpoint's fragment in a fenced ``yaml`` block (Cartesia's ``….md`` pages do). A fragment cut
short (a stored copy that ends mid-way) is read up to its last whole line and marked
``complete: false``; what it does not reach is simply not a fact.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

METHODS = ("get", "post", "put", "patch", "delete")
#: The schema keywords kept as facts of a field.
KEPT = (
    "type",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "maxProperties",
    "format",
)
_FENCE = re.compile(r"^(`{3,})yaml[ \t]*([^\n]*)\n", re.MULTILINE)
_DEPTH = 8


class SpecError(ValueError):
    """A file that holds no OpenAPI document or fragment."""


def _lenient(text: str) -> Any:
    """YAML of ``text``; when it is cut short, of its longest prefix of whole lines that
    parses."""
    lines = text.splitlines()
    while lines:
        try:
            return yaml.safe_load("\n".join(lines))
        except yaml.YAMLError:
            lines.pop()
    return None


def documents(text: str) -> list[tuple[dict[str, Any], bool, str]]:
    """The OpenAPI documents in ``text``: (document, complete, fence label). A Markdown page
    gives one per fenced ``yaml`` block that holds ``paths``."""
    found: list[tuple[dict[str, Any], bool, str]] = []
    fences = list(_FENCE.finditer(text))
    if not fences:
        stripped = text.lstrip()
        try:
            whole = json.loads(stripped) if stripped.startswith("{") else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise SpecError(f"not YAML or JSON: {exc}") from None
        if not isinstance(whole, dict) or not isinstance(whole.get("paths"), dict):
            raise SpecError("no 'paths' in the document")
        return [(whole, True, "")]
    for fence in fences:
        body = text[fence.end() :]
        close = re.search(rf"^{fence.group(1)}\s*$", body, re.MULTILINE)
        complete = close is not None
        doc = _lenient(body[: close.start()] if close else body)
        if isinstance(doc, dict) and isinstance(doc.get("paths"), dict):
            found.append((doc, complete, fence.group(2).strip()))
    if not found:
        raise SpecError("no fenced yaml block with 'paths'")
    return found


def _resolve(node: Any, doc: dict[str, Any]) -> tuple[Any, str | None]:
    """``node`` with its ``$ref`` followed (None when the target is missing, with its name)."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 20:
        ref = node["$ref"]
        target: Any = doc
        for part in ref.lstrip("#/").split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        if target is None:
            return None, ref.rsplit("/", 1)[-1]
        extra = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **extra} if extra else target
        seen += 1
    return node, None


def _types(schema: dict[str, Any]) -> tuple[list[str], bool]:
    """(types without null, nullable) across OpenAPI 3.0 ``nullable`` and 3.1 type lists."""
    raw = schema.get("type")
    types = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
    nullable = bool(schema.get("nullable")) or "null" in types
    if "enum" in schema and None in schema["enum"]:
        nullable = True
    return sorted(t for t in types if t != "null"), nullable


def _field(schema: dict[str, Any]) -> dict[str, Any]:
    types, nullable = _types(schema)
    fact: dict[str, Any] = {}
    if types:
        fact["type"] = types
    if nullable:
        fact["nullable"] = True
    for key in KEPT[1:]:
        if key in schema:
            value = schema[key]
            fact[key] = sorted(v for v in value if v is not None) if key == "enum" else value
    return fact


def _merged(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """An ``allOf``/``anyOf``/``oneOf`` schema as one object schema (variants' properties
    merged; required only where every ``allOf`` part requires it)."""
    parts = schema.get("allOf") or schema.get("anyOf") or schema.get("oneOf")
    if not isinstance(parts, list):
        return schema
    props: dict[str, Any] = dict(schema.get("properties") or {})
    required: set[str] = set(schema.get("required") or [])
    for part in parts:
        resolved, _ = _resolve(part, doc)
        if isinstance(resolved, dict):
            resolved = _merged(resolved, doc)
            props.update(resolved.get("properties") or {})
            if "allOf" in schema:
                required |= set(resolved.get("required") or [])
    out = {k: v for k, v in schema.items() if k not in ("allOf", "anyOf", "oneOf")}
    out["properties"] = props
    out["required"] = sorted(required)
    if "type" not in out and props:
        out["type"] = "object"
    return out


def fields(schema: Any, doc: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """Every field under ``schema``: dotted path (``[]`` for array items) -> its facts."""
    out: dict[str, Any] = {}
    resolved, missing = _resolve(schema, doc)
    if missing is not None:
        if prefix:
            out[prefix] = {"unresolved": missing}
        return out
    if not isinstance(resolved, dict) or depth > _DEPTH:
        return out
    resolved = _merged(resolved, doc)
    items = resolved.get("items")
    if items is not None:
        item, _ = _resolve(items, doc)
        if isinstance(item, dict):
            out[f"{prefix}[]"] = _field(_merged(item, doc))
        out.update(fields(items, doc, f"{prefix}[]", depth + 1))
    required = set(resolved.get("required") or [])
    for name, sub in (resolved.get("properties") or {}).items():
        path = f"{prefix}.{name}" if prefix else name
        child, gone = _resolve(sub, doc)
        if gone is not None:
            out[path] = {"unresolved": gone, "required": name in required}
            continue
        if not isinstance(child, dict):
            continue
        child = _merged(child, doc)
        fact = _field(child)
        fact["required"] = name in required
        out[path] = fact
        out.update(fields(child, doc, path, depth + 1))
    return out


def _json_schema(content: Any) -> Any:
    if not isinstance(content, dict):
        return None
    media = content.get("application/json")
    return media.get("schema") if isinstance(media, dict) else None


def operations(doc: dict[str, Any]) -> dict[str, Any]:
    """``"METHOD /path"`` -> the operation's facts."""
    out: dict[str, Any] = {}
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            facts: dict[str, Any] = {"parameters": {}, "statuses": [], "responses": {}}
            for raw in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
                param, missing = _resolve(raw, doc)
                if missing is not None:
                    if missing == "CartesiaVersionHeader":
                        facts["parameters"]["header:Cartesia-Version"] = {"unresolved": missing}
                    continue
                if isinstance(param, dict) and "name" in param and "in" in param:
                    if "schema" not in param:  # a fragment cut short before it
                        facts["parameters"][f"{param['in']}:{param['name']}"] = {
                            "unresolved": "schema"
                        }
                        continue
                    schema, _ = _resolve(param.get("schema") or {}, doc)
                    fact = _field(schema if isinstance(schema, dict) else {})
                    fact["required"] = bool(param.get("required"))
                    facts["parameters"][f"{param['in']}:{param['name']}"] = fact
            body = op.get("requestBody")
            body, _ = _resolve(body, doc)
            if isinstance(body, dict):
                facts["request"] = fields(_json_schema(body.get("content")), doc)
                facts["request_required"] = bool(body.get("required"))
            for code, answer in (op.get("responses") or {}).items():
                facts["statuses"].append(str(code))
                answer, _ = _resolve(answer, doc)
                schema = _json_schema(answer.get("content")) if isinstance(answer, dict) else None
                if schema is not None:
                    facts["responses"][str(code)] = fields(schema, doc)
            facts["statuses"].sort()
            out[f"{method.upper()} {path}"] = facts
    return out


def version_of(doc: dict[str, Any], label: str, newest: str) -> str:
    """The Cartesia-Version a document describes: its version header's enum (one value), a
    date in its fence label (``2026-03-01/api.yml``), or ``newest`` (``latest.yml``)."""
    header = ((doc.get("components") or {}).get("parameters") or {}).get("CartesiaVersionHeader")
    enum = ((header or {}).get("schema") or {}).get("enum") if isinstance(header, dict) else None
    if isinstance(enum, list) and len(enum) == 1:
        return str(enum[0])
    dated = re.match(r"(\d{4}-\d{2}-\d{2})/", label)
    return dated.group(1) if dated else newest


def facts_of_text(text: str, newest: str) -> list[dict[str, Any]]:
    """One entry per document in ``text``: its version, completeness and operations."""
    return [
        {
            "version": version_of(doc, label, newest),
            "complete": complete,
            "operations": operations(doc),
        }
        for doc, complete, label in documents(text)
    ]
