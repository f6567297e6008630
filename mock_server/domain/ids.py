"""Deterministic identifiers drawn from a seeded random generator."""

from __future__ import annotations

import hashlib
import random
import uuid

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def derive_seed(seed: int, label: str) -> int:
    """A stable sub-seed for ``label`` (a tenant key, say) under the master ``seed``."""
    digest = hashlib.sha256(f"{seed}:{label}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class IdFactory:
    """Ids like the documented ones: ``call_`` + 16 base62 characters."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def token(self, length: int) -> str:
        return "".join(self._rng.choices(_BASE62, k=length))

    def call_id(self) -> str:
        return "call_" + self.token(16)

    def prefixed(self, prefix: str, length: int = 22) -> str:
        return prefix + self.token(length)

    def uuid4(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
