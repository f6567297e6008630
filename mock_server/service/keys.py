"""API keys as the fake shows them to people: never whole, only a short fingerprint that
stays the same for the same key (so two messages about one tenant can be matched)."""

from __future__ import annotations

import hashlib


def fingerprint(key: str) -> str:
    """``key#`` and 8 hex digits of the key's SHA-256: enough to tell tenants apart, nothing
    to recover the key from."""
    return "key#" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
