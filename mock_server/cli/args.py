"""Argument types shared by the commands: each refuses a bad value naming what it expects
(argparse prints it as ``argument --x: …`` and exits 2)."""

from __future__ import annotations

import argparse
import json
import os
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

_JSON_TYPES = MappingProxyType(
    {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}
    | {type(None): "null"}
)


def port(text: str) -> int:
    """A TCP port, 0-65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a port is a number 0-65535, not {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number 0-65535, not {value}")
    return value


def base_url(text: str) -> str:
    """An http(s) URL with a host, such as http://127.0.0.1:8000."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        hint = f" (did you mean 'http://{text}'?)" if "://" not in text else ""
        raise argparse.ArgumentTypeError(
            f"expected a URL starting with http:// or https://, such as "
            f"http://127.0.0.1:8000, got {text!r}{hint}"
        )
    return text


def json_object(text: str) -> dict[str, Any]:
    """A JSON object, such as '{"customer_id": "cust_123"}'."""
    example = """'{"customer_id": "cust_123"}'"""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"expected a JSON object such as {example}; {text[:60]!r} is not JSON ({exc})"
        ) from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(
            f"expected a JSON object such as {example}, got a JSON {_JSON_TYPES[type(value)]}"
        )
    return value


def add_target(parser: argparse.ArgumentParser) -> None:
    """``--base-url`` and ``--api-key``: the API a command talks to (a local fake unless
    told otherwise)."""
    parser.add_argument(
        "--base-url",
        type=base_url,
        default="http://127.0.0.1:8000",
        help="API base URL (default http://127.0.0.1:8000, a local fake)",
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("CARTESIA_API_KEY") or "sk_car_local",
        help="API key (default: $CARTESIA_API_KEY, else a local test key)",
    )
